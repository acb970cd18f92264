extension ACL {
    /// Decides one request, in Vault's order:
    /// 1. root: allowed;
    /// 2. the governing rule (exact, then prefix and `+` patterns; see ``ACLRequest``);
    ///    none → denied (deny by default);
    /// 3. a `deny` rule → denied, whatever else (`sudo` included);
    /// 4. the operation's capability (``CapabilitySet/required(for:)``);
    /// 5. `sudo` when ``ACLRequest/rootProtected``;
    /// 6. wrapping bounds: with `max_wrapping_ttl` or `min_wrapping_ttl` set the request
    ///    must be wrapped, with a TTL within them;
    /// 7. for read, create, update and patch: required parameters present; then, if the
    ///    request has data, no denied parameter value and only allowed parameters and
    ///    values.
    public func allowOperation(_ request: ACLRequest) -> ACLDecision {
        if isRoot {
            return ACLDecision(allowed: true, isRoot: true, capabilitiesGranted: .allGrants, hasSudo: true)
        }
        let path = Self.stripLeadingSlashes(request.path)
        guard let index = rules.match(path: path, operation: request.operation) else {
            return ACLDecision(allowed: false, denialReason: "no policy grants access to the path")
        }
        let rule = rules.rules[index]
        let permissions = rule.permissions
        let capabilities = permissions.capabilities
        var decision = ACLDecision(
            allowed: false, capabilitiesGranted: capabilities, hasSudo: capabilities.contains(.sudo),
            matchedPattern: rule.pattern)
        func deny(_ reason: String) -> ACLDecision {
            decision.denialReason = reason
            return decision
        }

        if capabilities.contains(.deny) { return deny("rule \"\(rule.pattern)\" denies the path") }
        let needed = CapabilitySet.required(for: request.operation)
        guard capabilities.contains(needed) else {
            return deny("rule \"\(rule.pattern)\" does not grant \"\(needed.names.joined())\"")
        }
        if request.rootProtected, !capabilities.contains(.sudo) {
            return deny("root-protected path and rule \"\(rule.pattern)\" does not grant \"sudo\"")
        }

        if permissions.maxWrappingTTL > 0 || permissions.minWrappingTTL > 0 {
            guard let ttl = request.wrapTTL else { return deny("rule \"\(rule.pattern)\" requires response wrapping") }
            if permissions.maxWrappingTTL > 0, ttl > permissions.maxWrappingTTL {
                return deny("wrap TTL above max_wrapping_ttl of rule \"\(rule.pattern)\"")
            }
            if permissions.minWrappingTTL > 0, ttl < permissions.minWrappingTTL {
                return deny("wrap TTL below min_wrapping_ttl of rule \"\(rule.pattern)\"")
            }
            // Merging can leave max < min (each block alone was checked at parse time).
            if permissions.maxWrappingTTL > 0, permissions.minWrappingTTL > 0,
                permissions.maxWrappingTTL < permissions.minWrappingTTL
            {
                return deny("merged wrapping bounds of rule \"\(rule.pattern)\" are contradictory")
            }
        }

        switch request.operation {
        case .read, .create, .update, .patch:
            if let reason = ParameterCheck.denial(request.data, rule) { return deny(reason) }
        case .list, .delete:
            break
        }
        decision.allowed = true
        return decision
    }

    /// The capabilities on `path`, as `sys/capabilities*` report them: `["root"]` for a
    /// root ACL; otherwise the governing rule's capabilities (evaluated as a LIST, as
    /// Vault's `ACL.Capabilities` does) in Vault's order `sudo, read, list, update,
    /// delete, create, patch`; `["deny"]` when no rule matches, the rule denies or it
    /// grants nothing. Parameter and wrapping conditions are not considered.
    ///
    /// The HTTP endpoints answer these names sorted alphabetically (Vault's
    /// `Core.Capabilities` sorts them): use ``sortedCapabilities(path:)`` there.
    public func capabilities(path: String) -> [String] {
        if isRoot { return ["root"] }
        guard let index = rules.match(path: Self.stripLeadingSlashes(path), operation: .list) else { return ["deny"] }
        let names = rules.rules[index].permissions.capabilities.names
        return names.isEmpty ? ["deny"] : names
    }

    /// ``capabilities(path:)`` sorted alphabetically: the exact answer of
    /// `POST sys/capabilities-self` and friends (`["delete", "list", "read", "update"]`).
    public func sortedCapabilities(path: String) -> [String] {
        capabilities(path: path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Whether the token may see the mount at `mountPath` (`secret/`): true if some rule
    /// grants any capability on the mount path or on anything that may lie under it. This
    /// is Vault's `hasMountAccess`, used to filter `sys/internal/ui/mounts` for non-root
    /// tokens and to answer the CLI's KV preflight.
    public func hasAccess(underMount mountPath: String) -> Bool {
        if isRoot { return true }
        var path = Self.stripLeadingSlashes(mountPath)
        if path.utf8.last != UInt8(ascii: "/") { path += "/" }
        return rules.grantsAnything(under: path)
    }

    /// `path` without its leading `/` bytes (scalar-wise, so a `/` before a combining mark
    /// is still a slash, as for Vault).
    static func stripLeadingSlashes(_ path: String) -> String {
        guard path.utf8.first == UInt8(ascii: "/") else { return path }
        return String(String.UnicodeScalarView(path.unicodeScalars.drop { $0 == "/" }))
    }
}

extension CapabilitySet {
    /// Every capability except `deny`: what a root token holds.
    public static let allGrants: CapabilitySet = [
        .create, .read, .update, .delete, .list, .sudo, .patch, .subscribe, .recover,
    ]
}
