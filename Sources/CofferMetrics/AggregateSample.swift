/// Running statistics of the values recorded into one series, as go-metrics keeps them
/// for counters (each increment is a value) and samples (each timing is a value).
struct AggregateSample: Sendable, Equatable {
    private(set) var count = 0
    private(set) var sum = 0.0
    private(set) var sumOfSquares = 0.0
    private(set) var min = 0.0
    private(set) var max = 0.0

    mutating func add(_ value: Double) {
        if count == 0 {
            min = value
            max = value
        } else {
            min = Swift.min(min, value)
            max = Swift.max(max, value)
        }
        count += 1
        sum += value
        sumOfSquares += value * value
    }

    var mean: Double { count == 0 ? 0 : sum / Double(count) }

    /// The sample standard deviation (n - 1 in the denominator); 0 below two values.
    var standardDeviation: Double {
        guard count > 1 else { return 0 }
        let n = Double(count)
        let variance = (n * sumOfSquares - sum * sum) / (n * (n - 1))
        // Rounding can take an all-equal series a hair below zero.
        return variance > 0 ? variance.squareRoot() : 0
    }
}
