import CofferCore
import CofferMetrics
import CofferReplication
import Synchronization

/// Replication's metrics (`sys/metrics`), computed when they are read from the state the
/// manager already keeps, plus the counters and timers the hot paths record.
///
/// Primary, per secondary (label `secondary_id`): `vault.replication.secondary.lag_ms`,
/// `.lag_entries`, `.last_heartbeat_age_ms`, `.connected`, and
/// `vault.replication.logshipper.queue_length` (records not yet shipped). Both sides:
/// `vault.replication.wal.last_index`, `vault.replication.wal.appended` (records this
/// cluster appended), `vault.replication.records_shipped` / `records_applied`.
/// Secondary: `vault.replication.lag_ms`, `.lag_entries`, `.last_heartbeat_age_ms`,
/// `.state` and `.connection_state` (1 for the current value of label `state`),
/// `vault.replication.merkle.sync_in_progress`, `vault.replication.merkle.synced_keys`,
/// `vault.replication.forward` (timer) and `vault.replication.forward.errors`; on a
/// primary `vault.replication.forward.served` (timer).
struct ReplicationMetrics: Sendable {
    let registry: MetricsRegistry
    let recordsShipped: Counter
    let recordsApplied: Counter
    let syncedKeys: Counter
    let forward: Metrics.Timer
    let forwardErrors: Counter
    /// On a primary: the time to serve a forwarded request (decode, execute, records).
    let forwardServed: Metrics.Timer

    init(registry: MetricsRegistry) {
        self.registry = registry
        recordsShipped = registry.counter("vault.replication.records_shipped")
        recordsApplied = registry.counter("vault.replication.records_applied")
        syncedKeys = registry.counter("vault.replication.merkle.synced_keys")
        forward = registry.timer("vault.replication.forward")
        forwardErrors = registry.counter("vault.replication.forward.errors")
        forwardServed = registry.timer("vault.replication.forward.served")
    }
}

extension ReplicationManager {
    /// Registers the collector; called once from `init`. Holds the manager weakly.
    func installMetricsCollector() {
        let registry = core.metrics
        let lastIndex = registry.gauge("vault.replication.wal.last_index")
        let appended = registry.counter("vault.replication.wal.appended")
        let lastCounted = Mutex<UInt64?>(nil)
        registry.addCollector { [weak self] in
            guard let self, let log = core.replicationLog else { return }
            let last = log.lastIndex
            lastIndex.record(Int64(clamping: last))
            if log.mode == .primary {
                let delta = lastCounted.withLock { seen -> UInt64 in
                    defer { seen = last }
                    guard let before = seen, last > before else { return 0 }
                    return last - before
                }
                if delta > 0 { appended.increment(by: Int64(clamping: delta)) }
            } else {
                lastCounted.withLock { $0 = nil }
            }
            switch mode {
            case .primary: recordPrimaryGauges(registry, lastIndex: last)
            case .secondary: recordSecondaryGauges(registry)
            default: break
            }
        }
    }

    private func recordPrimaryGauges(_ registry: MetricsRegistry, lastIndex: UInt64) {
        let now = Self.nowMillis()
        let ids = state.withLock { $0.secondaries.filter { !$0.value }.keys.sorted() }
        let peers = runtime.withLock { $0.shippers }
        for id in ids {
            let labels = ["secondary_id": id]
            let peer = peers[id]
            registry.gauge("vault.replication.secondary.connected", labels: labels).record(peer?.status.connected == true ? 1 : 0)
            registry.gauge("vault.replication.secondary.lag_entries", labels: labels)
                .record(Int64(clamping: lastIndex - min(lastIndex, peer?.acknowledgedIndex ?? 0)))
            registry.gauge("vault.replication.logshipper.queue_length", labels: labels)
                .record(Int64(clamping: lastIndex - min(lastIndex, peer?.cursor ?? 0)))
            registry.gauge("vault.replication.secondary.lag_ms", labels: labels).record(peer?.lag.millis(nowMillis: now) ?? 0)
            registry.gauge("vault.replication.secondary.last_heartbeat_age_ms", labels: labels)
                .record(peer?.status.lastHeartbeatMillis.map { max(0, now - $0) } ?? -1)
        }
    }

    private func recordSecondaryGauges(_ registry: MetricsRegistry) {
        let now = Self.nowMillis()
        let status = runtime.withLock { $0.secondaryStatus }
        let lag = secondaryLag()
        registry.gauge("vault.replication.lag_ms").record(lag.millis)
        registry.gauge("vault.replication.lag_entries").record(Int64(clamping: lag.entries))
        registry.gauge("vault.replication.last_heartbeat_age_ms")
            .record(status.peer.lastHeartbeatMillis.map { max(0, now - $0) } ?? -1)
        for candidate in SecondaryReplicator.State.allCases {
            registry.gauge("vault.replication.state", labels: ["state": candidate.statusName])
                .record(candidate.statusName == status.state ? 1 : 0)
        }
        for candidate in SecondaryReplicator.ConnectionState.allCases {
            registry.gauge("vault.replication.connection_state", labels: ["state": candidate.statusName])
                .record(candidate.statusName == status.connectionState ? 1 : 0)
        }
        let syncing = status.state == SecondaryReplicator.State.merkleDiff.statusName
            || status.state == SecondaryReplicator.State.merkleSync.statusName
        registry.gauge("vault.replication.merkle.sync_in_progress").record(syncing ? 1 : 0)
    }

    /// This secondary's lag behind its primary now: entries and milliseconds.
    func secondaryLag() -> (entries: UInt64, millis: Int64, applied: UInt64) {
        let now = Self.nowMillis()
        let applied = gate.appliedIndex
        return runtime.withLock { r in
            let target = max(r.secondaryStatus.primaryLastIndex, applied)
            r.secondaryStatus.lag.observe(applied: applied, target: target, connected: r.secondaryStatus.connected, nowMillis: now)
            return (target - applied, r.secondaryStatus.lag.millis(nowMillis: now), applied)
        }
    }
}
