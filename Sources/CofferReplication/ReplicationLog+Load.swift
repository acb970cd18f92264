/// Restoring the log from storage at startup, and rebuilding the Merkle index.
extension ReplicationLog {
    /// How many names one `list` call asks for while scanning.
    static let scanPageSize = 1000

    /// Restores ``lastIndex``, ``oldestIndex`` and the in-memory tail from the stored
    /// records and `wal-meta`, then rebuilds the Merkle index from every replicated key.
    ///
    /// Call once, before the mode becomes `.primary` (before the first step that logs).
    /// The index resumes above both the newest stored record and `wal-meta`, so it never
    /// goes back, even when truncation or a wipe left no record. If the stored records
    /// have a gap, only the newest contiguous run is used and the older ones are deleted by
    /// the next commit. Throws the backend's errors, or ``WALError`` for a damaged record,
    /// `wal-meta`, or a foreign key under ``walPrefix``.
    public func load() async throws {
        let metaIndex = try await storage.get(Self.metaKey).map(Self.decodeMeta) ?? 0

        var indexes: [UInt64] = []
        var after: String?
        while true {
            let names = try await storage.list(prefix: Self.walPrefix, after: after, limit: Self.scanPageSize)
            for name in names {
                guard let index = Self.index(ofWALName: name) else {
                    throw WALError(.corrupt, "unexpected key \(Self.walPrefix)\(name) in the replication log")
                }
                indexes.append(index)
            }
            guard names.count == Self.scanPageSize, let last = names.last else { break }
            after = last
        }

        // The newest contiguous run; fixed-width hex names list in numeric order.
        var runStart = indexes.count
        while runStart > 0, runStart == indexes.count || indexes[runStart] - indexes[runStart - 1] == 1 {
            runStart -= 1
        }
        var run = Array(indexes[runStart...])
        var strays = Array(indexes[..<runStart])
        if let newest = run.last, newest < metaIndex {
            // Records older than an index already handed out: stale, whatever they hold.
            strays += run
            run = []
        }
        if !strays.isEmpty {
            logger.warning("replication log has records outside its contiguous tail; they will be deleted",
                           metadata: ["replication.wal.stray_records": "\(strays.count)"])
        }

        var tail: [WALRecord] = []
        for index in run.suffix(retention) {
            guard let bytes = try await storage.get(Self.walKey(index)) else {
                throw WALError(.corrupt, "WAL record \(index) vanished while loading; was the log written during load?")
            }
            let record = try WALCodec.decode(bytes)
            guard record.index == index else {
                throw WALError(.corrupt, "storage key of WAL record \(index) holds record \(record.index)")
            }
            tail.append(record)
        }

        let lastIndex = max(metaIndex, run.last ?? 0)
        // Indexes grow by one per record: anything near the top of the range is damage,
        // and would overflow below.
        guard lastIndex < UInt64.max / 2 else {
            throw WALError(.corrupt, "replication log index \(lastIndex) is out of range")
        }
        let oldestIndex = run.first ?? lastIndex + 1
        state.withLock { state in
            state.lastIndex = lastIndex
            state.oldestIndex = oldestIndex
            state.strays = strays
            state.tail.removeAll()
            state.tail.append(tail)
        }
        logger.info("replication log loaded", metadata: [
            "replication.wal.last_index": "\(lastIndex)",
            "replication.wal.oldest_index": "\(oldestIndex)",
            "replication.wal.retained": "\(run.count)",
        ])
        try await rebuildMerkle()
    }

    /// Rebuilds the Merkle index by reading every replicated key from storage.
    ///
    /// Safe while commits continue: every step committed during the scan is journaled and
    /// replayed over the scan's result, so a key the scan read before (or, through a read
    /// cache, slightly after) a change ends up as the change left it. Costs one `get` per
    /// replicated key. `progress`, when given, hears the number of keys indexed so far
    /// (every few hundred, and at the end).
    public func rebuildMerkle(progress: (@Sendable (Int) -> Void)? = nil) async throws {
        let id: Int = state.withLock { state in
            state.nextRebuildID += 1
            // The newest committed step may not be visible to reads yet (a read cache is
            // updated just after `committed`): replay it too. Replaying a change the scan
            // already saw is harmless: the journal's last change to a key decides.
            state.rebuildJournals[state.nextRebuildID] = state.lastStepChanges
            return state.nextRebuildID
        }
        do {
            var index = MerkleIndex()
            try await scan(into: &index, progress: progress)
            let count = state.withLock { state in
                for change in state.rebuildJournals.removeValue(forKey: id) ?? [] { index.apply(change) }
                state.merkle = index
                return index.count
            }
            progress?(count)
            logger.info("replication Merkle index rebuilt", metadata: ["replication.merkle.keys": "\(count)"])
        } catch {
            state.withLock { _ = $0.rebuildJournals.removeValue(forKey: id) }
            throw error
        }
    }

    /// Walks every folder (skipping the log's own) and indexes each replicated key.
    private func scan(into index: inout MerkleIndex, progress: (@Sendable (Int) -> Void)?) async throws {
        var folders = [""]
        while let folder = folders.popLast() {
            var after: String?
            while true {
                let names = try await storage.list(prefix: folder, after: after, limit: Self.scanPageSize)
                for name in names {
                    let key = folder + name
                    if name.utf8.last == UInt8(ascii: "/") {
                        if !key.utf8.elementsEqual(Self.walPrefix.utf8) { folders.append(key) }
                    } else if tracks(key), let value = try await storage.get(key) {
                        index.put(key: key, value: value)
                        if index.count % 512 == 0 { progress?(index.count) }
                    }
                }
                guard names.count == Self.scanPageSize, let last = names.last else { break }
                after = last
            }
        }
    }
}
