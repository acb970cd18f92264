public import CofferJSON
public import CoreMetrics
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
// `Timer.record(duration:)` and `Metrics.Timer` live in swift-metrics' `Metrics`; callers
// that import this module record through them.
@_exported public import Metrics
import Prometheus
import Synchronization

/// One server's metrics: swift-metrics `Counter`, `Gauge` and `Timer` objects that feed
/// both of `sys/metrics`' renderings, Prometheus text and Vault's JSON.
///
/// There is no global `MetricsSystem.bootstrap`: each ``MetricsRegistry`` owns its
/// handlers (several servers and Cores live in one test process), and everything recorded
/// through the objects it returns stays in it.
///
/// Names are Vault's dotted form (`vault.core.handle_request`); the Prometheus rendering
/// turns every character Prometheus does not allow into `_` (`vault_core_handle_request`).
/// A name and label set (in any order) is one series: asking for it twice returns objects
/// that share their numbers. Label values may be anything; keep their number of distinct
/// values small (a series lives as long as the registry unless destroyed).
///
/// In the Prometheus rendering one name must keep one kind and be either always labeled
/// or never: a series that breaks this (say a gauge named like an existing counter) is
/// still recorded and shown in the JSON, but left out of the Prometheus text rather than
/// stopping the process as swift-prometheus would. Timers are Prometheus histograms in
/// seconds; in the JSON they are samples in milliseconds, as go-metrics reports them.
///
/// Recording is a few atomic or briefly-locked operations and never suspends; every
/// method is safe to call from any task, concurrently with renderings.
public final class MetricsRegistry: Sendable {
    private let prometheus = PrometheusCollectorRegistry()
    private let factory: RegistryMetricsFactory
    private let collectors = Mutex<[@Sendable () async -> Void]>([])
    private let clock: @Sendable () -> Date
    private let started: Date

    /// - Parameter clock: the wall clock for the JSON `Timestamp` and `Rate` (injected so
    ///   tests can move time).
    public init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.factory = RegistryMetricsFactory(registry: prometheus)
        self.clock = clock
        self.started = clock()
    }

    /// The counter `name` with `labels`. Counters only go up: a negative increment is
    /// dropped. Hold on to the result on a hot path; asking again costs a lock and a lookup.
    public func counter(_ name: String, labels: [String: String] = [:]) -> CoreMetrics.Counter {
        let identity = MetricIdentity(name: name, labels: labels)
        return CoreMetrics.Counter(label: name, dimensions: identity.dimensions, factory: factory)
    }

    /// The gauge `name` with `labels`: the last value recorded (`record(_:)`).
    public func gauge(_ name: String, labels: [String: String] = [:]) -> CoreMetrics.Gauge {
        let identity = MetricIdentity(name: name, labels: labels)
        return CoreMetrics.Gauge(label: name, dimensions: identity.dimensions, factory: factory)
    }

    /// The timer `name` with `labels`. Record with `record(duration:)` or
    /// `recordNanoseconds(_:)`; a negative duration counts as zero.
    public func timer(_ name: String, labels: [String: String] = [:]) -> Metrics.Timer {
        let identity = MetricIdentity(name: name, labels: labels)
        return Metrics.Timer(label: name, dimensions: identity.dimensions, factory: factory)
    }

    /// The swift-metrics factory behind this registry, for other metric types
    /// (`Recorder`, `Meter`, `FloatingPointCounter`) or libraries that take a factory.
    public var metricsFactory: any MetricsFactory { factory }

    /// Runs before every render: lets owners refresh gauges that are computed on demand
    /// (lag, queue length). Collectors run one after another, in the order added, on the
    /// rendering task; two overlapping renders may run a collector twice at once. A
    /// collector should be quick, must not render this registry, and should hold what it
    /// reads weakly (the registry keeps it for its lifetime).
    public func addCollector(_ collect: @escaping @Sendable () async -> Void) {
        collectors.withLock { $0.append(collect) }
    }

    /// The Prometheus text exposition format 0.0.4 (`Content-Type: text/plain;
    /// version=0.0.4`), families ordered by name, after running the collectors.
    public func prometheusText() async -> String {
        await runCollectors()
        return PrometheusText.ordered(prometheus.emitToString())
    }

    /// Vault's `sys/metrics` JSON (see `VaultMetricsSummary`): `Timestamp`, `Gauges`,
    /// `Counters`, `Samples` (timers in milliseconds) and an empty `Points`, after running
    /// the collectors.
    public func vaultJSON() async -> JSONValue {
        await runCollectors()
        let now = clock()
        return VaultMetricsSummary.render(
            factory.series,
            timestamp: VaultMetricsSummary.goTimestamp(unixSeconds: now.timeIntervalSince1970),
            elapsedSeconds: now.timeIntervalSince(started)
        )
    }

    private func runCollectors() async {
        let pending = collectors.withLock { $0 }
        for collect in pending { await collect() }
    }
}
