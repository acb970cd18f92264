import CofferJSON

/// Reads a JSON document into an ``HCLObject``, keeping member order, duplicate keys and
/// each key's line and column (which `JSONValue`'s unordered objects cannot).
///
/// The document is first checked by the strict ``JSONParser`` (so the JSON rules, UTF-8
/// validation and depth limit are the same everywhere); a second, positional walk then
/// builds the ordered tree, handing each string and number token back to ``JSONParser``
/// for decoding.
enum HCLJSONReader {
    static func read(_ text: String, maxDepth: Int) throws(HCLError) -> HCLObject {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        do throws(JSONParseError) {
            _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
        } catch {
            let (line, column) = position(of: error.offset, in: bytes)
            throw HCLError(line: line, column: column, message: "invalid JSON: \(error.message)")
        }
        var walker = Walker(bytes: bytes)
        walker.skipWhitespace()
        guard walker.peek == UInt8(ascii: "{") else {
            throw HCLError(line: 1, column: 1, message: "expected a JSON object at the top level")
        }
        guard case .object(let object) = try walker.value() else {
            throw HCLError(line: 1, column: 1, message: "expected a JSON object at the top level")
        }
        return object
    }

    /// 1-based line and column (in Unicode scalars) of byte `offset`.
    static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    /// Walks JSON already known to be valid. Newlines occur only between tokens in valid
    /// JSON, so lines are counted while skipping whitespace.
    private struct Walker {
        let bytes: [UInt8]
        var pos = 0
        var line = 1
        var lineStart = 0

        var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

        mutating func skipWhitespace() {
            while pos < bytes.count {
                switch bytes[pos] {
                case UInt8(ascii: "\n"):
                    pos += 1
                    line += 1
                    lineStart = pos
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                    pos += 1
                default:
                    return
                }
            }
        }

        mutating func value() throws(HCLError) -> HCLValue {
            skipWhitespace()
            switch bytes[pos] {
            case UInt8(ascii: "{"):
                pos += 1
                var entries: [HCLEntry] = []
                skipWhitespace()
                while bytes[pos] != UInt8(ascii: "}") {
                    let keyLine = line
                    let keyColumn = column
                    let key = try string()
                    skipWhitespace()
                    pos += 1  // ':'
                    let member = try value()
                    entries.append(HCLEntry(key: key, value: member, line: keyLine, column: keyColumn))
                    skipWhitespace()
                    if bytes[pos] == UInt8(ascii: ",") {
                        pos += 1
                        skipWhitespace()
                    }
                }
                pos += 1
                return .object(HCLObject(entries))
            case UInt8(ascii: "["):
                pos += 1
                var items: [HCLValue] = []
                skipWhitespace()
                while bytes[pos] != UInt8(ascii: "]") {
                    items.append(try value())
                    skipWhitespace()
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1 }
                    skipWhitespace()
                }
                pos += 1
                return .list(items)
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                pos += 4
                return .bool(true)
            case UInt8(ascii: "f"):
                pos += 5
                return .bool(false)
            case UInt8(ascii: "n"):
                pos += 4
                return .null
            default:
                let start = pos
                while pos < bytes.count, isNumberByte(bytes[pos]) { pos += 1 }
                switch try decode(start..<pos) {
                case .int(let number): return .int(number)
                case .double(let number): return .double(number)
                default: throw HCLError(line: line, column: column, message: "invalid JSON number")
                }
            }
        }

        mutating func string() throws(HCLError) -> String {
            let start = pos
            pos += 1
            while bytes[pos] != UInt8(ascii: "\"") {
                pos += bytes[pos] == UInt8(ascii: "\\") ? 2 : 1
            }
            pos += 1
            guard case .string(let text) = try decode(start..<pos) else {
                throw HCLError(line: line, column: column, message: "invalid JSON string")
            }
            return text
        }

        private func decode(_ range: Range<Int>) throws(HCLError) -> JSONValue {
            do throws(JSONParseError) {
                return try JSONParser.parse(bytes[range])
            } catch {
                throw HCLError(line: line, column: column, message: "invalid JSON: \(error.message)")
            }
        }

        private func isNumberByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                return true
            default:
                return false
            }
        }

        private var column: Int {
            var column = 1
            for byte in bytes[lineStart..<pos] where byte & 0xC0 != 0x80 { column += 1 }
            return column
        }
    }
}
