@testable import CofferStorage
import CofferTestKit
import Foundation
import GRDB
import Logging
import Synchronization
import Testing

/// Group commit: coalescing, arrival order, failure isolation, and range-seek listing.
@Suite struct SQLiteGroupCommitTests {
    let logger = testLogger

    @Test func concurrentCommitsAreCoalescedIntoFewerTransactions() async throws {
        try await withTemporaryDirectory { directory in
            // Hold the first transaction open a moment so that the other commits queue
            // behind it: coalescing must then put them into a few group transactions.
            let isFirst = Mutex(true)
            let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: logger) { _, _ in
                if isFirst.withLock({ first in defer { first = false }; return first }) {
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask { try await backend.put("group/\(index)", [UInt8(index % 256)]) }
                }
                try await group.waitForAll()
            }
            let statistics = backend.commitStatistics
            #expect(statistics.batches == 200)
            #expect(statistics.transactions < statistics.batches)
            #expect(try await backend.list(prefix: "group/").count == 200)
            try await backend.close()
        }
    }

    @Test func concurrentCommitsWithoutDelayAreAllCountedAndVisible() async throws {
        try await withTemporaryDirectory { directory in
            let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask { try await backend.put("free/\(index)", [1]) }
                }
                try await group.waitForAll()
            }
            let statistics = backend.commitStatistics
            #expect(statistics.batches == 200)
            #expect(statistics.transactions <= statistics.batches)
            #expect(try await backend.list(prefix: "free/").count == 200)
            try await backend.close()
        }
    }

    @Test func aGroupIsWrittenInArrivalOrderInOneTransaction() async throws {
        try await withTemporaryDirectory { directory in
            let gate = Gate()
            let groups = Mutex<[[StorageBatch]]>([])
            let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: logger) { _, batches in
                let isFirst = groups.withLock { groups in
                    groups.append(batches)
                    return groups.count == 1
                }
                if isFirst { gate.enterAndWait() }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await backend.put("first", [0]) }
                try await gate.waitUntilEntered()
                // The writer is stuck inside the first transaction; queue ten batches one
                // after the other so their arrival order is known.
                for index in 0..<10 {
                    group.addTask { try await backend.put("k", [UInt8(index)]) }
                    try await waitUntil { backend.state.withLock { $0.queue.queuedCount } == index + 1 }
                }
                gate.open()
                try await group.waitForAll()
            }
            let seen = groups.withLock { $0 }
            #expect(seen.count == 2)
            #expect(seen.last == (0..<10).map { StorageBatch([.put(key: "k", value: [UInt8($0)])]) })
            #expect(try await backend.get("k") == [9])
            #expect(backend.commitStatistics == (transactions: 2, batches: 11))
            try await backend.close()
        }
    }

    @Test func aFailingBatchFailsOnlyItsCaller() async throws {
        struct Poisoned: Error {}
        try await withTemporaryDirectory { directory in
            let gate = Gate()
            let calls = Mutex(0)
            let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: logger) { _, batches in
                if calls.withLock({ calls in calls += 1; return calls == 1 }) {
                    gate.enterAndWait()
                }
                if batches.contains(where: { $0.operations.contains(.put(key: "poison", value: [1])) }) {
                    throw Poisoned()
                }
            }
            // Each task reports whether its commit succeeded (nil: an unexpected error).
            let results = await withTaskGroup(of: (String, Bool?).self) { group in
                group.addTask { ("first", (try? await backend.put("first", [0])) != nil) }
                try? await gate.waitUntilEntered()
                let keys = (0..<10).map { "good/\($0)" } + ["poison"]
                for (index, key) in keys.shuffled().enumerated() {
                    group.addTask {
                        do {
                            try await backend.put(key, [1])
                            return (key, true)
                        } catch is Poisoned {
                            return (key, false)
                        } catch {
                            return (key, nil)
                        }
                    }
                    try? await waitUntil { backend.state.withLock { $0.queue.queuedCount } == index + 1 }
                }
                gate.open()
                var results: [String: Bool?] = [:]
                for await (key, outcome) in group { results[key] = outcome }
                return results
            }
            #expect(results.count == 12)
            #expect(results["poison"] == .some(false))
            #expect(results["first"] == .some(true))
            for index in 0..<10 {
                #expect(results["good/\(index)"] == .some(true))
                #expect(try await backend.get("good/\(index)") == [1])
            }
            #expect(try await backend.get("poison") == nil)
            #expect(try await backend.get("first") == [0])
            // One first transaction, then the failed group retried as ten good singles.
            #expect(backend.commitStatistics == (transactions: 11, batches: 11))

            // Later commits are unaffected.
            try await backend.put("after", [2])
            #expect(try await backend.get("after") == [2])
            try await backend.close()
        }
    }

    @Test func aFailedCommitLeavesNothingBehind() async throws {
        struct Refused: Error {}
        try await withTemporaryDirectory { directory in
            let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: logger) { _, batches in
                if batches.count == 1, batches[0].operations.count == 3 { throw Refused() }
            }
            try await backend.put("keep", [1])
            await #expect(throws: Refused.self) {
                try await backend.commit(StorageBatch([
                    .put(key: "a", value: [1]), .deletePrefix(""), .put(key: "b", value: [2]),
                ]))
            }
            #expect(try await backend.get("keep") == [1])
            #expect(try await backend.get("a") == nil)
            #expect(try await backend.list(prefix: "") == ["keep"])
            try await backend.close()
        }
    }

    @Test func listingSkipsOverLargeFoldersWithRangeSeeks() async throws {
        try await withTemporaryDirectory { directory in
            let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: logger)
            var operations: [StorageOperation] = []
            for folder in 0..<20 {
                for index in 0..<500 {
                    operations.append(.put(key: "wide/f\(folder)/\(index)", value: [1]))
                }
            }
            try await backend.commit(StorageBatch(operations))
            // With a seek past each folder, the walk reads one row per folder, not 10,000.
            let (names, rowsRead) = try await backend.pool.read { db in
                var listing = DirectChildListing(prefix: "wide/", after: nil, limit: nil)
                let rowsRead = try SQLiteBackend.walk(db, &listing)
                return (listing.names, rowsRead)
            }
            #expect(names == (0..<20).map { "f\($0)/" }.sorted())
            #expect(rowsRead == 20)
            #expect(try await backend.list(prefix: "wide/").count == 20)
            try await backend.close()
        }
    }
}
