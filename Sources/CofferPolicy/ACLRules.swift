/// One merged rule: its pattern and permissions, with what evaluation needs precomputed.
struct CompiledRule: Sendable {
    /// The pattern as written (with its trailing `*`, if any).
    let pattern: String
    let permissions: PathPermissions
    let requiredLowercased: [String]
    let allowsAnyParameter: Bool
    let deniesEveryParameter: Bool

    init(pattern: String, permissions: PathPermissions) {
        self.pattern = pattern
        self.permissions = permissions
        self.requiredLowercased = permissions.requiredParameters.map { $0.lowercased() }
        self.allowsAnyParameter = permissions.allowedParameters["*"] != nil
        self.deniesEveryParameter = permissions.deniedParameters["*"] != nil
    }
}

/// The indexes of an ACL. A class so that copies of an ``ACL`` share one compiled form.
final class ACLRules: Sendable {
    let rules: [CompiledRule]
    let exact: [ByteString: Int]
    let prefixes: PrefixTrie
    let segmentPatterns: [SegmentPattern]

    static let empty = ACLRules(policies: [])

    init(policies: [Policy]) {
        enum Kind: Hashable { case exact, prefix, segment }
        struct Key: Hashable {
            let kind: Kind
            let path: ByteString
        }
        var order: [Key] = []
        var merged: [Key: (pattern: String, path: String, isPrefix: Bool, permissions: PathPermissions)] = [:]
        for policy in policies {
            for rule in policy.paths where !rule.isTemplated {
                let kind: Kind = rule.hasSegmentWildcard ? .segment : (rule.isPrefix ? .prefix : .exact)
                // Segment patterns keep the `*` in their key: `a/+/b` and `a/+/b*` differ.
                let key = Key(kind: kind, path: ByteString(kind == .segment ? rule.pattern : rule.path))
                if var existing = merged[key] {
                    existing.permissions.merge(rule.permissions)
                    merged[key] = existing
                } else {
                    merged[key] = (rule.pattern, rule.path, rule.isPrefix, rule.permissions)
                    order.append(key)
                }
            }
        }
        var rules: [CompiledRule] = []
        var exact: [ByteString: Int] = [:]
        var prefixes = PrefixTrie()
        var segmentPatterns: [SegmentPattern] = []
        rules.reserveCapacity(order.count)
        for key in order {
            guard let entry = merged[key] else { continue }
            let index = rules.count
            rules.append(CompiledRule(pattern: entry.pattern, permissions: entry.permissions))
            switch key.kind {
            case .exact: exact[ByteString(entry.path)] = index
            case .prefix: prefixes.insert(entry.path, value: index)
            case .segment: segmentPatterns.append(SegmentPattern(key: entry.path, isPrefix: entry.isPrefix, rule: index))
            }
        }
        self.rules = rules
        self.exact = exact
        self.prefixes = prefixes
        self.segmentPatterns = segmentPatterns
    }
}
