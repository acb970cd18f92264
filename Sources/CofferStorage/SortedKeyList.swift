/// A sorted set of keys kept as a list of bounded sorted chunks.
///
/// Inserting into one flat sorted array moves half the array per insert, which makes
/// loading 100k keys quadratic. Chunks of at most ``maximumChunkSize`` keys keep an insert
/// or removal to one small array move plus, rarely, a split; lookups are two binary
/// searches (chunk by its last key, then inside the chunk).
///
/// Invariants: every chunk is non-empty and sorted; chunks are in order; no duplicates.
struct SortedKeyList: Sendable {
    static let maximumChunkSize = 512

    /// A place in the list: a chunk and an offset inside it.
    struct Position: Equatable {
        var chunk: Int
        var offset: Int
    }

    private var chunks: [[StorageKey]] = []
    private(set) var count = 0

    init() {}

    /// Inserts `key`; the caller guarantees it is not present yet.
    mutating func insert(_ key: StorageKey) {
        guard !chunks.isEmpty else {
            chunks = [[key]]
            count = 1
            return
        }
        // The first chunk whose last key is > key; past the end, append to the last chunk.
        var chunkIndex = firstChunk(withLastKeyAtLeast: key, strictly: true)
        if chunkIndex == chunks.count { chunkIndex -= 1 }
        let offset = Self.lowerBound(key, in: chunks[chunkIndex], strictly: true)
        chunks[chunkIndex].insert(key, at: offset)
        count += 1
        if chunks[chunkIndex].count > Self.maximumChunkSize {
            let upperHalf = Array(chunks[chunkIndex][(Self.maximumChunkSize / 2)...])
            chunks[chunkIndex].removeSubrange((Self.maximumChunkSize / 2)...)
            chunks.insert(upperHalf, at: chunkIndex + 1)
        }
    }

    /// Removes `key` if present.
    mutating func remove(_ key: StorageKey) {
        guard let position = position(of: key, strictly: false),
              chunks[position.chunk][position.offset] == key
        else { return }
        chunks[position.chunk].remove(at: position.offset)
        count -= 1
        if chunks[position.chunk].isEmpty {
            chunks.remove(at: position.chunk)
        }
    }

    /// Removes every key in `[lower, upper)` (no upper bound when nil) and returns them.
    mutating func removeRange(from lower: StorageKey, below upper: StorageKey?) -> [StorageKey] {
        var removed: [StorageKey] = []
        guard var position = position(of: lower, strictly: false) else { return removed }
        while position.chunk < chunks.count {
            // Index `chunks` directly (no local copy) so the removal below stays in place.
            let chunkCount = chunks[position.chunk].count
            var endOffset = chunkCount
            if let upper {
                endOffset = Self.lowerBound(upper, in: chunks[position.chunk], strictly: false)
            }
            if endOffset > position.offset {
                removed.append(contentsOf: chunks[position.chunk][position.offset..<endOffset])
                chunks[position.chunk].removeSubrange(position.offset..<endOffset)
            }
            let reachedUpper = endOffset < chunkCount
            if chunks[position.chunk].isEmpty {
                chunks.remove(at: position.chunk)
            } else {
                position.chunk += 1
            }
            position.offset = 0
            if reachedUpper { break }
        }
        count -= removed.count
        return removed
    }

    /// The position of the first key `>= key` (or `> key` when `strictly`), nil past the end.
    func position(of key: StorageKey, strictly: Bool) -> Position? {
        let chunkIndex = firstChunk(withLastKeyAtLeast: key, strictly: strictly)
        guard chunkIndex < chunks.count else { return nil }
        return Position(chunk: chunkIndex, offset: Self.lowerBound(key, in: chunks[chunkIndex], strictly: strictly))
    }

    /// The keys from the first `>= key` (or `> key` when `strictly`), in ascending order.
    /// The iterator holds its own copy of the list (copy-on-write: free until the list changes).
    func keys(from key: StorageKey, strictly: Bool) -> Keys {
        let start = position(of: key, strictly: strictly) ?? Position(chunk: chunks.count, offset: 0)
        return Keys(chunks: chunks, position: start)
    }

    struct Keys: KeySource {
        fileprivate let chunks: [[StorageKey]]
        fileprivate var position: Position

        mutating func next() -> String? {
            guard position.chunk < chunks.count else { return nil }
            let key = chunks[position.chunk][position.offset].string
            position.offset += 1
            if position.offset == chunks[position.chunk].count {
                position.chunk += 1
                position.offset = 0
            }
            return key
        }
    }

    private func firstChunk(withLastKeyAtLeast key: StorageKey, strictly: Bool) -> Int {
        var low = 0
        var high = chunks.count
        while low < high {
            let mid = (low + high) / 2
            let last = chunks[mid][chunks[mid].count - 1]
            if strictly ? !(key < last) : last < key {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low
    }

    /// The first offset in `chunk` whose key is `>= key` (or `> key` when `strictly`).
    private static func lowerBound(_ key: StorageKey, in chunk: [StorageKey], strictly: Bool) -> Int {
        var low = 0
        var high = chunk.count
        while low < high {
            let mid = (low + high) / 2
            if strictly ? !(key < chunk[mid]) : chunk[mid] < key {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low
    }
}
