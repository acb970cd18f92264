/// Builds a ``PolicySyntaxBody`` from ``PolicySourceToken``s. The text was accepted by the
/// HCL parser first; a token sequence that does not fit (which would be a scanner bug) is
/// reported with its line rather than formatted.
struct PolicySyntaxParser {
    struct Failure: Error, Sendable {
        var line: Int
    }

    private let tokens: [PolicySourceToken]
    private var index = 0

    init(tokens: [PolicySourceToken]) {
        self.tokens = tokens
    }

    mutating func parseDocument() throws(Failure) -> PolicySyntaxBody {
        let body = try parseBody(closedBy: nil)
        if let token = peek { throw Failure(line: token.line) }
        return body
    }

    private var peek: PolicySourceToken? { index < tokens.count ? tokens[index] : nil }

    private var currentLine: Int { peek?.line ?? tokens.last?.line ?? 1 }

    /// Items up to `closer` (not consumed) or the end of the tokens.
    private mutating func parseBody(closedBy closer: PolicySourceToken.Kind?) throws(Failure) -> PolicySyntaxBody {
        var body = PolicySyntaxBody()
        var comments: [String] = []
        var blankLine = false
        var newlines = 0
        while let token = peek, token.kind != closer {
            switch token.kind {
            case .newline:
                newlines += 1
                if newlines >= 2 && !body.items.isEmpty { blankLine = true }
                index += 1
            case .comment:
                comments.append(token.text)
                newlines = 0
                index += 1
            case .comma:
                index += 1
            default:
                var item = try parseItem()
                item.comments = comments + item.comments
                item.blankLineBefore = blankLine
                item.trailingComment = takeTrailingComment()
                body.items.append(item)
                comments = []
                blankLine = false
                newlines = 0
            }
        }
        body.closingComments = comments
        body.blankLineBeforeClosingComments = blankLine
        return body
    }

    private mutating func parseItem() throws(Failure) -> PolicySyntaxItem {
        var keys: [String] = []
        var comments: [String] = []
        while let token = peek {
            switch token.kind {
            case .word, .string:
                keys.append(token.text)
                index += 1
            case .newline:
                index += 1
            case .comment:
                comments.append(token.text)
                index += 1
            case .equals:
                guard keys.count == 1 else { throw Failure(line: token.line) }
                index += 1
                comments += skipTrivia()
                let value = try parseValue()
                return PolicySyntaxItem(comments: comments, keys: keys, kind: .assignment(value))
            case .leftBrace:
                guard !keys.isEmpty else { throw Failure(line: token.line) }
                index += 1
                let body = try parseBody(closedBy: .rightBrace)
                try expect(.rightBrace)
                return PolicySyntaxItem(comments: comments, keys: keys, kind: .block(body))
            default:
                throw Failure(line: token.line)
            }
        }
        throw Failure(line: currentLine)
    }

    private mutating func parseValue() throws(Failure) -> PolicySyntaxValue {
        guard let token = peek else { throw Failure(line: currentLine) }
        switch token.kind {
        case .word, .string:
            index += 1
            return .scalar(token.text, isHeredoc: false)
        case .heredoc:
            index += 1
            return .scalar(token.text, isHeredoc: true)
        case .leftBracket:
            index += 1
            return .list(try parseList())
        case .leftBrace:
            index += 1
            let body = try parseBody(closedBy: .rightBrace)
            try expect(.rightBrace)
            return .object(body)
        default:
            throw Failure(line: token.line)
        }
    }

    /// After `[`, through `]`.
    private mutating func parseList() throws(Failure) -> PolicySyntaxList {
        var list = PolicySyntaxList()
        var comments: [String] = []
        var newlineSinceElement = true
        while let token = peek {
            switch token.kind {
            case .rightBracket:
                index += 1
                list.closingComments = comments
                return list
            case .newline:
                list.multiline = true
                newlineSinceElement = true
                index += 1
            case .comma:
                index += 1
            case .comment:
                list.multiline = true
                if !newlineSinceElement, !list.elements.isEmpty, list.elements[list.elements.count - 1].trailingComment == nil {
                    list.elements[list.elements.count - 1].trailingComment = token.text
                } else {
                    comments.append(token.text)
                }
                index += 1
            default:
                let value = try parseValue()
                list.elements.append(PolicySyntaxList.Element(comments: comments, value: value))
                comments = []
                newlineSinceElement = false
            }
        }
        throw Failure(line: currentLine)
    }

    /// Skips line breaks and returns the comments among them.
    private mutating func skipTrivia() -> [String] {
        var comments: [String] = []
        while let token = peek, token.kind == .newline || token.kind == .comment {
            if token.kind == .comment { comments.append(token.text) }
            index += 1
        }
        return comments
    }

    /// A comment after the item on the same line (a comma may come first).
    private mutating func takeTrailingComment() -> String? {
        var look = index
        if look < tokens.count, tokens[look].kind == .comma { look += 1 }
        guard look < tokens.count, tokens[look].kind == .comment, !tokens[look].text.contains("\n") else { return nil }
        index = look + 1
        return tokens[look].text
    }

    private mutating func expect(_ kind: PolicySourceToken.Kind) throws(Failure) {
        guard let token = peek, token.kind == kind else { throw Failure(line: currentLine) }
        index += 1
    }
}
