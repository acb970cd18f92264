/// Prints a ``PolicySyntaxBody`` in the canonical layout (that of `hclfmt`, which `vault
/// policy fmt` uses):
///
/// ```hcl
/// # Read-only access to the app's secrets.
/// path "secret/data/app/*" {
///   capabilities = ["read", "list"]
/// }
///
/// path "sys/mounts" {
///   capabilities     = ["read"]
///   min_wrapping_ttl = "1s"
///
///   allowed_parameters = {
///     "type" = ["kv"]
///   }
/// }
/// ```
///
/// Two spaces per level; blocks and multi-line values separated by one blank line; other
/// blank lines collapsed to one; `=` aligned across neighbouring one-line assignments; lists
/// kept on one line when they were, otherwise one element per line with a trailing comma;
/// keys, strings, numbers, heredocs and comments exactly as written.
enum PolicyPrinter {
    static let indentUnit = "  "

    static func print(_ document: PolicySyntaxBody) -> String {
        let text = body(document, depth: 0)
        return text.isEmpty ? "" : text + "\n"
    }

    /// The items of a body, one per line at `depth`, without a final line break.
    private static func body(_ body: PolicySyntaxBody, depth: Int) -> String {
        let indent = String(repeating: indentUnit, count: depth)
        var lines: [String] = []
        let rendered = body.items.map { item -> (item: PolicySyntaxItem, value: String?) in
            if case .assignment(let value) = item.kind { return (item, self.value(value, depth: depth)) }
            return (item, nil)
        }
        let widths = alignmentWidths(rendered)
        for (offset, entry) in rendered.enumerated() {
            let item = entry.item
            if offset > 0 {
                let previous = rendered[offset - 1]
                if item.blankLineBefore || isMultiline(entry) || isMultiline(previous) { lines.append("") }
            }
            for comment in item.comments { lines.append(indent + comment) }
            var text: String
            switch item.kind {
            case .assignment:
                let key = item.keys[0]
                let padding = String(repeating: " ", count: max(0, widths[offset] - key.unicodeScalars.count))
                text = indent + key + padding + " = " + entry.value!
            case .block(let inner):
                text = indent + item.keys.joined(separator: " ") + " " + object(inner, depth: depth)
            }
            if let comment = item.trailingComment { text += " " + comment }
            lines.append(text)
        }
        if !body.closingComments.isEmpty {
            if body.blankLineBeforeClosingComments && !lines.isEmpty { lines.append("") }
            for comment in body.closingComments { lines.append(indent + comment) }
        }
        return lines.joined(separator: "\n")
    }

    /// `{ ... }` whose opening brace sits on the current line at `depth`.
    private static func object(_ inner: PolicySyntaxBody, depth: Int) -> String {
        if inner.isEmpty { return "{}" }
        let closingIndent = String(repeating: indentUnit, count: depth)
        return "{\n" + body(inner, depth: depth + 1) + "\n" + closingIndent + "}"
    }

    /// A value whose first line continues the current line at `depth`.
    private static func value(_ value: PolicySyntaxValue, depth: Int) -> String {
        switch value {
        case .scalar(let text, _):
            return text
        case .object(let inner):
            return object(inner, depth: depth)
        case .list(let list):
            return self.list(list, depth: depth)
        }
    }

    private static func list(_ list: PolicySyntaxList, depth: Int) -> String {
        if list.elements.isEmpty && list.closingComments.isEmpty { return "[]" }
        let compact = !list.multiline && list.closingComments.isEmpty && list.elements.allSatisfy { element in
            guard element.comments.isEmpty, element.trailingComment == nil else { return false }
            if case .scalar(_, let isHeredoc) = element.value { return !isHeredoc }
            if case .list(let nested) = element.value { return !nested.multiline }
            return false
        }
        if compact {
            return "[" + list.elements.map { value($0.value, depth: depth) }.joined(separator: ", ") + "]"
        }
        let indent = String(repeating: indentUnit, count: depth + 1)
        var lines: [String] = ["["]
        for element in list.elements {
            for comment in element.comments { lines.append(indent + comment) }
            var text = indent + value(element.value, depth: depth + 1)
            if case .scalar(_, isHeredoc: true) = element.value {
                // A heredoc ends with its anchor alone on a line; the comma goes on the next.
                text += "\n" + indent + ","
            } else {
                text += ","
            }
            if let comment = element.trailingComment { text += " " + comment }
            lines.append(text)
        }
        for comment in list.closingComments { lines.append(indent + comment) }
        lines.append(String(repeating: indentUnit, count: depth) + "]")
        return lines.joined(separator: "\n")
    }

    private static func isMultiline(_ entry: (item: PolicySyntaxItem, value: String?)) -> Bool {
        switch entry.item.kind {
        case .block(let inner): return !inner.isEmpty
        case .assignment: return entry.value?.contains("\n") ?? false
        }
    }

    /// The key width each assignment is padded to: the widest key in its run of neighbouring
    /// one-line assignments. A run ends at a block, a multi-line value, a blank line or a
    /// comment line.
    private static func alignmentWidths(_ entries: [(item: PolicySyntaxItem, value: String?)]) -> [Int] {
        var widths = Array(repeating: 0, count: entries.count)
        var runStart = 0
        func closeRun(_ end: Int) {
            guard runStart < end else { return }
            let widest = entries[runStart..<end].map { $0.item.keys[0].unicodeScalars.count }.max() ?? 0
            for index in runStart..<end { widths[index] = widest }
        }
        for (index, entry) in entries.enumerated() {
            let alignable: Bool
            if case .assignment = entry.item.kind, !isMultiline(entry) { alignable = true } else { alignable = false }
            let continuesRun = index > runStart && !entry.item.blankLineBefore && entry.item.comments.isEmpty
            if !alignable {
                closeRun(index)
                runStart = index + 1
            } else if !continuesRun {
                closeRun(index)
                runStart = index
            }
        }
        closeRun(entries.count)
        return widths
    }
}
