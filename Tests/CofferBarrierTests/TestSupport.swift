import CofferTestKit

/// All subsets of `items` of size `size`, in lexicographic index order.
func combinations<T>(_ items: [T], size: Int) -> [[T]] {
    guard size > 0 else { return [[]] }
    guard items.count >= size else { return [] }
    var result: [[T]] = []
    for (index, item) in items.enumerated() {
        for rest in combinations(Array(items[(index + 1)...]), size: size - 1) {
            result.append([item] + rest)
        }
    }
    return result
}

extension Array where Element == UInt8 {
    var hex: String { map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
}
