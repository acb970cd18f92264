/// One token of a policy's HCL source for the formatter: unlike the parser's lexer, it keeps
/// comments and line breaks, and the exact text of strings, numbers and heredocs.
struct PolicySourceToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// An identifier, number, `true` or `false`.
        case word
        /// A quoted string, quotes and escapes as written.
        case string
        /// `<<EOF` through the closing anchor line, as written.
        case heredoc
        case leftBrace, rightBrace, leftBracket, rightBracket, equals, comma
        /// `# ...`, `// ...` (without the line break) or `/* ... */`.
        case comment
        case newline
    }

    var kind: Kind
    var text: String
    /// 1-based line where the token starts.
    var line: Int
}

/// Splits HCL text into ``PolicySourceToken``s. Runs only on text the HCL parser accepted,
/// so it is lenient: it never rejects input, it only has to cut valid input correctly.
struct PolicySourceScanner {
    private let bytes: [UInt8]
    private var pos = 0
    private var line = 1

    init(_ text: String) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        self.bytes = bytes
    }

    mutating func tokens() -> [PolicySourceToken] {
        var result: [PolicySourceToken] = []
        while let token = next() { result.append(token) }
        return result
    }

    private mutating func next() -> PolicySourceToken? {
        while pos < bytes.count, bytes[pos] == UInt8(ascii: " ") || bytes[pos] == UInt8(ascii: "\t")
            || bytes[pos] == UInt8(ascii: "\r")
        {
            pos += 1
        }
        guard pos < bytes.count else { return nil }
        let start = pos
        let startLine = line
        func token(_ kind: PolicySourceToken.Kind) -> PolicySourceToken {
            var text = String(decoding: bytes[start..<pos], as: UTF8.self)
            if kind == .comment {
                while let last = text.unicodeScalars.last, last == " " || last == "\t" || last == "\r" {
                    text.unicodeScalars.removeLast()
                }
            }
            return PolicySourceToken(kind: kind, text: text, line: startLine)
        }
        switch bytes[pos] {
        case UInt8(ascii: "\n"):
            pos += 1
            line += 1
            return token(.newline)
        case UInt8(ascii: "{"): pos += 1; return token(.leftBrace)
        case UInt8(ascii: "}"): pos += 1; return token(.rightBrace)
        case UInt8(ascii: "["): pos += 1; return token(.leftBracket)
        case UInt8(ascii: "]"): pos += 1; return token(.rightBracket)
        case UInt8(ascii: "="): pos += 1; return token(.equals)
        case UInt8(ascii: ","): pos += 1; return token(.comma)
        case UInt8(ascii: "#"):
            skipToLineEnd()
            return token(.comment)
        case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
            skipToLineEnd()
            return token(.comment)
        case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
            pos += 2
            while pos < bytes.count, !(bytes[pos] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/")) {
                if bytes[pos] == UInt8(ascii: "\n") { line += 1 }
                pos += 1
            }
            pos = min(pos + 2, bytes.count)
            return token(.comment)
        case UInt8(ascii: "\""):
            scanString()
            return token(.string)
        case UInt8(ascii: "<") where peek(1) == UInt8(ascii: "<"):
            scanHeredoc()
            return token(.heredoc)
        default:
            while pos < bytes.count, !endsWord(bytes[pos]) { pos += 1 }
            if pos == start { pos += 1 }  // a stray byte: keep it as a word rather than loop
            return token(.word)
        }
    }

    private func peek(_ offset: Int) -> UInt8? {
        pos + offset < bytes.count ? bytes[pos + offset] : nil
    }

    private func endsWord(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: "{"),
            UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "="), UInt8(ascii: ","),
            UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "/"), UInt8(ascii: "<"):
            return true
        default:
            return false
        }
    }

    private mutating func skipToLineEnd() {
        while pos < bytes.count, bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
    }

    /// A string ends at an unescaped quote outside `${...}` (quotes inside an interpolation
    /// do not end it, as in HCL v1), or at the end of the line.
    private mutating func scanString() {
        pos += 1
        var interpolationDepth = 0
        while pos < bytes.count, bytes[pos] != UInt8(ascii: "\n") {
            let byte = bytes[pos]
            if interpolationDepth > 0 {
                if byte == UInt8(ascii: "{") { interpolationDepth += 1 }
                if byte == UInt8(ascii: "}") { interpolationDepth -= 1 }
                pos += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                pos += 1
                return
            case UInt8(ascii: "$") where peek(1) == UInt8(ascii: "{"):
                interpolationDepth = 1
                pos += 2
            case UInt8(ascii: "\\"):
                pos = min(pos + 2, bytes.count)
            default:
                pos += 1
            }
        }
    }

    /// `<<ANCHOR` or `<<-ANCHOR`, then lines up to one that is the anchor (surrounding blanks
    /// allowed with `<<-`, trailing blanks always). The token ends with the anchor line,
    /// without its line break.
    private mutating func scanHeredoc() {
        pos += 2
        let indented = peek(0) == UInt8(ascii: "-")
        if indented { pos += 1 }
        let anchorStart = pos
        while pos < bytes.count, !endsWord(bytes[pos]) { pos += 1 }
        let anchor = Array(bytes[anchorStart..<pos])
        skipToLineEnd()
        while pos < bytes.count {
            pos += 1  // the line break
            line += 1
            let lineStart = pos
            skipToLineEnd()
            var content = bytes[lineStart..<pos]
            while let last = content.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") || last == UInt8(ascii: "\r") {
                content = content.dropLast()
            }
            if indented {
                while let first = content.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                    content = content.dropFirst()
                }
            }
            if content.elementsEqual(anchor) { return }
        }
    }
}
