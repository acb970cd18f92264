extension ReplicationSimulator {
    /// What a run exercised, for coverage checks across seeds.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        public var seed: UInt64
        public var commits = 0
        public var lastIndex: UInt64 = 0
        public var cuts = 0
        public var partitions = 0
        public var secondaryRestarts = 0
        public var primaryRestarts = 0
        public var applyFailures = 0
        /// The configured sabotage happened (see ``Sabotage``).
        public var sabotaged = false
        /// Transitions into merkle-diff.
        public var merkleDiffs = 0
        /// Transitions into merkle-sync (a non-empty diff).
        public var merkleSyncs = 0
        /// merkle-diff straight back to stream-wals.
        public var emptyDiffs = 0
        /// Checks of a consistent secondary against the primary's history.
        public var consistencyChecks = 0
        /// Of those, checks of a secondary whose data follows a non-empty paths filter.
        public var filteredConsistencyChecks = 0
        public var quietSteps = 0

        // The fault timings the replication issue names (restart mid-batch, WAL tail lost,
        // link cut in merkle-diff or merkle-sync, filter change), and related counts.

        /// A secondary's paths filter was set, changed or removed.
        public var filterChanges = 0
        /// Merkle syncs a secondary completed under a filter its data did not follow before.
        public var filterSyncs = 0
        /// The primary answered a (non-forced) stream start or read with `needSync`
        /// because the records after the secondary's index were no longer retained.
        public var walTailLosses = 0
        /// `needSync` forced by the primary's shell (a new secondary or a filter change).
        public var forcedSyncs = 0
        /// A secondary restarted while a record apply was in flight ("restart mid-batch").
        public var restartsMidApply = 0
        /// A secondary restarted while a Merkle sync apply was in flight.
        public var restartsMidSyncApply = 0
        /// Of the restarts mid-apply, those where the batch had reached storage first.
        public var restartsAfterCommit = 0
        /// A link was cut while its secondary was in merkle-diff or merkle-sync.
        public var cutsDuringSync = 0
        /// Records the primary withheld from a secondary (shipped as placeholders).
        public var withheldRecords = 0
        /// Failovers: the primary demoted, a secondary promoted, the rest following it.
        public var failovers = 0
        /// Records the old primary had acknowledged that the promoted secondary had not
        /// applied (lost, as asynchronous replication allows).
        public var recordsLostInFailovers = 0

        public var description: String {
            "seed \(seed): \(commits) commits to index \(lastIndex), \(cuts) cuts, \(partitions) partitions, "
                + "\(secondaryRestarts)+\(primaryRestarts) restarts, \(applyFailures) failed applies, "
                + "\(merkleDiffs) diffs (\(merkleSyncs) syncs, \(emptyDiffs) empty), "
                + "\(consistencyChecks) consistency checks (\(filteredConsistencyChecks) filtered), "
                + "\(filterChanges) filter changes (\(filterSyncs) synced, \(withheldRecords) records withheld), "
                + "\(walTailLosses) WAL tails lost, \(forcedSyncs) forced syncs, "
                + "\(restartsMidApply)+\(restartsMidSyncApply) restarts mid-apply (\(restartsAfterCommit) after the commit), "
                + "\(cutsDuringSync) cuts during a sync, \(failovers) failovers (\(recordsLostInFailovers) records lost), "
                + "converged in \(quietSteps) quiet steps"
        }
    }
}
