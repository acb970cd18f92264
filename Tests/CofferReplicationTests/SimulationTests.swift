import CofferTestKit
import Foundation
import Testing

/// Seeded simulation of replication (``ReplicationSimulator``). A failure prints its seed;
/// replay one seed with `COFFER_SIM_SEED=<n> swift test --filter SimulationTests`.
@Suite struct SimulationTests {
    /// 200 seeds in 4 shards that run in parallel, or only `COFFER_SIM_SEED` when set.
    static let shards = 4
    static let seedsPerShard: UInt64 = 50

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

    @Test(arguments: 0..<shards)
    func seededRunsConverge(shard: Int) async {
        let seeds = Self.seeds(shard: shard)
        let reports = await Self.run(seeds)
        if Self.replaySeed != nil {
            for report in reports { print(report) }
            return
        }
        guard reports.count == seeds.count else { return }
        // The runs must have exercised what they are for, or they prove little.
        #expect(reports.reduce(0) { $0 + $1.merkleSyncs } > 0, "no run needed a Merkle sync")
        #expect(reports.reduce(0) { $0 + $1.emptyDiffs } > 0, "no run saw an empty diff")
        #expect(reports.reduce(0) { $0 + $1.secondaryRestarts } > 0)
        #expect(reports.reduce(0) { $0 + $1.primaryRestarts } > 0)
        #expect(reports.reduce(0) { $0 + $1.applyFailures } > 0)
        #expect(reports.allSatisfy { $0.consistencyChecks > 0 && $0.lastIndex > 0 })
        let syncs = reports.reduce(0) { $0 + $1.merkleSyncs }
        let checks = reports.reduce(0) { $0 + $1.consistencyChecks }
        print("replication simulation shard \(shard): \(reports.count) seeds, \(syncs) merkle syncs, \(checks) consistency checks")
    }

    @Test func aSeedReplaysExactly() async throws {
        let first = try await ReplicationSimulator(seed: 77, configuration: .init(steps: Self.steps)).run()
        let second = try await ReplicationSimulator(seed: 77, configuration: .init(steps: Self.steps)).run()
        #expect(first == second)
    }

    @Test(arguments: [ReplicationSimulator.Sabotage.dropOneRecordOperation, .skipSyncDeletes])
    func invariantsCatchAShellThatLosesWrites(sabotage: ReplicationSimulator.Sabotage) async {
        var caught = 0
        var missed: [UInt64] = []
        for seed in UInt64(1)...8 {
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
        #expect(caught >= 5, "only \(caught) of 8 sabotaged runs failed; missed seeds \(missed)")
    }
}
