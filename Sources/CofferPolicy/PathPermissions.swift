public import CofferJSON

/// What one path rule grants and the conditions attached to it.
///
/// Parameter names are stored lower-cased (requests are matched case-insensitively).
/// An empty value list means "any value"; the key `*` stands for every parameter not
/// named otherwise.
public struct PathPermissions: Sendable, Equatable {
    public var capabilities: CapabilitySet
    /// Smallest `X-Vault-Wrap-TTL` accepted, in seconds; 0 = no bound. Any bound makes
    /// response wrapping mandatory on the path.
    public var minWrappingTTL: Int64
    /// Largest `X-Vault-Wrap-TTL` accepted, in seconds; 0 = no bound.
    public var maxWrappingTTL: Int64
    public var allowedParameters: [String: [JSONValue]]
    public var deniedParameters: [String: [JSONValue]]
    /// Parameters that must be present (names as written; compared case-insensitively).
    public var requiredParameters: [String]

    public init(
        capabilities: CapabilitySet,
        minWrappingTTL: Int64 = 0,
        maxWrappingTTL: Int64 = 0,
        allowedParameters: [String: [JSONValue]] = [:],
        deniedParameters: [String: [JSONValue]] = [:],
        requiredParameters: [String] = []
    ) {
        self.capabilities = capabilities
        self.minWrappingTTL = minWrappingTTL
        self.maxWrappingTTL = maxWrappingTTL
        self.allowedParameters = allowedParameters
        self.deniedParameters = deniedParameters
        self.requiredParameters = requiredParameters
    }

    public var isDeny: Bool { capabilities.contains(.deny) }

    /// Folds in a rule for the same pattern from another block or policy, as Vault's
    /// `NewACL` does:
    /// - a deny on either side leaves a deny-only rule (parameter maps cleared);
    /// - otherwise capabilities are OR'ed;
    /// - for each wrapping bound the smaller non-zero value wins;
    /// - allowed and denied value lists are concatenated per key, and an empty list (any
    ///   value) wins over a non-empty one;
    /// - required parameters form a union.
    public mutating func merge(_ other: PathPermissions) {
        if isDeny { return }
        if other.isDeny {
            capabilities = .deny
            allowedParameters = [:]
            deniedParameters = [:]
            return
        }
        capabilities.formUnion(other.capabilities)
        if other.maxWrappingTTL > 0, maxWrappingTTL == 0 || other.maxWrappingTTL < maxWrappingTTL {
            maxWrappingTTL = other.maxWrappingTTL
        }
        if other.minWrappingTTL > 0, minWrappingTTL == 0 || other.minWrappingTTL < minWrappingTTL {
            minWrappingTTL = other.minWrappingTTL
        }
        Self.mergeValueLists(&allowedParameters, other.allowedParameters)
        Self.mergeValueLists(&deniedParameters, other.deniedParameters)
        for name in other.requiredParameters where !requiredParameters.contains(name) {
            requiredParameters.append(name)
        }
    }

    private static func mergeValueLists(_ existing: inout [String: [JSONValue]], _ incoming: [String: [JSONValue]]) {
        for (key, values) in incoming {
            if let current = existing[key] {
                existing[key] = current.isEmpty || values.isEmpty ? [] : values + current
            } else {
                existing[key] = values
            }
        }
    }
}
