import CofferReplication

/// Paths filters: the primary's per-secondary ``ReplicationExclusion`` as
/// `ReplicationManager` keeps it (the filter and the resync mark), the filter-change step,
/// and how a stream start decides to force a Merkle sync.
///
/// Every change bumps the secondary's filter *generation*. Links remember the generation
/// they connected under; since a change closes the stream at once, everything the primary
/// serves on one connection (records, page hashes, entries, values) was filtered under
/// that one generation, which lets the oracle tag what each secondary applies.
/// (`ReplicationManager` persists the filter before it closes the streams; the simulation
/// closes them at once, so that window, another way to spend the mark, is not modelled.)
extension ReplicationSimulator {
    /// The primary's view of one secondary's paths filter.
    struct FilterState {
        /// `history[g]`: the filter of generation `g`; generation 0 is "no filter".
        var history: [ReplicationExclusion] = [ReplicationExclusion(prefixes: [])]
        /// The `resync` mark as the old `PrimaryService` spent it (``PrimaryShell/spendsMarkOnFirstStart``).
        var resyncMarked = false
        /// The newest generation the secondary finished a forced sync under
        /// (``PrimaryShell/resyncsUntilSynced``, `PrimaryService`'s `resyncCompleted`).
        var syncedGeneration = 0

        var generation: Int { history.count - 1 }
        /// What the secondary must not receive now.
        var exclusion: ReplicationExclusion { history[generation] }
    }

    /// Storage prefixes a filter picks from: whole groups, single keys (`rep/b/2` is a
    /// prefix of no other key), and everything.
    static let filterPrefixes = ["rep/a/", "rep/b/", "rep/c/", "rep/b/2", "rep/c/1", "rep/"]

    /// Sets, changes or removes a secondary's filter, as `sys/replication/performance/
    /// primary/paths-filter` does: the new filter applies to everything served from now
    /// on, the secondary is marked for a sync, and its stream is closed.
    func changeFilter(_ number: Int) async throws {
        guard !calm else { return }
        var prefixes: Set<String> = []
        if random.next(below: 4) != 0 {
            for _ in 0...random.next(below: 2) {
                prefixes.insert(Self.filterPrefixes[Int(random.next(below: UInt64(Self.filterPrefixes.count)))])
            }
        }
        report.filterChanges += 1
        filters[number].history.append(ReplicationExclusion(prefixes: prefixes.sorted()))
        filters[number].resyncMarked = true
        note("paths filter of s\(number) is now \(prefixes.sorted()) (generation \(filters[number].generation))")
        try await cut(number, notifySecondary: true)
    }

    /// `PrimaryService` on a `startStream`: whether the start it feeds the shipper carries
    /// `oldestIndex: .max`. A secondary starting after 0 always syncs first (what was
    /// written before replication began is in no record); so does one whose filter changed.
    func startForcesSync(afterIndex: UInt64, link number: Int) -> Bool {
        switch configuration.primaryShell {
        case .spendsMarkOnFirstStart:
            // The old `takeResync`, on every startStream, whichever stream it arrives on.
            let marked = filters[number].resyncMarked
            filters[number].resyncMarked = false
            return afterIndex == 0 || marked
        case .resyncsUntilSynced:
            // The secondary asks for the stream after the sync this stream forced: that
            // sync is durable, so its generation is synced.
            if let forced = links[number].forcedGeneration, links[number].shipper?.phase == .awaitingStart {
                filters[number].syncedGeneration = max(filters[number].syncedGeneration, forced)
                links[number].forcedGeneration = nil
            }
            return afterIndex == 0 || filters[number].syncedGeneration < filters[number].generation
        }
    }
}

extension SecondaryReplicator {
    /// In merkle-diff or merkle-sync.
    var isSyncing: Bool { state == .merkleDiff || state == .merkleSync }
}
