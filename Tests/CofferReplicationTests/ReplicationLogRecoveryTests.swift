import CofferStorage
import CofferTestKit
import Foundation
import Synchronization
import Testing
@testable import CofferReplication

/// Restarts, failed steps, direct interceptor driving, concurrent rebuilds.
@Suite struct ReplicationLogRecoveryTests {
    @Test(arguments: BackendKind.allCases)
    func aRestartKeepsIndexesMonotonic(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind, retention: 16) { harness in
            for number in 1...50 { try await harness.backend.put("logical/u/\(number)", [UInt8(number)]) }
            let before = try await harness.log.allRecords(after: harness.log.oldestIndex - 1)
            let root = harness.log.merkleRoot()

            let log = try await harness.start()
            #expect(log.lastIndex == 50)
            #expect(log.oldestIndex == before.first?.index)
            #expect(try await log.allRecords(after: log.oldestIndex - 1) == before)
            #expect(log.merkleRoot() == root)
            try await harness.backend.put("logical/u/51", [51])
            #expect(log.lastIndex == 51)
            #expect(try await log.records(after: 50, limit: 5) == .records([WALRecord(index: 51, operation: .put(key: "logical/u/51", value: [51]))]))

            // Wipe the whole log (as replication disable would), then restart: no record is
            // left, but the index still goes on from 51.
            try await harness.backend.commit(StorageBatch([.deletePrefix("core/replication/")]))
            #expect(try await storedWALIndexes(harness.backend).isEmpty)
            #expect(harness.log.oldestIndex == 52 && harness.log.lastIndex == 51)
            #expect(try await harness.log.records(after: 50, limit: 5) == .truncated(oldestIndex: 52))
            let restarted = try await harness.start()
            #expect(restarted.lastIndex == 51 && restarted.oldestIndex == 52)
            try await harness.backend.put("logical/u/52", [52])
            #expect(restarted.lastIndex == 52)
            #expect(try await restarted.allRecords(after: 51).map(\.index) == [52])
        }
    }

    @Test func aFailingBatchLogsNothing() async throws {
        struct Poisoned: Error {}
        let hook: SQLiteBackend.TransactionHook = { _, batches in
            if batches.contains(where: { $0.operations.contains(.put(key: "logical/u/poison", value: [1])) }) { throw Poisoned() }
        }
        try await LogHarness.with(.sqlite, hook: hook) { harness in
            let backend = harness.backend
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<40 {
                    group.addTask {
                        if writer % 10 == 3 {
                            await #expect(throws: Poisoned.self) {
                                try await backend.commit(StorageBatch([.put(key: "logical/u/w\(writer)", value: [1]),
                                                                       .put(key: "logical/u/poison", value: [1])]))
                            }
                        } else {
                            try await backend.put("logical/u/w\(writer)", [1])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let records = try await harness.log.allRecords()
            #expect(records.map(\.index) == Array(1...36))
            #expect(!records.contains { $0.operation == .put(key: "logical/u/poison", value: [1]) })
            #expect(Set(records.map(\.operation)).count == 36)
            for writer in [3, 13, 23, 33] { #expect(try await backend.get("logical/u/w\(writer)") == nil) }
            #expect(try await storedWALIndexes(backend) == Array(1...36))
            var expected = MerkleIndex()
            for writer in 0..<40 where writer % 10 != 3 { expected.put(key: "logical/u/w\(writer)", value: [1]) }
            #expect(harness.log.merkleSnapshot() == expected)
        }
    }

    @Test func anAbortedStepHandsItsIndexesBackAndModeChangesDoNotCorruptAPreparedStep() throws {
        let log = ReplicationLog(storage: InMemoryBackend(), retention: 4, isReplicated: testIsReplicated, logger: quietLogger)
        log.setMode(.primary)
        let batch = StorageBatch([.put(key: "logical/u/a", value: [1]), .delete(key: "logical/u/b")])
        let first = try log.prepare([batch])
        #expect(first.count == 2)
        log.aborted()
        #expect(log.lastIndex == 0)
        #expect(try log.prepare([batch]) == first)  // same indexes again

        // Prepared as primary, committed after the mode changed: the step completes as prepared.
        log.setMode(.secondary)
        log.committed()
        #expect(log.lastIndex == 2)
        #expect(log.state.withLock { $0.tail.records(from: 1, limit: 9).map(\.index) } == [1, 2])
        // The next step sees the new mode.
        #expect(throws: StorageError.self) { try log.prepare([batch]) }
        #expect(try log.prepare([StorageBatch([.put(key: "logical/u/a", value: [2])], origin: .replication)]).isEmpty)
        log.committed()
        var expected = MerkleIndex()
        expected.put(key: "logical/u/a", value: [2])
        #expect(log.merkleSnapshot() == expected)
        // committed/aborted without a prepared step change nothing.
        log.committed()
        log.aborted()
        #expect(log.lastIndex == 2)
    }

    @Test func truncationDeletesInChunksInTheSameStep() throws {
        let log = ReplicationLog(storage: InMemoryBackend(), retention: 64, isReplicated: testIsReplicated, logger: quietLogger)
        log.setMode(.primary)
        #expect(log.truncationChunk == 4)
        var deletesSeen: [Int] = []
        for number in 1...100 {
            let extra = try log.prepare([StorageBatch([.put(key: "logical/\(number)", value: [1])])])
            log.committed()
            let deletes = extra.filter { if case .delete = $0 { return true } else { return false } }
            if !deletes.isEmpty {
                deletesSeen.append(deletes.count)
                #expect(extra.contains(.put(key: ReplicationLog.metaKey, value: ReplicationLog.encodeMeta(lastIndex: UInt64(number)))))
            }
        }
        // Nothing until 64 + 4 records exist, then 4 at a time.
        #expect(deletesSeen == Array(repeating: 4, count: 9))
        #expect(log.oldestIndex == 37 && log.lastIndex == 100)
        #expect(log.state.withLock { $0.tail.count } == 64)
    }

    /// With chunks of 16 or more, truncation deletes aligned blocks with one `deletePrefix`
    /// each; storage still holds exactly `oldestIndex...lastIndex`, within the bound.
    @Test(arguments: BackendKind.allCases)
    func truncationDeletesAlignedBlocksByPrefix(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind, retention: 1024) { harness in
            let log = harness.log
            #expect(log.truncationChunk == 64 && log.truncationBlock == 16)
            for number in 1...1500 {
                try await harness.backend.put("logical/u/\(number)", [1])
                if number % 100 == 0 || number > 1080 && number < 1110 {
                    try await expectStoredRecordsMatchTheLog(harness, "after \(number) writes")
                }
            }
            // Records from 1 are kept until 1088 exist (1024 + 64); then 1...15 go one by
            // one and 16...63 by blocks of 16, and so on, a block boundary at a time.
            #expect(log.oldestIndex % 16 == 0 && log.oldestIndex > 1500 - 1024 - 64)
            let operations = log.truncation(from: 5, below: 48)
            let prefixDeletes = operations.filter { if case .deletePrefix = $0 { true } else { false } }.count
            #expect(operations.count == 11 + 2 && prefixDeletes == 2)
            #expect(operations.last == .deletePrefix(String(ReplicationLog.walKey(32).dropLast())))
        }
    }

    @Test func loadSkipsAGapAndDeletesTheStrays() async throws {
        let backend = InMemoryBackend()
        // Records 1-3, then a gap, then 7-9 (as if 4-6 were lost).
        for index in [1, 2, 3, 7, 8, 9] as [UInt64] {
            let record = WALRecord(index: index, operation: .put(key: "logical/\(index)", value: [UInt8(index)]))
            try await backend.put(ReplicationLog.walKey(index), WALCodec.encode(record))
        }
        let log = ReplicationLog(storage: backend, retention: 100, isReplicated: testIsReplicated, logger: quietLogger)
        try await log.load()
        #expect(log.lastIndex == 9 && log.oldestIndex == 7)
        #expect(try await log.records(after: 2, limit: 9) == .truncated(oldestIndex: 7))
        #expect(try await log.allRecords(after: 6).map(\.index) == [7, 8, 9])
        backend.setCommitInterceptor(log)
        log.setMode(.primary)
        try await backend.put("logical/10", [10])
        #expect(try await storedWALIndexes(backend) == [7, 8, 9, 10])
        #expect(try await backend.get(ReplicationLog.metaKey) == ReplicationLog.encodeMeta(lastIndex: 10))
    }

    @Test func loadFailsClosedOnDamage() async throws {
        let damaged = InMemoryBackend()
        try await damaged.put(ReplicationLog.walKey(1), [1, 2, 3])
        await #expect(throws: WALError.self) {
            try await ReplicationLog(storage: damaged, retention: 8, isReplicated: testIsReplicated, logger: quietLogger).load()
        }
        let misplaced = InMemoryBackend()
        try await misplaced.put(ReplicationLog.walKey(1), WALCodec.encode(WALRecord(index: 2, operation: .delete(key: "a"))))
        await #expect(throws: WALError.self) {
            try await ReplicationLog(storage: misplaced, retention: 8, isReplicated: testIsReplicated, logger: quietLogger).load()
        }
        let foreign = InMemoryBackend()
        try await foreign.put(ReplicationLog.walPrefix + "zz", [1])
        await #expect(throws: WALError.self) {
            try await ReplicationLog(storage: foreign, retention: 8, isReplicated: testIsReplicated, logger: quietLogger).load()
        }
        let badMeta = InMemoryBackend()
        try await badMeta.put(ReplicationLog.metaKey, [2, 0, 0, 0, 0, 0, 0, 0, 1])
        await #expect(throws: WALError.self) {
            try await ReplicationLog(storage: badMeta, retention: 8, isReplicated: testIsReplicated, logger: quietLogger).load()
        }
    }

    @Test(arguments: BackendKind.allCases)
    func rebuildingWhileWritingConverges(_ kind: BackendKind) async throws {
        try await LogHarness.with(kind) { harness in
            let backend = harness.backend
            for number in 0..<500 { try await backend.put("logical/seed/\(number % 50)/\(number)", [UInt8(number % 256)]) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        var random = SeededGenerator(seed: UInt64(writer))
                        for _ in 0..<100 {
                            let key = "logical/seed/\(random.next(below: 50))/\(random.next(below: 500))"
                            switch random.next(below: 10) {
                            case 0..<6: try await backend.put(key, random.bytes(3))
                            case 6..<9: try await backend.delete(key)
                            default: try await backend.commit(StorageBatch([.deletePrefix("logical/seed/\(random.next(below: 50))/")]))
                            }
                        }
                    }
                }
                group.addTask { try await harness.log.rebuildMerkle() }
                group.addTask { try await harness.log.rebuildMerkle() }
                try await group.waitForAll()
            }
            let live = harness.log.merkleSnapshot()
            let fresh = ReplicationLog(storage: backend, retention: 8, isReplicated: testIsReplicated, logger: quietLogger)
            try await fresh.rebuildMerkle()
            #expect(fresh.merkleSnapshot() == live)
            #expect(fresh.merkleRoot() == harness.log.merkleRoot())
        }
    }

    /// A secondary that applies the primary's records (as replication batches) ends with
    /// the same Merkle root: the index depends on contents only.
    @Test func applyingThePrimarysRecordsGivesTheSameRoot() async throws {
        let primary = try LogHarness(.inMemory)
        let secondary = try LogHarness(.sqlite)
        try await primary.start(mode: .primary)
        try await secondary.start(mode: .secondary)
        var random = SeededGenerator(seed: 3)
        for _ in 0..<200 {
            let key = "logical/u/\(random.next(below: 30))"
            if random.next(below: 4) == 0 {
                try await primary.backend.delete(key)
            } else {
                try await primary.backend.put(key, random.bytes(5))
            }
            try await primary.backend.put("local/\(random.next(below: 9))", [1])
        }
        try await secondary.backend.put("local/own", [1])
        for record in try await primary.log.allRecords(limit: 17) {
            try await secondary.backend.commit(StorageBatch([record.operation], origin: .replication))
        }
        #expect(secondary.log.merkleRoot() == primary.log.merkleRoot())
        #expect(secondary.log.lastIndex == 0)
        await primary.stop()
        await secondary.stop()
    }
}
