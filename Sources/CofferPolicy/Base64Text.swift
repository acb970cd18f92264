/// Go's `base64.StdEncoding.DecodeString` for policy text: the standard alphabet,
/// padding required, `\r` and `\n` ignored, trailing bits not checked.
enum Base64Text {
    /// The decoded text if `text` is entirely valid base64 of non-empty UTF-8 text; nil
    /// otherwise (then the caller uses `text` as it is).
    static func decodeText(_ text: String) -> String? {
        guard let bytes = decode(text), !bytes.isEmpty else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var sextets: [UInt8] = []
        sextets.reserveCapacity(text.utf8.count)
        var padding = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { continue }
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            // Data after padding is malformed.
            guard padding == 0, let value = sextet(byte) else { return nil }
            sextets.append(value)
        }
        let total = sextets.count + padding
        guard total % 4 == 0, padding <= 2 else { return nil }
        // Padding must fill exactly the last quantum: 2 sextets + "==" or 3 sextets + "=".
        if padding > 0, sextets.count % 4 != 4 - padding { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(sextets.count * 3 / 4)
        var index = 0
        while index < sextets.count {
            let remaining = sextets.count - index
            let a = UInt32(sextets[index])
            let b = remaining > 1 ? UInt32(sextets[index + 1]) : 0
            let c = remaining > 2 ? UInt32(sextets[index + 2]) : 0
            let d = remaining > 3 ? UInt32(sextets[index + 3]) : 0
            let group = a << 18 | b << 12 | c << 6 | d
            output.append(UInt8(truncatingIfNeeded: group >> 16))
            if remaining > 2 { output.append(UInt8(truncatingIfNeeded: group >> 8)) }
            if remaining > 3 { output.append(UInt8(truncatingIfNeeded: group)) }
            index += 4
        }
        return output
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
