// coffer-bench-baseline: the ceiling Coffer's read path is measured against.
//
// A bare Hummingbird 2 application with one GET route, `/v1/secret/**`, that returns
// a fixed Vault-shaped KV v1 read envelope (244 bytes, `application/json`). It does
// what any Hummingbird server must do per request (HTTP/1 parsing, routing, writing a
// response) and nothing Coffer adds (token lookup, ACL, storage, decryption, JSON
// encoding), so `Coffer req/s ÷ baseline req/s` is the share of the framework's ceiling
// that Coffer keeps. The body is built once: this is deliberately the cheapest server
// Hummingbird can be, which makes the comparison a strict one.
//
// Usage: coffer-bench-baseline [PORT]   (or COFFER_BENCH_PORT; default 8080)
// Listens on 127.0.0.1 only.

import Foundation
import Hummingbird

/// The response body: byte for byte the shape of Coffer's KV v1 read envelope (244 bytes),
/// with a fixed request ID. Headers match Coffer's too (Content-Type, Cache-Control).
let envelope = #"""
    {"auth":null,"data":{"password":"correct-horse-battery-staple","username":"bench"},\#
    "lease_duration":2764800,"lease_id":"","mount_type":"kv","renewable":false,\#
    "request_id":"3f1c2a9e-8b7d-4e6f-a5c4-1d2e3f405162","warnings":null,"wrap_info":null}
    """#

/// Parses a TCP port from the first argument, then `COFFER_BENCH_PORT`, else 8080.
func listenPort() -> Int? {
    let raw = CommandLine.arguments.dropFirst().first
        ?? ProcessInfo.processInfo.environment["COFFER_BENCH_PORT"]
        ?? "8080"
    guard let port = Int(raw), (1...65535).contains(port) else { return nil }
    return port
}

guard let port = listenPort() else {
    FileHandle.standardError.write(Data("usage: coffer-bench-baseline [PORT]  (1-65535)\n".utf8))
    exit(2)
}

let body = ByteBuffer(string: envelope + "\n")  // Vault, and Coffer, end bodies with a newline.
let router = Router()
router.get("/v1/secret/**") { _, _ -> Response in
    Response(
        status: .ok,
        headers: [.contentType: "application/json", .cacheControl: "no-store"],
        body: ResponseBody(byteBuffer: body)
    )
}

let app = Application(
    router: router,
    configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port))
)
try await app.runService()
