import CoreMetrics
import Synchronization

// The JSON side of a registry: swift-metrics handlers that keep what `sys/metrics`
// reports in go-metrics' shape. Each guards its state with its own mutex, held for a few
// arithmetic operations and never across an `await`.

/// A counter as go-metrics keeps one: every increment is a value of an ``AggregateSample``
/// (`Count` increments adding up to `Sum`).
final class InMemoryCounter: CounterHandler, Sendable {
    private let state = Mutex(AggregateSample())

    func increment(by amount: Int64) {
        state.withLock { $0.add(Double(amount)) }
    }

    func reset() {
        state.withLock { $0 = AggregateSample() }
    }

    var sample: AggregateSample { state.withLock { $0 } }
}

/// A gauge: the last value set; nil until one is.
final class InMemoryGauge: RecorderHandler, Sendable {
    private let state = Mutex<Double?>(nil)

    func record(_ value: Int64) {
        record(Double(value))
    }

    func record(_ value: Double) {
        state.withLock { $0 = value }
    }

    var value: Double? { state.withLock { $0 } }
}

/// A distribution of recorded values: timers (kept in milliseconds, as go-metrics reports
/// them) and aggregating recorders (kept as recorded).
final class InMemorySample: TimerHandler, RecorderHandler, Sendable {
    /// What one recorded unit is worth in the reported unit.
    private let scale: Double
    private let state = Mutex(AggregateSample())

    /// A timer's sample: nanoseconds in, milliseconds out.
    static func timer() -> InMemorySample { InMemorySample(scale: 1e-6) }

    /// A recorder's sample: values as recorded.
    static func recorder() -> InMemorySample { InMemorySample(scale: 1) }

    private init(scale: Double) {
        self.scale = scale
    }

    func recordNanoseconds(_ duration: Int64) {
        add(Double(max(duration, 0)))
    }

    func record(_ value: Int64) {
        add(Double(value))
    }

    func record(_ value: Double) {
        add(value)
    }

    private func add(_ value: Double) {
        let scaled = value * scale
        state.withLock { $0.add(scaled) }
    }

    var sample: AggregateSample { state.withLock { $0 } }
}
