extension TextWrap {
    /// Wraps `text` the way `vault` wraps its messages (`wrapAtLength`, which uses the
    /// minimum-raggedness algorithm of `github.com/kr/text`): line breaks become spaces, then
    /// the words are split into lines of at most `width` columns so that the sum of the squared
    /// free space at the end of every line but the last is smallest. Unlike ``wrap(_:width:)``
    /// (greedy), a short word may move to the next line to even the lines out:
    ///
    /// ```
    /// Success! You are now authenticated. The token information displayed below
    /// is already stored in the token helper. ...
    /// ```
    ///
    /// A word longer than `width` stays whole on its own line.
    static func balanced(_ text: String, width: Int = lineLength) -> String {
        let words = text.trimmingWhitespace().replacing("\n", with: " ")
            .split(separator: " ", omittingEmptySubsequences: false)
        let count = words.count
        guard count > 1 else { return words.joined() }
        let lengths = words.map(\.unicodeScalars.count)
        // lineLength(i, j): words i...j joined by single spaces.
        var prefix = [0]
        for length in lengths { prefix.append(prefix.last! + length) }
        func lineLength(_ first: Int, _ last: Int) -> Int { prefix[last + 1] - prefix[first] + (last - first) }
        let overflowPenalty = 100_000
        var cost = Array(repeating: Int.max, count: count)
        var nextBreak = Array(repeating: count, count: count)
        for first in stride(from: count - 1, through: 0, by: -1) {
            if lineLength(first, count - 1) <= width || first == count - 1 {
                cost[first] = 0
                nextBreak[first] = count
                continue
            }
            for next in (first + 1)..<count {
                let length = lineLength(first, next - 1)
                let slack = width - length
                var candidate = slack * slack + cost[next]
                if length > width { candidate += overflowPenalty }
                if candidate < cost[first] {
                    cost[first] = candidate
                    nextBreak[first] = next
                }
            }
        }
        var lines: [String] = []
        var index = 0
        while index < count {
            lines.append(words[index..<nextBreak[index]].joined(separator: " "))
            index = nextBreak[index]
        }
        return lines.joined(separator: "\n")
    }
}
