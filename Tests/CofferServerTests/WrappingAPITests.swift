import AsyncHTTPClient
import CofferCore
import CofferHTTP
import CofferJSON
import CofferStorage
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Response wrapping through HTTP (vault-core-api.md §12): `X-Vault-Wrap-TTL`, `wrap_info`,
/// and `sys/wrapping/{wrap,unwrap,lookup,rewrap}`.
@Suite("Response wrapping API")
struct WrappingAPITests {
    static let invalid: JSONValue = ["errors": ["wrapping token is not valid or does not exist"]]

    /// A dev-mode server (KV v2 at `secret/`) with a wall clock the test moves.
    static func dev<T: Sendable>(
        _ body: @Sendable (TestServer, String, SteppedWallClock) async throws -> T
    ) async throws -> T {
        let clock = SteppedWallClock()
        return try await ClockedTestServer.with(clock: clock) { server in
            let (_, root) = try await server.core.setUpDevMode(rootTokenID: "root-test")
            return try await body(server, root, clock)
        }
    }

    static func wrapTTL(_ ttl: String) -> [(String, String)] { [("X-Vault-Wrap-TTL", ttl)] }

    /// Sends a request asking for wrapping and returns `wrap_info`, checking that nothing
    /// else of the response is in the envelope.
    static func wrapped(
        _ server: TestServer, _ method: String, _ path: String, json: JSONValue? = nil, token: String, ttl: String = "5m"
    ) async throws -> (info: JSONValue, raw: String) {
        let reply = try await server.send(method, path, json: json, token: token, headers: wrapTTL(ttl))
        #expect(reply.status == 200)
        let envelope = try #require(reply.json)
        for key in ["data", "auth", "warnings"] { #expect(envelope[key] == .null, "\(key) of a wrapped response") }
        #expect(envelope["lease_id"] == "" && envelope["lease_duration"] == 0)
        return (try #require(envelope["wrap_info"]), String(decoding: reply.bytes, as: UTF8.self))
    }

    @Test("a wrapped KV read answers wrap_info only; unwrapping with the token as client token returns the original once")
    func wrapKVRead() async throws {
        try await Self.dev { server, root, _ in
            let write = try await server.send("POST", "/v1/secret/data/app", json: ["data": ["password": "s3cr3t-value"]], token: root)
            #expect(write.status == 200)
            let (info, raw) = try await Self.wrapped(server, "GET", "/v1/secret/data/app", token: root)
            #expect(!raw.contains("s3cr3t-value"), "the wrapped secret never appears in the wrap response")
            let token = try #require(info["token"]?.stringValue)
            #expect(token.hasPrefix("hvs."))
            #expect(info["accessor"]?.stringValue?.isEmpty == false)
            #expect(info["ttl"] == 300 && info["creation_path"] == "secret/data/app")
            #expect(info["wrapped_accessor"] == nil)
            let created = try #require(info["creation_time"]?.stringValue)
            #expect(created.hasSuffix("Z") && created.contains("T"))

            let unwrap = try await server.send("POST", "/v1/sys/wrapping/unwrap", token: token)
            #expect(unwrap.status == 200)
            #expect(unwrap.json?["data"]?["data"] == ["password": "s3cr3t-value"])
            #expect(unwrap.json?["data"]?["metadata"]?["version"] == 1)
            #expect(unwrap.json?["wrap_info"] == .null)

            // Spent: as a client token it no longer authenticates; in the body it is invalid.
            let again = try await server.send("POST", "/v1/sys/wrapping/unwrap", token: token)
            #expect(again.status == 403)
            let third = try await server.send("POST", "/v1/sys/wrapping/unwrap", json: ["token": .string(token)], token: root)
            #expect(third.status == 400 && third.json == Self.invalid)
        }
    }

    @Test("a third party unwraps with the token in the body; the second unwrap is 400 and the caller's token is unchanged")
    func unwrapInBody() async throws {
        try await Self.dev { server, root, _ in
            let create = try await server.send("POST", "/v1/auth/token/create", json: ["policies": ["default"]], token: root)
            let user = try #require(create.json?["auth"]?["client_token"]?.stringValue)
            // The default policy grants sys/wrapping/wrap and unwrap.
            let (info, raw) = try await Self.wrapped(
                server, "POST", "/v1/sys/wrapping/wrap", json: ["zip": "zap-secret"], token: user, ttl: "60")
            #expect(!raw.contains("zap-secret"))
            #expect(info["creation_path"] == "sys/wrapping/wrap" && info["ttl"] == 60)
            let token = try #require(info["token"]?.stringValue)

            let unwrap = try await server.send("POST", "/v1/sys/wrapping/unwrap", json: ["token": .string(token)], token: user)
            #expect(unwrap.status == 200 && unwrap.json?["data"] == ["zip": "zap-secret"])
            let second = try await server.send("POST", "/v1/sys/wrapping/unwrap", json: ["token": .string(token)], token: user)
            #expect(second.status == 400 && second.json == Self.invalid)
            #expect(try await server.send("GET", "/v1/auth/token/lookup-self", token: user).status == 200)

            // Not wrapping tokens: unknown, or an ordinary token.
            for bogus in ["hvs.nothing-like-this", user, root] {
                let reply = try await server.send("POST", "/v1/sys/wrapping/unwrap", json: ["token": .string(bogus)], token: root)
                #expect(reply.status == 400 && reply.json == Self.invalid)
            }
            // An ordinary token unwrapping "itself" finds nothing either.
            let selfUnwrap = try await server.send("POST", "/v1/sys/wrapping/unwrap", token: user)
            #expect(selfUnwrap.status == 400 && selfUnwrap.json == Self.invalid)
            #expect(try await server.send("GET", "/v1/auth/token/lookup-self", token: user).status == 200)
        }
    }

    @Test("putting the wrapping token in both places spends it before the lookup (Vault's rule)")
    func bothPlaces() async throws {
        try await Self.dev { server, root, _ in
            let (info, _) = try await Self.wrapped(server, "POST", "/v1/sys/wrapping/wrap", json: ["a": "b"], token: root)
            let token = try #require(info["token"]?.stringValue)
            let reply = try await server.send("POST", "/v1/sys/wrapping/unwrap", json: ["token": .string(token)], token: token)
            #expect(reply.status == 400 && reply.json == Self.invalid)
            let after = try await server.send("POST", "/v1/sys/wrapping/unwrap", json: ["token": .string(token)], token: root)
            #expect(after.status == 400)
        }
    }

    @Test("concurrent unwraps of one token: exactly one gets the response")
    func concurrentUnwrap() async throws {
        try await Self.dev { server, root, _ in
            let (info, _) = try await Self.wrapped(server, "POST", "/v1/sys/wrapping/wrap", json: ["k": "v"], token: root)
            let token = try #require(info["token"]?.stringValue)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await server.send("POST", "/v1/sys/wrapping/unwrap", json: ["token": .string(token)], token: root).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1)
            #expect(statuses.filter { $0 == 400 }.count == 7)
        }
    }

    @Test("lookup is unauthenticated, needs the token in the body and does not spend it")
    func lookup() async throws {
        try await Self.dev { server, root, _ in
            let (info, _) = try await Self.wrapped(server, "POST", "/v1/sys/wrapping/wrap", json: ["k": "v"], token: root, ttl: "90s")
            let token = try #require(info["token"]?.stringValue)
            let lookup = try await server.send("POST", "/v1/sys/wrapping/lookup", json: ["token": .string(token)])
            #expect(lookup.status == 200)
            #expect(lookup.json?["data"] == [
                "creation_path": "sys/wrapping/wrap", "creation_ttl": 90, "creation_time": info["creation_time"] ?? .null,
            ])
            #expect(try await server.send("POST", "/v1/sys/wrapping/lookup", json: ["token": .string(token)]).status == 200)

            let missing = try await server.send("POST", "/v1/sys/wrapping/lookup", json: [:])
            #expect(missing.status == 400)
            let unknown = try await server.send("POST", "/v1/sys/wrapping/lookup", json: ["token": "hvs.unknown"])
            #expect(unknown.status == 400 && unknown.json == Self.invalid)
            let ordinary = try await server.send("POST", "/v1/sys/wrapping/lookup", json: ["token": .string(root)])
            #expect(ordinary.status == 400 && ordinary.json == Self.invalid)

            let unwrap = try await server.send("POST", "/v1/sys/wrapping/unwrap", token: token)
            #expect(unwrap.status == 200 && unwrap.json?["data"] == ["k": "v"])
            let afterUse = try await server.send("POST", "/v1/sys/wrapping/lookup", json: ["token": .string(token)])
            #expect(afterUse.status == 400)
        }
    }

    @Test("rewrap moves the contents to a new token with the same TTL and path; the old one is dead")
    func rewrap() async throws {
        try await Self.dev { server, root, _ in
            let (info, _) = try await Self.wrapped(server, "POST", "/v1/sys/wrapping/wrap", json: ["zip": "zap"], token: root, ttl: "2m")
            let old = try #require(info["token"]?.stringValue)
            let reply = try await server.send("POST", "/v1/sys/wrapping/rewrap", json: ["token": .string(old)], token: root)
            #expect(reply.status == 200)
            #expect(reply.json?["data"] == .null)
            let fresh = try #require(reply.json?["wrap_info"])
            let new = try #require(fresh["token"]?.stringValue)
            #expect(new != old && fresh["ttl"] == 120 && fresh["creation_path"] == "sys/wrapping/wrap")
            #expect(!String(decoding: reply.bytes, as: UTF8.self).contains("zap"))

            let oldUnwrap = try await server.send("POST", "/v1/sys/wrapping/unwrap", json: ["token": .string(old)], token: root)
            #expect(oldUnwrap.status == 400 && oldUnwrap.json == Self.invalid)
            let lookup = try await server.send("POST", "/v1/sys/wrapping/lookup", json: ["token": .string(new)])
            #expect(lookup.json?["data"]?["creation_ttl"] == 120)
            let unwrap = try await server.send("POST", "/v1/sys/wrapping/unwrap", token: new)
            #expect(unwrap.status == 200 && unwrap.json?["data"] == ["zip": "zap"])

            let spent = try await server.send("POST", "/v1/sys/wrapping/rewrap", json: ["token": .string(new)], token: root)
            #expect(spent.status == 400 && spent.json == Self.invalid)
        }
    }

    @Test("a wrapping token expires with its TTL")
    func expiry() async throws {
        try await Self.dev { server, root, clock in
            let (first, _) = try await Self.wrapped(server, "POST", "/v1/sys/wrapping/wrap", json: ["k": "v"], token: root, ttl: "60")
            let (second, _) = try await Self.wrapped(server, "POST", "/v1/sys/wrapping/wrap", json: ["k": "v"], token: root, ttl: "60")
            let firstToken = try #require(first["token"]?.stringValue)
            let secondToken = try #require(second["token"]?.stringValue)
            clock.advance(seconds: 30)
            #expect(try await server.send("POST", "/v1/sys/wrapping/lookup", json: ["token": .string(firstToken)]).status == 200)
            clock.advance(seconds: 31)
            let lookup = try await server.send("POST", "/v1/sys/wrapping/lookup", json: ["token": .string(firstToken)])
            #expect(lookup.status == 400 && lookup.json == Self.invalid)
            let unwrap = try await server.send("POST", "/v1/sys/wrapping/unwrap", json: ["token": .string(firstToken)], token: root)
            #expect(unwrap.status == 400 && unwrap.json == Self.invalid)
            #expect(try await server.send("POST", "/v1/sys/wrapping/unwrap", token: secondToken).status == 403)
        }
    }

    @Test("a wrapped token create: wrap_info names the new token's accessor; unwrapping yields a working token")
    func wrappedTokenCreate() async throws {
        try await Self.dev { server, root, _ in
            let (info, raw) = try await Self.wrapped(
                server, "POST", "/v1/auth/token/create", json: ["policies": ["default"], "ttl": "1h"], token: root, ttl: "15m")
            #expect(info["ttl"] == 900 && info["creation_path"] == "auth/token/create")
            let wrappedAccessor = try #require(info["wrapped_accessor"]?.stringValue)
            #expect(!raw.contains("client_token"))
            let token = try #require(info["token"]?.stringValue)

            let unwrap = try await server.send("POST", "/v1/sys/wrapping/unwrap", token: token)
            #expect(unwrap.status == 200 && unwrap.json?["data"] == .null)
            let auth = try #require(unwrap.json?["auth"])
            #expect(auth["accessor"]?.stringValue == wrappedAccessor)
            #expect(auth["policies"] == ["default"] && auth["lease_duration"] == 3600)
            let minted = try #require(auth["client_token"]?.stringValue)
            let lookup = try await server.send("GET", "/v1/auth/token/lookup-self", token: minted)
            #expect(lookup.status == 200 && lookup.json?["data"]?["accessor"]?.stringValue == wrappedAccessor)
            #expect(lookup.json?["data"]?["policies"] == ["default"])
        }
    }

    @Test("a wrapped login (unauthenticated path) wraps the minted token")
    func wrappedLogin() async throws {
        try await Self.dev { server, root, _ in
            #expect(try await server.send("POST", "/v1/sys/auth/userpass", json: ["type": "userpass"], token: root).status == 204)
            #expect(try await server.send("POST", "/v1/auth/userpass/users/tester",
                                          json: ["password": "pw-1234", "token_policies": "default"], token: root).status == 204)
            let login = try await server.send("POST", "/v1/auth/userpass/login/tester", json: ["password": "pw-1234"],
                                              headers: Self.wrapTTL("1m"))
            #expect(login.status == 200 && login.json?["auth"] == .null)
            let info = try #require(login.json?["wrap_info"])
            #expect(info["creation_path"] == "auth/userpass/login/tester" && info["wrapped_accessor"]?.stringValue?.isEmpty == false)
            let unwrap = try await server.send("POST", "/v1/sys/wrapping/unwrap", token: info["token"]?.stringValue)
            let minted = try #require(unwrap.json?["auth"]?["client_token"]?.stringValue)
            #expect(unwrap.json?["auth"]?["metadata"] == ["username": "tester"])
            #expect(try await server.send("GET", "/v1/auth/token/lookup-self", token: minted).status == 200)
        }
    }

    @Test("a wrapping token is refused everywhere but unwrap (the response-wrapping policy), and that policy is fixed")
    func wrappingTokenScope() async throws {
        try await Self.dev { server, root, _ in
            _ = try await server.send("POST", "/v1/secret/data/other", json: ["data": ["x": "y"]], token: root)
            let (info, _) = try await Self.wrapped(server, "POST", "/v1/sys/wrapping/wrap", json: ["k": "v"], token: root)
            let token = try #require(info["token"]?.stringValue)
            for (method, path) in [("GET", "/v1/secret/data/other"), ("GET", "/v1/auth/token/lookup-self"),
                                   ("POST", "/v1/sys/wrapping/wrap"), ("GET", "/v1/sys/mounts"), ("GET", "/v1/cubbyhole/other")] {
                let reply = try await server.send(method, path, json: method == "POST" ? ["a": "b"] : nil, token: token)
                #expect(reply.status == 403, "\(method) \(path) with a wrapping token")
            }
            let rewrap = try await server.send("POST", "/v1/sys/wrapping/rewrap", token: token)
            #expect(rewrap.status == 403)

            let write = try await server.send("PUT", "/v1/sys/policy/response-wrapping", json: ["policy": #"path "*" { capabilities = ["sudo"] }"#], token: root)
            #expect(write.status == 400)
            let delete = try await server.send("DELETE", "/v1/sys/policy/response-wrapping", token: root)
            #expect(delete.status == 400)
            let read = try await server.send("GET", "/v1/sys/policy/response-wrapping", token: root)
            #expect(read.json?["rules"]?.stringValue?.contains("sys/wrapping/unwrap") == true)
            let list = try await server.send("GET", "/v1/sys/policy", token: root)
            #expect(list.json?["policies"]?.stringArrayValue?.contains("response-wrapping") == false)
            let create = try await server.send("POST", "/v1/auth/token/create", json: ["policies": ["response-wrapping"]], token: root)
            #expect(create.status == 400)
        }
    }

    @Test("wrap needs a TTL; nil responses are not wrapped; bad X-Vault-Wrap-TTL values are 400")
    func edges() async throws {
        try await Self.dev { server, root, _ in
            let noTTL = try await server.send("POST", "/v1/sys/wrapping/wrap", json: ["k": "v"], token: root)
            #expect(noTTL.status == 400 && noTTL.json == ["errors": ["endpoint requires response wrapping to be used"]])

            let missing = try await server.send("GET", "/v1/secret/data/nothing", token: root, headers: Self.wrapTTL("60"))
            #expect(missing.status == 404)
            _ = try await server.send("POST", "/v1/sys/mounts/kv1", json: ["type": "kv", "options": ["version": "1"]], token: root)
            let write = try await server.send("POST", "/v1/kv1/a", json: ["k": "v"], token: root, headers: Self.wrapTTL("60"))
            #expect(write.status == 204 && write.bytes.isEmpty)

            for bad in ["abc", "0", "-5", "10x"] {
                let reply = try await server.send("GET", "/v1/sys/mounts", token: root, headers: Self.wrapTTL(bad))
                #expect(reply.status == 400, "X-Vault-Wrap-TTL: \(bad)")
                let message = reply.json?["errors"]?.arrayValue?.first?.stringValue ?? ""
                #expect(message.contains("X-Vault-Wrap-TTL"))
            }
            // An empty body wraps and unwraps as an empty object.
            let (info, _) = try await Self.wrapped(server, "POST", "/v1/sys/wrapping/wrap", json: [:], token: root)
            let unwrap = try await server.send("POST", "/v1/sys/wrapping/unwrap", token: info["token"]?.stringValue)
            #expect(unwrap.status == 200 && unwrap.json?["data"] == [:])
            // A TTL above the system maximum is capped to it.
            let (long, _) = try await Self.wrapped(server, "POST", "/v1/sys/wrapping/wrap", json: ["k": "v"], token: root, ttl: "10000h")
            #expect(long["ttl"] == 2_764_800)
        }
    }
}

/// A wall clock that starts at the real time and moves only when the test says so.
final class SteppedWallClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    func advance(seconds: TimeInterval) {
        offset.withLock { $0 += seconds }
    }

    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }
}

/// ``TestServer`` over a ``Core`` whose wall clock the test controls.
enum ClockedTestServer {
    static func with<T: Sendable>(
        clock: SteppedWallClock, _ body: @Sendable (TestServer) async throws -> T
    ) async throws -> T {
        try await TestServer.with(clock: { clock.now }, body)
    }
}
