import AsyncHTTPClient
import CofferCore
import CofferHTTP
import CofferJSON
import CofferStorage
import CofferTestKit
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// A Coffer API listener on a free loopback port, over a given storage, for one test.
struct TestServer: Sendable {
    let baseURL: String
    let core: Core
    let http: HTTPClient

    /// Runs `body` against a fresh server; shuts everything down afterwards.
    static func with<T: Sendable>(
        storage: any StorageBackend = InMemoryBackend(),
        clock: @escaping @Sendable () -> Date = { Date() },
        _ body: @Sendable (TestServer) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let core = Core(storage: storage, logger: logger, clock: clock)
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let service = try HTTPListener(host: "127.0.0.1", port: 0, tls: nil).makeService(core: core, logger: logger) {
            address in
            continuation.yield(address?.port ?? 0)
        }
        let group = ServiceGroup(services: [service], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = stream.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let server = TestServer(baseURL: "http://127.0.0.1:\(port)", core: core, http: http)
            do {
                let result = try await body(server)
                try await http.shutdown()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                try? await http.shutdown()
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    var client: TestHTTPClient { TestHTTPClient(baseURL: baseURL, http: http) }

    func send(
        _ method: String, _ path: String, body: [UInt8]? = nil, json: JSONValue? = nil, token: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> TestHTTPClient.Reply {
        try await client.send(method, path, body: body, json: json, token: token, headers: headers)
    }

    func initAndUnseal(shares: Int = 5, threshold: Int = 3) async throws -> (keys: [String], rootToken: String) {
        try await client.initAndUnseal(shares: shares, threshold: threshold)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
