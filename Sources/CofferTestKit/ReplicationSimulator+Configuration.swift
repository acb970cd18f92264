/// How a simulation runs: its size, the shells' variants, and the bugs it may plant.
extension ReplicationSimulator {
    /// How long and how wide a run is.
    public struct Configuration: Sendable {
        public var steps: Int
        public var secondaryCount: Int
        /// The most quiet steps (100 ms each) allowed for convergence after the faults stop.
        public var quietStepLimit: Int
        /// A deliberate bug in the simulator's shells, to show the invariants catch it.
        public var sabotage: Sabotage?
        /// How the primary's shell keeps the "sync before streaming" mark of a filter change.
        public var primaryShell: PrimaryShell
        /// Adds, in every key group, a key whose name starts with a combining mark
        /// (`rep/a/\u{301}6`): a byte prefix of it (`rep/a/`) is not a `Character` prefix.
        public var combiningMarkKeys: Bool
        /// Steps may fail over to a secondary (see `ReplicationSimulator+Failover.swift`).
        public var failovers: Bool

        public init(
            steps: Int = 300, secondaryCount: Int = 2, quietStepLimit: Int = 3_000, sabotage: Sabotage? = nil,
            primaryShell: PrimaryShell = .resyncsUntilSynced, combiningMarkKeys: Bool = false, failovers: Bool = true
        ) {
            self.steps = steps
            self.secondaryCount = max(1, secondaryCount)
            self.quietStepLimit = quietStepLimit
            self.sabotage = sabotage
            self.primaryShell = primaryShell
            self.combiningMarkKeys = combiningMarkKeys
            self.failovers = failovers
        }
    }

    /// How the primary's shell handles a secondary that must be synced under its new filter.
    public enum PrimaryShell: Sendable, Hashable {
        /// `PrimaryService` as written: the mark stays until the secondary's `startStream`
        /// after the forced sync arrives on the stream that forced it under the current
        /// filter generation (the sync is then durable).
        case resyncsUntilSynced
        /// The bug `PrimaryService` had until 2026-11-22, kept as a planted bug the
        /// invariants must catch: the first `startStream` on any stream takes the mark, so
        /// a stream that breaks before the forced sync completes spends it and the next one
        /// streams without a sync.
        case spendsMarkOnFirstStart
    }

    /// Bugs the simulator can plant in its own shell (never in the code under test).
    public enum Sabotage: Sendable, Hashable {
        /// Once, after the first quarter of the steps, a record batch is committed without
        /// its first put (but with its index).
        case dropOneRecordOperation
        /// Once, a Merkle sync batch is committed without its delete operations.
        case skipSyncDeletes
        /// Once, after the first quarter of the steps, the primary's shell ships a put of a
        /// key the secondary's paths filter excludes instead of withholding it.
        case forgetToWithhold
        /// In a failover, the secondary's log switches to primary mode before the old
        /// primary is demoted.
        case promoteBeforeDemoting
    }
}
