import CoreMetrics

// One series, fed to both renderings: the in-memory handler that `vaultJSON()` reads and,
// unless the series could not be exported (``PrometheusFamilies``), the swift-prometheus
// handler that `prometheusText()` reads. Two concrete members instead of swift-metrics'
// `MultiplexMetricsHandler`: the Prometheus side is optional per series, negative counter
// increments must be stopped before swift-prometheus (which traps on them), and
// destroying a series needs to know its identity.

final class PairedCounter: CounterHandler, Sendable {
    let identity: MetricIdentity
    let memory = InMemoryCounter()
    let exported: (any CounterHandler)?

    init(identity: MetricIdentity, exported: (any CounterHandler)?) {
        self.identity = identity
        self.exported = exported
    }

    /// Counters only go up: a negative amount is dropped.
    func increment(by amount: Int64) {
        guard amount >= 0 else { return }
        memory.increment(by: amount)
        exported?.increment(by: amount)
    }

    func reset() {
        memory.reset()
        exported?.reset()
    }
}

final class PairedGauge: RecorderHandler, Sendable {
    let identity: MetricIdentity
    let memory = InMemoryGauge()
    let exported: (any RecorderHandler)?

    init(identity: MetricIdentity, exported: (any RecorderHandler)?) {
        self.identity = identity
        self.exported = exported
    }

    func record(_ value: Int64) {
        memory.record(value)
        exported?.record(value)
    }

    func record(_ value: Double) {
        memory.record(value)
        exported?.record(value)
    }
}

final class PairedTimer: TimerHandler, Sendable {
    let identity: MetricIdentity
    let memory = InMemorySample.timer()
    let exported: (any TimerHandler)?

    init(identity: MetricIdentity, exported: (any TimerHandler)?) {
        self.identity = identity
        self.exported = exported
    }

    /// A negative duration (a clock that stepped back) counts as zero.
    func recordNanoseconds(_ duration: Int64) {
        let duration = max(duration, 0)
        memory.recordNanoseconds(duration)
        exported?.recordNanoseconds(duration)
    }
}

/// An aggregating `Recorder` (not a gauge): a JSON sample and a Prometheus value histogram.
final class PairedRecorder: RecorderHandler, Sendable {
    let identity: MetricIdentity
    let memory = InMemorySample.recorder()
    let exported: (any RecorderHandler)?

    init(identity: MetricIdentity, exported: (any RecorderHandler)?) {
        self.identity = identity
        self.exported = exported
    }

    func record(_ value: Int64) {
        memory.record(value)
        exported?.record(value)
    }

    func record(_ value: Double) {
        memory.record(value)
        exported?.record(value)
    }
}
