/// The key space of the replication log's records: ``prefix`` followed by exactly 16
/// lowercase hex digits of a sequence number (`core/replication/wal/000000000000002a`).
///
/// To every ``StorageBackend`` these are ordinary keys. ``SQLiteBackend`` keeps them in a
/// table of their own keyed by the number (a rowid table) instead of in `entries`:
/// appending a record then touches the last page of that table's B-tree, where an insert
/// into the middle of the keyed `entries` B-tree rebalances pages around it, and removing
/// old records is one range delete. That halves the pages a write transaction of a
/// replication primary adds (measured in BENCHMARKS.md). Keys under ``prefix`` whose name
/// is not exactly 16 lowercase hex digits (or whose number exceeds `Int64.max`) stay in
/// `entries`, so the backend's behaviour does not depend on the layout.
public enum SequencedKeys {
    /// The replication log's records live here (CofferReplication writes them).
    public static let prefix = "core/replication/wal/"
    /// Hex digits in a name.
    public static let digits = 16

    static let prefixBytes = Array(prefix.utf8)
    static let hexDigits = Array("0123456789abcdef".utf8)

    /// The key of record `number`.
    public static func key(_ number: UInt64) -> String {
        var bytes = prefixBytes
        bytes.reserveCapacity(prefixBytes.count + digits)
        for shift in stride(from: 60, through: 0, by: -4) {
            bytes.append(hexDigits[Int((number >> UInt64(shift)) & 0xf)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The number a name under ``prefix`` stands for: exactly 16 lowercase hex digits.
    public static func number(ofName name: some Collection<UInt8>) -> UInt64? {
        guard name.count == digits else { return nil }
        var value: UInt64 = 0
        for byte in name {
            guard let digit = digitValue(byte) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// The number of `key` if it belongs to this key space and fits a SQLite integer.
    static func storedNumber(ofKey key: String) -> Int64? {
        let bytes = key.utf8
        guard bytes.count == prefixBytes.count + digits, bytes.starts(with: prefixBytes),
              let number = number(ofName: bytes.dropFirst(prefixBytes.count)),
              number <= UInt64(Int64.max)
        else { return nil }
        return Int64(number)
    }

    /// The smallest number whose key is `>= bound` (`> bound` when not `inclusive`), or nil
    /// when every key of the space sorts below the bound. Bytewise order, as storage's.
    static func firstNumber(from bound: String, inclusive: Bool) -> UInt64? {
        let bytes = Array(bound.utf8)
        let shared = min(bytes.count, prefixBytes.count)
        for i in 0..<shared where bytes[i] != prefixBytes[i] {
            // The bound leaves the prefix: every key is above it, or every key below.
            return bytes[i] < prefixBytes[i] ? 0 : nil
        }
        // A bound that is a prefix of `prefix` (or `prefix` itself) sorts below every key.
        guard bytes.count > prefixBytes.count else { return 0 }
        return firstName(above: bytes[prefixBytes.count...], inclusive: inclusive)
    }

    /// The smallest 16-hex-digit name `>= rest` (or `> rest`), as a number.
    private static func firstName(above rest: ArraySlice<UInt8>, inclusive: Bool) -> UInt64? {
        var value: UInt64 = 0
        var position = 0
        for byte in rest {
            if position == digits {
                // `rest` is longer than a name and starts with one: that name sorts below it.
                return value == UInt64.max ? nil : value + 1
            }
            if let digit = digitValue(byte) {
                value = value << 4 | UInt64(digit)
                position += 1
                continue
            }
            let remaining = UInt64(4 * (digits - position))
            if byte < UInt8(ascii: "0") {
                // Any digit here already sorts above the bound.
                return value << remaining
            }
            if byte < UInt8(ascii: "a") {
                // Between "9" and "a": the first name continues with "a".
                return (value << 4 | 0xa) << (remaining - 4)
            }
            // Above "f": the names sharing these digits all sort below; take the next run.
            guard position > 0, value < (UInt64(1) << UInt64(4 * position)) - 1 else { return nil }
            return (value + 1) << remaining
        }
        if position < digits {
            // `rest` is a proper prefix of a name: the one padded with zeros is above it.
            return value << UInt64(4 * (digits - position))
        }
        if inclusive { return value }
        return value == UInt64.max ? nil : value + 1
    }

    private static func digitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Which keys of this space start with `keyPrefix`.
    enum Overlap: Equatable {
        case none
        case all
        case numbers(ClosedRange<UInt64>)
    }

    static func overlap(ofKeysUnder keyPrefix: String) -> Overlap {
        let bytes = Array(keyPrefix.utf8)
        if bytes.count <= prefixBytes.count {
            return prefixBytes.starts(with: bytes) ? .all : .none
        }
        guard bytes.starts(with: prefixBytes) else { return .none }
        let rest = bytes[prefixBytes.count...]
        guard rest.count <= digits else { return .none }
        var value: UInt64 = 0
        for byte in rest {
            guard let digit = digitValue(byte) else { return .none }
            value = value << 4 | UInt64(digit)
        }
        let free = UInt64(4 * (digits - rest.count))
        let low = value << free
        return .numbers(low...(low | ((UInt64(1) << free) &- 1)))
    }
}
