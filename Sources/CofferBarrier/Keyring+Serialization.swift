#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto

/// The keyring's byte format, version 1. All integers are big-endian.
///
/// ```
///  +------+------------------+------------------+-----------------+----------------------+
///  | 0x01 | root key (32)    | active term (u32)| term count (u32)| term entry × count   |
///  +------+------------------+------------------+-----------------+----------------------+
///
///  term entry (48 bytes):
///  +------------+----------------------------+------------------------+--------------+
///  | term (u32) | install time, seconds since | nanoseconds (u32,      | key (32)     |
///  |            | 1970 (i64, two's complement)| < 1_000_000_000)       |              |
///  +------------+----------------------------+------------------------+--------------+
/// ```
///
/// Terms are strictly increasing and at least 1; the active term must be one of them;
/// the length must match the count exactly. Anything else is rejected, never guessed at.
/// These bytes are key material: they are only ever stored sealed by the root key.
extension Keyring {
    /// The current format version byte.
    public static let formatVersion: UInt8 = 1
    /// Upper bound on term count accepted when parsing (about 48 MB of terms).
    static let maxTerms = 1 << 20
    static let termEntrySize = 4 + 8 + 4 + keySize
    static let headerSize = 1 + keySize + 4 + 4

    /// The keyring in its versioned byte format. Key material: seal before storing.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerSize + terms.count * Self.termEntrySize)
        out.append(Self.formatVersion)
        rootKey.withUnsafeBytes { out.append(contentsOf: $0) }
        out.appendBigEndian(activeTerm)
        out.appendBigEndian(UInt32(terms.count))
        for term in terms {
            out.appendBigEndian(term.term)
            let (seconds, nanoseconds) = Self.split(term.installTime)
            out.appendBigEndian(UInt64(bitPattern: seconds))
            out.appendBigEndian(nanoseconds)
            term.key.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Parses ``serialized()`` output.
    /// - Throws: ``BarrierError`` `.integrity` for an unknown version or any malformed field.
    public init(serialized bytes: [UInt8]) throws(BarrierError) {
        func malformed(_ what: String) -> BarrierError {
            BarrierError(.integrity, "keyring is malformed: \(what)")
        }
        var reader = ByteReader(bytes)
        guard let version = reader.readByte() else { throw malformed("empty") }
        guard version == Self.formatVersion else { throw malformed("unknown format version \(version)") }
        guard let root = reader.readBytes(Self.keySize), let active = reader.readUInt32(),
            let count = reader.readUInt32()
        else { throw malformed("truncated header") }
        guard count >= 1, count <= Self.maxTerms else { throw malformed("term count \(count) out of range") }
        guard reader.remaining == Int(count) * Self.termEntrySize else { throw malformed("length does not match term count") }

        var terms: [KeyTerm] = []
        terms.reserveCapacity(Int(count))
        for _ in 0..<count {
            // Lengths were checked above, so these reads cannot come up short.
            guard let number = reader.readUInt32(), let seconds = reader.readUInt64(),
                let nanoseconds = reader.readUInt32(), let key = reader.readBytes(Self.keySize)
            else { throw malformed("truncated term") }
            guard number >= 1, number > (terms.last?.term ?? 0) else { throw malformed("terms out of order") }
            guard nanoseconds < 1_000_000_000 else { throw malformed("bad install time") }
            let time = Date(
                timeIntervalSince1970: Double(Int64(bitPattern: seconds)) + Double(nanoseconds) / 1_000_000_000)
            terms.append(KeyTerm(term: number, key: SymmetricKey(data: key), installTime: time))
        }
        guard terms.contains(where: { $0.term == active }) else { throw malformed("active term is missing") }
        self.init(uncheckedRootKey: SymmetricKey(data: root), terms: terms, activeTerm: active)
    }

    /// Whole seconds (floored) and the nanoseconds past them.
    static func split(_ date: Date) -> (Int64, UInt32) {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        // Clamp instead of trapping on dates no clock produces.
        let seconds = Int64(exactly: whole) ?? (whole < 0 ? Int64.min : Int64.max)
        let nanoseconds = min(max((interval - whole) * 1_000_000_000, 0), 999_999_999)
        return (seconds, UInt32(nanoseconds))
    }
}
