import CofferLogical

extension ACLRules {
    /// The index of the rule that governs `path` for `operation`, or nil (deny by default).
    ///
    /// Vault's order ([VS] `vault/acl.go` `AllowOperation`):
    /// 1. an exact rule; for LIST also the path without its trailing `/`;
    /// 2. for LIST on `p/`: candidates for both `p` and `p/` (so `kv/+` answers LIST on
    ///    `kv/x/`), resolved so that a deny is never bypassed: the most specific deny
    ///    wins unless a more specific candidate grants `list`; else the most specific
    ///    `list` grant; else the most specific candidate;
    /// 3. otherwise the longest prefix rule and every matching `+` pattern, ranked by
    ///    ``RuleCandidate/ranksBelow(_:)``; the highest wins outright.
    func match(path: String, operation: Operation) -> Int? {
        if let index = exact[ByteString(path)] { return index }
        let isList = operation == .list
        let hasTrailingSlash = path.utf8.last == UInt8(ascii: "/")
        if isList, hasTrailingSlash, let index = exact[ByteString(path.dropLast())] { return index }

        if isList, hasTrailingSlash {
            var candidates: [RuleCandidate] = []
            collectCandidates(for: path.dropLast(), into: &candidates)
            collectCandidates(for: path[...], into: &candidates)
            return resolveList(candidates)
        }
        if segmentPatterns.isEmpty {
            return prefixes.longestPrefix(of: path)?.value
        }
        var candidates: [RuleCandidate] = []
        collectCandidates(for: path[...], into: &candidates)
        return candidates.highestPriority()?.rule
    }

    /// Appends the longest prefix rule and every `+` pattern matching `path`.
    func collectCandidates(for path: Substring, into candidates: inout [RuleCandidate]) {
        if let (index, length) = prefixes.longestPrefix(of: path) {
            candidates.append(RuleCandidate(
                firstWildcard: length, isPrefix: true, wildcards: 0,
                key: String(decoding: path.utf8.prefix(length), as: UTF8.self), rule: index))
        }
        guard !segmentPatterns.isEmpty else { return }
        let parts = SegmentPattern.split(path)
        for pattern in segmentPatterns where pattern.matches(parts) {
            candidates.append(pattern.candidate)
        }
    }

    /// Step 2 above: the choice for LIST on a path with a trailing slash.
    private func resolveList(_ candidates: [RuleCandidate]) -> Int? {
        let bestDeny = candidates.highestPriority { rules[$0.rule].permissions.isDeny }
        let bestList = candidates.highestPriority { rules[$0.rule].permissions.capabilities.contains(.list) }
        if let deny = bestDeny, bestList.map({ $0.ranksBelow(deny) }) ?? true { return deny.rule }
        if let list = bestList { return list.rule }
        return candidates.highestPriority()?.rule
    }

    /// Whether any rule grants something on `mountPath` or anywhere under it (for the
    /// mount listing and the CLI's KV preflight, Vault's `hasMountAccess`).
    func grantsAnything(under mountPath: String) -> Bool {
        func grants(_ index: Int) -> Bool {
            let capabilities = rules[index].permissions.capabilities
            return !capabilities.contains(.deny) && !capabilities.isEmpty
        }
        if let index = match(path: mountPath, operation: .list), grants(index) { return true }
        for (key, index) in exact where key.string.bytesHavePrefix(mountPath) && grants(index) { return true }
        if prefixes.values(withPrefix: mountPath).contains(where: grants) { return true }
        var mountParts = SegmentPattern.split(mountPath[...])
        if mountParts.last?.isEmpty == true { mountParts.removeLast() }
        return segmentPatterns.contains { grants($0.rule) && $0.mayMatchUnder(mountParts: mountParts) }
    }
}
