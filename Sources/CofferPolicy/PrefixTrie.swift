/// A byte trie over rule keys, answering "which key is the longest prefix of this path"
/// in one pass over the path's bytes (the radix tree's `LongestPrefix` in Vault).
struct PrefixTrie: Sendable {
    private struct Node: Sendable {
        var labels: [UInt8] = []
        var children: [Int32] = []
        /// Index of the rule whose key ends here, or -1.
        var value: Int32 = -1
    }

    private var nodes: [Node] = [Node()]

    var isEmpty: Bool { nodes.count == 1 && nodes[0].value < 0 }

    /// Sets the value for `key`, replacing any earlier one.
    mutating func insert(_ key: String, value: Int) {
        var node = 0
        for byte in key.utf8 {
            if let position = nodes[node].labels.firstIndex(of: byte) {
                node = Int(nodes[node].children[position])
            } else {
                nodes.append(Node())
                let child = nodes.count - 1
                nodes[node].labels.append(byte)
                nodes[node].children.append(Int32(child))
                node = child
            }
        }
        nodes[node].value = Int32(value)
    }

    /// The value and key length (in bytes) of the longest key that is a prefix of `path`.
    func longestPrefix(of path: some StringProtocol) -> (value: Int, length: Int)? {
        var node = 0
        var best: (value: Int, length: Int)? = nodes[0].value >= 0 ? (Int(nodes[0].value), 0) : nil
        var depth = 0
        for byte in path.utf8 {
            guard let position = nodes[node].labels.firstIndex(of: byte) else { break }
            node = Int(nodes[node].children[position])
            depth += 1
            if nodes[node].value >= 0 { best = (Int(nodes[node].value), depth) }
        }
        return best
    }

    /// Values of every key that starts with `prefix` (the key itself included).
    func values(withPrefix prefix: some StringProtocol) -> [Int] {
        var node = 0
        for byte in prefix.utf8 {
            guard let position = nodes[node].labels.firstIndex(of: byte) else { return [] }
            node = Int(nodes[node].children[position])
        }
        var found: [Int] = []
        var stack = [node]
        while let next = stack.popLast() {
            if nodes[next].value >= 0 { found.append(Int(nodes[next].value)) }
            stack.append(contentsOf: nodes[next].children.map(Int.init))
        }
        return found
    }
}
