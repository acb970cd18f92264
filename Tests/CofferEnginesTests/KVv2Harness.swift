import CofferTestKit
import CofferJSON
import CofferLogical
@testable import CofferEngines
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

    init(_ start: Date) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A KV v2 backend over in-memory storage and a manual clock, driven like Core drives it
/// (create-vs-update decided through `exists` before a write).
struct KVv2Harness {
    /// 2023-11-14T22:13:20.25Z: a quarter second, so fractions show in timestamps.
    static let start = Date(timeIntervalSince1970: 1_700_000_000.25)

    let time = ManualTime(start)
    let storage: MemoryStorageView
    let backend: KVv2Backend

    init(yielding: Bool = false) {
        storage = MemoryStorageView(yielding: yielding)
        let time = self.time
        backend = KVv2Backend(now: { time.now })
    }

    /// The RFC 3339 form of the clock's current reading, as the engine renders it.
    var nowString: String { Timestamp(time.now).rfc3339 }

    func send(_ operation: CofferLogical.Operation, _ path: String, _ data: [String: JSONValue] = [:]) async throws -> Response? {
        var request = Request(id: "test", operation: operation, path: path, data: data, mountPoint: "secret/")
        if operation == .create || operation == .update {
            if let exists = try await backend.exists(request, storage: storage) {
                request.operation = exists ? .update : .create
            }
        }
        return try await backend.handle(request, storage: storage)
    }

    /// Writes `data` to `data/<path>` and returns the new version number.
    @discardableResult
    func put(_ path: String, _ data: [String: JSONValue], cas: Int64? = nil) async throws -> Int64 {
        var body: [String: JSONValue] = ["data": .object(data)]
        if let cas { body["options"] = ["cas": .int(cas)] }
        let response = try #require(try await send(.update, "data/" + path, body))
        return try #require(response.data?["version"]?.intValue)
    }

    func read(_ path: String, version: Int64? = nil) async throws -> Response? {
        try await send(.read, "data/" + path, version.map { ["version": .string(String($0))] } ?? [:])
    }

    func metadata(_ path: String) async throws -> [String: JSONValue]? {
        try await send(.read, "metadata/" + path)?.data
    }

    /// The error a request throws, or nil when it does not throw.
    func error(_ operation: CofferLogical.Operation, _ path: String, _ data: [String: JSONValue] = [:]) async -> LogicalError? {
        do {
            _ = try await send(operation, path, data)
            return nil
        } catch let error as LogicalError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }
}

/// A mutex-guarded value tasks can share by reference.
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    var value: Value { mutex.withLock { $0 } }

    @discardableResult
    func update<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
