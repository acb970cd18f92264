import CofferStorage
import CofferTestKit
import Foundation
import Logging
import Synchronization
import Testing
@testable import CofferReplication

let quietLogger = Logger(label: "coffer.test.replication", factory: { _ in SwiftLogNoOpLogHandler() })

/// Test classification: `local/` and `core/replication/` stay local, everything else replicates.
let testIsReplicated: @Sendable (String) -> Bool = { key in
    !key.hasPrefix("local/") && !key.hasPrefix("core/replication/")
}

enum BackendKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case inMemory, sqlite
    var description: String { rawValue }
}

/// A backend of one kind with a replication log installed, and a way to "restart": a new
/// log (and, for SQLite, a reopened file) over the same stored data.
final class LogHarness: Sendable {
    let kind: BackendKind
    let directory: String?
    let retention: Int
    let tailByteLimit: Int
    let hook: SQLiteBackend.TransactionHook?
    private let current = Mutex<(backend: any InterceptableStorage, log: ReplicationLog)?>(nil)

    init(_ kind: BackendKind, retention: Int = ReplicationLog.defaultRetention, tailByteLimit: Int = ReplicationLog.tailByteLimit,
         hook: SQLiteBackend.TransactionHook? = nil) throws {
        self.kind = kind
        self.retention = retention
        self.tailByteLimit = tailByteLimit
        self.hook = hook
        directory = kind == .sqlite ? try makeTemporaryDirectory(prefix: "coffer-replication") : nil
    }

    var backend: any InterceptableStorage { current.withLock { $0!.backend } }
    var log: ReplicationLog { current.withLock { $0!.log } }

    /// Opens the backend (the first time or again), loads a new log and installs it.
    @discardableResult
    func start(mode: ReplicationLog.Mode = .primary) async throws -> ReplicationLog {
        let backend: any InterceptableStorage
        if let existing = current.withLock({ $0 }) {
            existing.backend.setCommitInterceptor(nil)
            if let sqlite = existing.backend as? SQLiteBackend {
                try await sqlite.close()
                backend = try SQLiteBackend(path: directory! + "/coffer.db", logger: quietLogger, transactionHook: hook)
            } else {
                backend = existing.backend
            }
        } else if let directory {
            backend = try SQLiteBackend(path: directory + "/coffer.db", logger: quietLogger, transactionHook: hook)
        } else {
            backend = InMemoryBackend()
        }
        let log = ReplicationLog(storage: backend, retention: retention, tailByteLimit: tailByteLimit,
                                 isReplicated: testIsReplicated, logger: quietLogger)
        try await log.load()
        backend.setCommitInterceptor(log)
        log.setMode(mode)
        current.withLock { $0 = (backend, log) }
        return log
    }

    func stop() async {
        if let existing = current.withLock({ $0 }) {
            existing.backend.setCommitInterceptor(nil)
            try? await (existing.backend as? SQLiteBackend)?.close()
        }
        if let directory { removeTemporaryDirectory(directory) }
    }

    /// Runs `body` with a started harness and cleans up whatever happens.
    static func with(_ kind: BackendKind, retention: Int = ReplicationLog.defaultRetention,
                     tailByteLimit: Int = ReplicationLog.tailByteLimit, hook: SQLiteBackend.TransactionHook? = nil,
                     mode: ReplicationLog.Mode = .primary, _ body: (LogHarness) async throws -> Void) async throws {
        let harness = try LogHarness(kind, retention: retention, tailByteLimit: tailByteLimit, hook: hook)
        do {
            try await harness.start(mode: mode)
            try await body(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}

extension ReplicationLog {
    /// Every record after `index`, asking `limit` at a time; fails on truncation.
    func allRecords(after index: UInt64 = 0, limit: Int = 1000) async throws -> [WALRecord] {
        var records: [WALRecord] = []
        var position = index
        while true {
            switch try await self.records(after: position, limit: limit) {
            case .truncated(let oldest):
                throw WALError(.corrupt, "truncated at \(oldest)")
            case .records(let page):
                guard let last = page.last else { return records }
                records += page
                position = last.index
            }
        }
    }
}

/// The keys stored under the WAL prefix, as indexes.
func storedWALIndexes(_ backend: any StorageBackend) async throws -> [UInt64] {
    try await backend.list(prefix: ReplicationLog.walPrefix).map { UInt64($0, radix: 16)! }
}

/// Storage holds exactly the log's `oldestIndex...lastIndex`, and no more than retention
/// plus a chunk less one.
func expectStoredRecordsMatchTheLog(_ harness: LogHarness, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let log = harness.log
    let stored = try await storedWALIndexes(harness.backend)
    #expect(stored.count <= log.retention + log.truncationChunk - 1, comment, sourceLocation: sourceLocation)
    #expect(stored == Array(log.oldestIndex...log.lastIndex), comment, sourceLocation: sourceLocation)
}

/// A counter tasks can share.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
