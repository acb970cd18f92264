public import CofferJSON

/// The body of `POST auth/token/create[/<role>]` (the Go client's `TokenCreateRequest`).
///
/// Durations are strings the server parses (`"1h"`, `"30m0s"`, `"3600"`); nil leaves a
/// setting to the server (parent, role, mount or system default). ``metadata`` is sent as
/// `meta`. Holds no secret unless ``id`` is set; ``description`` never prints it.
public struct VaultTokenCreateRequest: Sendable, Equatable, CustomStringConvertible {
    /// A chosen token value (root or sudo only); nil lets the server generate one.
    public var id: String?
    /// Policies for the token; empty inherits the parent's.
    public var policies: [String]
    /// Sent as `meta`; shown in audit logs.
    public var metadata: [String: String]
    /// Initial TTL; nil for the default.
    public var ttl: String?
    /// Hard limit on the token's lifetime.
    public var explicitMaxTTL: String?
    /// A periodic token's renewal period (root, sudo or role only).
    public var period: String?
    /// `no_parent`: an orphan token (root or sudo only).
    public var noParent: Bool
    /// Leave the `default` policy out.
    public var noDefaultPolicy: Bool
    public var displayName: String
    /// `num_uses`; 0 means unlimited.
    public var numUses: Int
    /// nil leaves it to the server (renewable by default).
    public var renewable: Bool?
    /// `service` or `batch`.
    public var type: String
    /// An entity alias to attach (with a role only).
    public var entityAlias: String?

    /// A request with the server's defaults for everything not given.
    public init(
        id: String? = nil, policies: [String] = [], metadata: [String: String] = [:], ttl: String? = nil,
        explicitMaxTTL: String? = nil, period: String? = nil, noParent: Bool = false, noDefaultPolicy: Bool = false,
        displayName: String = "", numUses: Int = 0, renewable: Bool? = nil, type: String = "service",
        entityAlias: String? = nil
    ) {
        self.id = id
        self.policies = policies
        self.metadata = metadata
        self.ttl = ttl
        self.explicitMaxTTL = explicitMaxTTL
        self.period = period
        self.noParent = noParent
        self.noDefaultPolicy = noDefaultPolicy
        self.displayName = displayName
        self.numUses = numUses
        self.renewable = renewable
        self.type = type
        self.entityAlias = entityAlias
    }

    /// The JSON body. Like Go's `omitempty` tags: empty lists and maps, unset durations and
    /// false `no_parent`/`no_default_policy` are left out; `display_name`, `num_uses` and
    /// `type` are always sent.
    public var json: JSONValue {
        var body: [String: JSONValue] = [
            "display_name": .string(displayName),
            "num_uses": .int(Int64(numUses)),
            "type": .string(type),
        ]
        if let id, !id.isEmpty { body["id"] = .string(id) }
        if !policies.isEmpty { body["policies"] = JSONValue(policies) }
        if !metadata.isEmpty { body["meta"] = JSONValue(metadata) }
        if let ttl { body["ttl"] = .string(ttl) }
        if let explicitMaxTTL { body["explicit_max_ttl"] = .string(explicitMaxTTL) }
        if let period { body["period"] = .string(period) }
        if noParent { body["no_parent"] = true }
        if noDefaultPolicy { body["no_default_policy"] = true }
        if let renewable { body["renewable"] = .bool(renewable) }
        if let entityAlias, !entityAlias.isEmpty { body["entity_alias"] = .string(entityAlias) }
        return .object(body)
    }

    /// Policies and type only; never the chosen token value.
    public var description: String {
        "VaultTokenCreateRequest(policies: \(policies), type: \(type), id: \(id == nil ? "generated" : "<redacted>"))"
    }
}
