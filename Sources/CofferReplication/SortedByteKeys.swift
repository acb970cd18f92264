import CofferStorage

/// The Merkle index's keys in bytewise order, as bounded sorted chunks, so that a
/// `deletePrefix` finds its keys in O(log n + k) instead of visiting every entry.
///
/// One flat sorted array would move half of itself per insert; chunks of at most
/// ``maximumChunkSize`` keys keep an insert to a small move plus, rarely, a split. A copy
/// shares the chunks (copy-on-write), so Merkle snapshots stay cheap.
///
/// Invariants: chunks are non-empty and sorted, in order, with no duplicates.
struct SortedByteKeys: Sendable {
    static let maximumChunkSize = 512

    private var chunks: [[[UInt8]]] = []

    init() {}

    var count: Int { chunks.reduce(0) { $0 + $1.count } }

    /// Inserts `key`; the caller guarantees it is not present.
    mutating func insert(_ key: [UInt8]) {
        guard !chunks.isEmpty else {
            chunks = [[key]]
            return
        }
        var chunk = firstChunk(withLastKeyAbove: key)
        if chunk == chunks.count { chunk -= 1 }
        let offset = Self.firstOffset(in: chunks[chunk], above: key)
        chunks[chunk].insert(key, at: offset)
        if chunks[chunk].count > Self.maximumChunkSize {
            let half = Self.maximumChunkSize / 2
            let upper = Array(chunks[chunk][half...])
            chunks[chunk].removeSubrange(half...)
            chunks.insert(upper, at: chunk + 1)
        }
    }

    /// Removes `key` if present.
    mutating func remove(_ key: [UInt8]) {
        let chunk = firstChunk(withLastKeyAtLeast: key)
        guard chunk < chunks.count else { return }
        let offset = Self.firstOffset(in: chunks[chunk], atLeast: key)
        guard offset < chunks[chunk].count, chunks[chunk][offset] == key else { return }
        chunks[chunk].remove(at: offset)
        if chunks[chunk].isEmpty { chunks.remove(at: chunk) }
    }

    /// Removes every key starting with `prefix` and returns them, in order.
    mutating func removeAll(withPrefix prefix: [UInt8]) -> [[UInt8]] {
        var removed: [[UInt8]] = []
        var chunk = firstChunk(withLastKeyAtLeast: prefix)
        while chunk < chunks.count {
            let start = Self.firstOffset(in: chunks[chunk], atLeast: prefix)
            var end = start
            while end < chunks[chunk].count, chunks[chunk][end].starts(with: prefix) { end += 1 }
            let reachedEnd = end < chunks[chunk].count
            if end > start {
                removed.append(contentsOf: chunks[chunk][start..<end])
                chunks[chunk].removeSubrange(start..<end)
            }
            if chunks[chunk].isEmpty { chunks.remove(at: chunk) } else { chunk += 1 }
            if reachedEnd { break }
        }
        return removed
    }

    /// Every key, in order.
    var all: [[UInt8]] { chunks.flatMap { $0 } }

    private func firstChunk(withLastKeyAtLeast key: [UInt8]) -> Int {
        var low = 0
        var high = chunks.count
        while low < high {
            let mid = (low + high) / 2
            if BytewiseOrder.less(chunks[mid][chunks[mid].count - 1], key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private func firstChunk(withLastKeyAbove key: [UInt8]) -> Int {
        var low = 0
        var high = chunks.count
        while low < high {
            let mid = (low + high) / 2
            if !BytewiseOrder.less(key, chunks[mid][chunks[mid].count - 1]) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private static func firstOffset(in chunk: [[UInt8]], atLeast key: [UInt8]) -> Int {
        var low = 0
        var high = chunk.count
        while low < high {
            let mid = (low + high) / 2
            if BytewiseOrder.less(chunk[mid], key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private static func firstOffset(in chunk: [[UInt8]], above key: [UInt8]) -> Int {
        var low = 0
        var high = chunk.count
        while low < high {
            let mid = (low + high) / 2
            if !BytewiseOrder.less(key, chunk[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
