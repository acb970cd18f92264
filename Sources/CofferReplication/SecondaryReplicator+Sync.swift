public import CofferStorage

/// The Merkle diff and sync of ``SecondaryReplicator`` (merkle-diff and merkle-sync).
extension SecondaryReplicator {
    /// One storage batch of a Merkle sync.
    public struct SyncApply: Sendable, Hashable {
        /// Puts of fetched values and deletes of keys the primary does not have.
        public var operations: [StorageOperation]
        /// Set on the last batch of a sync: write it as `last_remote_wal`. Earlier batches
        /// leave `last_remote_wal` alone, so a crash mid-sync resumes from where it was.
        public var reachedIndex: UInt64?
        /// Persist it (a local key) with the batch and pass it back to ``init(configuration:appliedIndex:consistentAtIndex:seed:)``
        /// on restart: the secondary's data is the primary's at `last_remote_wal` only
        /// once `last_remote_wal` reaches it. `UInt64.max` means "not until a sync completes".
        public var consistentAtIndex: UInt64

        public init(operations: [StorageOperation], reachedIndex: UInt64?, consistentAtIndex: UInt64) {
            self.operations = operations
            self.reachedIndex = reachedIndex
            self.consistentAtIndex = consistentAtIndex
        }
    }

    /// Where a Merkle sync is.
    struct SyncProgress: Sendable, Hashable {
        enum Step: Sendable, Hashable {
            /// An apply from the stream is still in flight; page hashes are asked after it.
            case waitingForApply
            case pageHashes
            case pageEntries(requested: [Int])
            case values(requested: [String])
            /// A sync batch is in flight; `last` when it ends the sync.
            case applying(last: Bool)
        }

        var step: Step
        /// `L`: the primary's index for the page hashes; streaming resumes after it.
        var startIndex: UInt64 = 0
        /// `W`: the largest primary index any answer of this sync reported.
        var watermark: UInt64 = 0
        /// Differing pages not asked for yet.
        var pagesToCheck: [Int] = []
        /// Keys whose entry differs; those from ``fetchCursor`` on are not fetched yet.
        /// A cursor, not `removeFirst`: 100k keys fetched 256 at a time would otherwise
        /// move the whole list for every fetch.
        var keysToFetch: [String] = []
        var fetchCursor = 0
        var allKeysFetched: Bool { fetchCursor >= keysToFetch.count }
        /// Keys only this side has; deleted with the first sync batch.
        var keysToDelete: [String] = []

        var awaitsAnswer: Bool {
            switch step {
            case .pageHashes, .pageEntries, .values: true
            case .waitingForApply, .applying: false
            }
        }
    }

    mutating func beginSync(_ actions: inout [Action]) {
        pending = []
        acceptedIndex = appliedIndex
        streamRequested = false
        restartRequested = false
        transition(to: .merkleDiff, &actions)
        sync = SyncProgress(step: .waitingForApply)
        // "waiting for operations to complete": the local Merkle data must hold still.
        if inFlight == nil { requestPageHashes(&actions) }
    }

    private mutating func requestPageHashes(_ actions: inout [Action]) {
        sync?.step = .pageHashes
        actions.append(.requestPageHashes)
    }

    mutating func onPageHashes(_ remote: MerklePageHashes, local: [MerkleHash], _ actions: inout [Action]) {
        guard state == .merkleDiff, var progress = sync, progress.step == .pageHashes else { return }
        guard remote.hashes.count == MerkleIndex.pageCount, local.count == MerkleIndex.pageCount else {
            fail(.protocolViolation, &actions)
            return
        }
        progress.startIndex = remote.lastIndex
        progress.watermark = remote.lastIndex
        progress.pagesToCheck = remote.hashes.indices.filter { remote.hashes[$0] != local[$0] }
        sync = progress
        if progress.pagesToCheck.isEmpty {
            applySyncBatch([], last: true, &actions)
        } else {
            requestNextPages(&actions)
        }
    }

    private mutating func requestNextPages(_ actions: inout [Action]) {
        guard var progress = sync else { return }
        let pages = Array(progress.pagesToCheck.prefix(configuration.maximumPagesPerRequest))
        progress.pagesToCheck.removeFirst(pages.count)
        progress.step = .pageEntries(requested: pages)
        sync = progress
        actions.append(.requestPageEntries(pages: pages))
    }

    mutating func onPageEntries(_ remote: MerklePageEntries, local: [MerklePage], _ actions: inout [Action]) {
        guard state == .merkleDiff, var progress = sync, case .pageEntries(let requested) = progress.step else { return }
        sync = nil  // `progress` is now the only owner: appends below do not copy the key lists
        guard remote.pages.map(\.page) == requested, Self.pagesAreWellFormed(remote.pages) else {
            fail(.protocolViolation, &actions)
            return
        }
        progress.watermark = max(progress.watermark, remote.lastIndex)
        var localByPage: [Int: [MerkleEntry]] = [:]
        for page in local { localByPage[page.page] = page.entries }
        for page in remote.pages {
            Self.diff(remote: page.entries, local: localByPage[page.page] ?? [],
                      fetch: &progress.keysToFetch, delete: &progress.keysToDelete)
        }
        sync = progress
        if !progress.pagesToCheck.isEmpty {
            requestNextPages(&actions)
        } else if progress.allKeysFetched && progress.keysToDelete.isEmpty {
            // The pages differed at the hashes' index but agree now: an empty diff.
            applySyncBatch([], last: true, &actions)
        } else {
            transition(to: .merkleSync, &actions)
            fetchOrApplyDeletes(&actions)
        }
    }

    /// A page list is well formed when each page is in range, appears once, and holds
    /// only keys that belong to it, in strictly ascending bytewise order (so each once).
    private static func pagesAreWellFormed(_ pages: [MerklePage]) -> Bool {
        var seenPages = Set<Int>()
        for page in pages {
            guard (0..<MerkleIndex.pageCount).contains(page.page), seenPages.insert(page.page).inserted else { return false }
            var previous: String?
            for entry in page.entries {
                guard MerkleIndex.page(of: entry.key) == page.page else { return false }
                if let previous, BytewiseOrder.compare(previous, entry.key) >= 0 { return false }
                previous = entry.key
            }
        }
        return true
    }

    /// One page's difference by a merge of the two sorted entry lists (no hashing of
    /// keys: a diff after 100k missed writes walks every entry of every page): keys the
    /// primary has with another hash, or only it has, are fetched; keys only this side
    /// has are deleted. `remote` is strictly ascending (checked); `local` comes from this
    /// side's own index and is sorted here if it is not.
    static func diff(remote: [MerkleEntry], local: [MerkleEntry], fetch: inout [String], delete: inout [String]) {
        var local = local
        if !zip(local, local.dropFirst()).allSatisfy({ BytewiseOrder.compare($0.key, $1.key) < 0 }) {
            local.sort { BytewiseOrder.compare($0.key, $1.key) < 0 }
        }
        var r = 0
        var l = 0
        while r < remote.count || l < local.count {
            let order: Int
            if r == remote.count { order = 1 } else if l == local.count { order = -1 } else { order = BytewiseOrder.compare(remote[r].key, local[l].key) }
            if order < 0 {
                fetch.append(remote[r].key)
                r += 1
            } else if order > 0 {
                delete.append(local[l].key)
                l += 1
            } else {
                if remote[r].hash != local[l].hash { fetch.append(remote[r].key) }
                r += 1
                l += 1
            }
        }
    }

    private mutating func fetchOrApplyDeletes(_ actions: inout [Action]) {
        guard var progress = sync else { return }
        if progress.allKeysFetched {
            let deletes = progress.keysToDelete.map { StorageOperation.delete(key: $0) }
            progress.keysToDelete = []
            sync = progress
            applySyncBatch(deletes, last: true, &actions)
            return
        }
        let end = min(progress.keysToFetch.count, progress.fetchCursor + configuration.maximumKeysPerFetch)
        let keys = Array(progress.keysToFetch[progress.fetchCursor..<end])
        progress.fetchCursor = end
        progress.step = .values(requested: keys)
        sync = progress
        actions.append(.fetchKeys(keys))
    }

    mutating func onValues(_ remote: FetchedValues, _ actions: inout [Action]) {
        guard state == .merkleSync, var progress = sync, case .values(let requested) = progress.step else { return }
        // The primary answers a non-empty prefix of the keys asked (it bounds an answer's
        // bytes); the keys it left are asked again.
        guard !remote.values.isEmpty, remote.values.count <= requested.count,
              zip(remote.values, requested).allSatisfy({ $0.key.utf8.elementsEqual($1.utf8) })
        else {
            fail(.protocolViolation, &actions)
            return
        }
        progress.fetchCursor -= requested.count - remote.values.count
        progress.watermark = max(progress.watermark, remote.lastIndex)
        var operations = progress.keysToDelete.map { StorageOperation.delete(key: $0) }
        progress.keysToDelete = []
        for fetched in remote.values {
            // Gone since the entries were read: the primary deleted it, so do we.
            operations.append(fetched.value.map { .put(key: fetched.key, value: $0) } ?? .delete(key: fetched.key))
        }
        let last = progress.allKeysFetched
        sync = progress
        applySyncBatch(operations, last: last, &actions)
    }

    /// Hands one sync batch to the shell; the last one carries the reached index.
    private mutating func applySyncBatch(_ operations: [StorageOperation], last: Bool, _ actions: inout [Action]) {
        guard var progress = sync else { return }
        let watermark: UInt64
        if last {
            // Every key has now been checked against this sync: its data is the primary's
            // at some index in [L, W].
            watermark = progress.watermark
        } else if progress.startIndex < appliedIndex {
            // The primary is behind this side (it was restored or replaced): until the
            // sync completes, nothing here relates to one index of it.
            watermark = .max
        } else {
            // Keys synced so far are at indexes in [L, W], the rest at or after the applied index.
            watermark = max(consistentAtIndex, progress.watermark)
        }
        let apply = SyncApply(operations: operations, reachedIndex: last ? progress.startIndex : nil, consistentAtIndex: watermark)
        progress.step = .applying(last: last)
        sync = progress
        inFlight = .sync(apply)
        actions.append(.applySync(apply))
    }

    mutating func continueSync(_ actions: inout [Action]) {
        guard let progress = sync else { return }
        switch progress.step {
        case .waitingForApply:
            requestPageHashes(&actions)
        case .applying(let last):
            if last {
                sync = nil
                transition(to: .streamWALs, &actions)
                startStream(&actions)
            } else {
                fetchOrApplyDeletes(&actions)
            }
        case .pageHashes, .pageEntries, .values:
            // The apply that finished was not this sync's; nothing to resume.
            break
        }
    }
}
