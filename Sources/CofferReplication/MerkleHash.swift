/// A 20-byte hash in the Merkle index: of one entry, of one page, or the root.
public struct MerkleHash: Sendable, Hashable, CustomStringConvertible {
    /// The length of every Merkle hash, in bytes.
    public static let byteCount = 20
    /// The hash of an empty page (XOR's identity).
    public static let zero = MerkleHash(Digest20.zero)

    /// Exactly ``byteCount`` bytes when made by this module or by ``init(bytes:)``.
    public var bytes: [UInt8]

    /// A hash from its bytes; nil unless there are exactly ``byteCount`` of them.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// A hash from 40 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 2 * Self.byteCount else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for pair in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[pair]), let low = Self.nibble(digits[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    init(_ digest: Digest20) {
        bytes = digest.bytes
    }

    /// Lowercase hex, 40 characters.
    public var hex: String {
        let alphabet = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(alphabet[Int(byte >> 4)])
            text.append(alphabet[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A 20-byte digest held inline (no heap array per entry), XOR-able for page hashes.
struct Digest20: Sendable, Hashable {
    var high: UInt64
    var middle: UInt64
    var low: UInt32

    static let zero = Digest20(high: 0, middle: 0, low: 0)

    /// The first 20 bytes of `bytes` (the caller passes at least 20).
    init(prefixOf bytes: some Sequence<UInt8>) {
        var iterator = bytes.makeIterator()
        func next() -> UInt8 { iterator.next() ?? 0 }
        var high: UInt64 = 0
        var middle: UInt64 = 0
        var low: UInt32 = 0
        for _ in 0..<8 { high = high << 8 | UInt64(next()) }
        for _ in 0..<8 { middle = middle << 8 | UInt64(next()) }
        for _ in 0..<4 { low = low << 8 | UInt32(next()) }
        self.init(high: high, middle: middle, low: low)
    }

    init(high: UInt64, middle: UInt64, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

    static func ^= (lhs: inout Digest20, rhs: Digest20) {
        lhs.high ^= rhs.high
        lhs.middle ^= rhs.middle
        lhs.low ^= rhs.low
    }

    var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        append(to: &bytes)
        return bytes
    }

    func append(to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: middle >> UInt64(shift))) }
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: low >> UInt32(shift))) }
    }
}
