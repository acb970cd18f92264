@testable import CofferStorage
import CofferTestKit
import Foundation
import Synchronization
import Testing

/// A commit interceptor that records every call and logs each batch as a numbered key,
/// like a write-ahead log would. Refuses steps whose batches put `refuseKey`.
final class RecordingInterceptor: CommitInterceptor {
    enum Event: Equatable, CustomStringConvertible {
        case prepare([StorageBatch])
        case committed
        case aborted

        var description: String {
            switch self {
            case .prepare(let batches): "prepare(\(batches.count))"
            case .committed: "committed"
            case .aborted: "aborted"
            }
        }
    }

    struct Refused: Error, Equatable {}

    private struct State {
        var events: [Event] = []
        var next = 0
        var pending: Int?
        var committedIndex = 0
    }

    private let state = Mutex(State())
    let refuseKey: String?
    let extra: @Sendable ([StorageBatch]) -> [StorageOperation]

    let uncachedKeyPrefixes: [String]

    init(refuseKey: String? = nil, uncachedKeyPrefixes: [String] = [],
         extra: @escaping @Sendable ([StorageBatch]) -> [StorageOperation] = { _ in [] }) {
        self.refuseKey = refuseKey
        self.uncachedKeyPrefixes = uncachedKeyPrefixes
        self.extra = extra
    }

    var events: [Event] { state.withLock { $0.events } }
    var committedIndex: Int { state.withLock { $0.committedIndex } }

    func prepare(_ batches: [StorageBatch]) throws -> [StorageOperation] {
        try state.withLock { state in
            state.events.append(.prepare(batches))
            #expect(state.pending == nil, "prepare while a step is pending")
            if let refuseKey, batches.contains(where: { $0.operations.contains { op in
                if case .put(let key, _) = op { return key == refuseKey }
                return false
            } }) {
                throw Refused()
            }
            // One log key per batch, numbered from the last committed step: gap-free
            // only if aborted steps give their numbers back.
            var operations: [StorageOperation] = []
            var next = state.committedIndex
            for batch in batches {
                next += 1
                operations.append(.put(key: "log/\(next)", value: Array(batch.description.utf8)))
            }
            state.pending = next
            return operations + extra(batches)
        }
    }

    func committed() {
        state.withLock { state in
            state.events.append(.committed)
            #expect(state.pending != nil, "committed without prepare")
            state.committedIndex = state.pending ?? state.committedIndex
            state.pending = nil
        }
    }

    func aborted() {
        state.withLock { state in
            state.events.append(.aborted)
            #expect(state.pending != nil, "aborted without prepare")
            state.pending = nil
        }
    }
}

/// The commit interceptor contract, on both built-in backends.
@Suite struct CommitInterceptorTests {
    enum Kind: String, CaseIterable, CustomStringConvertible {
        case inMemory, sqlite
        var description: String { rawValue }
    }

    /// Runs `body` with a fresh backend of `kind` and closes it afterwards.
    func withBackend(_ kind: Kind, hook: SQLiteBackend.TransactionHook? = nil,
                     _ body: (any InterceptableStorage) async throws -> Void) async throws {
        switch kind {
        case .inMemory:
            try await body(InMemoryBackend())
        case .sqlite:
            try await withTemporaryDirectory { directory in
                let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: testLogger, transactionHook: hook)
                do {
                    try await body(backend)
                } catch {
                    try? await backend.close()
                    throw error
                }
                try await backend.close()
            }
        }
    }

    @Test(arguments: Kind.allCases)
    func extraOperationsCommitWithTheBatchAfterIt(_ kind: Kind) async throws {
        try await withBackend(kind) { backend in
            // The extra operations run after the batch: they win over it.
            let interceptor = RecordingInterceptor { batches in
                batches.contains { $0.operations.contains(.put(key: "override", value: [1])) }
                    ? [.put(key: "override", value: [2]), .deletePrefix("gone/")] : []
            }
            try await backend.put("cached", [1])
            #expect(try await backend.get("cached") == [1])  // now in SQLite's read cache
            backend.setCommitInterceptor(interceptor)

            try await backend.commit(StorageBatch([.put(key: "a", value: [7]), .put(key: "gone/x", value: [1])]))
            #expect(try await backend.get("a") == [7])
            #expect(try await backend.get("log/1") == Array(StorageBatch([.put(key: "a", value: [7]), .put(key: "gone/x", value: [1])]).description.utf8))
            #expect(try await backend.get("gone/x") == [1])

            try await backend.commit(StorageBatch([.put(key: "override", value: [1])]))
            #expect(try await backend.get("override") == [2])
            #expect(try await backend.get("gone/x") == nil)
            #expect(try await backend.list(prefix: "log/") == ["1", "2"])
            #expect(interceptor.events.map(\.description) == ["prepare(1)", "committed", "prepare(1)", "committed"])

            // An interceptor overwriting a cached key: the read cache must not serve the old value.
            let overwriting = RecordingInterceptor { _ in [.put(key: "cached", value: [9])] }
            backend.setCommitInterceptor(overwriting)
            try await backend.put("b", [1])
            #expect(try await backend.get("cached") == [9])

            // Removed: later commits are not seen.
            backend.setCommitInterceptor(nil)
            try await backend.put("c", [1])
            #expect(overwriting.events.count == 2)
            #expect(try await backend.get("cached") == [9])
        }
    }

    @Test(arguments: Kind.allCases)
    func aRefusingPrepareAppliesNothingAndItsErrorReachesTheCaller(_ kind: Kind) async throws {
        try await withBackend(kind) { backend in
            let interceptor = RecordingInterceptor(refuseKey: "poison")
            backend.setCommitInterceptor(interceptor)
            try await backend.put("keep", [1])
            await #expect(throws: RecordingInterceptor.Refused.self) {
                try await backend.commit(StorageBatch([.deletePrefix(""), .put(key: "poison", value: [1])]))
            }
            #expect(try await backend.get("keep") == [1])
            #expect(try await backend.get("poison") == nil)
            #expect(try await backend.list(prefix: "") == ["keep", "log/"])
            // No `aborted` for a prepare that threw; the next step numbers on.
            #expect(interceptor.events.map(\.description) == ["prepare(1)", "committed", "prepare(1)"])
            try await backend.put("next", [1])
            #expect(try await backend.list(prefix: "log/") == ["1", "2"])
        }
    }

    @Test(arguments: Kind.allCases)
    func originAndOrderReachTheInterceptor(_ kind: Kind) async throws {
        try await withBackend(kind) { backend in
            let interceptor = RecordingInterceptor()
            backend.setCommitInterceptor(interceptor)
            try await backend.commit(StorageBatch([.put(key: "r", value: [1])], origin: .replication))
            try await backend.commit(StorageBatch([.delete(key: "r")]))
            try await backend.commit(StorageBatch())  // empty: never reaches the interceptor
            #expect(interceptor.events == [
                .prepare([StorageBatch([.put(key: "r", value: [1])], origin: .replication)]), .committed,
                .prepare([StorageBatch([.delete(key: "r")], origin: .client)]), .committed,
            ])
        }
    }

    @Test(arguments: Kind.allCases)
    func concurrentCommitsAreNumberedGapFreeInCommitOrder(_ kind: Kind) async throws {
        try await withBackend(kind) { backend in
            let interceptor = RecordingInterceptor()
            backend.setCommitInterceptor(interceptor)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<64 {
                    group.addTask { try await backend.put("shared", [UInt8(index)]) }
                }
                try await group.waitForAll()
            }
            #expect(interceptor.committedIndex == 64)
            #expect(try await backend.list(prefix: "log/").count == 64)
            // The last numbered batch is the one whose value stayed.
            let last = try #require(try await backend.get("log/64"))
            let value = try #require(try await backend.get("shared"))
            #expect(String(decoding: last, as: UTF8.self).contains("put(\"shared\", 1 bytes)"))
            let batches = interceptor.events.compactMap { event -> [StorageBatch]? in
                if case .prepare(let batches) = event { return batches }
                return nil
            }
            #expect(batches.last?.last == StorageBatch([.put(key: "shared", value: value)]))
        }
    }

    /// SQLite retries a failed group one batch per transaction: the interceptor hears
    /// `aborted` for the group, then one outcome per retried batch, and only committed
    /// steps leave their extra operations behind.
    /// SQLite's read cache skips the interceptor's own keys (its declared prefixes): a value
    /// cached before the interceptor arrived must not survive the interceptor rewriting it.
    @Test func theInterceptorsOwnKeysStayOutOfTheReadCache() async throws {
        try await withTemporaryDirectory { directory in
            let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: testLogger)
            try await backend.put("log/1", [9])
            #expect(try await backend.get("log/1") == [9])
            #expect(backend.readCache.lookup("log/1").value == [9])

            let interceptor = RecordingInterceptor(uncachedKeyPrefixes: ["log/"])
            backend.setCommitInterceptor(interceptor)
            #expect(backend.readCache.lookup("log/1").value == nil)
            try await backend.put("a", [1])
            let written = try await backend.get("log/1")
            #expect(written != nil && written != [9])
            #expect(backend.readCache.lookup("log/1").value == nil)
            #expect(backend.readCache.lookup("a").value == [1])
            try await backend.close()
        }
    }

    @Test func groupFailureIsPairedAndIsolated() async throws {
        struct Poisoned: Error {}
        let gate = Gate()
        let calls = Mutex(0)
        // The hook runs after the interceptor's operations: a throw there aborts a step
        // the interceptor already prepared.
        let hook: SQLiteBackend.TransactionHook = { _, batches in
            if calls.withLock({ calls in calls += 1; return calls == 1 }) { gate.enterAndWait() }
            if batches.contains(where: { $0.operations.contains(.put(key: "poison", value: [1])) }) { throw Poisoned() }
        }
        try await withBackend(.sqlite, hook: hook) { storage in
            let backend = try #require(storage as? SQLiteBackend)
            let interceptor = RecordingInterceptor()
            backend.setCommitInterceptor(interceptor)
            let keys = (0..<10).map { "good/\($0)" } + ["poison"]
            let results = await withTaskGroup(of: (String, Bool).self) { group in
                group.addTask { ("first", (try? await backend.put("first", [0])) != nil) }
                try? await gate.waitUntilEntered()
                for (index, key) in keys.enumerated() {
                    group.addTask { (key, (try? await backend.put(key, [1])) != nil) }
                    try? await waitUntil { backend.state.withLock { $0.queue.queuedCount } == index + 1 }
                }
                gate.open()
                var results: [String: Bool] = [:]
                for await (key, ok) in group { results[key] = ok }
                return results
            }
            #expect(results["poison"] == false)
            #expect(results.filter(\.value).count == 11)

            let events = interceptor.events.map(\.description)
            var expected: [String] = ["prepare(1)", "committed", "prepare(11)", "aborted"]
            for _ in 0..<10 { expected += ["prepare(1)", "committed"] }
            expected += ["prepare(1)", "aborted"]
            #expect(events == expected)
            // Numbers handed out by aborted steps were reused: 1 (first) + 10 retried singles.
            #expect(interceptor.committedIndex == 11)
            #expect(try await backend.list(prefix: "log/").sorted() == (1...11).map(String.init).sorted())
            for index in 0..<10 { #expect(try await backend.get("good/\(index)") == [1]) }
            #expect(try await backend.get("poison") == nil)
        }
    }
}
