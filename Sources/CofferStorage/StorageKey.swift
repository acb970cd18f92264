#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A storage key compared, hashed and tested for equality by its UTF-8 bytes.
///
/// `String`'s own `==`, `<` and `hash(into:)` follow Unicode canonical equivalence, so
/// `"é"` (U+00E9) and `"e\u{301}"` are one `String` value. Storage keys are byte strings:
/// those two are different keys, and order is bytewise, as SQLite's `BINARY` collation
/// orders them. Every key comparison inside this module goes through this type.
struct StorageKey: Hashable, Comparable, Sendable {
    let string: String

    init(_ string: String) {
        var string = string
        // Native contiguous UTF-8 lets the comparisons below work on one buffer.
        string.makeContiguousUTF8()
        self.string = string
    }

    static func == (lhs: StorageKey, rhs: StorageKey) -> Bool {
        Self.compare(lhs.string, rhs.string) == 0
    }

    static func < (lhs: StorageKey, rhs: StorageKey) -> Bool {
        Self.compare(lhs.string, rhs.string) < 0
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
        hasher.combine(string.utf8.count)
    }

    /// Bytewise three-way comparison of two strings' UTF-8 encodings.
    static func compare(_ lhs: String, _ rhs: String) -> Int {
        BytewiseOrder.compare(lhs, rhs)
    }
}

/// The order of storage keys: bytewise over their UTF-8, as SQLite's `BINARY` collation.
/// Every ordered structure over keys (the backends' key lists, the replication log's
/// Merkle key order) compares through this, so they all agree.
public enum BytewiseOrder {
    /// Three-way comparison: memcmp over the common prefix, then the shorter first.
    public static func compare(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(left.count, right.count)
        if common > 0, let a = left.baseAddress, let b = right.baseAddress {
            let order = memcmp(a, b, common)
            if order != 0 { return order < 0 ? -1 : 1 }
        }
        return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
    }

    /// Three-way comparison of two strings' UTF-8 encodings.
    public static func compare(_ lhs: String, _ rhs: String) -> Int {
        let fast: Int? = lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in compare(left, right) }
        } ?? nil
        if let fast { return fast }
        if lhs.utf8.elementsEqual(rhs.utf8) { return 0 }
        return lhs.utf8.lexicographicallyPrecedes(rhs.utf8) ? -1 : 1
    }

    /// Whether `left` sorts before `right`.
    public static func less(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        left.withUnsafeBufferPointer { l in right.withUnsafeBufferPointer { r in compare(l, r) < 0 } }
    }
}

extension String {
    /// Whether `self` starts with `prefix`, byte for byte (not by `Character`).
    func hasBytePrefix(_ prefix: String) -> Bool {
        let mine = utf8
        let theirs = prefix.utf8
        guard mine.count >= theirs.count else { return false }
        return mine.prefix(theirs.count).elementsEqual(theirs)
    }

    /// The smallest string greater than every string that starts with `self`, or nil when
    /// there is none (`self` is empty or made only of U+10FFFF).
    ///
    /// Keys starting with `p` are exactly the keys `k` with `p <= k < p.prefixUpperBound`
    /// (bytewise). The bound is computed on Unicode scalars, so it is always valid UTF-8 and
    /// can be bound as SQLite `TEXT`; UTF-8 byte order and scalar order agree.
    var prefixUpperBound: String? {
        var scalars = Array(unicodeScalars)
        while let last = scalars.popLast() {
            if let next = Self.successor(of: last) {
                scalars.append(next)
                var result = String.UnicodeScalarView()
                result.append(contentsOf: scalars)
                return String(result)
            }
        }
        return nil
    }

    private static func successor(of scalar: Unicode.Scalar) -> Unicode.Scalar? {
        var value = scalar.value + 1
        if value == 0xD800 { value = 0xE000 }  // surrogates are not scalars
        return Unicode.Scalar(value)
    }
}
