/// The in-memory backend's store for ``SequencedKeys``: values by number, numbers in order.
///
/// The replication log appends at ever larger numbers and drops its oldest: both are O(1)
/// here (an append to the ordered list, an advance of its start), where the general key
/// list pays a string hash and two binary searches per key.
struct NumberedValues: Sendable {
    private var values: [UInt64: [UInt8]] = [:]
    /// Ascending; entries before `start` are already removed.
    private var order: [UInt64] = []
    private var start = 0

    var count: Int { values.count }

    func get(_ number: UInt64) -> [UInt8]? { values[number] }

    mutating func put(_ number: UInt64, _ value: [UInt8]) {
        guard values.updateValue(value, forKey: number) == nil else { return }
        if start == order.count || order[order.count - 1] < number {
            order.append(number)
        } else {
            order.insert(number, at: lowerBound(number))
        }
    }

    mutating func remove(_ number: UInt64) {
        guard values.removeValue(forKey: number) != nil else { return }
        if order[start] == number {
            start += 1
            compactIfSparse()
        } else {
            order.remove(at: lowerBound(number))
        }
    }

    mutating func removeAll(in range: ClosedRange<UInt64>) {
        let lower = lowerBound(range.lowerBound)
        var upper = lower
        while upper < order.count, order[upper] <= range.upperBound {
            values.removeValue(forKey: order[upper])
            upper += 1
        }
        guard upper > lower else { return }
        if lower == start {
            start = upper
            compactIfSparse()
        } else {
            order.removeSubrange(lower..<upper)
        }
    }

    /// The stored numbers `>= first`, ascending (a copy-on-write slice).
    func numbers(from first: UInt64) -> ArraySlice<UInt64> {
        order[lowerBound(first)...]
    }

    /// The first position in `order[start...]` holding a number `>= number`.
    private func lowerBound(_ number: UInt64) -> Int {
        var low = start
        var high = order.count
        while low < high {
            let mid = (low + high) / 2
            if order[mid] < number { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private mutating func compactIfSparse() {
        if start == order.count {
            order.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1024, start * 2 > order.count {
            order.removeSubrange(0..<start)
            start = 0
        }
    }
}
