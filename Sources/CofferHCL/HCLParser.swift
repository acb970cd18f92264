/// Recursive-descent parser for HCL v1 text into an ``HCLObject``.
///
/// ```
/// document := items EOF
/// items    := { item [","] }
/// item     := key "=" value
///           | key { label } "{" items "}"          ; key/labels: identifier or string
/// value    := string | heredoc | number | "true" | "false"
///           | "[" [ value { "," value } [","] ] "]"
///           | "{" items "}"
/// ```
struct HCLParser {
    private var lexer: HCLLexer
    private var token: HCLToken
    private let maxDepth: Int
    private var depth = 0

    init(text: String, maxDepth: Int) throws(HCLError) {
        lexer = HCLLexer(text: text)
        token = try lexer.next()
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(HCLError) -> HCLObject {
        try parseItems(until: .endOfFile, openedAt: nil)
    }

    private mutating func advance() throws(HCLError) {
        token = try lexer.next()
    }

    /// Items up to (and including) the `end` token.
    private mutating func parseItems(until end: HCLToken.Kind, openedAt opener: HCLToken?) throws(HCLError) -> HCLObject {
        var entries: [HCLEntry] = []
        while token.kind != end {
            if token.kind == .endOfFile, let opener {
                throw fail("expected '}' to close the object opened on line \(opener.line), found the end of the file")
            }
            entries.append(try parseItem())
            if token.kind == .comma { try advance() }
        }
        if end != .endOfFile { try advance() }
        return HCLObject(entries)
    }

    private mutating func parseItem() throws(HCLError) -> HCLEntry {
        var keys: [HCLToken] = []
        while token.kind == .identifier || token.kind == .string {
            keys.append(token)
            try advance()
        }
        guard let key = keys.first else {
            throw fail("expected a key (an identifier or a string), found \(token.kind.phrase)")
        }
        switch token.kind {
        case .equals:
            guard keys.count == 1 else {
                // `a "b" = 1` or a block missing its `{` before the next `key =`.
                throw fail("expected '{' after the block labels on line \(keys[1].line) (only a single key may precede '='), found '='")
            }
            try advance()
            let value = try parseValue()
            return HCLEntry(key: key.text, value: value, line: key.line, column: key.column)
        case .leftBrace:
            var value = HCLValue.object(try parseObject())
            for label in keys.dropFirst().reversed() {
                value = .object(HCLObject([HCLEntry(key: label.text, value: value, line: label.line, column: label.column)]))
            }
            return HCLEntry(key: key.text, value: value, line: key.line, column: key.column)
        default:
            let after = keys.count == 1 ? "after a key" : "after a block's labels"
            throw fail("expected '=' or '{' \(after), found \(token.kind.phrase)")
        }
    }

    /// `{ items }`, starting at the opening brace.
    private mutating func parseObject() throws(HCLError) -> HCLObject {
        let opener = token
        try enter()
        try advance()
        let object = try parseItems(until: .rightBrace, openedAt: opener)
        depth -= 1
        return object
    }

    private mutating func parseValue() throws(HCLError) -> HCLValue {
        switch token.kind {
        case .string, .heredoc:
            let text = token.text
            try advance()
            return .string(text)
        case .number:
            let value = try number(token)
            try advance()
            return value
        case .identifier:
            let value: HCLValue
            switch token.text {
            case "true": value = .bool(true)
            case "false": value = .bool(false)
            default: throw fail("expected a value, found an identifier (strings must be quoted)")
            }
            try advance()
            return value
        case .leftBracket:
            return try parseList()
        case .leftBrace:
            return .object(try parseObject())
        default:
            throw fail("expected a value, found \(token.kind.phrase)")
        }
    }

    private mutating func parseList() throws(HCLError) -> HCLValue {
        let opener = token
        try enter()
        try advance()
        var items: [HCLValue] = []
        while true {
            if token.kind == .rightBracket { break }
            if token.kind == .endOfFile {
                throw fail("expected ']' to close the list opened on line \(opener.line), found the end of the file")
            }
            items.append(try parseValue())
            if token.kind == .comma {
                try advance()
                continue
            }
            if token.kind == .endOfFile {
                throw fail("expected ']' to close the list opened on line \(opener.line), found the end of the file")
            }
            guard token.kind == .rightBracket else {
                throw fail("expected ',' or ']' in the list opened on line \(opener.line), found \(token.kind.phrase)")
            }
        }
        try advance()
        depth -= 1
        return .list(items)
    }

    private mutating func enter() throws(HCLError) {
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
    }

    /// Numbers as HCL v1 reads them: without fraction or exponent an integer in base 10,
    /// 16 (`0x`) or 8 (leading `0`); otherwise a double.
    private func number(_ token: HCLToken) throws(HCLError) -> HCLValue {
        var text = Substring(token.text)
        let negative = text.first == "-"
        if negative { text = text.dropFirst() }
        let isFloat = !text.hasPrefix("0x") && !text.hasPrefix("0X") && text.contains { $0 == "." || $0 == "e" || $0 == "E" }
        if isFloat {
            guard let value = Double(token.text), value.isFinite else {
                throw HCLError(line: token.line, column: token.column, message: "number out of range")
            }
            return .double(value)
        }
        var radix = 10
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            radix = 16
            text = text.dropFirst(2)
        } else if text.count > 1, text.hasPrefix("0") {
            radix = 8
            text = text.dropFirst()
        }
        guard !text.isEmpty, let magnitude = UInt64(text, radix: radix) else {
            if !text.isEmpty, text.allSatisfy({ $0.isHexDigit && Int(String($0), radix: radix) != nil }) {
                throw HCLError(line: token.line, column: token.column, message: "number out of range")
            }
            let what = radix == 8 ? "invalid octal number (a leading 0 means octal)" : "invalid number"
            throw HCLError(line: token.line, column: token.column, message: what)
        }
        if negative, magnitude <= UInt64(Int64.max) + 1 { return .int(Int64(truncatingIfNeeded: 0 &- magnitude)) }
        if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
        throw HCLError(line: token.line, column: token.column, message: "number out of range")
    }

    private func fail(_ message: String) -> HCLError {
        HCLError(line: token.line, column: token.column, message: message)
    }
}
