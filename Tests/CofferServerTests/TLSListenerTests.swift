import AsyncHTTPClient
import CofferCore
import CofferHTTP
import CofferStorage
import CofferTestKit
import Foundation
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Testing

/// The listener over TLS, with a certificate and key from PEM files (made by openssl).
@Suite("TLS listener")
struct TLSListenerTests {
    @Test("serves the API over TLS 1.2+ from cert and key files, and refuses plain HTTP")
    func servesOverTLS() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl must be installed to make a test certificate")

        var logger = Logger(label: "tls-test")
        logger.logLevel = .critical
        let core = Core(storage: InMemoryBackend(), logger: logger)
        let tls = try HTTPListener.tlsConfiguration(certificateFile: directory + "/cert.pem", keyFile: directory + "/key.pem")
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let service = try HTTPListener(host: "127.0.0.1", port: 0, tls: tls).makeService(core: core, logger: logger) {
            continuation.yield($0?.port ?? 0)
        }
        let group = ServiceGroup(services: [service], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0

            var clientTLS = TLSConfiguration.makeClientConfiguration()
            clientTLS.trustRoots = .file(directory + "/cert.pem")
            let https = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: clientTLS))
            let plain = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let reply = try await TestHTTPClient(baseURL: "https://127.0.0.1:\(port)", http: https)
                    .send("GET", "/v1/sys/health")
                #expect(reply.status == 501)  // not initialised, served over TLS
                #expect(reply.json?["initialized"] == false)
                await #expect(throws: (any Error).self) {
                    _ = try await TestHTTPClient(baseURL: "http://127.0.0.1:\(port)", http: plain)
                        .send("GET", "/v1/sys/health", timeout: .seconds(5))
                }
            } catch {
                Issue.record(error)
            }
            try await https.shutdown()
            try await plain.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
