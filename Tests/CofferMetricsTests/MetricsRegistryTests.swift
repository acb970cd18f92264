import CofferJSON
import CofferMetrics
import Foundation
import Synchronization
import Testing

/// A wall clock the test moves.
final class TestClock: Sendable {
    private let now = Mutex(Date(timeIntervalSince1970: 1_714_564_800))  // 2024-05-01 12:00:00 UTC
    var date: Date { now.withLock { $0 } }
    func advance(seconds: Double) { now.withLock { $0 += seconds } }
}

/// The one entry of a JSON list (`Gauges`, `Counters`, `Samples`) with this name and labels.
func entry(_ json: JSONValue, _ list: String, _ name: String, _ labels: [String: String] = [:]) -> JSONValue? {
    let matches = (json[list]?.arrayValue ?? []).filter {
        $0["Name"]?.stringValue == name && $0["Labels"] == JSONValue(labels)
    }
    guard matches.count == 1 else { return JSONValue?.none }
    return matches[0]
}

@Suite("MetricsRegistry")
struct MetricsRegistryTests {
    @Test("a counter appears in both renderings with its labels; label order does not make a new series")
    func counterInBothRenderings() async throws {
        let registry = MetricsRegistry()
        let labels = ["auth_method": "userpass", "token_type": "service"]
        registry.counter("vault.token.creation", labels: labels).increment()
        registry.counter("vault.token.creation", labels: ["token_type": "service", "auth_method": "userpass"]).increment(by: 2)
        registry.counter("vault.token.creation", labels: ["auth_method": "token", "token_type": "batch"]).increment()

        let json = await registry.vaultJSON()
        let counter = try #require(entry(json, "Counters", "vault.token.creation", labels))
        #expect(counter["Count"] == 2, "two increments")
        #expect(counter["Sum"]?.doubleValue == 3)
        #expect(counter["Min"]?.doubleValue == 1 && counter["Max"]?.doubleValue == 2)
        #expect(counter["Mean"]?.doubleValue == 1.5)
        #expect(Set(counter.objectValue.map { Array($0.keys) } ?? []) == ["Name", "Count", "Rate", "Sum", "Min", "Max", "Mean", "Stddev", "Labels"])
        #expect(entry(json, "Counters", "vault.token.creation", ["auth_method": "token", "token_type": "batch"])?["Sum"]?.doubleValue == 1)

        let text = try PrometheusExposition(await registry.prometheusText())
        #expect(text.type(of: "vault_token_creation") == "counter")
        #expect(text.value("vault_token_creation", labels) == 3)
        #expect(text.value("vault_token_creation", ["auth_method": "token", "token_type": "batch"]) == 1)
    }

    @Test("a gauge keeps its last value in both renderings")
    func gaugeInBothRenderings() async throws {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("vault.core.unsealed")
        gauge.record(0)
        gauge.record(1)
        registry.gauge("vault.replication.lag", labels: ["peer": "dr-1"]).record(2.5)

        let json = await registry.vaultJSON()
        #expect(entry(json, "Gauges", "vault.core.unsealed") == ["Name": "vault.core.unsealed", "Value": 1.0, "Labels": [:]])
        #expect(entry(json, "Gauges", "vault.replication.lag", ["peer": "dr-1"])?["Value"]?.doubleValue == 2.5)

        let text = try PrometheusExposition(await registry.prometheusText())
        #expect(text.type(of: "vault_core_unsealed") == "gauge")
        #expect(text.value("vault_core_unsealed") == 1)
        #expect(text.value("vault_replication_lag", ["peer": "dr-1"]) == 2.5)
    }

    @Test("a timer is a sample in milliseconds in the JSON and a histogram in seconds in Prometheus")
    func timerInBothRenderings() async throws {
        let registry = MetricsRegistry()
        let timer = registry.timer("vault.core.handle_request")
        timer.record(duration: .milliseconds(2))
        timer.record(duration: .milliseconds(4))

        let json = await registry.vaultJSON()
        let sample = try #require(entry(json, "Samples", "vault.core.handle_request"))
        #expect(sample["Count"] == 2)
        #expect(sample["Sum"]?.doubleValue == 6)
        #expect(sample["Min"]?.doubleValue == 2 && sample["Max"]?.doubleValue == 4 && sample["Mean"]?.doubleValue == 3)
        let stddev = try #require(sample["Stddev"]?.doubleValue)
        #expect(abs(stddev - 2.0.squareRoot()) < 1e-9)

        let text = try PrometheusExposition(await registry.prometheusText())
        #expect(text.type(of: "vault_core_handle_request") == "histogram")
        #expect(text.value("vault_core_handle_request_count") == 2)
        #expect(abs((text.value("vault_core_handle_request_sum") ?? 0) - 0.006) < 1e-12)
        #expect(text.value("vault_core_handle_request_bucket", ["le": "0.001"]) == 0)
        #expect(text.value("vault_core_handle_request_bucket", ["le": "0.0025"]) == 1)
        #expect(text.value("vault_core_handle_request_bucket", ["le": "0.005"]) == 2)
        #expect(text.value("vault_core_handle_request_bucket", ["le": "+Inf"]) == 2)
    }

    @Test("the JSON has Vault's members, a Go timestamp, and Rate over the time since the registry was made")
    func jsonShapeAndRate() async throws {
        let clock = TestClock()
        let registry = MetricsRegistry(clock: { clock.date })
        let empty = await registry.vaultJSON()
        #expect(empty == [
            "Timestamp": "2024-05-01 12:00:00 +0000 UTC", "Gauges": [], "Points": [], "Counters": [], "Samples": [],
        ])
        registry.counter("vault.route.read").increment(by: 20)
        clock.advance(seconds: 10.4)
        let json = await registry.vaultJSON()
        #expect(json["Timestamp"] == "2024-05-01 12:00:10 +0000 UTC")
        let rate = try #require(entry(json, "Counters", "vault.route.read")?["Rate"]?.doubleValue)
        #expect(abs(rate - 20 / 10.4) < 1e-6)
    }

    @Test("series are listed by name, then labels; unrecorded series are left out of the JSON")
    func jsonOrder() async throws {
        let registry = MetricsRegistry()
        for name in ["vault.b", "vault.a", "vault.c"] { registry.counter(name).increment() }
        registry.counter("vault.a", labels: ["x": "2"]).increment()
        registry.counter("vault.a", labels: ["x": "1"]).increment()
        _ = registry.counter("vault.never")
        _ = registry.gauge("vault.never.set")
        let json = await registry.vaultJSON()
        let order = (json["Counters"]?.arrayValue ?? []).map { "\($0["Name"]?.stringValue ?? "")\($0["Labels"]?["x"]?.stringValue ?? "")" }
        #expect(order == ["vault.a", "vault.a1", "vault.a2", "vault.b", "vault.c"])
        #expect(json["Gauges"] == [])
        let text = try PrometheusExposition(await registry.prometheusText())
        #expect(text.value("vault_never") == 0, "Prometheus shows a counter from the start")
        #expect(text.types.map(\.name) == text.types.map(\.name).sorted(), "families in name order")
    }

    @Test("two registries are independent")
    func registriesAreIndependent() async throws {
        let one = MetricsRegistry()
        let two = MetricsRegistry()
        one.counter("vault.core.handle_request.count").increment(by: 5)
        two.counter("vault.core.handle_request.count").increment(by: 7)
        two.gauge("vault.only.two").record(1)

        #expect(entry(await one.vaultJSON(), "Counters", "vault.core.handle_request.count")?["Sum"]?.doubleValue == 5)
        #expect(entry(await two.vaultJSON(), "Counters", "vault.core.handle_request.count")?["Sum"]?.doubleValue == 7)
        let first = try PrometheusExposition(await one.prometheusText())
        #expect(first.value("vault_core_handle_request_count") == 5)
        #expect(first.type(of: "vault_only_two") == nil)
        #expect(try PrometheusExposition(await two.prometheusText()).value("vault_core_handle_request_count") == 7)
    }

    @Test("collectors run before each rendering, in order")
    func collectorsRunBeforeRender() async throws {
        let registry = MetricsRegistry()
        let queue = registry.gauge("vault.queue.length")
        let runs = Mutex(0)
        registry.addCollector {
            let n = runs.withLock { count in
                count += 1
                return count
            }
            queue.record(n * 10)
        }
        registry.addCollector {
            // Runs after the first: sees the value it just set.
            let seen = runs.withLock { $0 }
            registry.gauge("vault.collector.order").record(seen)
        }
        #expect(entry(await registry.vaultJSON(), "Gauges", "vault.queue.length")?["Value"]?.doubleValue == 10)
        let text = try PrometheusExposition(await registry.prometheusText())
        #expect(text.value("vault_queue_length") == 20)
        #expect(text.value("vault_collector_order") == 2)
        #expect(runs.withLock { $0 } == 2)
    }

    @Test("the Prometheus text is parseable line by line, with escaped label values and sanitized names")
    func prometheusTextIsParseable() async throws {
        let registry = MetricsRegistry()
        registry.counter("vault.route.create", labels: ["mount-point": "secret/", "quote": "a\"b\\c\nd"]).increment()
        registry.counter("vault.2fa.ok").increment()
        registry.timer("vault.timed", labels: ["le": "x"]).recordNanoseconds(1000)
        registry.gauge("vault.runtime.alloc_bytes").record(1_048_576)
        let raw = await registry.prometheusText()
        let text = try PrometheusExposition(raw)
        for line in raw.split(separator: "\n") {
            #expect(line.hasPrefix("# TYPE ") || line.first?.isLetter == true || line.first == "_", "\(line)")
        }
        #expect(text.value("vault_route_create", ["mount_point": "secret/", "quote": "a\"b\\c\nd"]) == 1)
        #expect(text.value("vault_2fa_ok") == 1)
        #expect(text.value("vault_timed_count", ["_le": "x"]) == 1, "a timer's own le label cannot clash with the buckets'")
        #expect(text.value("vault_runtime_alloc_bytes") == 1_048_576)
    }

    @Test("a name used as two kinds, or with and without labels, stays in the JSON and out of Prometheus")
    func prometheusConflictsDoNotTrap() async throws {
        let registry = MetricsRegistry()
        registry.counter("vault.mixed").increment()
        registry.gauge("vault.mixed").record(4)
        registry.timer("vault_mixed").recordNanoseconds(1)
        registry.counter("vault.labels").increment()
        registry.counter("vault.labels", labels: ["a": "b"]).increment(by: 3)
        registry.gauge("vault.dup", labels: ["x.y": "1", "x_y": "2"]).record(9)

        let json = await registry.vaultJSON()
        #expect(entry(json, "Gauges", "vault.mixed")?["Value"]?.doubleValue == 4)
        #expect(entry(json, "Samples", "vault_mixed")?["Count"] == 1)
        #expect(entry(json, "Counters", "vault.labels", ["a": "b"])?["Sum"]?.doubleValue == 3)
        #expect(entry(json, "Gauges", "vault.dup", ["x.y": "1", "x_y": "2"])?["Value"]?.doubleValue == 9)

        let text = try PrometheusExposition(await registry.prometheusText())
        #expect(text.type(of: "vault_mixed") == "counter")
        #expect(text.value("vault_mixed") == 1)
        #expect(text.value("vault_labels") == 1)
        #expect(!text.samples.contains { $0.name == "vault_labels" && !$0.labels.isEmpty })
        #expect(text.type(of: "vault_dup") == nil)
    }

    @Test("negative counter increments are dropped; reset starts a counter over")
    func counterEdges() async throws {
        let registry = MetricsRegistry()
        let counter = registry.counter("vault.edge")
        counter.increment(by: 4)
        counter.increment(by: -3)
        #expect(entry(await registry.vaultJSON(), "Counters", "vault.edge")?["Sum"]?.doubleValue == 4)
        #expect(try PrometheusExposition(await registry.prometheusText()).value("vault_edge") == 4)
        counter.reset()
        #expect(entry(await registry.vaultJSON(), "Counters", "vault.edge") == JSONValue?.none)
        #expect(try PrometheusExposition(await registry.prometheusText()).value("vault_edge") == 0)
    }

    @Test("destroying a series removes it from both renderings; asking again starts from zero")
    func destroyRemovesSeries() async throws {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("vault.peer.lag", labels: ["peer": "a"])
        gauge.record(5)
        registry.gauge("vault.peer.lag", labels: ["peer": "b"]).record(6)
        gauge.destroy()
        let json = await registry.vaultJSON()
        #expect(entry(json, "Gauges", "vault.peer.lag", ["peer": "a"]) == JSONValue?.none)
        #expect(entry(json, "Gauges", "vault.peer.lag", ["peer": "b"]) != JSONValue?.none)
        var text = try PrometheusExposition(await registry.prometheusText())
        #expect(text.value("vault_peer_lag", ["peer": "a"]) == nil)
        #expect(text.value("vault_peer_lag", ["peer": "b"]) == 6)

        registry.gauge("vault.peer.lag", labels: ["peer": "b"]).destroy()
        text = try PrometheusExposition(await registry.prometheusText())
        #expect(text.type(of: "vault_peer_lag") == nil, "the family goes with its last series")
        // The name is free again, even for another kind.
        registry.counter("vault.peer.lag").increment()
        text = try PrometheusExposition(await registry.prometheusText())
        #expect(text.type(of: "vault_peer_lag") == "counter")
    }

    @Test("recording from many tasks while rendering loses nothing")
    func concurrentRecording() async throws {
        let registry = MetricsRegistry()
        registry.addCollector { registry.gauge("vault.collected").record(1) }
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let counter = registry.counter("vault.concurrent", labels: ["task": "\(task % 2)"])
                    let timer = registry.timer("vault.concurrent.timer")
                    for _ in 0..<500 {
                        counter.increment()
                        timer.recordNanoseconds(1_000_000)
                    }
                }
            }
            group.addTask {
                for _ in 0..<20 {
                    _ = await registry.prometheusText()
                    _ = await registry.vaultJSON()
                }
            }
        }
        let json = await registry.vaultJSON()
        #expect(entry(json, "Counters", "vault.concurrent", ["task": "0"])?["Count"] == 2000)
        #expect(entry(json, "Samples", "vault.concurrent.timer")?["Count"] == 4000)
        let text = try PrometheusExposition(await registry.prometheusText())
        #expect(text.value("vault_concurrent", ["task": "1"]) == 2000)
        #expect(text.value("vault_concurrent_timer_count") == 4000)
    }
}
