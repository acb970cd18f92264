import CofferLogical
import CofferJSON

/// One approle role as stored at `role/<name>` (name lower-cased):
///
/// ```
/// {"format": 1, "role_id": "...", "bind_secret_id": true, "secret_id_bound_cidrs": [...],
///  "secret_id_num_uses": 0, "secret_id_ttl": 0, "token": <TokenSettings record>}
/// ```
///
/// The role ID is an identifier, not a credential on its own, and reads show it; the
/// index `role_id/<mac>` that maps it back to the role holds only its MAC in the key.
struct AppRoleRole: Sendable, Hashable {
    var roleID: String
    var bindSecretID = true
    var secretIDBoundCIDRs: [String] = []
    /// Uses of each new secret ID; 0 is unlimited.
    var secretIDNumUses: Int64 = 0
    /// Lifetime of each new secret ID in seconds; 0 is forever.
    var secretIDTTL: Int64 = 0
    var token = TokenSettings()

    init(roleID: String) {
        self.roleID = roleID
    }

    init(bytes: [UInt8], key: String) throws(AuthMethodError) {
        let record = try AuthRecord(bytes: bytes, key: key)
        roleID = try record.string("role_id")
        bindSecretID = try record.bool("bind_secret_id")
        secretIDBoundCIDRs = try record.strings("secret_id_bound_cidrs")
        guard secretIDBoundCIDRs.allSatisfy({ CIDRBlock($0) != nil }) else {
            throw record.missing("secret_id_bound_cidrs", "a list of CIDR blocks")
        }
        secretIDNumUses = try record.int("secret_id_num_uses")
        secretIDTTL = try record.int("secret_id_ttl")
        token = try TokenSettings(from: record)
    }

    func encoded() -> [UInt8] {
        AuthRecord.encode([
            "role_id": .string(roleID), "bind_secret_id": .bool(bindSecretID),
            "secret_id_bound_cidrs": JSONValue(secretIDBoundCIDRs), "secret_id_num_uses": .int(secretIDNumUses),
            "secret_id_ttl": .int(secretIDTTL), "token": token.record,
        ])
    }

    /// The `data` of a role read (no role ID: that is `role/<name>/role-id`).
    var apiRepresentation: [String: JSONValue] {
        var data = token.apiRepresentation
        data["bind_secret_id"] = .bool(bindSecretID)
        data["secret_id_bound_cidrs"] = JSONValue(secretIDBoundCIDRs)
        data["secret_id_num_uses"] = .int(secretIDNumUses)
        data["secret_id_ttl"] = .int(secretIDTTL)
        data["local_secret_ids"] = .bool(false)
        return data
    }
}
