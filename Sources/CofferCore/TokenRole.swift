import CofferJSON
import CofferLogical

/// A token role (`auth/token/roles/:name`): settings that `auth/token/create/:name`
/// applies, and that let a caller mint tokens it could not mint from its own policies.
///
/// Stored at `sys/token/roles/<name>` as
/// ```
/// {"version": 1, "name": s, "allowed_policies": [s], "disallowed_policies": [s],
///  "orphan": b, "renewable": b, "path_suffix": s, "token_period": n,
///  "token_explicit_max_ttl": n, "token_ttl": n, "token_max_ttl": n, "token_type": s,
///  "token_no_default_policy": b, "token_num_uses": n}
/// ```
struct TokenRole: Sendable, Hashable {
    var name: String
    var allowedPolicies: [String] = []
    var disallowedPolicies: [String] = []
    var orphan = false
    var renewable = true
    var pathSuffix = ""
    var period: Int64 = 0
    var explicitMaxTTL: Int64 = 0
    var ttl: Int64 = 0
    var maxTTL: Int64 = 0
    /// `service`, `batch`, `default-service` or `default-batch`.
    var tokenType = TokenRole.defaultService
    var noDefaultPolicy = false
    var numUses: Int64 = 0

    static let defaultService = "default-service"
    static let defaultBatch = "default-batch"
    static let tokenTypes: Set<String> = ["service", "batch", defaultService, defaultBatch]
    static let storageVersion: Int64 = 1
    static let maxNameLength = 128

    init(name: String) { self.name = name }

    /// Vault's role-name rule: word characters at both ends, `-` and `.` allowed between.
    static func isValidName(_ name: String) -> Bool {
        isWordPath(name, maxLength: maxNameLength)
    }

    private static func isWordPath(_ text: String, maxLength: Int) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        func isWord(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x5f
        }
        guard isWord(bytes.first!), isWord(bytes.last!) else { return false }
        return bytes.allSatisfy { isWord($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
            && !text.contains("..")
    }

    // MARK: Writing from a request

    /// Applies the members present in a role write; absent members keep their value (the
    /// defaults, for a new role). Accepts Vault's legacy names (`period`,
    /// `explicit_max_ttl`) and refuses features Coffer does not implement rather than
    /// ignoring them.
    mutating func apply(_ fields: TokenFields) throws {
        if let list = try fields.stringList("allowed_policies") {
            allowedPolicies = TokenPolicies.sanitize(list, addDefault: false)
        }
        if let list = try fields.stringList("disallowed_policies") {
            disallowedPolicies = TokenPolicies.sanitize(list, addDefault: false)
        }
        if let value = try fields.bool("orphan") { orphan = value }
        if let value = try fields.bool("renewable") { renewable = value }
        if let suffix = try fields.string("path_suffix", maxLength: 256) {
            guard suffix.isEmpty || Self.isWordPath(suffix, maxLength: 128) else {
                throw LogicalError.invalidRequest(
                    "given role path suffix contains invalid characters; must be word characters, '-' or '.'"
                )
            }
            pathSuffix = suffix
        }
        if let value = try fields.duration("token_period") ?? fields.duration("period") { period = value }
        if let value = try fields.duration("token_explicit_max_ttl") ?? fields.duration("explicit_max_ttl") {
            explicitMaxTTL = value
        }
        if let value = try fields.duration("token_ttl") { ttl = value }
        if let value = try fields.duration("token_max_ttl") { maxTTL = value }
        if let value = try fields.bool("token_no_default_policy") { noDefaultPolicy = value }
        if let value = try fields.int("token_num_uses") {
            guard value >= 0 else { throw LogicalError.invalidRequest("token_num_uses cannot be negative") }
            numUses = value
        }
        if let raw = try fields.string("token_type") {
            let type = raw == "default" || raw.isEmpty ? Self.defaultService : raw
            guard Self.tokenTypes.contains(type) else {
                throw LogicalError.invalidRequest("invalid 'token_type' value \"\(raw.prefix(32))\"")
            }
            tokenType = type
        }
        for unsupported in ["allowed_policies_glob", "disallowed_policies_glob", "allowed_entity_aliases",
                            "token_bound_cidrs", "bound_cidrs"] {
            if let list = try fields.stringList(unsupported), !list.isEmpty {
                throw LogicalError.invalidRequest("\(unsupported) is not supported by this server")
            }
        }
        try validate()
    }

    /// Vault's consistency rules for roles that mint batch tokens, and TTL ordering.
    func validate() throws {
        if tokenType == "batch" {
            if !orphan {
                throw LogicalError.invalidRequest("'token_type' cannot be 'batch' when role is set to generate non-orphan tokens")
            }
            if period != 0 {
                throw LogicalError.invalidRequest("'token_type' cannot be 'batch' when role is set to generate periodic tokens")
            }
            if renewable {
                throw LogicalError.invalidRequest("'token_type' cannot be 'batch' when role is set to generate renewable tokens")
            }
            if explicitMaxTTL != 0 {
                throw LogicalError.invalidRequest("'token_type' cannot be 'batch' when role is set to generate tokens with an explicit max TTL")
            }
        }
        if maxTTL > 0, ttl > maxTTL {
            throw LogicalError.invalidRequest("\"token_ttl\" cannot be greater than \"token_max_ttl\"")
        }
    }

    // MARK: Formats

    /// `GET auth/token/roles/:name` data.
    var apiValue: [String: JSONValue] {
        [
            "name": .string(name), "allowed_policies": JSONValue(allowedPolicies),
            "disallowed_policies": JSONValue(disallowedPolicies), "allowed_policies_glob": [],
            "disallowed_policies_glob": [], "allowed_entity_aliases": [], "orphan": .bool(orphan),
            "renewable": .bool(renewable), "path_suffix": .string(pathSuffix), "period": .int(period),
            "token_period": .int(period), "explicit_max_ttl": .int(explicitMaxTTL),
            "token_explicit_max_ttl": .int(explicitMaxTTL), "token_ttl": .int(ttl), "token_max_ttl": .int(maxTTL),
            "token_type": .string(tokenType), "token_no_default_policy": .bool(noDefaultPolicy),
            "token_num_uses": .int(numUses), "token_bound_cidrs": [],
        ]
    }

    var storageBytes: [UInt8] {
        JSONWriter.bytes(.object([
            "version": .int(Self.storageVersion), "name": .string(name),
            "allowed_policies": JSONValue(allowedPolicies), "disallowed_policies": JSONValue(disallowedPolicies),
            "orphan": .bool(orphan), "renewable": .bool(renewable), "path_suffix": .string(pathSuffix),
            "token_period": .int(period), "token_explicit_max_ttl": .int(explicitMaxTTL), "token_ttl": .int(ttl),
            "token_max_ttl": .int(maxTTL), "token_type": .string(tokenType),
            "token_no_default_policy": .bool(noDefaultPolicy), "token_num_uses": .int(numUses),
        ]))
    }

    init(storageBytes bytes: [UInt8]) throws {
        let bad = CoreError.corrupt("token role has an unknown format")
        guard let v = try? JSONParser.parse(bytes, maxDepth: 4), v["version"]?.intValue == Self.storageVersion,
            let name = v["name"]?.stringValue, let allowed = v["allowed_policies"]?.stringArrayValue,
            let disallowed = v["disallowed_policies"]?.stringArrayValue, let orphan = v["orphan"]?.boolValue,
            let renewable = v["renewable"]?.boolValue, let suffix = v["path_suffix"]?.stringValue,
            let period = v["token_period"]?.intValue, let explicitMax = v["token_explicit_max_ttl"]?.intValue,
            let ttl = v["token_ttl"]?.intValue, let maxTTL = v["token_max_ttl"]?.intValue,
            let type = v["token_type"]?.stringValue, Self.tokenTypes.contains(type),
            let noDefault = v["token_no_default_policy"]?.boolValue, let numUses = v["token_num_uses"]?.intValue
        else { throw bad }
        self.init(name: name)
        allowedPolicies = allowed
        disallowedPolicies = disallowed
        self.orphan = orphan
        self.renewable = renewable
        pathSuffix = suffix
        self.period = period
        explicitMaxTTL = explicitMax
        self.ttl = ttl
        self.maxTTL = maxTTL
        tokenType = type
        noDefaultPolicy = noDefault
        self.numUses = numUses
    }
}
