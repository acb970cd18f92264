import CofferJSON
import CofferLogical

/// Vault's `sys/metrics` JSON: go-metrics' in-memory summary, which Vault sends as it is
/// (not in the `data` envelope):
///
/// ```
/// {"Timestamp": "2024-05-01 12:00:00 +0000 UTC",
///  "Gauges":   [{"Name": "vault.core.unsealed", "Value": 1, "Labels": {}}],
///  "Points":   [],
///  "Counters": [{"Name": ..., "Count": 3, "Rate": 0.3, "Sum": 3, "Min": 1, "Max": 1,
///                "Mean": 1, "Stddev": 0, "Labels": {"auth_method": "userpass"}}],
///  "Samples":  [ the same members as Counters; timers in milliseconds ]}
/// ```
///
/// Each list is ordered by name, then labels. A series appears once something was
/// recorded into it. Unlike go-metrics, which reports the last ten-second interval, the
/// figures are cumulative since the registry was made, and `Rate` is `Sum` per second
/// over that time (at least one second), so two reads can be compared.
enum VaultMetricsSummary {
    static func render(_ series: RegistryMetricsFactory.Series, timestamp: String, elapsedSeconds: Double) -> JSONValue {
        let window = max(elapsedSeconds, 1)
        var gauges: [(MetricIdentity, JSONValue)] = []
        for (identity, handler) in series.gauges {
            guard let value = handler.memory.value else { continue }
            gauges.append((identity, [
                "Name": .string(identity.name), "Value": .double(value), "Labels": labels(identity),
            ]))
        }
        var counters: [(MetricIdentity, JSONValue)] = []
        for (identity, handler) in series.counters {
            let sample = handler.memory.sample
            guard sample.count > 0 else { continue }
            counters.append((identity, aggregate(identity, sample, window: window)))
        }
        var samples: [(MetricIdentity, JSONValue)] = []
        for (identity, handler) in series.timers {
            let sample = handler.memory.sample
            guard sample.count > 0 else { continue }
            samples.append((identity, aggregate(identity, sample, window: window)))
        }
        for (identity, handler) in series.recorders {
            let sample = handler.memory.sample
            guard sample.count > 0 else { continue }
            samples.append((identity, aggregate(identity, sample, window: window)))
        }
        return [
            "Timestamp": .string(timestamp),
            "Gauges": ordered(gauges),
            "Points": [],
            "Counters": ordered(counters),
            "Samples": ordered(samples),
        ]
    }

    private static func aggregate(_ identity: MetricIdentity, _ sample: AggregateSample, window: Double) -> JSONValue {
        [
            "Name": .string(identity.name),
            "Count": .int(Int64(sample.count)),
            "Rate": .double(sample.sum / window),
            "Sum": .double(sample.sum),
            "Min": .double(sample.min),
            "Max": .double(sample.max),
            "Mean": .double(sample.mean),
            "Stddev": .double(sample.standardDeviation),
            "Labels": labels(identity),
        ]
    }

    private static func labels(_ identity: MetricIdentity) -> JSONValue {
        .object(Dictionary(identity.labels.map { ($0.name, JSONValue.string($0.value)) }, uniquingKeysWith: { _, last in last }))
    }

    private static func ordered(_ entries: [(MetricIdentity, JSONValue)]) -> JSONValue {
        .array(entries.sorted { MetricIdentity.displayOrder($0.0, $1.0) }.map(\.1))
    }

    /// Go's `time.Time.String()` of a UTC time rounded to the second, as go-metrics writes
    /// `Timestamp`: `2024-05-01 12:00:00 +0000 UTC`.
    static func goTimestamp(unixSeconds: Double) -> String {
        let seconds = Int64((unixSeconds).rounded())
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Timestamp.civilDate(daysSinceEpoch: days)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var yearText = String(year)
        while yearText.count < 4 { yearText = "0" + yearText }
        return "\(yearText)-\(two(month))-\(two(day)) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000 UTC"
    }
}
