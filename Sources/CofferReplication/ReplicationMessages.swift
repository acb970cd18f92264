// What crosses the replication link, as plain values. The cluster layer maps these to its
// wire format (protobuf over gRPC); the state machines see only these types.
//
// Two channels, as gRPC gives them:
//
//     secondary                                   primary
//        │ ── startStream(afterIndex) ─────────────▶ │  one bidirectional stream,
//        │ ── heartbeat(appliedIndex, sentAt) ─────▶ │  ordered in each direction
//        │ ◀──────────── records([WALRecord], last) ─ │
//        │ ◀──────────── heartbeat(lastIndex, sentAt) │
//        │ ◀──────────── needSync(oldest, last) ───── │
//        │                                            │
//        │ ── MerkleSyncRequest ───────────────────▶ │  unary calls, one at a time,
//        │ ◀─────────────────── MerkleSyncResponse ── │  unordered w.r.t. the stream
//
// A broken stream is never repaired in place: both sides drop it, and the secondary
// reconnects and restarts from its last applied index.

/// A message the secondary sends on the replication stream.
public enum SecondaryMessage: Sendable, Hashable {
    /// (Re)starts the WAL stream: the primary sends every record with an index greater than
    /// `afterIndex`, then follows its log; or answers ``PrimaryMessage/needSync(oldestIndex:lastIndex:)``
    /// when it no longer has them. Sent first on every stream, and again mid-stream to
    /// restart from another index (after a Merkle sync, or after the secondary saw a gap).
    case startStream(afterIndex: UInt64)
    /// Liveness and progress: the index the secondary has durably applied, and its clock
    /// (milliseconds since the Unix epoch) when it sent this.
    case heartbeat(appliedIndex: UInt64, sentAtMillis: Int64)
}

/// A message the primary sends on the replication stream.
public enum PrimaryMessage: Sendable, Hashable {
    /// Consecutive records of the primary's log, in index order, and the primary's last
    /// index when it sent them (for lag). Never empty.
    case records([WALRecord], lastIndex: UInt64)
    /// Liveness: the primary's last index and its clock (milliseconds since the Unix epoch).
    case heartbeat(lastIndex: UInt64, sentAtMillis: Int64)
    /// The records after the index the secondary asked from are gone (the oldest retained
    /// record is `oldestIndex`), or that index is beyond the primary's `lastIndex`: the
    /// secondary must reconcile by Merkle sync, then send `startStream` again.
    case needSync(oldestIndex: UInt64, lastIndex: UInt64)
}

/// A Merkle-sync question from the secondary, answered by one ``MerkleSyncResponse`` of
/// the same kind (see ``MerkleSyncResponder``).
public enum MerkleSyncRequest: Sendable, Hashable {
    /// The hash of every page of the primary's Merkle index, and its last index then.
    case pageHashes
    /// Every entry of the listed pages (at most ``ReplicationLimits/maximumPagesPerRequest``).
    case pageEntries(pages: [Int])
    /// The stored value of each listed key (at most ``ReplicationLimits/maximumKeysPerFetch``).
    case fetchKeys([String])
}

/// The answer to a ``MerkleSyncRequest``.
public enum MerkleSyncResponse: Sendable, Hashable {
    case pageHashes(MerklePageHashes)
    case pageEntries(MerklePageEntries)
    case values(FetchedValues)
}

/// All page hashes of the primary's Merkle index, in page order
/// (``MerkleIndex/pageCount`` of them).
public struct MerklePageHashes: Sendable, Hashable {
    public var hashes: [MerkleHash]
    /// The primary's last WAL index for exactly the state the hashes describe: the
    /// secondary resumes streaming after it, and after an empty diff it is consistent at
    /// it (see ``MerkleSyncResponder/pageHashes(of:)-(ReplicationLog)``).
    public var lastIndex: UInt64

    public init(hashes: [MerkleHash], lastIndex: UInt64) {
        self.hashes = hashes
        self.lastIndex = lastIndex
    }
}

/// One key of a Merkle page: the key and the hash of its entry (key and stored value).
public struct MerkleEntry: Sendable, Hashable {
    public var key: String
    public var hash: MerkleHash

    public init(key: String, hash: MerkleHash) {
        self.key = key
        self.hash = hash
    }
}

/// The entries of one page, in key order.
public struct MerklePage: Sendable, Hashable {
    public var page: Int
    public var entries: [MerkleEntry]

    public init(page: Int, entries: [MerkleEntry]) {
        self.page = page
        self.entries = entries
    }
}

/// The entries of the pages a ``MerkleSyncRequest/pageEntries(pages:)`` asked for.
public struct MerklePageEntries: Sendable, Hashable {
    /// One element per asked page, in the asked order; a page without keys has no entries.
    public var pages: [MerklePage]
    /// The primary's last index when it read the entries, or later (never earlier).
    public var lastIndex: UInt64

    public init(pages: [MerklePage], lastIndex: UInt64) {
        self.pages = pages
        self.lastIndex = lastIndex
    }
}

/// A key's stored value (barrier ciphertext), or nil when the key does not exist.
public struct FetchedValue: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// Names the key and the value's size, never its bytes.
    public var description: String {
        "FetchedValue(\(key.debugDescription), \(value.map { "\($0.count) bytes" } ?? "absent"))"
    }

    public var debugDescription: String { description }
}

/// The values a ``MerkleSyncRequest/fetchKeys(_:)`` asked for.
public struct FetchedValues: Sendable, Hashable {
    /// One element per asked key, in the asked order.
    public var values: [FetchedValue]
    /// The primary's last index read after the values, so never earlier than their state.
    public var lastIndex: UInt64

    public init(values: [FetchedValue], lastIndex: UInt64) {
        self.values = values
        self.lastIndex = lastIndex
    }
}

/// Bounds both ends enforce on what crosses the link; a peer that breaks one is
/// misbehaving, and the link is closed.
public enum ReplicationLimits {
    /// The most pages one ``MerkleSyncRequest/pageEntries(pages:)`` may ask for.
    public static let maximumPagesPerRequest = 256
    /// The most keys one ``MerkleSyncRequest/fetchKeys(_:)`` may ask for.
    public static let maximumKeysPerFetch = 1024
    /// The value bytes one answer to ``MerkleSyncRequest/fetchKeys(_:)`` carries at
    /// most: the primary stops at the value that reaches it (always answering at least
    /// one), and the secondary asks again for the rest. Well under the link's 64 MiB
    /// message limit, so a page of large secrets cannot make an answer unsendable.
    public static let fetchAnswerBudgetBytes = 8 << 20
    /// The most records one ``PrimaryMessage/records(_:lastIndex:)`` may carry.
    public static let maximumRecordsPerMessage = 4096
}
