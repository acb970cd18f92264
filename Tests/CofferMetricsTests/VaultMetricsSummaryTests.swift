import Testing
@testable import CofferMetrics

@Suite("Vault metrics summary pieces")
struct VaultMetricsSummaryTests {
    @Test("Timestamp is Go's Time.String() of the UTC time rounded to the second", arguments: [
        (0.0, "1970-01-01 00:00:00 +0000 UTC"),
        (0.6, "1970-01-01 00:00:01 +0000 UTC"),
        (951_782_400, "2000-02-29 00:00:00 +0000 UTC"),
        (1_714_564_800, "2024-05-01 12:00:00 +0000 UTC"),
        (1_735_689_599.4, "2024-12-31 23:59:59 +0000 UTC"),
        (-1, "1969-12-31 23:59:59 +0000 UTC"),
    ])
    func goTimestamp(seconds: Double, expected: String) {
        #expect(VaultMetricsSummary.goTimestamp(unixSeconds: seconds) == expected)
    }

    @Test("an aggregate keeps count, sum, min, max, mean and the sample standard deviation")
    func aggregate() {
        var sample = AggregateSample()
        #expect(sample.mean == 0 && sample.standardDeviation == 0)
        for value in [2.0, 4, 4, 4, 5, 5, 7, 9] { sample.add(value) }
        #expect(sample.count == 8 && sample.sum == 40 && sample.min == 2 && sample.max == 9 && sample.mean == 5)
        #expect(abs(sample.standardDeviation - (32.0 / 7).squareRoot()) < 1e-12)
        var constant = AggregateSample()
        for _ in 0..<3 { constant.add(0.1) }
        #expect(constant.standardDeviation == 0)
    }

    @Test("Prometheus names keep letters, digits, _ and (in metric names) :; the rest becomes _")
    func sanitizing() {
        #expect(PrometheusFamilies.metricName("vault.core.handle_request") == "vault_core_handle_request")
        #expect(PrometheusFamilies.metricName("9lives:x-y") == "_9lives:x_y")
        #expect(PrometheusFamilies.labelName("mount:point") == "mount_point")
        #expect(PrometheusFamilies.labelName("") == "_")
        #expect(PrometheusFamilies.metricName("é") == "__")
    }

    @Test("the exposition text is ordered by family, lines of a family kept together")
    func ordering() {
        let text = "# TYPE b counter\nb 1\n# TYPE a histogram\na_bucket{le=\"1\"} 0\na_bucket{le=\"+Inf\"} 0\na_sum 0\na_count 0\n"
        #expect(PrometheusText.ordered(text)
            == "# TYPE a histogram\na_bucket{le=\"1\"} 0\na_bucket{le=\"+Inf\"} 0\na_sum 0\na_count 0\n# TYPE b counter\nb 1\n")
    }
}
