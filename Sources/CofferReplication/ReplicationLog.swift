public import CofferStorage
public import Logging
import Synchronization

/// This cluster's write-ahead log of replicated changes and its Merkle index, kept in step
/// with storage by intercepting every commit.
///
/// Install it on the physical backend (``InterceptableStorage/setCommitInterceptor(_:)``)
/// after ``load()``, then pick a ``Mode``:
///
/// - `.primary`: every client-origin operation on a replicated key becomes one
///   ``WALRecord`` with the next index, stored under ``walPrefix`` in the **same storage
///   step** as the data. A batch that fails logs nothing; indexes are gap-free, in commit
///   order, and monotonic across restarts.
/// - `.secondary`: client-origin batches that write a replicated key are refused with
///   `StorageError(.readOnly)` (the caller forwards them to the primary);
///   replication-origin batches pass and are not logged here.
/// - `.disabled`: nothing is logged or refused.
///
/// In every mode the Merkle index follows the committed replicated keys.
///
/// **Retention.** At most ``retention`` records are kept in memory; storage keeps the
/// newest `retention` records plus, between amortised deletions, up to
/// ``truncationChunk`` - 1 older ones. A reader further behind gets
/// ``WALRead/truncated(oldestIndex:)`` and must resynchronise by Merkle sync.
///
/// **Storage layout** (every key local to this cluster):
///
///     core/replication/wal/<16 lowercase hex digits of the index>  -> WALCodec record
///     core/replication/wal-meta  -> [0x01][last index: UInt64 BE]
///
/// (The record keys are ``SequencedKeys``, which ``SQLiteBackend`` stores in a table of
/// their own, so that appending and truncating stay cheap.)
///
/// `wal-meta` is written in the same step whenever records are deleted (truncation, or a
/// `deletePrefix` covering the log), so the index never goes back after a restart even if
/// no record survives. Keys under ``walPrefix`` and `wal-meta` are written only by the
/// log: any batch that puts or deletes them one by one is refused with
/// `StorageError(.invalidKey)`; a `deletePrefix` covering all of ``walPrefix`` (a wipe) is
/// allowed.
///
/// The backend holds the log and the log holds the backend: remove the interceptor to
/// release both.
public final class ReplicationLog: CommitInterceptor {
    /// What the log does with commits.
    public enum Mode: Sendable, Hashable {
        /// Merkle tracked, no WAL.
        case disabled
        /// Append WAL records for client writes to replicated keys.
        case primary
        /// Refuse client writes to replicated keys; `.replication` batches pass unlogged.
        case secondary
    }

    /// 16384 records: a secondary may fall that many replicated operations behind before
    /// it needs a Merkle sync (Vault's log shipper buffer is of the same order); with
    /// KV-sized values that is a few MiB of storage.
    public static let defaultRetention = 16_384
    /// Records are stored as `walPrefix` + 16 lowercase hex digits of the index; this
    /// prefix is classified local by Core and is never replicated.
    public static let walPrefix = SequencedKeys.prefix
    /// Holds the last index when records are deleted, so the index survives empty logs.
    public static let metaKey = "core/replication/wal-meta"
    /// The most bytes of record keys and values the in-memory tail holds; older records
    /// are read back from storage.
    public static let tailByteLimit = 64 << 20

    /// The most records kept (at least 1).
    public let retention: Int
    /// How many excess records accumulate before they are deleted in one step.
    public let truncationChunk: Int
    /// Truncation deletes whole aligned blocks of this many records (a power of 16, at most
    /// a quarter of a chunk) with one `deletePrefix` each: their keys share all but the last
    /// hex digits. Records below the first block boundary go one by one.
    let truncationBlock: UInt64

    let storage: any StorageBackend
    let isReplicated: @Sendable (String) -> Bool
    let logger: Logger
    let state: Mutex<State>

    struct State: Sendable {
        var mode: Mode = .disabled
        /// The index of the newest committed record; 0 before the first.
        var lastIndex: UInt64 = 0
        /// Records `oldestIndex...lastIndex` are stored; `lastIndex + 1` when none is.
        var oldestIndex: UInt64 = 1
        var tail: WALTail
        var merkle = MerkleIndex()
        /// Between `prepare` and `committed`/`aborted`.
        var pending: PendingStep?
        /// Stored records outside the contiguous run (found by `load`), deleted by the next step.
        var strays: [UInt64] = []
        /// The Merkle changes of the newest committed step (see `rebuildMerkle`).
        var lastStepChanges: [MerkleChange] = []
        var rebuildJournals: [Int: [MerkleChange]] = [:]
        var nextRebuildID = 0
        var waiters: [Int: Waiter] = [:]
        var nextWaiterID = 0
    }

    struct Waiter: Sendable {
        var above: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    /// What `prepare` decided, applied to the state by `committed`.
    struct PendingStep: Sendable {
        var records: [WALRecord]
        var lastIndex: UInt64
        var oldestIndex: UInt64
        /// Every earlier record was deleted by the step (a wipe): forget the tail.
        var wipedRecords: Bool
        var clearsStrays: Bool
        var merkleChanges: [MerkleChange]
    }

    /// A log over `storage` keeping `retention` records (clamped to at least 1).
    ///
    /// `isReplicated` is Core's key classifier: true for keys (and `deletePrefix`
    /// prefixes) whose changes are replicated. It is called from inside storage commits,
    /// so it must be quick and must not call into storage. Keys under ``walPrefix`` and
    /// ``metaKey`` are never treated as replicated, whatever it says. Starts in mode
    /// `.disabled`, empty: call ``load()`` before the first commit it logs.
    public convenience init(storage: any StorageBackend, retention: Int, isReplicated: @escaping @Sendable (String) -> Bool, logger: Logger) {
        self.init(storage: storage, retention: retention, tailByteLimit: Self.tailByteLimit, isReplicated: isReplicated, logger: logger)
    }

    /// Tests shrink the tail's byte budget to exercise reads from storage.
    init(storage: any StorageBackend, retention: Int, tailByteLimit: Int, isReplicated: @escaping @Sendable (String) -> Bool, logger: Logger) {
        let retention = max(1, retention)
        self.storage = storage
        self.retention = retention
        self.truncationChunk = max(1, min(1024, retention / 16))
        var block: UInt64 = 1
        while block * 16 <= UInt64(truncationChunk / 4) { block *= 16 }
        self.truncationBlock = block
        self.isReplicated = isReplicated
        self.logger = logger
        self.state = Mutex(State(tail: WALTail(maximumCount: retention, maximumBytes: tailByteLimit)))
    }

    /// The current mode; changes take effect from the next step (a step already prepared
    /// completes as prepared).
    public var mode: Mode { state.withLock { $0.mode } }

    public func setMode(_ mode: Mode) {
        let old = state.withLock { state in
            defer { state.mode = mode }
            return state.mode
        }
        if old != mode {
            logger.info("replication log mode changed", metadata: ["replication.mode": "\(mode)", "replication.previous_mode": "\(old)"])
        }
    }

    /// The index of the newest durable record; 0 when nothing was logged yet.
    public var lastIndex: UInt64 { state.withLock { $0.lastIndex } }

    /// The oldest retained record's index; `lastIndex + 1` when none is retained.
    public var oldestIndex: UInt64 { state.withLock { $0.oldestIndex } }

    /// The Merkle root over the replicated keys, as 40 lowercase hex digits.
    public func merkleRoot() -> String {
        merkleSnapshot().rootHex
    }

    /// A copy of the Merkle index as of the last committed step (copy-on-write: cheap).
    public func merkleSnapshot() -> MerkleIndex {
        state.withLock { $0.merkle }
    }

    /// The storage key of record `index`.
    public static func walKey(_ index: UInt64) -> String {
        SequencedKeys.key(index)
    }

    /// The index named by a key's last component under ``walPrefix`` (16 lowercase hex
    /// digits), or nil.
    static func index(ofWALName name: String) -> UInt64? {
        SequencedKeys.number(ofName: name.utf8)
    }

    /// Whether the log's own keys cover `key` (they are never replicated).
    static func isLogKey(_ key: String) -> Bool {
        key.hasBytePrefix(walPrefix) || key.utf8.elementsEqual(metaKey.utf8)
    }

    /// The log's records and `wal-meta` are written through its own operations and read
    /// back only by ``load()`` and readers older than the in-memory tail: a backend's read
    /// cache skips them.
    public var uncachedKeyPrefixes: [String] { [Self.walPrefix, Self.metaKey] }

    /// Whether changes to `key` count as replicated.
    func tracks(_ key: String) -> Bool {
        !Self.isLogKey(key) && isReplicated(key)
    }
}

extension String {
    /// Whether `self` starts with `prefix`, byte for byte (not by `Character`), as storage
    /// compares keys.
    func hasBytePrefix(_ prefix: String) -> Bool {
        let mine = utf8
        let theirs = prefix.utf8
        guard mine.count >= theirs.count else { return false }
        return mine.prefix(theirs.count).elementsEqual(theirs)
    }
}
