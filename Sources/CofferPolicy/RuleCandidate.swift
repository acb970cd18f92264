/// A non-exact rule that matches a request path, with what Vault ranks it by when
/// several match ([VD] concepts/policies, "priority matching"). The single highest
/// candidate decides; candidates of different patterns are never unioned.
struct RuleCandidate: Sendable {
    /// Byte offset of the first `+` segment, or of the `*` for a pure prefix rule.
    var firstWildcard: Int
    /// The pattern ended in `*`.
    var isPrefix: Bool
    /// Number of `+` segments.
    var wildcards: Int
    /// The pattern without its trailing `*`.
    var key: String
    /// Index into the ACL's rules.
    var rule: Int

    /// Whether `self` has lower priority than `other`, by Vault's five tie-breakers in
    /// order: the first wildcard earlier; ending in `*`; more `+` segments; shorter;
    /// lexicographically smaller (bytes).
    func ranksBelow(_ other: RuleCandidate) -> Bool {
        if firstWildcard != other.firstWildcard { return firstWildcard < other.firstWildcard }
        if isPrefix != other.isPrefix { return isPrefix }
        if wildcards != other.wildcards { return wildcards > other.wildcards }
        let length = key.utf8.count
        let otherLength = other.key.utf8.count
        if length != otherLength { return length < otherLength }
        return key.utf8.lexicographicallyPrecedes(other.key.utf8)
    }
}

extension Sequence<RuleCandidate> {
    /// The highest-priority candidate.
    func highestPriority(where include: (RuleCandidate) -> Bool = { _ in true }) -> RuleCandidate? {
        var best: RuleCandidate?
        for candidate in self where include(candidate) {
            if let current = best, !current.ranksBelow(candidate) { continue }
            best = candidate
        }
        return best
    }
}
