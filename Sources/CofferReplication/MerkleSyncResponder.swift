/// The primary's side of a Merkle sync: answers to ``MerkleSyncRequest``s from its Merkle
/// index and storage. Stateless; the shell calls it once per request.
///
/// Ordering matters for the secondary's convergence argument (``SecondaryReplicator``):
/// - page hashes carry the last index of **exactly** the state they describe (the
///   secondary streams after it, and an empty diff makes it consistent at it);
/// - entries and values carry a last index read **after** them (never earlier).
///
/// The `log`-taking variants get this right from a live ``ReplicationLog``; the others
/// are for callers that already hold a snapshot and its index.
public enum MerkleSyncResponder {
    /// How often ``pageHashes(of:)-(ReplicationLog)`` retries while commits keep landing.
    static let snapshotAttempts = 64

    /// Every page hash of the log's Merkle index with the last index of that same state.
    ///
    /// The log moves its last index and its Merkle index in one locked step, so a
    /// snapshot taken between two equal reads of the last index is the state at that
    /// index. Throws ``MerkleSyncError/Code/busy`` if commits land between the reads
    /// ``snapshotAttempts`` times in a row (the secondary retries after a reconnect).
    ///
    /// `exclusion` (a secondary's paths filter): the hashes of that state without the
    /// excluded keys.
    public static func pageHashes(of log: ReplicationLog, excluding exclusion: ReplicationExclusion? = nil) throws -> MerklePageHashes {
        var before = log.lastIndex
        for _ in 0..<snapshotAttempts {
            let snapshot = log.merkleSnapshot()
            let after = log.lastIndex
            if after == before {
                guard let exclusion, !exclusion.isEmpty else { return pageHashes(of: snapshot, lastIndex: after) }
                return pageHashes(of: snapshot.filtered(excluding: exclusion.excludes), lastIndex: after)
            }
            before = after
        }
        throw MerkleSyncError(.busy, "the log kept moving while taking a Merkle snapshot")
    }

    /// Every page hash of `index`, which must be exactly the state at `lastIndex`.
    public static func pageHashes(of index: MerkleIndex, lastIndex: UInt64) -> MerklePageHashes {
        MerklePageHashes(hashes: index.pageHashes(), lastIndex: lastIndex)
    }

    /// The entries of `pages` in the log's Merkle index now, with the last index read after.
    public static func pageEntries(of log: ReplicationLog, pages: [Int]) throws -> MerklePageEntries {
        let snapshot = log.merkleSnapshot()
        return try pageEntries(of: snapshot, pages: pages, lastIndex: log.lastIndex)
    }

    /// The entries of `pages` in `index`; `lastIndex` read after taking `index`.
    /// Throws ``MerkleSyncError`` for too many pages, a page out of range or a repeated page.
    public static func pageEntries(of index: MerkleIndex, pages: [Int], lastIndex: UInt64) throws -> MerklePageEntries {
        guard pages.count <= ReplicationLimits.maximumPagesPerRequest else {
            throw MerkleSyncError(.tooLarge, "asked for \(pages.count) pages; the limit is \(ReplicationLimits.maximumPagesPerRequest)")
        }
        var seen = Set<Int>()
        for page in pages {
            guard (0..<MerkleIndex.pageCount).contains(page) else {
                throw MerkleSyncError(.invalidRequest, "page \(page) is out of range")
            }
            guard seen.insert(page).inserted else {
                throw MerkleSyncError(.invalidRequest, "page \(page) asked twice")
            }
        }
        return MerklePageEntries(pages: pages.map { Self.page($0, of: index) }, lastIndex: lastIndex)
    }

    /// One page of `index` as it travels (also what a secondary passes as its local side).
    public static func page(_ page: Int, of index: MerkleIndex) -> MerklePage {
        MerklePage(page: page, entries: index.entries(page: page).map { MerkleEntry(key: $0.key, hash: $0.hash) })
    }

    /// The stored values of a prefix of `keys`, read with `read`, then `lastIndex()`:
    /// reading stops after the value that brings the answer to `budgetBytes`
    /// (``ReplicationLimits/fetchAnswerBudgetBytes``), so at least one key is answered
    /// and the secondary asks again for the keys left.
    ///
    /// Only replicated keys are served: a key `isReplicated` refuses (a token, a lease,
    /// this cluster's replication state) fails the whole request, so a secondary can never
    /// read local data through the sync.
    public static func values(
        of keys: [String],
        isReplicated: (String) -> Bool,
        read: (String) async throws -> [UInt8]?,
        lastIndex: () -> UInt64,
        budgetBytes: Int = ReplicationLimits.fetchAnswerBudgetBytes
    ) async throws -> FetchedValues {
        guard keys.count <= ReplicationLimits.maximumKeysPerFetch else {
            throw MerkleSyncError(.tooLarge, "asked for \(keys.count) keys; the limit is \(ReplicationLimits.maximumKeysPerFetch)")
        }
        guard keys.allSatisfy(isReplicated) else {
            throw MerkleSyncError(.invalidRequest, "asked for a key that is not replicated")
        }
        var values: [FetchedValue] = []
        values.reserveCapacity(keys.count)
        var bytes = 0
        for key in keys where bytes < budgetBytes {
            let value = try await read(key)
            bytes += key.utf8.count + (value?.count ?? 0)
            values.append(FetchedValue(key: key, value: value))
        }
        return FetchedValues(values: values, lastIndex: lastIndex())
    }
}

/// A Merkle sync request the primary refuses; the cluster layer answers it as an error
/// and the secondary drops the link.
public struct MerkleSyncError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// More pages or keys than ``ReplicationLimits`` allow.
        public static let tooLarge = Code("too large")
        /// A page out of range or repeated, or a key that is not replicated.
        public static let invalidRequest = Code("invalid request")
        /// Commits kept landing while the answer was taken; ask again later.
        public static let busy = Code("busy")
    }

    public var code: Code
    /// Says what is wrong with the request; never names a key.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "merkle sync \(code): \(message)" }
}
