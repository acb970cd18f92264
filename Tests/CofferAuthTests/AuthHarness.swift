import CofferTestKit
import CofferAuth
import CofferJSON
import CofferLogical
import Synchronization
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A wall clock that moves only when a test says so.
final class ManualTime: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000.25)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// One auth backend over in-memory storage, driven like Core drives it: the mount point
/// set, create-vs-update decided through `exists` before a write, no token on the
/// backend's unauthenticated paths.
struct AuthHarness<Backend: LogicalBackend> {
    let storage: MemoryStorageView
    let backend: Backend
    let mountPoint: String

    init(_ backend: Backend, mountPoint: String, yielding: Bool = false) {
        self.backend = backend
        self.mountPoint = mountPoint
        self.storage = MemoryStorageView(yielding: yielding)
    }

    @discardableResult
    func send(
        _ operation: CofferLogical.Operation, _ path: String, _ data: [String: JSONValue] = [:], remote: String? = "127.0.0.1"
    ) async throws -> Response? {
        let auth = backend.isUnauthenticated(path)
            ? nil : AuthContext(accessor: "test-accessor", policies: ["root"], tokenID: "test-token-id")
        var request = Request(
            id: "test", operation: operation, path: path, data: data, auth: auth, mountPoint: mountPoint,
            remoteAddress: remote)
        if operation == .create || operation == .update, let exists = try await backend.exists(request, storage: storage) {
            request.operation = exists ? .update : .create
        }
        return try await backend.handle(request, storage: storage)
    }

    @discardableResult
    func write(_ path: String, _ data: [String: JSONValue] = [:], remote: String? = "127.0.0.1") async throws -> Response? {
        try await send(.update, path, data, remote: remote)
    }

    func read(_ path: String) async throws -> [String: JSONValue]? {
        try await send(.read, path)?.data
    }

    /// The ``LogicalError`` a request fails with; records an issue if it succeeds or
    /// throws something else.
    func failure(
        _ operation: CofferLogical.Operation, _ path: String, _ data: [String: JSONValue] = [:], remote: String? = "127.0.0.1",
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> LogicalError? {
        do {
            _ = try await send(operation, path, data, remote: remote)
            Issue.record("expected \(operation) \(path) to fail", sourceLocation: sourceLocation)
            return nil
        } catch let error as LogicalError {
            return error
        } catch {
            Issue.record("expected a LogicalError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}

/// Hashing cheap enough for unit tests (the production parameters get one test of their own).
let cheapHashing = try! PasswordHashing(.scrypt(logN: 4, blockSize: 1, parallelism: 1))

func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    return sorted[sorted.count / 2]
}

/// Wall time of `body` in milliseconds.
func milliseconds(_ body: () async throws -> Void) async rethrows -> Double {
    let clock = ContinuousClock()
    let elapsed = try await clock.measure { try await body() }
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}
