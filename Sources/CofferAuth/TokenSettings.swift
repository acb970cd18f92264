import CofferJSON
import CofferLogical

/// The `token_*` settings that users and roles carry (Vault's `tokenutil.TokenParams`):
/// what a login's token is minted with.
///
/// Legacy names (`policies`, `ttl`, `max_ttl`, `bound_cidrs`, `period`) are accepted as
/// aliases where the backend allows them; like Vault, an entry written through a legacy
/// name also shows that name when read, until the new name is written.
struct TokenSettings: Sendable, Hashable {
    /// The token types a role may ask for; `default*` leave the choice to the mount.
    enum TokenType: String, Sendable, CaseIterable {
        case `default` = "default"
        case service
        case batch
        case defaultService = "default-service"
        case defaultBatch = "default-batch"

        var isBatch: Bool { self == .batch || self == .defaultBatch }
    }

    var policies: [String] = []
    var ttl: Int64 = 0
    var maxTTL: Int64 = 0
    var explicitMaxTTL: Int64 = 0
    var period: Int64 = 0
    var numUses: Int64 = 0
    var noDefaultPolicy = false
    var type: TokenType = .default
    var boundCIDRs: [String] = []
    /// Legacy field names last used to write this entry (shown again on read).
    var legacyNames: Set<String> = []

    /// The new name of each legacy alias this backend accepts.
    typealias Aliases = [String: String]

    static let userpassAliases: Aliases = [
        "policies": "token_policies", "ttl": "token_ttl", "max_ttl": "token_max_ttl", "bound_cidrs": "token_bound_cidrs",
    ]
    static let appRoleAliases: Aliases = ["policies": "token_policies", "period": "token_period"]

    /// Every request member this type reads, for routing checks.
    static let fieldNames = [
        "token_policies", "token_ttl", "token_max_ttl", "token_explicit_max_ttl", "token_period", "token_num_uses",
        "token_no_default_policy", "token_type", "token_bound_cidrs",
    ]

    init() {}

    /// Applies the members present in `fields` (absent ones keep their value), then
    /// checks the combination. Throws a 400 ``LogicalError`` for bad input.
    mutating func apply(_ fields: RequestFields, aliases: Aliases) throws {
        for (legacy, current) in aliases where fields.value(legacy) != nil && fields.value(current) != nil {
            throw LogicalError.invalidRequest("cannot specify both \"\(current)\" and \"\(legacy)\"")
        }
        /// The name under which `current` was given, if at all, noting legacy use.
        func given(_ current: String) -> String? {
            if fields.value(current) != nil {
                if let legacy = aliases.first(where: { $0.value == current })?.key { legacyNames.remove(legacy) }
                return current
            }
            if let legacy = aliases.first(where: { $0.value == current })?.key, fields.value(legacy) != nil {
                legacyNames.insert(legacy)
                return legacy
            }
            return nil
        }
        if let name = given("token_policies") { policies = PolicyNames.parse(try fields.stringList(name) ?? []) }
        if let name = given("token_ttl") { ttl = try fields.duration(name) ?? 0 }
        if let name = given("token_max_ttl") { maxTTL = try fields.duration(name) ?? 0 }
        if let name = given("token_explicit_max_ttl") { explicitMaxTTL = try fields.duration(name) ?? 0 }
        if let name = given("token_period") { period = try fields.duration(name) ?? 0 }
        if let name = given("token_no_default_policy") { noDefaultPolicy = try fields.bool(name) ?? false }
        if let name = given("token_num_uses") {
            let uses = try fields.int(name) ?? 0
            guard uses >= 0 else { throw LogicalError.invalidRequest("'token_num_uses' cannot be negative") }
            numUses = uses
        }
        if let name = given("token_bound_cidrs") {
            boundCIDRs = try CIDRList.parse(try fields.stringList(name) ?? [], field: name)
        }
        if let name = given("token_type") {
            let text = Whitespace.trim(try fields.string(name) ?? "")
            guard let parsed = text.isEmpty ? .default : TokenType(rawValue: text) else {
                let valid = TokenType.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw LogicalError.invalidRequest("invalid 'token_type' value \"\(text)\": unsupported token_type, expected one of \(valid)")
            }
            type = parsed
        }
        try validate()
    }

    func validate() throws {
        if maxTTL > 0, ttl > maxTTL {
            throw LogicalError.invalidRequest("'token_ttl' cannot be greater than 'token_max_ttl'")
        }
        if type.isBatch, period != 0 {
            throw LogicalError.invalidRequest("'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens")
        }
        if type.isBatch, numUses != 0 {
            throw LogicalError.invalidRequest("'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count")
        }
    }

    /// The `token_*` members of a read, plus the legacy names this entry was written with.
    var apiRepresentation: [String: JSONValue] {
        var data: [String: JSONValue] = [
            "token_policies": JSONValue(policies),
            "token_ttl": .int(ttl),
            "token_max_ttl": .int(maxTTL),
            "token_explicit_max_ttl": .int(explicitMaxTTL),
            "token_period": .int(period),
            "token_num_uses": .int(numUses),
            "token_no_default_policy": .bool(noDefaultPolicy),
            "token_type": .string(type.rawValue),
            "token_bound_cidrs": JSONValue(boundCIDRs),
        ]
        let legacyValues: [String: JSONValue] = [
            "policies": JSONValue(policies), "ttl": .int(ttl), "max_ttl": .int(maxTTL),
            "bound_cidrs": JSONValue(boundCIDRs), "period": .int(period),
        ]
        for name in legacyNames {
            if let value = legacyValues[name] { data[name] = value }
        }
        return data
    }

    /// The hard limit a login token gets. Vault applies `token_max_ttl` as the cap of the
    /// token's lifetime counted from issue (renewals included), which is what an explicit
    /// max TTL does; the smaller non-zero of the two is the token's explicit max TTL.
    var effectiveExplicitMaxTTL: Int64 {
        switch (maxTTL, explicitMaxTTL) {
        case (0, let explicit): return explicit
        case (let max, 0): return max
        case (let max, let explicit): return Swift.min(max, explicit)
        }
    }

    /// The `auth` block a successful login returns; Core mints the token from it.
    func authInfo(metadata: [String: String], displayName: String, boundCIDRs: [String]? = nil) -> AuthInfo {
        let tokenPolicies = PolicyNames.forToken(policies, noDefault: noDefaultPolicy)
        return AuthInfo(
            clientToken: "", accessor: "", policies: tokenPolicies, tokenPolicies: tokenPolicies,
            metadata: metadata, leaseDurationSeconds: ttl, renewable: true, tokenType: type.rawValue, orphan: true,
            numUses: Int(clamping: numUses), explicitMaxTTLSeconds: effectiveExplicitMaxTTL, periodSeconds: period,
            boundCIDRs: boundCIDRs ?? self.boundCIDRs, displayName: displayName
        )
    }
}

extension TokenSettings {
    /// The nested `token` object of a user or role record.
    var record: JSONValue {
        .object([
            "policies": JSONValue(policies), "ttl": .int(ttl), "max_ttl": .int(maxTTL),
            "explicit_max_ttl": .int(explicitMaxTTL), "period": .int(period), "num_uses": .int(numUses),
            "no_default_policy": .bool(noDefaultPolicy), "type": .string(type.rawValue),
            "bound_cidrs": JSONValue(boundCIDRs), "legacy_names": JSONValue(legacyNames.sorted()),
        ])
    }

    /// Reads the nested `token` object of `record`.
    init(from record: AuthRecord) throws(AuthMethodError) {
        let object = try record.object("token")
        let inner = AuthRecord(unchecked: object, key: record.key + "#token")
        policies = try inner.strings("policies")
        ttl = try inner.int("ttl")
        maxTTL = try inner.int("max_ttl")
        explicitMaxTTL = try inner.int("explicit_max_ttl")
        period = try inner.int("period")
        numUses = try inner.int("num_uses")
        noDefaultPolicy = try inner.bool("no_default_policy")
        guard let type = TokenType(rawValue: try inner.string("type")) else { throw inner.missing("type", "a token type") }
        self.type = type
        boundCIDRs = try inner.strings("bound_cidrs")
        guard boundCIDRs.allSatisfy({ CIDRBlock($0) != nil }) else { throw inner.missing("bound_cidrs", "a list of CIDR blocks") }
        legacyNames = Set(try inner.strings("legacy_names"))
    }
}
