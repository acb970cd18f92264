extension JSONByteParser {
    /// 0 for bytes that may appear unescaped in a string and need no further checks
    /// (printable ASCII other than `"` and `\\`); 1 for everything else.
    private static let byteClasses: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
        byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5C ? 0 : 1
    }

    /// Parses a string starting at its opening quote. The common case (no escapes) is a
    /// single validating scan followed by one `String` construction over the input bytes.
    mutating func parseString() throws(JSONParseError) -> String {
        pos += 1  // opening quote
        let start = pos
        skipPlainStringBytes()
        let classes = Self.byteClasses
        while pos < bytes.count {
            let byte = bytes[pos]
            if classes[Int(byte)] == 0 {
                pos += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                pos += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            if byte < 0x20 { throw fail("control character in string") }
            if byte < 0x80 {
                pos += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw JSONParseError(offset: start - 1, message: "unterminated string")
    }

    /// Moves over printable ASCII without `"` or `\\`, eight bytes at a time (SWAR): a
    /// word is plain when no byte has the high bit set, is below 0x20, or equals 0x22/0x5C.
    @inline(__always)
    private mutating func skipPlainStringBytes() {
        guard let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while bytes.count - pos >= 8 {
            let word = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
            let below20 = (word &- ones &* 0x20) & ~word
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let hasQuote = (quote &- ones) & ~quote
            let hasBackslash = (backslash &- ones) & ~backslash
            if (word | below20 | hasQuote | hasBackslash) & highs != 0 { return }
            pos += 8
        }
    }

    /// The slow path: bytes from `start` up to `pos` are already validated and contain no
    /// escapes; `pos` is at a backslash.
    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<pos]))
        while pos < bytes.count {
            let byte = bytes[pos]
            switch byte {
            case UInt8(ascii: "\""):
                pos += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape()
            case 0..<0x20:
                throw fail("control character in string")
            case 0x20..<0x80:
                scratch.append(byte)
                pos += 1
            default:
                let sequenceStart = pos
                try skipUTF8Sequence()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[sequenceStart..<pos]))
            }
        }
        throw JSONParseError(offset: start - 1, message: "unterminated string")
    }

    private mutating func parseEscape() throws(JSONParseError) {
        let escapeStart = pos
        pos += 1  // backslash
        guard pos < bytes.count else { throw JSONParseError(offset: escapeStart, message: "unterminated string") }
        let byte = bytes[pos]
        pos += 1
        switch byte {
        case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4(escapeStart: escapeStart)
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by `\u` and a low surrogate; otherwise it
                // decodes to U+FFFD and whatever follows is parsed on its own (as Go does).
                if bytes.count - pos >= 6, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                    let save = pos
                    pos += 2
                    let low = try parseHex4(escapeStart: save)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        pos = save
                        scalar = 0xFFFD
                    }
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00..<0xE000).contains(scalar) {
                scalar = 0xFFFD
            }
            appendUTF8(scalar)
        default:
            throw JSONParseError(offset: escapeStart, message: "invalid escape sequence in string")
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        guard bytes.count - pos >= 4 else { throw JSONParseError(offset: escapeStart, message: "invalid \\u escape in string") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[pos]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError(offset: escapeStart, message: "invalid \\u escape in string")
            }
            value = value << 4 | UInt32(nibble)
            pos += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Validates one multi-byte UTF-8 sequence at `pos` (Unicode table 3-7: no overlong
    /// forms, no surrogates, nothing above U+10FFFF) and moves past it.
    private mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[pos]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default: throw fail("invalid UTF-8")
        }
        guard bytes.count - pos >= length else { throw fail("invalid UTF-8") }
        let second = bytes[pos + 1]
        guard second >= secondLow, second <= secondHigh else { throw fail("invalid UTF-8") }
        for i in 2..<length where bytes[pos + i] & 0xC0 != 0x80 {
            throw fail("invalid UTF-8")
        }
        pos += length
    }
}
