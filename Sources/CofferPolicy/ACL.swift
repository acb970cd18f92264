/// The compiled access-control list of one token: all of its policies merged into three
/// indexes, evaluated per request with ``allowOperation(_:)``.
///
/// Build one per distinct policy set and cache it (construction is linear in the number
/// of path rules; evaluation does no parsing and, without `+` patterns, no allocation
/// beyond the decision). An `ACL` is immutable and cheap to copy.
///
/// Rules land in:
/// - an **exact** map (`secret/foo`),
/// - a **prefix** trie (`secret/foo*`, keyed without the `*`),
/// - a list of **segment-wildcard** patterns (any pattern with a `+` segment).
///
/// The same pattern from several blocks or policies is merged
/// (``PathPermissions/merge(_:)``); different patterns never are: the single best
/// match decides.
///
/// Identity-templated paths (`identity/entity/id/{{identity.entity.id}}`) are left out:
/// Coffer has no identity system yet, so no token has an entity to fill them with, and
/// Vault likewise skips templates it cannot resolve. They stay in ``Policy/paths`` and
/// in the stored text.
public struct ACL: Sendable {
    /// The token holds the `root` policy: everything is allowed, `sudo` included.
    public let isRoot: Bool
    let rules: ACLRules

    /// Compiles the policies of one token. The ACL is root if `rootPolicy` is true or a
    /// policy is named `root` (its rules, if any, are irrelevant then).
    public init(policies: [Policy], rootPolicy: Bool = false) {
        isRoot = rootPolicy || policies.contains { $0.name == "root" }
        rules = isRoot ? ACLRules.empty : ACLRules(policies: policies)
    }

    /// Whether the ACL grants nothing at all (no token policy had an applicable rule).
    public var isEmpty: Bool { !isRoot && rules.rules.isEmpty }
}
