/// The newest WAL records kept in memory, so streaming readers never touch storage.
///
/// A contiguous run of indexes, oldest first, bounded by a record count and a byte budget
/// (large values would otherwise pin gigabytes); older records are read from storage.
struct WALTail: Sendable {
    private var storage: [WALRecord] = []
    private var head = 0
    private var sizes: [Int] = []
    private(set) var bytes = 0
    let maximumCount: Int
    let maximumBytes: Int

    init(maximumCount: Int, maximumBytes: Int) {
        self.maximumCount = max(0, maximumCount)
        self.maximumBytes = max(0, maximumBytes)
    }

    var count: Int { storage.count - head }
    var firstIndex: UInt64? { head < storage.count ? storage[head].index : nil }
    var lastIndex: UInt64? { storage.last.map(\.index) ?? nil }

    /// Appends `records`, which must continue the run (or start one after `removeAll`),
    /// then drops the oldest until both bounds hold.
    mutating func append(_ records: [WALRecord]) {
        for record in records {
            if let last = storage.last, head < storage.count, record.index != last.index + 1 {
                // Not contiguous: keep only the new run (the caller's bug, but stay correct).
                removeAll()
            }
            let size = Self.size(of: record)
            storage.append(record)
            sizes.append(size)
            bytes += size
        }
        while count > maximumCount || (bytes > maximumBytes && count > 0) {
            dropFirst()
        }
        compact()
    }

    /// Drops records with an index below `index`.
    mutating func drop(below index: UInt64) {
        while head < storage.count, storage[head].index < index {
            dropFirst()
        }
        compact()
    }

    mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        sizes.removeAll(keepingCapacity: true)
        head = 0
        bytes = 0
    }

    /// Up to `limit` records starting at `index`; empty if `index` is outside the tail.
    func records(from index: UInt64, limit: Int) -> [WALRecord] {
        guard let first = firstIndex, index >= first, limit > 0 else { return [] }
        let offset = index - first
        guard offset < UInt64(count) else { return [] }
        let start = head + Int(offset)
        let end = min(storage.count, start + limit)
        return Array(storage[start..<end])
    }

    private mutating func dropFirst() {
        bytes -= sizes[head]
        head += 1
    }

    private mutating func compact() {
        if head == storage.count {
            removeAll()
        } else if head > 1024, head * 2 > storage.count {
            storage.removeFirst(head)
            sizes.removeFirst(head)
            head = 0
        }
    }

    /// What a record pins in memory, roughly: its key and value bytes plus overhead.
    static func size(of record: WALRecord) -> Int {
        switch record.operation {
        case .put(let key, let value): 64 + key.utf8.count + value.count
        case .delete(let key), .deletePrefix(let key): 64 + key.utf8.count
        }
    }
}
