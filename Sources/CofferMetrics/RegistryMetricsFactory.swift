import CoreMetrics
import Prometheus
import Synchronization

/// The swift-metrics factory behind one ``MetricsRegistry``: every handler it makes is a
/// paired one (`PairedHandlers.swift`) whose in-memory half it keeps for the JSON
/// rendering and whose Prometheus half lives in the registry's own
/// `PrometheusCollectorRegistry`.
///
/// One handler per series: asking again for a name and label set (in any order) returns
/// the handler made the first time, so every `Counter` built for a series feeds the same
/// numbers. Destroying a handler (`Counter.destroy()`) removes the series from both
/// renderings; a later request for it starts from zero.
final class RegistryMetricsFactory: MetricsFactory, Sendable {
    /// Latency buckets for timers, in seconds on the wire: request handling in Coffer is
    /// usually well under swift-prometheus' default first bucket of 5 ms.
    static let timerBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    struct Series: Sendable {
        var counters: [MetricIdentity: PairedCounter] = [:]
        var gauges: [MetricIdentity: PairedGauge] = [:]
        var timers: [MetricIdentity: PairedTimer] = [:]
        var recorders: [MetricIdentity: PairedRecorder] = [:]
        var families = PrometheusFamilies()
        /// The Prometheus series of each exported handler, to release on destroy.
        var exportedAs: [ObjectIdentifier: PrometheusFamilies.Series] = [:]
    }

    private let prometheus: PrometheusMetricsFactory
    /// Held while a handler is looked up or made (swift-prometheus takes its own lock inside;
    /// it never calls back), and to copy the tables for a rendering.
    private let state = Mutex(Series())

    init(registry: PrometheusCollectorRegistry) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.timerBuckets
        self.prometheus = factory
    }

    /// The handlers made so far, for a rendering.
    var series: Series { state.withLock { $0 } }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        handler(MetricIdentity(name: label, dimensions: dimensions), in: \.counters, as: .counter) { identity, exported in
            PairedCounter(identity: identity, exported: exported.map { prometheus.makeCounter(label: $0.name, dimensions: $0.labels) })
        }
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let identity = MetricIdentity(name: label, dimensions: dimensions)
        if aggregate {
            return handler(identity, in: \.recorders, as: .valueHistogram) { identity, exported in
                PairedRecorder(identity: identity, exported: exported.map {
                    prometheus.makeRecorder(label: $0.name, dimensions: $0.labels, aggregate: true)
                })
            }
        }
        return handler(identity, in: \.gauges, as: .gauge) { identity, exported in
            PairedGauge(identity: identity, exported: exported.map {
                prometheus.makeRecorder(label: $0.name, dimensions: $0.labels, aggregate: false)
            })
        }
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        handler(MetricIdentity(name: label, dimensions: dimensions), in: \.timers, as: .timer) { identity, exported in
            PairedTimer(identity: identity, exported: exported.map { prometheus.makeTimer(label: $0.name, dimensions: $0.labels) })
        }
    }

    /// The handler of `identity` in `table`: the one made the first time, or a new one
    /// from `make` (given the identity and its Prometheus series, when the family admits it
    /// as `kind`), remembered for the JSON rendering and for destroy.
    private func handler<Handler: AnyObject & Sendable>(
        _ identity: MetricIdentity,
        in table: WritableKeyPath<Series, [MetricIdentity: Handler]>,
        as kind: PrometheusFamilies.Kind,
        make: (MetricIdentity, PrometheusFamilies.Series?) -> Handler
    ) -> Handler {
        state.withLock { state in
            if let existing = state[keyPath: table][identity] { return existing }
            let exported = state.families.admit(identity, as: kind)
            let handler = make(identity, exported)
            if let exported { state.exportedAs[ObjectIdentifier(handler)] = exported }
            state[keyPath: table][identity] = handler
            return handler
        }
    }

    func destroyCounter(_ handler: any CounterHandler) {
        guard let paired = handler as? PairedCounter else { return }
        forget(paired, identity: paired.identity, in: \.counters, exported: paired.exported) { prometheus.destroyCounter($0) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let paired = handler as? PairedGauge {
            forget(paired, identity: paired.identity, in: \.gauges, exported: paired.exported) { prometheus.destroyRecorder($0) }
        } else if let paired = handler as? PairedRecorder {
            forget(paired, identity: paired.identity, in: \.recorders, exported: paired.exported) { prometheus.destroyRecorder($0) }
        }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        guard let paired = handler as? PairedTimer else { return }
        forget(paired, identity: paired.identity, in: \.timers, exported: paired.exported) { prometheus.destroyTimer($0) }
    }

    /// Removes `paired` from `table` while it is still its series' handler (a handler
    /// destroyed twice, or replaced since, changes nothing), and releases its Prometheus
    /// half.
    private func forget<Paired: AnyObject & Sendable, Exported>(
        _ paired: Paired, identity: MetricIdentity, in table: WritableKeyPath<Series, [MetricIdentity: Paired]>,
        exported: Exported?, destroy: (Exported) -> Void
    ) {
        state.withLock { state in
            guard state[keyPath: table][identity] === paired else { return }
            state[keyPath: table][identity] = nil
            guard let exported, let series = state.exportedAs.removeValue(forKey: ObjectIdentifier(paired)) else { return }
            state.families.release(series)
            destroy(exported)
        }
    }
}
