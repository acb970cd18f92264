import CofferReplication
import CofferStorage
import Logging

/// A seeded, single-threaded simulation of performance replication: one primary and a few
/// secondaries in one process, each an ``InMemoryBackend`` with a ``ReplicationLog``,
/// joined by a simulated network, driven by the real ``LogShipper`` and
/// ``SecondaryReplicator`` state machines.
///
/// Each step does one thing picked by the seed (commit a random batch on the primary,
/// write local keys on a secondary, cut a link, partition one, restart a secondary or the
/// primary, change a secondary's paths filter, fail over, arm a fault for a precise
/// moment — see ``Report`` for the named fault timings), then
/// advances a ``ManualClock`` a little and delivers what is due. The network keeps each
/// stream direction in order (as one gRPC stream does), loses nothing on a live link,
/// loses everything in flight when a link is cut, holds traffic during a partition, and
/// lets Merkle calls overtake stream messages. WAL retention is small, so long cuts force
/// Merkle syncs while the primary keeps writing. Storage applies on the secondaries take
/// time (sometimes long), so links break and processes restart while one is in flight.
///
/// The primary's shell mirrors `PrimaryService`: each secondary may have a paths filter
/// (a ``ReplicationExclusion``); records are withheld through it, Merkle answers come from
/// the filtered index, excluded keys read as absent, and a filter change closes the
/// stream and forces a Merkle sync on the next one (see ``PrimaryShell``). A failover
/// demotes the primary, promotes a secondary and has every other member (the old primary
/// included) follow it from index 0 without a wipe.
///
/// After every step it checks (details in `ReplicationSimulator+Invariants.swift`) that
/// at most one log is in primary mode; that the primary holds every write it acknowledged
/// in its term (an old primary's unshipped writes may be lost in a failover, as
/// asynchronous replication allows); that secondaries apply records in
/// order, once; that a consistent streaming secondary holds exactly the primary's
/// replicated data at its applied index, minus what the filter its data was last synced
/// under excludes; that no records reach a secondary under a filter it has not been
/// synced to; and that once a secondary's sync under its current filter has completed it
/// holds nothing that filter excludes. After the last step it heals the network, stops
/// the workload, and requires every secondary to converge to its filtered view of the
/// primary: same filtered Merkle root, same keys and values outside the exclusion,
/// nothing inside it. A run with the same seed replays exactly; a failure throws
/// ``ReplicationSimulationFailure`` with the seed and a trace.
public final class ReplicationSimulator {
    let seed: UInt64
    let configuration: Configuration
    var random: SeededGenerator
    let clock = ManualClock()
    var report: Report
    var step = 0
    var trace: [String] = []
    /// Faults and the workload run only in the first phase.
    var calm = false
    /// The configured sabotage has been done.
    var sabotaged = false

    var primary: PrimaryNode!
    var secondaries: [SecondaryNode] = []
    var links: [Link] = []
    var deliveries: [Delivery] = []
    var nextSequence = 0
    var model: ReplicationModel
    /// The primary's paths filter per secondary (see `ReplicationSimulator+Filters.swift`).
    var filters: [FilterState] = []
    /// Armed faults: the next matching moment gets the fault.
    var cutArmed = false
    var restartArmed = false
    /// Quiet steps in a row with every secondary caught up but some Merkle index different.
    var caughtUpWithOtherIndex = 0

    let retention: Int
    let shipperConfiguration: LogShipper.Configuration
    let replicatorConfiguration: SecondaryReplicator.Configuration
    let applyFailurePercent: UInt64

    /// Milliseconds since the epoch at the start of every run (the clock's origin).
    static let epochMillis: Int64 = 1_700_000_000_000
    static let logger = Logger(label: "coffer.simulation", factory: { _ in SwiftLogNoOpLogHandler() })

    public init(seed: UInt64, configuration: Configuration = Configuration()) {
        self.seed = seed
        self.configuration = configuration
        self.report = Report(seed: seed)
        self.model = ReplicationModel(combiningMarkKeys: configuration.combiningMarkKeys)
        var random = SeededGenerator(seed: seed)
        retention = Int.random(in: 4...40, using: &random)
        shipperConfiguration = LogShipper.Configuration(
            maximumRecordsPerRead: Int.random(in: 1...12, using: &random),
            maximumRecordsPerMessage: Int.random(in: 1...6, using: &random),
            maximumBytesPerMessage: Int.random(in: 40...400, using: &random),
            heartbeatIntervalMillis: 1_000,
            heartbeatTimeoutMillis: 5_000
        )
        replicatorConfiguration = SecondaryReplicator.Configuration(
            heartbeatIntervalMillis: 1_000,
            heartbeatTimeoutMillis: 5_000,
            reconnectBaseMillis: 100,
            reconnectCapMillis: 4_000,
            reconnectJitter: 0.3,
            maximumRecordsPerApply: Int.random(in: 1...8, using: &random),
            maximumPagesPerRequest: Int.random(in: 1...8, using: &random),
            maximumKeysPerFetch: Int.random(in: 1...5, using: &random)
        )
        applyFailurePercent = random.next(below: 2) == 0 ? 0 : 3
        self.random = random
    }

    /// Runs the workload with faults, then the quiet phase; returns what was exercised or
    /// throws ``ReplicationSimulationFailure``.
    public func run() async throws -> Report {
        try await setUp()
        while step < configuration.steps {
            step += 1
            try await chaosStep()
            try await checkInvariants()
            // The in-memory nodes never really suspend: without this a run holds one of the
            // (two, on CI) cooperative threads for its whole length and starves other tests'
            // real-time waits.
            await Task.yield()
        }
        try await quiesce()
        report.lastIndex = primary.log.lastIndex
        report.sabotaged = sabotaged
        return report
    }

    private func setUp() async throws {
        primary = try await PrimaryNode.start(backend: InMemoryBackend(), retention: retention)
        for number in 0..<configuration.secondaryCount {
            let offset = Int64(random.next(below: 401)) - 200
            let node = try await SecondaryNode.start(
                number: number, backend: InMemoryBackend(), retention: retention,
                clockOffsetMillis: offset, configuration: replicatorConfiguration, seed: random.next()
            )
            secondaries.append(node)
            links.append(Link())
            filters.append(FilterState())
        }
        if configuration.sabotage == .forgetToWithhold {
            // Something to withhold from the start, so the sabotage has a chance to happen.
            filters[0].history.append(ReplicationExclusion(prefixes: ["rep/a/"]))
            filters[0].resyncMarked = true
        }
        for number in secondaries.indices {
            try await feedSecondary(number, .start(nowMillis: secondaryNow(number)))
        }
    }

    /// One step of the first phase: an action picked by the seed, then time passes.
    private func chaosStep() async throws {
        let roll = random.next(below: 100)
        switch roll {
        case 0..<45:
            try await commitRandomBatch()
        case 45..<52:
            try await writeSecondaryLocalKeys(Int(random.next(below: UInt64(secondaries.count))))
        case 52..<57:
            let number = Int(random.next(below: UInt64(links.count)))
            if links[number].state == .up {
                report.cuts += 1
                note("cut link s\(number)")
                try await cut(number, notifySecondary: true)
            }
        case 57..<60:
            let number = Int(random.next(below: UInt64(links.count)))
            let length = Int64(random.next(below: 12_000)) + 500
            report.partitions += 1
            note("partition s\(number) for \(length) ms")
            partition(number, untilMillis: nowMillis + length)
        case 60..<62:
            try await restartSecondary(Int(random.next(below: UInt64(secondaries.count))))
        case 62:
            try await restartPrimary()
        case 63:
            // A secondary drops off just before a burst of writes that change nothing
            // (deletes of absent keys) outruns retention: it must sync, and the diff is
            // usually empty.
            let number = Int(random.next(below: UInt64(links.count)))
            report.cuts += 1
            note("cut link s\(number) before a no-op burst")
            try await cut(number, notifySecondary: true)
            try await commitNoOpBurst()
        case 64:
            try await changeFilter(Int(random.next(below: UInt64(secondaries.count))))
        case 65:
            // The next secondary to enter merkle-diff or merkle-sync loses its link midway.
            if !cutArmed { note("armed: cut a link during the next Merkle sync") }
            cutArmed = true
        case 66:
            // The next record apply is still in flight when its secondary restarts.
            if !restartArmed { note("armed: restart a secondary during its next record apply") }
            restartArmed = true
        case 67 where configuration.failovers && random.next(below: 2) == 0:
            try await failover(to: Int(random.next(below: UInt64(secondaries.count))))
        default:
            break
        }
        try await advance(byMillis: Int64(random.next(below: 250)) + 1)
    }

    /// Heals every link, stops writing, and steps until every secondary has converged.
    private func quiesce() async throws {
        calm = true
        for number in links.indices { links[number].stalledUntilMillis = 0 }
        note("quiet phase: network healed, workload stopped at index \(primary.log.lastIndex)")
        while !(try await converged()) {
            report.quietSteps += 1
            guard report.quietSteps <= configuration.quietStepLimit else {
                let states = secondaries.map { node in
                    "s\(node.number): \(node.replicator.state.statusName)/\(node.replicator.connectionState.statusName) applied \(node.replicator.appliedIndex) consistent at \(node.replicator.consistentAtIndex)"
                }
                throw failure("no convergence after \(configuration.quietStepLimit) quiet steps; primary at \(primary.log.lastIndex); " + states.joined(separator: "; "))
            }
            step += 1
            try await advance(byMillis: 100)
            try await checkInvariants()
            await Task.yield()
        }
        try await checkConvergedData()
    }

    // MARK: Time

    var nowMillis: Int64 {
        let offset = clock.now.offset.components
        return Self.epochMillis + offset.seconds * 1_000 + offset.attoseconds / 1_000_000_000_000_000
    }

    func secondaryNow(_ number: Int) -> Int64 {
        nowMillis + secondaries[number].clockOffsetMillis
    }

    /// Moves time forward, delivering everything due in order, then ticks every machine.
    func advance(byMillis millis: Int64) async throws {
        let target = nowMillis + millis
        while let next = nextDue(atOrBefore: target) {
            if next.atMillis > nowMillis { clock.advance(by: .milliseconds(next.atMillis - nowMillis)) }
            try await deliver(next)
        }
        if target > nowMillis { clock.advance(by: .milliseconds(target - nowMillis)) }
        for number in links.indices where links[number].shipper != nil {
            try await feedShipper(number, .tick(nowMillis: nowMillis))
        }
        for number in secondaries.indices {
            try await feedSecondary(number, .tick(nowMillis: secondaryNow(number)))
        }
    }

    // MARK: Trace and failures

    func note(_ line: @autoclosure () -> String) {
        trace.append("[\(step) t+\(nowMillis - Self.epochMillis)] \(line())")
        if trace.count > 400 { trace.removeFirst(trace.count - 300) }
    }

    func failure(_ message: String) -> ReplicationSimulationFailure {
        ReplicationSimulationFailure(seed: seed, step: step, message: message, trace: trace)
    }
}

/// A replication simulation that broke an invariant: replay it with the same seed.
public struct ReplicationSimulationFailure: Error, Sendable, CustomStringConvertible {
    public var seed: UInt64
    public var step: Int
    public var message: String
    /// The last events before the failure, oldest first.
    public var trace: [String]

    public var description: String {
        "replication simulation seed \(seed) failed at step \(step): \(message)\n"
            + "replay: COFFER_SIM_SEED=\(seed) swift test --filter SimulationTests\n"
            + "last events:\n  " + trace.suffix(80).joined(separator: "\n  ")
    }
}
