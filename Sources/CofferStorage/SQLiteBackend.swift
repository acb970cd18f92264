public import GRDB
public import Logging
import Synchronization

/// A ``StorageBackend`` in one SQLite file: the embedded default.
///
/// The file runs in WAL journal mode with `synchronous = FULL`, so a committed transaction
/// is on disk (the WAL is fsynced at every commit) and survives `kill -9` and power loss.
/// A `DatabasePool` gives one writer connection and several readers: `get` and `list` run
/// concurrently with each other and with the writer, each on one consistent snapshot.
///
/// **Group commit.** Concurrent ``commit(_:)`` calls are coalesced. While one write
/// transaction is in flight, newly arriving batches queue up; when it ends, everything
/// queued (up to ``maximumGroupSize`` batches) is written in ONE transaction, in arrival
/// order, and each caller in the group returns only after that transaction committed. An
/// idle backend writes a lone batch at once: there is no waiting window. The writer runs
/// on GRDB's serial writer queue, starts when a batch arrives and stops when the queue is
/// empty, so no task outlives the work.
///
/// **Failure isolation.** If a group's transaction fails, nothing of it was written; each
/// batch of the group is then retried alone in its own transaction, so a bad batch (or a
/// hook that refuses one) fails only its own caller. A caller whose retry fails gets that
/// error. Retrying is safe because a failed SQLite transaction is rolled back whole.
///
/// **Extension points.** A ``CommitInterceptor`` (``setCommitInterceptor(_:)``) is called
/// inside every write transaction, after the group's operations, with the batches of the
/// group in order; the operations it returns are written in the same transaction (this is
/// where the replication log appends its records, so data and log commit together). It is
/// told `committed()` after `COMMIT` and before the read cache and the callers learn of
/// the commit, or `aborted()` after a rollback. The older, lower-level ``TransactionHook``
/// runs in the same transaction just after the interceptor's operations, with the
/// `Database` itself. If either throws, the transaction rolls back (and failure isolation
/// applies).
///
/// Storage format (schema version 2):
///
///     meta(name TEXT PRIMARY KEY, value INTEGER)   -- ('schema_version', 2)
///     entries(key TEXT PRIMARY KEY, value BLOB)    -- WITHOUT ROWID, BINARY collation
///     log(number INTEGER PRIMARY KEY, value BLOB)  -- the keys of ``SequencedKeys``
///
/// A key of the replication log's key space (``SequencedKeys``: its prefix and 16 hex
/// digits) is a row of `log`, every other key a row of `entries`; reads, listings and
/// deletes cover both, so callers see one key space. (Version 1 had no `log` table; it is
/// upgraded when opened.)
///
/// Keys are compared bytewise (SQLite `BINARY`), matching ``StorageBackend``'s order. A
/// file with a newer schema version, or with tables but no Coffer schema, is refused.
///
/// Errors are ``StorageError``s (`.unavailable` when opening, `.io` for reads and writes,
/// `.closed` after ``close()``); messages never contain values. Errors thrown by the
/// transaction hook reach the callers unchanged.
public final class SQLiteBackend: InterceptableStorage {
    /// Called inside each write transaction with the batches it commits, in order.
    ///
    /// Runs on the writer connection, serialized with every other write. It may read and
    /// write its own tables through `Database`; throwing rolls the transaction back and
    /// fails the callers (see failure isolation above: a failed group is retried one batch
    /// per transaction, so the hook may see a batch twice, the first time rolled back).
    /// It must not call back into this backend (a `commit` from the hook waits for the
    /// writer the hook is blocking) and should be quick: every queued commit waits on it.
    /// The tables it writes belong to its layer. That layer is meant to live in this
    /// module (DESIGN.md puts the WAL table in CofferStorage), create its tables next to
    /// `entries` in the schema setup and bump ``schemaVersion``, and read them through the
    /// internal `pool`.
    public typealias TransactionHook = @Sendable (Database, [StorageBatch]) throws -> Void

    /// The most batches written in one transaction; later arrivals wait for the next one.
    public static let maximumGroupSize = 1024

    struct State {
        var queue = GroupCommitQueue<CheckedContinuation<Void, any Error>>()
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let pool: DatabasePool
    let logger: Logger
    let transactionHook: TransactionHook?
    let state = Mutex(State())
    /// Read by the writer at the start of each transaction.
    let interceptor = Mutex<(any CommitInterceptor)?>(nil)
    let readCache = SQLiteReadCache()

    /// The file this backend stores into.
    public let path: String

    /// Opens (creating if needed) the database at `path` and checks its schema.
    ///
    /// The directory must exist. Throws ``StorageError`` with code `.unavailable` if the
    /// file cannot be opened, is not a database, or holds an unknown schema version.
    public init(path: String, logger: Logger, transactionHook: TransactionHook? = nil) throws {
        self.path = path
        self.logger = logger
        self.transactionHook = transactionHook

        var configuration = Configuration()
        configuration.label = "coffer.storage"
        // Another process (a backup tool, say) may hold the lock briefly.
        configuration.busyMode = .timeout(10)
        // The default; restated because error descriptions must never carry values.
        configuration.publicStatementArguments = false
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.requireFullSync(pool)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.unavailable, "cannot open SQLite database at \(path)", cause: error)
        }
        try Self.prepareSchema(pool, path: path)
        logger.info("storage opened", metadata: ["storage.backend": "sqlite", "storage.path": "\(path)"])
    }

    public var name: String { "sqlite" }

    public func setCommitInterceptor(_ interceptor: (any CommitInterceptor)?) {
        self.interceptor.withLock { $0 = interceptor }
        readCache.setUncachedPrefixes(interceptor?.uncachedKeyPrefixes ?? [])
    }

    /// How many SQLite write transactions committed, and how many batches they carried.
    ///
    /// `batches > transactions` proves that group commit coalesced concurrent commits.
    /// Empty batches are not counted (they never reach SQLite).
    public var commitStatistics: (transactions: Int, batches: Int) {
        state.withLock { ($0.queue.transactions, $0.queue.batches) }
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        try checkOpen()
        let (cached, generation) = readCache.lookup(key)
        if let cached { return cached }
        do {
            let value = try await pool.read { db in try Self.fetchValue(db, key: key) }
            if let value { readCache.offer(key, value, readAt: generation) }
            return value
        } catch {
            throw wrapped(error, "read")
        }
    }

    public func list(prefix: String, after: String?, limit: Int?) async throws -> [String] {
        try checkOpen()
        let initial = DirectChildListing(prefix: prefix, after: after, limit: limit)
        do {
            return try await pool.read { db in
                var listing = initial
                try Self.walk(db, &listing)
                return listing.names
            }
        } catch {
            throw wrapped(error, "list")
        }
    }

    /// Commits `batch` with the group it arrives in; returns once that group's
    /// transaction is durable.
    ///
    /// Not cancellable: once called, the batch is written or fails, and the call returns
    /// only then, so a cancelled caller never mistakes a written batch for a lost one.
    public func commit(_ batch: StorageBatch) async throws {
        guard !batch.isEmpty else {
            try checkOpen()
            return
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let action = state.withLock { $0.queue.enqueue(batch, continuation) }
            switch action {
            case .queued:
                break
            case .startWriter:
                pool.asyncWriteWithoutTransaction { db in self.drain(db) }
            case .rejectClosed:
                continuation.resume(throwing: StorageError(.closed, "the storage backend is closed"))
            }
        }
    }

    /// Stops accepting work, waits for the batches already accepted to commit, and closes
    /// the database. Later calls fail with `.closed`; calling `close` again does nothing.
    public func close() async throws {
        let action = state.withLock { $0.queue.close() }
        switch action {
        case .alreadyClosed:
            return
        case .waitForWriter:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let stopped = state.withLock { state in
                    if state.queue.isWriterRunning {
                        state.closeWaiters.append(continuation)
                        return false
                    }
                    return true
                }
                if stopped { continuation.resume() }
            }
        case .closeNow:
            break
        }
        do {
            try pool.close()
        } catch {
            throw StorageError(.io, "cannot close SQLite database", cause: error)
        }
        logger.info("storage closed", metadata: ["storage.backend": "sqlite", "storage.path": "\(path)"])
    }

    private func checkOpen() throws {
        if state.withLock({ $0.queue.isClosed }) {
            throw StorageError(.closed, "the storage backend is closed")
        }
    }

    /// Maps an error from GRDB to a ``StorageError``; passes through the ones that
    /// already mean something to callers.
    func wrapped(_ error: any Error, _ operation: String) -> any Error {
        switch error {
        case is StorageError, is CancellationError:
            return error
        case let failure as TransactionHookFailure:
            return failure.underlying
        case let databaseError as DatabaseError:
            if state.withLock({ $0.queue.isClosed }) {
                return StorageError(.closed, "the storage backend is closed", cause: error)
            }
            // The result code names the failure; the message of a DatabaseError may quote
            // SQL but never statement arguments (publicStatementArguments is off).
            return StorageError(.io, "SQLite \(operation) failed: \(databaseError.resultCode)", cause: error)
        default:
            return StorageError(.io, "SQLite \(operation) failed", cause: error)
        }
    }
}

/// Carries an error thrown by the ``SQLiteBackend/TransactionHook`` or a
/// ``CommitInterceptor`` out of the transaction, so it reaches callers as thrown rather
/// than wrapped as an IO error.
struct TransactionHookFailure: Error {
    var underlying: any Error
}
