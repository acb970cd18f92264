import Crypto
import CofferStorage

/// The Merkle index over this cluster's replicated keys: what two clusters compare to find
/// the keys where they differ, without sending the keys.
///
/// 4096 pages chosen by the first 12 bits of SHA-256(key). Entry hash = first 20 bytes of SHA-256(key ‖ 0x00 ‖ value);
/// page hash = XOR of its entry hashes (O(1) update); root = first 20 bytes of SHA-256(all page hashes in order), hex = 40 chars.
///
/// Keys are compared as UTF-8 bytes (as storage compares them), not as `String`s, so two
/// canonically equivalent but different keys are two entries. The root depends only on
/// the set of (key, value) pairs, never on the order they were added in. Values are the
/// stored values (ciphertext); only their hashes are kept.
///
/// A value type: copies are cheap snapshots (copy-on-write; the first change after a copy
/// copies the page table and then the pages it touches).
public struct MerkleIndex: Sendable, Equatable {
    public static let pageCount = 4096

    struct Page: Sendable, Equatable {
        var hash = Digest20.zero
        var entries: [ByteKey: Digest20] = [:]
    }

    private var pages: [Page]
    /// The same keys in order, for `deletePrefix`.
    private var order = SortedByteKeys()
    /// The number of keys indexed.
    public private(set) var count = 0

    /// Equal when they index the same keys with the same entry hashes.
    public static func == (lhs: MerkleIndex, rhs: MerkleIndex) -> Bool {
        lhs.count == rhs.count && lhs.pages == rhs.pages
    }

    /// An empty index (every page hash zero).
    public init() {
        pages = Array(repeating: Page(), count: Self.pageCount)
    }

    /// This index without the keys `excluded` picks: what a secondary under a paths
    /// filter should hold. Costs one pass over every key.
    public func filtered(excluding excluded: (String) -> Bool) -> MerkleIndex {
        var copy = self
        for page in pages {
            for key in page.entries.keys {
                let name = String(decoding: key.bytes, as: UTF8.self)
                if excluded(name) { copy.delete(key: name) }
            }
        }
        return copy
    }

    /// The page `key` belongs to, in `0..<pageCount`.
    public static func page(of key: String) -> Int {
        page(ofKeyBytes: Array(key.utf8))
    }

    static func page(ofKeyBytes key: [UInt8]) -> Int {
        var iterator = SHA256.hash(data: key).makeIterator()
        let first = Int(iterator.next() ?? 0)
        let second = Int(iterator.next() ?? 0)
        return first << 4 | second >> 4
    }

    /// The entry hash of `key` holding `value`.
    public static func entryHash(key: String, value: [UInt8]) -> MerkleHash {
        MerkleHash(entryDigest(key: Array(key.utf8), value: value))
    }

    static func entryDigest(key: [UInt8], value: [UInt8]) -> Digest20 {
        var hasher = SHA256()
        hasher.update(data: key)
        hasher.update(data: [0])
        hasher.update(data: value)
        return Digest20(prefixOf: hasher.finalize())
    }

    /// Records that `key` now holds `value`.
    public mutating func put(key: String, value: [UInt8]) {
        let keyBytes = Array(key.utf8)
        put(keyBytes: keyBytes, page: Self.page(ofKeyBytes: keyBytes), digest: Self.entryDigest(key: keyBytes, value: value))
    }

    /// Records that `key` is gone; a key not indexed is ignored.
    public mutating func delete(key: String) {
        let keyBytes = Array(key.utf8)
        delete(keyBytes: keyBytes, page: Self.page(ofKeyBytes: keyBytes))
    }

    mutating func put(keyBytes: [UInt8], page: Int, digest: Digest20) {
        if let old = pages[page].entries.updateValue(digest, forKey: ByteKey(keyBytes)) {
            pages[page].hash ^= old
        } else {
            count += 1
            order.insert(keyBytes)
        }
        pages[page].hash ^= digest
    }

    mutating func delete(keyBytes: [UInt8], page: Int) {
        if let old = pages[page].entries.removeValue(forKey: ByteKey(keyBytes)) {
            pages[page].hash ^= old
            count -= 1
            order.remove(keyBytes)
        }
    }

    /// Records that every key starting with `prefix` (bytewise) is gone.
    ///
    /// O(log n + k) for k removed keys: a key order is kept next to the pages, so a
    /// `deletePrefix` of local data (a revoked token's cubbyhole) costs nothing here.
    public mutating func deletePrefix(_ prefix: String) {
        guard !prefix.isEmpty else {
            self = MerkleIndex()
            return
        }
        for key in order.removeAll(withPrefix: Array(prefix.utf8)) {
            let page = Self.page(ofKeyBytes: key)
            if let old = pages[page].entries.removeValue(forKey: ByteKey(key)) {
                pages[page].hash ^= old
                count -= 1
            }
        }
    }

    /// The root over every page hash.
    public var root: MerkleHash {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.pageCount * MerkleHash.byteCount)
        for page in pages { page.hash.append(to: &bytes) }
        return MerkleHash(Digest20(prefixOf: SHA256.hash(data: bytes)))
    }

    /// ``root`` as 40 lowercase hex digits: the `merkle_root` of replication status.
    public var rootHex: String { root.hex }

    /// Every page's hash, ``pageCount`` of them, in page order.
    public func pageHashes() -> [MerkleHash] {
        pages.map { MerkleHash($0.hash) }
    }

    /// The hash of one page; zero for a page number out of range.
    public func pageHash(_ page: Int) -> MerkleHash {
        guard pages.indices.contains(page) else { return .zero }
        return MerkleHash(pages[page].hash)
    }

    /// The keys of one page with their entry hashes, sorted by key (bytewise); empty for a
    /// page number out of range.
    public func entries(page: Int) -> [(key: String, hash: MerkleHash)] {
        guard pages.indices.contains(page) else { return [] }
        return pages[page].entries
            .sorted { BytewiseOrder.less($0.key.bytes, $1.key.bytes) }
            .map { (key: String(decoding: $0.key.bytes, as: UTF8.self), hash: MerkleHash($0.value)) }
    }
}

/// A key's UTF-8 bytes as a dictionary key. `[UInt8]` itself hashes element by element;
/// this hashes the buffer in one call (a measurable share of each replicated write).
struct ByteKey: Hashable, Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(bytes.count)
    }
}
