import CofferTestKit
import Foundation
import Testing

/// Seeded simulation of replication (``ReplicationSimulator``). A failure prints its seed;
/// replay one seed with `COFFER_SIM_SEED=<n> swift test --filter SimulationTests`.
@Suite struct SimulationTests {
    /// 200 seeds in 4 shards that run in parallel, or only `COFFER_SIM_SEED` when set.
    /// `COFFER_SIM_SEEDS_PER_SHARD=n` widens (or narrows) a sweep.
    static let shards = 4
    static var seedsPerShard: UInt64 {
        ProcessInfo.processInfo.environment["COFFER_SIM_SEEDS_PER_SHARD"].flatMap { UInt64($0) } ?? 50
    }

    static var replaySeed: UInt64? {
        ProcessInfo.processInfo.environment["COFFER_SIM_SEED"].flatMap { UInt64($0) }
    }

    /// Steps per run: enough for several partitions, syncs and restarts per seed.
    static let steps = 200

    static func seeds(shard: Int) -> [UInt64] {
        if let seed = replaySeed { return shard == 0 ? [seed] : [] }
        let first = UInt64(shard) * seedsPerShard + 1
        return Array(first..<first + seedsPerShard)
    }

    /// Runs `seeds`; records each failure (with its seed and trace) as an issue.
    static func run(_ seeds: [UInt64]) async -> [ReplicationSimulator.Report] {
        var reports: [ReplicationSimulator.Report] = []
        for seed in seeds {
            do {
                reports.append(try await ReplicationSimulator(seed: seed, configuration: .init(steps: steps)).run())
            } catch {
                Issue.record("\(error)")
            }
        }
        return reports
    }

    /// Each shard's seeds must converge, and between them must have exercised what the
    /// simulation is for: each named fault timing at least `minimumPerShard` times.
    @Test(arguments: 0..<shards)
    func seededRunsConverge(shard: Int) async {
        let seeds = Self.seeds(shard: shard)
        let reports = await Self.run(seeds)
        if Self.replaySeed != nil {
            for report in reports { print(report) }
            return
        }
        guard reports.count == seeds.count else { return }
        let coverage = Coverage(reports)
        print("replication simulation shard \(shard): \(reports.count) seeds; \(coverage)")
        #expect(coverage.merkleSyncs > 0, "no run needed a Merkle sync")
        #expect(coverage.emptyDiffs > 0, "no run saw an empty diff")
        #expect(coverage.secondaryRestarts > 0)
        #expect(coverage.primaryRestarts > 0)
        #expect(coverage.applyFailures > 0)
        // A failover late in a run can leave a new primary with no writes and the last
        // consistency check unreached; most seeds must still have both.
        let unchecked = reports.filter { $0.consistencyChecks == 0 || $0.commits == 0 }.map(\.seed)
        #expect(unchecked.count * 10 <= reports.count, "seeds without a commit or a consistency check: \(unchecked)")
        // The named fault timings.
        for (name, count) in coverage.namedFaults {
            #expect(count >= Coverage.minimumPerShard, "\(name) happened \(count) times in \(reports.count) seeds")
        }
        #expect(coverage.filterSyncs >= Coverage.minimumPerShard, "secondaries rarely completed a sync under a new filter")
        #expect(coverage.filteredConsistencyChecks > 0, "no consistent secondary was checked under a filter")
        #expect(coverage.withheldRecords > 0, "no record was withheld")
        #expect(coverage.failovers >= Coverage.minimumPerShard, "only \(coverage.failovers) failovers")
    }

    @Test func aSeedReplaysExactly() async throws {
        let first = try await ReplicationSimulator(seed: 77, configuration: .init(steps: Self.steps)).run()
        let second = try await ReplicationSimulator(seed: 77, configuration: .init(steps: Self.steps)).run()
        #expect(first == second)
    }

    @Test(arguments: [ReplicationSimulator.Sabotage.dropOneRecordOperation, .skipSyncDeletes, .forgetToWithhold])
    func invariantsCatchAShellThatLosesWrites(sabotage: ReplicationSimulator.Sabotage) async {
        var caught = 0
        var missed: [UInt64] = []
        for seed in UInt64(1)...16 {
            do {
                let report = try await ReplicationSimulator(seed: seed, configuration: .init(steps: Self.steps, sabotage: sabotage)).run()
                if report.sabotaged { missed.append(seed) }
            } catch is ReplicationSimulationFailure {
                caught += 1
            } catch {
                Issue.record("unexpected error: \(error)")
            }
        }
        print("sabotage \(sabotage): caught \(caught), missed seeds \(missed)")
        // A lost write that the workload overwrites before any check leaves no trace, so
        // a few misses are expected; most runs must fail.
        #expect(caught >= 10, "only \(caught) of 16 sabotaged runs failed; missed seeds \(missed)")
    }

    /// A failover that promotes before it demotes has two primaries for a moment.
    @Test func invariantsCatchTwoPrimaries() async {
        var caught = 0
        var missed: [UInt64] = []
        for seed in UInt64(1)...8 {
            do {
                let report = try await ReplicationSimulator(seed: seed, configuration: .init(steps: Self.steps, sabotage: .promoteBeforeDemoting)).run()
                if report.sabotaged { missed.append(seed) }
            } catch let failure as ReplicationSimulationFailure {
                #expect(failure.message.contains("logs are in primary mode"), "\(failure)")
                caught += 1
            } catch {
                Issue.record("unexpected error: \(error)")
            }
        }
        // Runs without a failover have nothing to catch; every run with one must fail.
        #expect(missed.isEmpty && caught >= 2, "caught \(caught), missed seeds \(missed)")
    }
}

/// Sums of the reports of several seeds.
struct Coverage: CustomStringConvertible {
    /// "At least a few times" per shard of 50 seeds.
    static let minimumPerShard = 5

    var merkleSyncs = 0
    var emptyDiffs = 0
    var secondaryRestarts = 0
    var primaryRestarts = 0
    var applyFailures = 0
    var consistencyChecks = 0
    var filteredConsistencyChecks = 0
    var filterSyncs = 0
    var forcedSyncs = 0
    var withheldRecords = 0
    var restartsMidSyncApply = 0
    var restartsAfterCommit = 0
    var failovers = 0
    var recordsLostInFailovers = 0
    /// The fault timings the replication issue names, by name.
    var namedFaults: KeyValuePairs<String, Int> {
        [
            "restart mid-batch": restartsMidApply,
            "WAL tail lost": walTailLosses,
            "link cut in merkle-diff or merkle-sync": cutsDuringSync,
            "filter change": filterChanges,
        ]
    }

    private var restartsMidApply = 0
    private var walTailLosses = 0
    private var cutsDuringSync = 0
    private var filterChanges = 0

    init(_ reports: [ReplicationSimulator.Report]) {
        for report in reports {
            merkleSyncs += report.merkleSyncs
            emptyDiffs += report.emptyDiffs
            secondaryRestarts += report.secondaryRestarts
            primaryRestarts += report.primaryRestarts
            applyFailures += report.applyFailures
            consistencyChecks += report.consistencyChecks
            filteredConsistencyChecks += report.filteredConsistencyChecks
            filterSyncs += report.filterSyncs
            forcedSyncs += report.forcedSyncs
            withheldRecords += report.withheldRecords
            restartsMidSyncApply += report.restartsMidSyncApply
            restartsAfterCommit += report.restartsAfterCommit
            restartsMidApply += report.restartsMidApply
            walTailLosses += report.walTailLosses
            cutsDuringSync += report.cutsDuringSync
            filterChanges += report.filterChanges
            failovers += report.failovers
            recordsLostInFailovers += report.recordsLostInFailovers
        }
    }

    var description: String {
        namedFaults.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            + "; \(merkleSyncs) merkle syncs (\(forcedSyncs) forced, \(filterSyncs) under a new filter), "
            + "\(restartsMidSyncApply) restarts mid sync apply, \(restartsAfterCommit) restarts after the commit, "
            + "\(withheldRecords) records withheld, \(consistencyChecks) consistency checks (\(filteredConsistencyChecks) filtered), "
            + "\(failovers) failovers (\(recordsLostInFailovers) unshipped records lost)"
    }
}
