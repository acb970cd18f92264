/// Serialises ``JSONValue`` trees to UTF-8 bytes, byte-for-byte like Go's `encoding/json`.
///
/// - Object keys are sorted bytewise (by UTF-8 code units), so output is deterministic.
/// - Strings escape `"`, `\`, control characters (`\b \f \n \r \t`, others as `\u00XX`),
///   `<`, `>`, `&` (as `\u003c`, `\u003e`, `\u0026`) and U+2028/U+2029.
/// - Integers print without a fraction. Doubles print in the shortest form that round-trips,
///   using Go's layout: plain decimal (`3`, `0.25`, `1e+21`…) and exponent form only below
///   1e-6 or from 1e21 up. NaN and infinities, which JSON cannot express (Go refuses them),
///   are written as `null`.
/// - `pretty` output matches `json.MarshalIndent(v, "", "  ")`: two-space indent, `": "`
///   between key and value, `{}`/`[]` for empty containers, no trailing newline.
///
/// The writer appends straight into a byte array and never goes through Foundation.
public enum JSONWriter {
    /// Appends `value` as JSON to `buffer`; object keys sorted bytewise; integers without
    /// a fraction; strings escaped per RFC 8259 (and `<`, `>`, `&` as \u003c etc., as Go does).
    public static func write(_ value: JSONValue, into buffer: inout [UInt8], pretty: Bool = false) {
        if pretty {
            writePretty(value, into: &buffer, level: 0)
        } else {
            writeCompact(value, into: &buffer)
        }
    }

    /// `value` as JSON bytes.
    public static func bytes(_ value: JSONValue, pretty: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out, pretty: pretty)
        return out
    }

    /// `value` as a JSON string.
    public static func string(_ value: JSONValue, pretty: Bool = false) -> String {
        String(decoding: bytes(value, pretty: pretty), as: UTF8.self)
    }

    // MARK: - Containers

    private static func writeCompact(_ value: JSONValue, into buffer: inout [UInt8]) {
        switch value {
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                writeCompact(element, into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let members):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for index in sortedIndices(members) {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                writeString(members[index].key, into: &buffer)
                buffer.append(UInt8(ascii: ":"))
                writeCompact(members[index].value, into: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        default:
            writeScalar(value, into: &buffer)
        }
    }

    private static func writePretty(_ value: JSONValue, into buffer: inout [UInt8], level: Int) {
        switch value {
        case .array(let elements):
            if elements.isEmpty {
                appendASCII("[]", to: &buffer)
                return
            }
            buffer.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                newline(level + 1, &buffer)
                writePretty(element, into: &buffer, level: level + 1)
            }
            newline(level, &buffer)
            buffer.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                appendASCII("{}", to: &buffer)
                return
            }
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for index in sortedIndices(members) {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                newline(level + 1, &buffer)
                writeString(members[index].key, into: &buffer)
                appendASCII(": ", to: &buffer)
                writePretty(members[index].value, into: &buffer, level: level + 1)
            }
            newline(level, &buffer)
            buffer.append(UInt8(ascii: "}"))
        default:
            writeScalar(value, into: &buffer)
        }
    }

    private static func newline(_ level: Int, _ buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\n"))
        buffer.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
    }

    /// Member positions in bytewise UTF-8 key order, as Go sorts map keys. Swift's
    /// `String <` compares canonically-equivalent forms instead, which differs for non-NFC
    /// keys. Sorting positions rather than (key, value) pairs avoids copying the values.
    private static func sortedIndices(_ members: [String: JSONValue]) -> [Dictionary<String, JSONValue>.Index] {
        var indices = Array(members.indices)
        if indices.count > 1 {
            indices.sort { utf8Less(members[$0].key, members[$1].key) }
        }
        return indices
    }

    static func utf8Less(_ a: String, _ b: String) -> Bool {
        let result = a.utf8.withContiguousStorageIfAvailable { pa in
            b.utf8.withContiguousStorageIfAvailable { pb in
                let common = min(pa.count, pb.count)
                var i = 0
                while i < common {
                    let x = pa[i]
                    let y = pb[i]
                    if x != y { return x < y }
                    i += 1
                }
                return pa.count < pb.count
            }
        }
        if let result, let result { return result }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    // MARK: - Scalars

    private static func writeScalar(_ value: JSONValue, into buffer: inout [UInt8]) {
        switch value {
        case .null: appendASCII("null", to: &buffer)
        case .bool(let flag): appendASCII(flag ? "true" : "false", to: &buffer)
        case .int(let number): writeInt(number, into: &buffer)
        case .double(let number): writeDouble(number, into: &buffer)
        case .string(let text): writeString(text, into: &buffer)
        case .array, .object: writeCompact(value, into: &buffer)
        }
    }

    @inline(__always)
    private static func appendASCII(_ text: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    static func writeInt(_ number: Int64, into buffer: inout [UInt8]) {
        if number >= 0, number < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        if number < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = buffer.count
        repeat {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        buffer[start...].reverse()
    }

    /// Go's float64 layout: `strconv.AppendFloat(f, 'f', -1, 64)`, or `'e'` below 1e-6 and
    /// from 1e21, with a one-digit negative exponent not zero-padded (`1e-7`, `1e+21`).
    static func writeDouble(_ number: Double, into buffer: inout [UInt8]) {
        guard number.isFinite else {
            appendASCII("null", to: &buffer)
            return
        }
        if number == 0 {
            appendASCII(number.sign == .minus ? "-0" : "0", to: &buffer)
            return
        }
        // Swift's description gives the shortest digits that round-trip (as Go's does);
        // only the layout differs, so take the digits and the exponent from it.
        let decimal = ShortestDecimal(number)
        let digits = decimal.digits
        let point = decimal.pointPosition
        if decimal.negative { buffer.append(UInt8(ascii: "-")) }
        let magnitude = number.magnitude
        if magnitude < 1e-6 || magnitude >= 1e21 {
            buffer.append(digits[0])
            if digits.count > 1 {
                buffer.append(UInt8(ascii: "."))
                buffer.append(contentsOf: digits[1...])
            }
            buffer.append(UInt8(ascii: "e"))
            let exponent = point - 1
            buffer.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            if exponent >= 0, exponent < 10 { buffer.append(UInt8(ascii: "0")) }
            writeInt(Int64(exponent.magnitude), into: &buffer)
        } else if point <= 0 {
            appendASCII("0.", to: &buffer)
            buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -point))
            buffer.append(contentsOf: digits)
        } else if point >= digits.count {
            buffer.append(contentsOf: digits)
            buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: point - digits.count))
        } else {
            buffer.append(contentsOf: digits[..<point])
            buffer.append(UInt8(ascii: "."))
            buffer.append(contentsOf: digits[point...])
        }
    }

    // MARK: - Strings

    static func writeString(_ text: String, into buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { writeEscaped($0, into: &buffer) }
    }

    /// 1 for bytes that leave the fast path of ``writeEscaped(_:into:)``.
    private static let needsEscape: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
        switch byte {
        case 0..<0x20, 0x22, 0x26, 0x3C, 0x3E, 0x5C, 0xE2: return 1
        default: return 0
        }
    }

    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8]) {
        needsEscape.withUnsafeBufferPointer { writeEscaped(bytes, into: &buffer, table: $0) }
    }

    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8], table: UnsafeBufferPointer<UInt8>) {
        buffer.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        let count = bytes.count
        while i < count {
            let byte = bytes[i]
            // Fast path: printable ASCII other than the characters Go escapes, and
            // any multi-byte sequence except those starting with 0xE2 (U+2028/U+2029).
            if table[Int(byte)] == 0 {
                i += 1
                continue
            }
            if byte == 0xE2 {
                guard i + 2 < count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 else {
                    i += 1
                    continue
                }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                appendASCII(bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", to: &buffer)
                i += 3
                runStart = i
                continue
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            switch byte {
            case UInt8(ascii: "\""): appendASCII("\\\"", to: &buffer)
            case UInt8(ascii: "\\"): appendASCII("\\\\", to: &buffer)
            case 0x08: appendASCII("\\b", to: &buffer)
            case 0x0C: appendASCII("\\f", to: &buffer)
            case 0x0A: appendASCII("\\n", to: &buffer)
            case 0x0D: appendASCII("\\r", to: &buffer)
            case 0x09: appendASCII("\\t", to: &buffer)
            default:
                appendASCII("\\u00", to: &buffer)
                buffer.append(hexDigit(byte >> 4))
                buffer.append(hexDigit(byte & 0x0F))
            }
            i += 1
            runStart = i
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
        buffer.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
