/// Word wrapping for long messages, as `vault` wraps its paragraphs at 78 columns.
enum TextWrap {
    static let lineLength = 78

    /// Wraps each line of `text` at `width` columns, breaking only at spaces; words longer than
    /// the width stay whole on their own line. Existing line breaks are kept.
    static func wrap(_ text: String, width: Int = lineLength) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var lines: [String] = []
            var current = ""
            for word in line.split(separator: " ", omittingEmptySubsequences: true) {
                if current.isEmpty {
                    current = String(word)
                } else if current.unicodeScalars.count + 1 + word.unicodeScalars.count <= width {
                    current += " " + String(word)
                } else {
                    lines.append(current)
                    current = String(word)
                }
            }
            lines.append(current)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// ``wrap(_:width:)`` to `lineLength - padding`, each line indented by `padding` spaces.
    static func wrap(_ text: String, padding: Int) -> String {
        let indent = String(repeating: " ", count: padding)
        return wrap(text, width: lineLength - padding)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { indent + $0 }
            .joined(separator: "\n")
    }
}
