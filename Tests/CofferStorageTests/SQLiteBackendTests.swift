@testable import CofferStorage
import CofferTestKit
import Foundation
import GRDB
import Logging
import Synchronization
import Testing

/// Opening, durability, schema checks and closing of the SQLite backend.
@Suite struct SQLiteBackendTests {
    let logger = testLogger

    @Test func dataSurvivesCloseAndReopen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/coffer.db"
            let first = try SQLiteBackend(path: path, logger: logger)
            try await first.commit(StorageBatch([
                .put(key: "sys/a", value: [0, 1, 2]),
                .put(key: "sys/b/c", value: Array(repeating: 9, count: 4096)),
                .put(key: "gone", value: [1]),
            ]))
            try await first.delete("gone")
            try await first.close()

            let second = try SQLiteBackend(path: path, logger: logger)
            #expect(try await second.get("sys/a") == [0, 1, 2])
            #expect(try await second.get("sys/b/c") == Array(repeating: 9, count: 4096))
            #expect(try await second.get("gone") == nil)
            #expect(try await second.list(prefix: "sys/") == ["a", "b/"])
            try await second.close()
        }
    }

    @Test func fileIsInWALModeAndWriterSyncsFully() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/coffer.db"
            let backend = try SQLiteBackend(path: path, logger: logger)
            try await backend.put("k", [1])
            // Synchronous is per connection: ask the writer connection itself. 2 = FULL.
            let synchronous = try await backend.pool.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            #expect(synchronous == 2)
            let readerJournal = try await backend.pool.read { db in
                try String.fetchOne(db, sql: "PRAGMA journal_mode")
            }
            #expect(readerJournal?.lowercased() == "wal")

            // The journal mode is stored in the file: an outside connection sees it too.
            let outside = try DatabaseQueue(path: path)
            let journal = try await outside.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(journal?.lowercased() == "wal")
            try outside.close()
            try await backend.close()
        }
    }

    @Test func anUnknownNewerSchemaVersionIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/coffer.db"
            try await SQLiteBackend(path: path, logger: logger).close()
            let outside = try DatabaseQueue(path: path)
            try await outside.write { db in
                try db.execute(sql: "UPDATE meta SET value = 7 WHERE name = 'schema_version'")
            }
            try outside.close()

            let error = #expect(throws: StorageError.self) {
                _ = try SQLiteBackend(path: path, logger: logger)
            }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("schema version 7") == true)
            #expect(error?.message.contains("newer") == true)
        }
    }

    @Test func aVersionOneFileIsUpgradedWithItsLogRecordsMoved() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/v1.db"
            let recordKey = SequencedKeys.key(0x2a)
            let oddKey = SequencedKeys.prefix + "zz"
            let outside = try DatabaseQueue(path: path)
            try await outside.write { db in
                try db.execute(sql: """
                    CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE entries (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
                    INSERT INTO meta (name, value) VALUES ('schema_version', 1);
                    """)
                for (key, value) in [(recordKey, [UInt8(1)]), (SequencedKeys.key(0x2b), []), (oddKey, [3]), ("logical/a", [4])] {
                    try db.execute(sql: "INSERT INTO entries (key, value) VALUES (?, ?)", arguments: [key, Data(value)])
                }
            }
            try outside.close()

            let backend = try SQLiteBackend(path: path, logger: logger)
            #expect(try await backend.get(recordKey) == [1])
            #expect(try await backend.get(SequencedKeys.key(0x2b)) == [])
            #expect(try await backend.get(oddKey) == [3])
            #expect(try await backend.get("logical/a") == [4])
            #expect(try await backend.list(prefix: SequencedKeys.prefix, after: nil, limit: nil)
                == ["000000000000002a", "000000000000002b", "zz"])
            let (version, logRows, entryRows) = try await backend.pool.read { db in
                (try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'schema_version'"),
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM log"),
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM entries"))
            }
            #expect(version == SQLiteBackend.schemaVersion && logRows == 2 && entryRows == 2)
            try await backend.close()
        }
    }

    @Test func aForeignDatabaseIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/other.db"
            let outside = try DatabaseQueue(path: path)
            try await outside.write { db in try db.execute(sql: "CREATE TABLE notes (body TEXT)") }
            try outside.close()

            let error = #expect(throws: StorageError.self) {
                _ = try SQLiteBackend(path: path, logger: logger)
            }
            #expect(error?.code == .unavailable)
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/garbage.db"
            try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: StorageError.self) {
                _ = try SQLiteBackend(path: path, logger: logger)
            }
            #expect(error?.code == .unavailable)
        }
    }

    @Test func aMissingDirectoryIsUnavailable() async throws {
        try await withTemporaryDirectory { directory in
            let error = #expect(throws: StorageError.self) {
                _ = try SQLiteBackend(path: directory + "/no/such/dir/coffer.db", logger: logger)
            }
            #expect(error?.code == .unavailable)
        }
    }

    @Test func callsAfterCloseFailWithClosed() async throws {
        try await withTemporaryDirectory { directory in
            let backend = try SQLiteBackend(path: directory + "/coffer.db", logger: logger)
            try await backend.put("k", [1])
            try await backend.close()
            try await backend.close()  // idempotent

            let errors = [
                await #expect(throws: StorageError.self) { try await backend.get("k") },
                await #expect(throws: StorageError.self) { try await backend.list(prefix: "") },
                await #expect(throws: StorageError.self) { try await backend.put("k", [2]) },
                await #expect(throws: StorageError.self) { try await backend.commit(StorageBatch()) },
            ]
            #expect(errors.map { $0?.code } == Array(repeating: .closed, count: 4))
        }
    }

    @Test func closeWaitsForAcceptedCommits() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/coffer.db"
            let gate = Gate()
            let backend = try SQLiteBackend(path: path, logger: logger) { _, _ in gate.enterAndWait() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await backend.put("accepted", [1]) }
                try await gate.waitUntilEntered()
                group.addTask { try await backend.close() }
                try await waitUntil { backend.state.withLock { $0.queue.isClosed } }
                gate.open()
                try await group.waitForAll()
            }
            let reopened = try SQLiteBackend(path: path, logger: logger)
            #expect(try await reopened.get("accepted") == [1])
            try await reopened.close()
        }
    }

    @Test func commitsRacingCloseEitherPersistOrFailClosed() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/coffer.db"
            let backend = try SQLiteBackend(path: path, logger: logger)
            let outcomes = await withTaskGroup(of: (Int, StorageError.Code?).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        do {
                            try await backend.put("race/\(index)", [1])
                            return (index, nil)
                        } catch let error as StorageError {
                            return (index, error.code)
                        } catch {
                            return (index, StorageError.Code("unexpected"))
                        }
                    }
                    if index == 100 {
                        group.addTask {
                            do { try await backend.close() } catch { return (-1, StorageError.Code("close failed")) }
                            return (-1, nil)
                        }
                    }
                }
                var outcomes: [Int: StorageError.Code?] = [:]
                for await (index, code) in group { outcomes[index] = code }
                return outcomes
            }
            #expect(outcomes[-1] == .some(nil), "close succeeds")
            let reopened = try SQLiteBackend(path: path, logger: logger)
            for index in 0..<200 {
                let stored = try await reopened.get("race/\(index)")
                switch outcomes[index] {
                case .some(nil): #expect(stored == [1], "acknowledged commit \(index) persisted")
                case .some(.closed): #expect(stored == nil, "refused commit \(index) left nothing")
                default: Issue.record("commit \(index): unexpected outcome \(String(describing: outcomes[index]))")
                }
            }
            try await reopened.close()
        }
    }
}
