/// Policy-list rules of the token store, as Vault applies them. Pure.
enum TokenPolicies {
    static let root = "root"
    static let defaultPolicy = "default"
    /// Policies no token may be given: Vault's internal response-wrapping policy and the
    /// control-group policy.
    static let nonAssignable: Set<String> = ["response-wrapping", "control-group"]
    static let maxNameLength = 128

    /// Trims and lowercases names, drops empty ones, keeps `root` alone when present, adds
    /// `default` when asked (never next to `root`), removes duplicates and sorts.
    static func sanitize(_ policies: [String], addDefault: Bool) -> [String] {
        var names = Set<String>()
        for raw in policies {
            let name = trimmed(raw).lowercased()
            guard !name.isEmpty else { continue }
            if name == root { return [root] }
            names.insert(name)
        }
        if addDefault { names.insert(defaultPolicy) }
        return names.sorted()
    }

    /// Whether every name in `child` is in `parent`.
    static func isSubset(_ child: [String], of parent: [String]) -> Bool {
        let allowed = Set(parent)
        return child.allSatisfy { allowed.contains($0) }
    }

    private static func trimmed(_ text: String) -> Substring {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return slice
    }
}
