import CofferJSON
import CofferLogical

/// `auth/token/create`, `create-orphan` and `create/:role_name`.
///
/// Rules, as Vault applies them:
/// - The caller is the parent. Batch tokens and limited-use tokens cannot create tokens.
/// - Policies default to the parent's. A caller without sudo on the path may only ask for
///   a subset of its own (`default` aside). `default` is added unless `no_default_policy`;
///   names are lowercased, deduplicated and sorted; `root` stands alone and only a root
///   parent may mint it. A role with allowed or disallowed policies replaces the subset rule.
/// - `id`, `no_parent` and `period` need sudo (a role's period does not); `create-orphan`
///   and orphan roles make orphans without it.
/// - TTL: requested (or the role's), else the mount default, capped by the mount maximum,
///   the role's `token_max_ttl` and the explicit maximum; a periodic token gets its period.
///   Only a root token with no TTL from a non-expiring parent never expires.
extension TokenBackend {
    static let maxDisplayNameLength = 256

    func create(
        _ request: Request, clientToken: String, roleName: String, orphanEndpoint: Bool
    ) async throws -> Response? {
        guard let auth = request.auth else { throw LogicalError.permissionDenied }
        guard let parent = try await tokens.resolve(token: clientToken, allowPending: true) else {
            throw LogicalError.invalidToken
        }
        if parent.isBatch { throw LogicalError.invalidRequest("batch tokens cannot create more tokens") }
        if parent.numUses > 0 || parent.revocationPending {
            throw LogicalError.invalidRequest("restricted use token cannot generate child tokens")
        }
        let isSudo = hasSudo(auth, fullPath(request))
        let fields = TokenFields(request.data)

        var role: TokenRole?
        if !roleName.isEmpty {
            guard let found = try await tokens.role(named: roleName) else {
                throw LogicalError.invalidRequest("unknown role \(roleName.prefix(TokenRole.maxNameLength))")
            }
            role = found
        }
        if let alias = try fields.string("entity_alias", maxLength: 512), !alias.isEmpty {
            throw LogicalError.invalidRequest("entity_alias is not supported by this server")
        }

        // Type.
        var renewable = try fields.bool("renewable") ?? true
        var typeName = try fields.string("type", maxLength: 32) ?? ""
        if let role {
            switch role.tokenType {
            case TokenRole.defaultBatch where typeName.isEmpty: typeName = TokenEntry.batchType
            case TokenEntry.serviceType, TokenEntry.batchType: typeName = role.tokenType
            default: break
            }
        }
        let isBatch: Bool
        switch typeName {
        case "", TokenEntry.serviceType:
            isBatch = false
        case TokenEntry.batchType:
            for name in ["explicit_max_ttl", "period"] where try (fields.duration(name) ?? 0) != 0 {
                throw LogicalError.invalidRequest("batch tokens cannot have \"\(name)\" set")
            }
            if try (fields.int("num_uses") ?? 0) != 0 {
                throw LogicalError.invalidRequest("batch tokens cannot have \"num_uses\" set")
            }
            isBatch = true
            renewable = false
        default:
            throw LogicalError.invalidRequest("invalid 'token_type' value")
        }

        // Uses, display name, id, metadata.
        var numUses = try fields.int("num_uses") ?? 0
        guard numUses >= 0 else { throw LogicalError.invalidRequest("number of uses cannot be negative") }
        guard numUses <= Int64(Int32.max) else { throw LogicalError.invalidRequest("num_uses is too large") }
        if let role, !isBatch, role.numUses > 0, numUses == 0 || numUses > role.numUses { numUses = role.numUses }
        var displayName = "token"
        if let given = try fields.string("display_name", maxLength: Self.maxDisplayNameLength), !given.isEmpty {
            displayName = Self.sanitizeDisplayName("token-" + given)
        }
        var customID: String?
        if let id = try fields.string("id", maxLength: TokenStore.maxServiceTokenLength), !id.isEmpty {
            guard isSudo else { throw LogicalError.invalidRequest("root or sudo privileges required to specify token id") }
            guard !id.contains(".") else { throw LogicalError.invalidRequest("custom token ID cannot have a '.' in the value") }
            customID = id
        }
        let metadata = try fields.stringMap("meta", maxCount: TokenEntry.maxMetadataPairs) ?? [:]

        let policies = try policies(fields: fields, parent: parent, role: role, isSudo: isSudo)
        if policies.contains(TokenPolicies.root), isBatch {
            throw LogicalError.invalidRequest("batch tokens cannot be root tokens")
        }

        // Parent.
        var parentID = parent.id
        if orphanEndpoint {
            parentID = ""
        } else if let role {
            if role.orphan { parentID = "" }
        } else if try fields.bool("no_parent") == true {
            guard isSudo else { throw LogicalError.invalidRequest("root or sudo privileges required to create orphan token") }
            parentID = ""
        }
        if !parentID.isEmpty {
            guard let depth = try await tokens.ancestorCount(of: parent, now: tokens.now()) else {
                throw LogicalError.invalidToken
            }
            guard depth + 1 <= TokenStore.maxDepth else {
                throw LogicalError.invalidRequest("token tree is too deep: create an orphan token instead")
            }
        }

        // TTLs.
        var warnings: [String] = []
        var explicitMaxTTL = try fields.duration("explicit_max_ttl") ?? 0
        var period = try fields.duration("period") ?? 0
        if period > 0, !isSudo {
            throw LogicalError.invalidRequest("root or sudo privileges required to create periodic token")
        }
        var ttl = try fields.duration("ttl") ?? fields.duration("lease") ?? 0
        var roleMaxTTL: Int64 = 0
        if let role, !isBatch {
            if role.explicitMaxTTL > 0 {
                if explicitMaxTTL == 0 {
                    explicitMaxTTL = role.explicitMaxTTL
                } else {
                    explicitMaxTTL = min(explicitMaxTTL, role.explicitMaxTTL)
                    warnings.append("Explicit max TTL specified both during creation call and in role; using the lesser value of \(explicitMaxTTL) seconds")
                }
            }
            if role.period > 0 {
                if period == 0 {
                    period = role.period
                } else {
                    period = min(period, role.period)
                    warnings.append("Period specified both during creation call and in role; using the lesser value of \(period) seconds")
                }
            }
            if ttl == 0 { ttl = role.ttl }
            roleMaxTTL = role.maxTTL
            if !role.renewable { renewable = false }
        }
        let now = tokens.now()
        if period > 0 || ttl > 0 || !policies.contains(TokenPolicies.root) {
            let inputs = TokenTTL.Inputs(
                baseTTL: ttl, period: period, roleMaxTTL: roleMaxTTL, explicitMaxTTL: explicitMaxTTL, start: now, now: now
            )
            let calculated = try TokenTTL.calculate(inputs, limits: tokens.limits)
            ttl = calculated.ttl
            warnings += calculated.warnings
        }
        if ttl == 0, explicitMaxTTL > 0 { ttl = explicitMaxTTL }
        if ttl == 0 {
            if parent.expireTime > 0 {
                throw LogicalError.invalidRequest("expiring root tokens cannot create non-expiring root tokens")
            }
            renewable = false
        }

        var path = "auth/token/" + request.path
        if let role {
            path = "auth/token/create/" + role.name
            if !role.pathSuffix.isEmpty { path += "/" + role.pathSuffix }
        }
        let spec = TokenSpec(
            policies: policies, parentID: parentID, path: path, displayName: displayName, metadata: metadata,
            numUses: Int(numUses), creationTime: now, ttl: ttl, explicitMaxTTL: explicitMaxTTL, period: period,
            renewable: renewable, type: isBatch ? TokenEntry.batchType : TokenEntry.serviceType,
            role: role?.name ?? "", customID: customID
        )
        let (token, entry) = try await tokens.create(spec)
        if let policyExists {
            for name in entry.policies where name != TokenPolicies.root {
                if try await !policyExists(name) { warnings.append("Policy \"\(name)\" does not exist") }
            }
        }
        return Response(warnings: warnings, auth: tokens.authInfo(entry: entry, token: token, leaseDuration: ttl))
    }

    /// The new token's policies (see the type's rules).
    func policies(fields: TokenFields, parent: TokenEntry, role: TokenRole?, isSudo: Bool) throws -> [String] {
        var noDefault = try fields.bool("no_default_policy") ?? false
        if role?.noDefaultPolicy == true { noDefault = true }
        let requested = try fields.stringList("policies") ?? []

        var chosen: [String]
        var addDefault = false
        if let role, !role.allowedPolicies.isEmpty || !role.disallowedPolicies.isEmpty {
            let roleAddsDefault = !noDefault && !role.disallowedPolicies.contains(TokenPolicies.defaultPolicy)
            chosen = requested.isEmpty ? [] : TokenPolicies.sanitize(requested, addDefault: roleAddsDefault)
            if !role.allowedPolicies.isEmpty {
                let allowed = TokenPolicies.sanitize(role.allowedPolicies, addDefault: roleAddsDefault)
                if chosen.isEmpty {
                    chosen = allowed
                } else if !TokenPolicies.isSubset(chosen, of: allowed) {
                    throw LogicalError.invalidRequest("token policies (\(Self.quoted(chosen))) must be subset of the role's allowed policies (\(Self.quoted(allowed)))")
                }
            } else if chosen.isEmpty {
                chosen = TokenPolicies.sanitize(parent.policies, addDefault: roleAddsDefault)
            }
            for name in chosen where role.disallowedPolicies.contains(name) {
                throw LogicalError.invalidRequest("token policy \"\(name)\" is disallowed by this role")
            }
        } else if requested.isEmpty {
            chosen = TokenPolicies.sanitize(parent.policies, addDefault: false)
        } else if !isSudo {
            let asked = TokenPolicies.sanitize(requested, addDefault: false)
            guard TokenPolicies.isSubset(asked, of: TokenPolicies.sanitize(parent.policies, addDefault: false)) else {
                throw LogicalError.invalidRequest("child policies must be subset of parent")
            }
            chosen = requested
            addDefault = !noDefault && parent.policies.contains(TokenPolicies.defaultPolicy)
        } else {
            chosen = requested
            addDefault = !noDefault
        }

        var final = TokenPolicies.sanitize(chosen, addDefault: addDefault)
        if noDefault { final.removeAll { $0 == TokenPolicies.defaultPolicy } }
        for name in final {
            if TokenPolicies.nonAssignable.contains(name) {
                throw LogicalError.invalidRequest("cannot assign policy \"\(name)\"")
            }
            if name.utf8.count > TokenPolicies.maxNameLength {
                throw LogicalError.invalidRequest("policy names are limited to \(TokenPolicies.maxNameLength) bytes")
            }
        }
        if final.contains(TokenPolicies.root), !parent.isRoot {
            throw LogicalError.invalidRequest("root tokens may not be created without parent token being root")
        }
        return final
    }

    /// Vault's display-name rule: anything but ASCII letters, digits and `-` becomes `-`,
    /// and one trailing `-` is dropped.
    static func sanitizeDisplayName(_ name: String) -> String {
        // Per Unicode scalar, as Go's regexp replaces per rune.
        var bytes = name.unicodeScalars.map { scalar -> UInt8 in
            let value = scalar.value
            let keep = (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5a)
                || (value >= 0x61 && value <= 0x7a) || value == 0x2d
            return keep ? UInt8(value) : UInt8(ascii: "-")
        }
        if bytes.last == UInt8(ascii: "-") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `["a" "b"]`, the way Go's `%q` prints a string slice.
    static func quoted(_ names: [String]) -> String {
        "[" + names.map { "\"\($0)\"" }.joined(separator: " ") + "]"
    }
}
