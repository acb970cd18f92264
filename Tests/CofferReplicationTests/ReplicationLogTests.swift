import CofferStorage
import CofferTestKit
import Foundation
import Synchronization
import Testing
@testable import CofferReplication

@Suite struct ReplicationLogTests {
    @Test(arguments: BackendKind.allCases)
    func aPrimaryLogsClientWritesToReplicatedKeysInTheSameStep(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind) { harness in
            let backend = harness.backend
            let log = harness.log
            #expect(log.lastIndex == 0 && log.oldestIndex == 1)
            try await backend.commit(StorageBatch([
                .put(key: "logical/u/a", value: [1, 2]), .put(key: "local/token", value: [3]),
                .delete(key: "sys/policy/p"), .deletePrefix("logical/v/"), .deletePrefix("local/x/"),
            ]))
            let expected = [
                WALRecord(index: 1, operation: .put(key: "logical/u/a", value: [1, 2])),
                WALRecord(index: 2, operation: .delete(key: "sys/policy/p")),
                WALRecord(index: 3, operation: .deletePrefix("logical/v/")),
            ]
            #expect(log.lastIndex == 3 && log.oldestIndex == 1)
            #expect(try await log.records(after: 0, limit: 10) == .records(expected))
            #expect(try await log.records(after: 1, limit: 1) == .records([expected[1]]))
            #expect(try await log.records(after: 3, limit: 10) == .records([]))
            #expect(try await log.records(after: 99, limit: 10) == .records([]))
            #expect(try await log.records(after: 0, limit: 0) == .records([]))
            // Stored as WALCodec records under fixed-width hex keys.
            #expect(try await backend.list(prefix: ReplicationLog.walPrefix) == ["0000000000000001", "0000000000000002", "0000000000000003"])
            #expect(ReplicationLog.walKey(0xAB) == "core/replication/wal/00000000000000ab")
            let stored = try #require(try await backend.get(ReplicationLog.walKey(1)))
            #expect(try WALCodec.decode(stored) == expected[0])
            // Replication-origin batches are not logged, even on a primary.
            try await backend.commit(StorageBatch([.put(key: "logical/u/b", value: [1])], origin: .replication))
            #expect(log.lastIndex == 3)
        }
    }

    @Test(arguments: BackendKind.allCases)
    func disabledModeLogsNothingButTracksTheMerkleIndex(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind, mode: .disabled) { harness in
            try await harness.backend.put("logical/u/a", [1])
            try await harness.backend.put("local/a", [1])
            #expect(harness.log.lastIndex == 0)
            #expect(try await harness.backend.list(prefix: "core/").isEmpty)
            var expected = MerkleIndex()
            expected.put(key: "logical/u/a", value: [1])
            #expect(harness.log.merkleSnapshot() == expected)
            #expect(harness.log.merkleRoot() == expected.rootHex)
        }
    }

    @Test(arguments: BackendKind.allCases)
    func indexesAreGapFreeInCommitOrderUnder64ConcurrentCommitters(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind) { harness in
            let backend = harness.backend
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<64 {
                    group.addTask {
                        try await backend.commit(StorageBatch([
                            .put(key: "shared", value: [UInt8(writer)]), .put(key: "k/\(writer)", value: [UInt8(writer)]),
                        ]))
                    }
                }
                try await group.waitForAll()
            }
            let records = try await harness.log.allRecords()
            #expect(records.map(\.index) == Array(1...128))
            #expect(harness.log.lastIndex == 128)
            // Each batch's two records are adjacent, in batch order.
            var writers: [Int] = []
            for pair in stride(from: 0, to: records.count, by: 2) {
                guard case .put("shared", let value) = records[pair].operation,
                      case .put(let key, value) = records[pair + 1].operation, key == "k/\(value[0])"
                else {
                    Issue.record("records \(pair + 1) and \(pair + 2) are not one batch: \(records[pair]), \(records[pair + 1])")
                    return
                }
                writers.append(Int(value[0]))
            }
            #expect(Set(writers).count == 64)
            // Commit order: the last record of the shared key holds its final value.
            #expect(try await backend.get("shared") == [UInt8(writers.last!)])
            #expect(try await storedWALIndexes(backend) == Array(1...128))
        }
    }

    @Test(arguments: BackendKind.allCases)
    func aSecondaryRefusesClientWritesToReplicatedKeys(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind, mode: .secondary) { harness in
            let backend = harness.backend
            for batch in [
                StorageBatch([.put(key: "local/ok", value: [1]), .put(key: "logical/u/a", value: [1])]),
                StorageBatch([.delete(key: "sys/policy/p")]),
                StorageBatch([.deletePrefix("logical/u/")]),
            ] {
                do {
                    try await backend.commit(batch)
                    Issue.record("\(batch) was not refused")
                } catch let error as StorageError {
                    #expect(error.code == .readOnly)
                    #expect(error.message == "cannot write to readonly storage")
                }
            }
            #expect(try await backend.get("local/ok") == nil)  // the refused batch was atomic
            try await backend.put("local/ok", [1])
            #expect(try await backend.get("local/ok") == [1])

            // Replicated data arrives as replication-origin batches: applied, not logged, indexed.
            try await backend.commit(StorageBatch([.put(key: "logical/u/a", value: [5])], origin: .replication))
            #expect(try await backend.get("logical/u/a") == [5])
            #expect(harness.log.lastIndex == 0)
            #expect(try await backend.list(prefix: ReplicationLog.walPrefix).isEmpty)
            var expected = MerkleIndex()
            expected.put(key: "logical/u/a", value: [5])
            #expect(harness.log.merkleSnapshot() == expected)

            // Promoted: client writes are logged again.
            harness.log.setMode(.primary)
            #expect(harness.log.mode == .primary)
            try await backend.put("logical/u/b", [1])
            #expect(harness.log.lastIndex == 1)
        }
    }

    @Test(arguments: BackendKind.allCases)
    func theLogsOwnKeysAreRefusedButAWipeIsAllowed(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind) { harness in
            let backend = harness.backend
            try await backend.put("logical/u/a", [1])
            for operation in [
                StorageOperation.put(key: ReplicationLog.walKey(9), value: [1]), .delete(key: ReplicationLog.walKey(1)),
                .put(key: ReplicationLog.metaKey, value: [1]), .deletePrefix(ReplicationLog.walPrefix + "0"),
            ] {
                await #expect(throws: StorageError.self) { try await backend.commit(StorageBatch([operation])) }
            }
            #expect(harness.log.lastIndex == 1)
            // A wipe of everything keeps the index: wal-meta is rewritten in the same step.
            try await backend.commit(StorageBatch([.deletePrefix(""), .put(key: "logical/u/b", value: [2])]))
            // deletePrefix("") is itself replicated (record 2); the step's own records are
            // written after its batches, so they survive the wipe.
            #expect(harness.log.lastIndex == 3)
            #expect(harness.log.oldestIndex == 2)
            #expect(try await storedWALIndexes(backend) == [2, 3])
            #expect(try await harness.log.records(after: 0, limit: 5) == .truncated(oldestIndex: 2))
            #expect(try await harness.log.allRecords(after: 1).map(\.operation) == [.deletePrefix(""), .put(key: "logical/u/b", value: [2])])
            #expect(try await backend.get(ReplicationLog.metaKey) == [1, 0, 0, 0, 0, 0, 0, 0, 3])
            var expected = MerkleIndex()
            expected.put(key: "logical/u/b", value: [2])
            #expect(harness.log.merkleSnapshot() == expected)
        }
    }

    @Test(arguments: BackendKind.allCases)
    func oversizedRecordsAreRefused(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind) { harness in
            let key = "logical/u/" + String(repeating: "k", count: WALCodec.maximumKeyBytes)
            await #expect(throws: StorageError.self) { try await harness.backend.put(key, [1]) }
            let stored = try await harness.backend.get(key)
            #expect(stored == nil)
            #expect(harness.log.lastIndex == 0)
        }
    }

    @Test(arguments: BackendKind.allCases)
    func retentionBoundsStorageAndTheTail(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind, retention: 32) { harness in
            let log = harness.log
            #expect(log.retention == 32 && log.truncationChunk == 2)
            for number in 1...200 {
                try await harness.backend.put("logical/u/\(number)", [UInt8(number % 256)])
                try await expectStoredRecordsMatchTheLog(harness, "after \(number) writes")
            }
            #expect(log.lastIndex == 200)
            #expect(log.state.withLock { $0.tail.count } == 32)
            let oldest = log.oldestIndex
            #expect(try await log.records(after: 0, limit: 10) == .truncated(oldestIndex: oldest))
            #expect(try await log.records(after: oldest - 2, limit: 10) == .truncated(oldestIndex: oldest))
            // From the oldest kept one (read from storage while older than the tail) to the end.
            let records = try await log.allRecords(after: oldest - 1, limit: 7)
            #expect(records.map(\.index) == Array(oldest...200))
            #expect(records.last?.operation == .put(key: "logical/u/200", value: [200]))
            #expect(try await log.records(after: 195, limit: 3) == .records(Array(records.suffix(5).prefix(3))))
        }
    }

    @Test(arguments: BackendKind.allCases)
    func recordsOlderThanTheTailAreReadFromStorage(_ kind: BackendKind) async throws {
        // A tail budget of ~4 small records; storage keeps 64.
        try await LogHarness.with(kind, retention: 64, tailByteLimit: 4 * 90) { harness in
            for number in 1...50 {
                try await harness.backend.put("logical/u/\(number)", [UInt8(number)])
            }
            let log = harness.log
            #expect(log.state.withLock { $0.tail.count } <= 4)
            let records = try await log.allRecords(limit: 6)
            #expect(records.map(\.index) == Array(1...50))
            #expect(records.map(\.operation) == (1...50).map { .put(key: "logical/u/\($0)", value: [UInt8($0)]) })
            // A read that starts in storage continues into the tail without a gap.
            #expect(try await log.records(after: 40, limit: 100) == .records(Array(records[40...])))
        }
    }

    @Test(arguments: BackendKind.allCases)
    func merkleFollowsCommitsAndMatchesARebuild(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind) { harness in
            var random = SeededGenerator(seed: 99)
            for _ in 0..<300 {
                let key = ["logical/u/", "local/", "sys/policy/"][Int(random.next(below: 3))] + "\(random.next(below: 40))"
                switch random.next(below: 10) {
                case 0..<7: try await harness.backend.put(key, random.bytes(4))
                case 7..<9: try await harness.backend.delete(key)
                default: try await harness.backend.commit(StorageBatch([.deletePrefix(String(key.prefix(11)))]))
                }
            }
            let incremental = harness.log.merkleSnapshot()
            #expect(incremental.count > 0)
            try await harness.log.rebuildMerkle()
            #expect(harness.log.merkleSnapshot() == incremental)
            // Only replicated keys are indexed.
            let keys = (0..<MerkleIndex.pageCount).flatMap { incremental.entries(page: $0).map(\.key) }
            #expect(keys.allSatisfy { !$0.hasPrefix("local/") && !$0.hasPrefix("core/replication/") })
        }
    }

    @Test(arguments: BackendKind.allCases)
    func waitForIndexWakesEveryWaiter(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind) { harness in
            let log = harness.log
            let woken = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for threshold in 0..<20 {
                    group.addTask {
                        await log.waitForIndex(above: UInt64(threshold))
                        #expect(log.lastIndex > UInt64(threshold))
                        woken.increment()
                    }
                }
                // Local writes never wake anyone.
                try await harness.backend.put("local/x", [1])
                try await Task.sleep(for: .milliseconds(20))
                #expect(woken.value == 0)
                try await harness.backend.commit(StorageBatch((0..<10).map { .put(key: "logical/u/\($0)", value: [1]) }))
                for number in 10..<20 { try await harness.backend.put("logical/u/\(number)", [1]) }
                try await group.waitForAll()
            }
            #expect(woken.value == 20)
            await log.waitForIndex(above: 19)  // already above: returns at once
            #expect(log.state.withLock { $0.waiters.isEmpty })
        }
    }

    @Test func aCancelledWaiterReturns() async throws {
        let log = ReplicationLog(storage: InMemoryBackend(), retention: 8, isReplicated: testIsReplicated, logger: quietLogger)
        let waiter = Task { await log.waitForIndex(above: 5) }
        try await Task.sleep(for: .milliseconds(10))
        waiter.cancel()
        await waiter.value
        #expect(log.state.withLock { $0.waiters.isEmpty })
        // Cancelled before it starts waiting.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await log.waitForIndex(above: 5)
        }
        await early.value
    }
}
