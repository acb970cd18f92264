/// One lexical token of HCL text.
struct HCLToken {
    enum Kind: Equatable {
        case identifier, string, heredoc, number
        case leftBrace, rightBrace, leftBracket, rightBracket, equals, comma
        case endOfFile

        /// How error messages name a token of this kind (never its text).
        var phrase: String {
            switch self {
            case .identifier: return "an identifier"
            case .string: return "a string"
            case .heredoc: return "a heredoc"
            case .number: return "a number"
            case .leftBrace: return "'{'"
            case .rightBrace: return "'}'"
            case .leftBracket: return "'['"
            case .rightBracket: return "']'"
            case .equals: return "'='"
            case .comma: return "','"
            case .endOfFile: return "the end of the file"
            }
        }
    }

    var kind: Kind
    /// Identifier name, decoded string or heredoc content, or number text.
    var text: String
    var line: Int
    var column: Int
}

/// Splits HCL text into tokens, skipping whitespace (newlines included) and comments.
struct HCLLexer {
    private let bytes: [UInt8]
    private var pos = 0
    private var line = 1
    private var lineStart = 0

    init(text: String) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        self.bytes = bytes
    }

    mutating func next() throws(HCLError) -> HCLToken {
        try skipTrivia()
        let line = self.line
        let column = currentColumn
        guard pos < bytes.count else { return HCLToken(kind: .endOfFile, text: "", line: line, column: column) }
        let byte = bytes[pos]
        func single(_ kind: HCLToken.Kind) -> HCLToken {
            pos += 1
            return HCLToken(kind: kind, text: "", line: line, column: column)
        }
        switch byte {
        case UInt8(ascii: "{"): return single(.leftBrace)
        case UInt8(ascii: "}"): return single(.rightBrace)
        case UInt8(ascii: "["): return single(.leftBracket)
        case UInt8(ascii: "]"): return single(.rightBracket)
        case UInt8(ascii: "="): return single(.equals)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: "\""):
            return HCLToken(kind: .string, text: try scanString(), line: line, column: column)
        case UInt8(ascii: "<") where peek(1) == UInt8(ascii: "<"):
            return HCLToken(kind: .heredoc, text: try scanHeredoc(), line: line, column: column)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return HCLToken(kind: .number, text: try scanNumber(), line: line, column: column)
        case UInt8(ascii: "-") where peek(1).map(isDigit) == true:
            return HCLToken(kind: .number, text: try scanNumber(), line: line, column: column)
        default:
            if isIdentifierStart(byte) {
                return HCLToken(kind: .identifier, text: scanIdentifier(), line: line, column: column)
            }
            if byte >= 0x21, byte < 0x7F {
                throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'")
            }
            throw error("unexpected character")
        }
    }

    // MARK: - Trivia

    private mutating func skipTrivia() throws(HCLError) {
        while pos < bytes.count {
            switch bytes[pos] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                pos += 1
            case UInt8(ascii: "\n"):
                newLine()
            case UInt8(ascii: "#"):
                skipLineComment()
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                skipLineComment()
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                let startLine = line
                let startColumn = currentColumn
                pos += 2
                while true {
                    guard pos < bytes.count else {
                        throw HCLError(line: startLine, column: startColumn, message: "comment opened here is not closed with '*/'")
                    }
                    if bytes[pos] == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                        pos += 2
                        break
                    }
                    if bytes[pos] == UInt8(ascii: "\n") { newLine() } else { pos += 1 }
                }
            default:
                return
            }
        }
    }

    private mutating func skipLineComment() {
        while pos < bytes.count, bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
    }

    /// Consumes the newline at `pos`.
    private mutating func newLine() {
        pos += 1
        line += 1
        lineStart = pos
    }

    // MARK: - Identifiers and numbers

    private func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    private func isIdentifierContinuation(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func scanIdentifier() -> String {
        let start = pos
        while pos < bytes.count, isIdentifierContinuation(bytes[pos]) { pos += 1 }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    /// `-?` then `0x` hex digits, or digits with an optional fraction and exponent.
    /// Conversion (and the octal/decimal decision) happens in the parser.
    private mutating func scanNumber() throws(HCLError) -> String {
        let start = pos
        let startColumn = currentColumn
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        if bytes[pos] == UInt8(ascii: "0"), let x = peek(1), x | 0x20 == UInt8(ascii: "x") {
            pos += 2
            while pos < bytes.count, isDigit(bytes[pos]) || (bytes[pos] | 0x20 >= UInt8(ascii: "a") && bytes[pos] | 0x20 <= UInt8(ascii: "f")) {
                pos += 1
            }
        } else {
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "."), peek(1).map(isDigit) == true {
                pos += 1
                while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
            }
            if pos < bytes.count, bytes[pos] | 0x20 == UInt8(ascii: "e") {
                var look = pos + 1
                if look < bytes.count, bytes[look] == UInt8(ascii: "+") || bytes[look] == UInt8(ascii: "-") { look += 1 }
                if look < bytes.count, isDigit(bytes[look]) {
                    pos = look
                    while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
                }
            }
        }
        if pos < bytes.count, isIdentifierContinuation(bytes[pos]) {
            throw HCLError(line: line, column: startColumn, message: "invalid number (durations and other text must be quoted)")
        }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    // MARK: - Strings

    /// A double-quoted, single-line string. `${...}` sequences are kept verbatim (quotes
    /// inside them do not end the string), as HCL v1 does.
    private mutating func scanString() throws(HCLError) -> String {
        let startLine = line
        let startColumn = currentColumn
        pos += 1  // opening quote
        var out: [UInt8] = []
        var interpolationDepth = 0
        while true {
            guard pos < bytes.count, bytes[pos] != UInt8(ascii: "\n") else {
                throw HCLError(line: startLine, column: startColumn, message: "string is not closed on the line it starts")
            }
            let byte = bytes[pos]
            if interpolationDepth > 0 {
                if byte == UInt8(ascii: "{") { interpolationDepth += 1 }
                if byte == UInt8(ascii: "}") { interpolationDepth -= 1 }
                out.append(byte)
                pos += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                pos += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "$") where peek(1) == UInt8(ascii: "{"):
                out.append(contentsOf: [byte, UInt8(ascii: "{")])
                pos += 2
                interpolationDepth = 1
            case UInt8(ascii: "\\"):
                try scanEscape(into: &out)
            default:
                out.append(byte)
                pos += 1
            }
        }
    }

    private mutating func scanEscape(into out: inout [UInt8]) throws(HCLError) {
        let escapeColumn = currentColumn
        pos += 1
        guard pos < bytes.count else { throw error("unfinished escape sequence") }
        let byte = bytes[pos]
        pos += 1
        switch byte {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "a"): out.append(0x07)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "v"): out.append(0x0B)
        case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): out.append(byte)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = byte == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            for _ in 0..<digits {
                guard pos < bytes.count, let nibble = hexValue(bytes[pos]) else {
                    throw HCLError(line: line, column: escapeColumn, message: "invalid unicode escape sequence")
                }
                value = value << 4 | UInt32(nibble)
                pos += 1
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw HCLError(line: line, column: escapeColumn, message: "unicode escape is not a valid code point")
            }
            out.append(contentsOf: String(Character(scalar)).utf8)
        default:
            throw HCLError(line: line, column: escapeColumn, message: "unknown escape sequence")
        }
    }

    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    // MARK: - Heredocs

    /// `<<ANCHOR` or `<<-ANCHOR`, a newline, content lines, and a line holding only the
    /// anchor (indentation allowed only with `<<-`). The value is the content lines, each
    /// ending in "\n". With `<<-`, the closing line's indentation is removed from every
    /// content line when all non-blank lines start with it (HCL v1's rule), so an indented
    /// policy reads naturally.
    private mutating func scanHeredoc() throws(HCLError) -> String {
        let startLine = line
        let startColumn = currentColumn
        pos += 2
        var indented = false
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") {
            indented = true
            pos += 1
        }
        let anchorStart = pos
        while pos < bytes.count, isIdentifierContinuation(bytes[pos]) { pos += 1 }
        let anchor = Array(bytes[anchorStart..<pos])
        guard !anchor.isEmpty else { throw error("expected a heredoc anchor after '<<'") }
        while pos < bytes.count, bytes[pos] == UInt8(ascii: " ") || bytes[pos] == UInt8(ascii: "\t") || bytes[pos] == UInt8(ascii: "\r") {
            pos += 1
        }
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\n") else {
            throw error("expected a newline after the heredoc anchor")
        }
        newLine()
        var lines: [ArraySlice<UInt8>] = []
        while true {
            guard pos < bytes.count else {
                throw HCLError(line: startLine, column: startColumn, message: "heredoc is not closed by its anchor line")
            }
            let start = pos
            while pos < bytes.count, bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
            var content = bytes[start..<pos]
            if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
            if pos < bytes.count { newLine() }
            var candidate = content
            while let last = candidate.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { candidate = candidate.dropLast() }
            var indentation = candidate.startIndex
            while indentation < candidate.endIndex, candidate[indentation] == UInt8(ascii: " ") || candidate[indentation] == UInt8(ascii: "\t") {
                indentation += 1
            }
            let closing = indented ? candidate[indentation...] : candidate
            if closing.elementsEqual(anchor) {
                let prefix = Array(candidate[..<indentation])
                return Self.joinHeredoc(lines, stripping: indented ? prefix : [])
            }
            lines.append(content)
        }
    }

    private static func joinHeredoc(_ lines: [ArraySlice<UInt8>], stripping prefix: [UInt8]) -> String {
        let isBlank: (ArraySlice<UInt8>) -> Bool = { $0.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") } }
        let strip = !prefix.isEmpty && lines.allSatisfy { $0.starts(with: prefix) || isBlank($0) }
        var out: [UInt8] = []
        for line in lines {
            if strip {
                out.append(contentsOf: line.starts(with: prefix) ? line.dropFirst(prefix.count) : [])
            } else {
                out.append(contentsOf: line)
            }
            out.append(UInt8(ascii: "\n"))
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Positions

    private func peek(_ offset: Int) -> UInt8? {
        pos + offset < bytes.count ? bytes[pos + offset] : nil
    }

    /// 1-based column of `pos`, counting Unicode scalars (UTF-8 lead bytes).
    private var currentColumn: Int {
        var column = 1
        var i = lineStart
        while i < pos, i < bytes.count {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return column
    }

    private func error(_ message: String) -> HCLError {
        HCLError(line: line, column: currentColumn, message: message)
    }
}
