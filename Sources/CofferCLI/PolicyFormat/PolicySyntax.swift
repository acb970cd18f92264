/// A policy's HCL source as the formatter sees it: the structure of ``HCLObject`` plus the
/// comments, the spelling of keys and values, and where blank lines were.
struct PolicySyntaxBody: Sendable, Equatable {
    var items: [PolicySyntaxItem] = []
    /// Comments after the last item (before `}` or the end of the file).
    var closingComments: [String] = []
    /// Whether a blank line came before ``closingComments``.
    var blankLineBeforeClosingComments = false

    var isEmpty: Bool { items.isEmpty && closingComments.isEmpty }
}

/// `key = value`, or a block `key "label" ... { body }`, with the comments around it.
struct PolicySyntaxItem: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case assignment(PolicySyntaxValue)
        case block(PolicySyntaxBody)
    }

    /// Comments on the lines before the item.
    var comments: [String] = []
    /// Whether the source had a blank line before the item (or before its comments).
    var blankLineBefore = false
    /// The key and any block labels, as written (identifiers, or strings with their quotes).
    var keys: [String]
    var kind: Kind
    /// A comment on the same line, after the item.
    var trailingComment: String?
}

/// A value on the right of `=` or in a list.
indirect enum PolicySyntaxValue: Sendable, Equatable {
    /// A string, heredoc, number or bool, as written.
    case scalar(String, isHeredoc: Bool)
    /// `[...]`; `multiline` when the source put it on several lines (or it holds comments).
    case list(PolicySyntaxList)
    /// `{ ... }`.
    case object(PolicySyntaxBody)
}

struct PolicySyntaxList: Sendable, Equatable {
    struct Element: Sendable, Equatable {
        var comments: [String] = []
        var value: PolicySyntaxValue
        var trailingComment: String?
    }

    var elements: [Element] = []
    var closingComments: [String] = []
    var multiline = false
}
