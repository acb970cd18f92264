import CofferLogical
import CofferJSON

/// One secret ID as stored at `secret_id/<role>/<mac of the secret ID>`. The secret ID
/// itself is never stored; its MAC (``AppRoleStorage``) is the key.
///
/// ```
/// {"format": 1, "accessor": "...", "num_uses": 0, "ttl": 600, "creation_time": <ns>,
///  "expiration_time": <ns, 0 = never>, "last_updated_time": <ns>, "metadata": {...},
///  "cidr_list": [...], "token_bound_cidrs": [...]}
/// ```
///
/// The accessor index `accessor/<role>/<mac of the accessor>` holds
/// `{"format": 1, "secret_id_mac": "<hex>"}`.
struct AppRoleSecretID: Sendable, Hashable, CustomStringConvertible {
    var accessor: String
    /// Uses left; 0 is unlimited.
    var numUses: Int64
    var ttl: Int64
    var creationTime: Timestamp
    var expirationTime: Timestamp
    var lastUpdatedTime: Timestamp
    var metadata: [String: String]
    var cidrList: [String]
    var tokenBoundCIDRs: [String]

    var description: String { "AppRoleSecretID(accessor: \(accessor), uses left: \(numUses))" }

    func isExpired(at now: Timestamp) -> Bool {
        expirationTime != .never && now >= expirationTime
    }

    init(
        accessor: String, numUses: Int64, ttl: Int64, now: Timestamp, metadata: [String: String],
        cidrList: [String], tokenBoundCIDRs: [String]
    ) {
        self.accessor = accessor
        self.numUses = numUses
        self.ttl = ttl
        creationTime = now
        expirationTime = ttl > 0 ? now.adding(seconds: ttl) : .never
        lastUpdatedTime = now
        self.metadata = metadata
        self.cidrList = cidrList
        self.tokenBoundCIDRs = tokenBoundCIDRs
    }

    init(bytes: [UInt8], key: String) throws(AuthMethodError) {
        let record = try AuthRecord(bytes: bytes, key: key)
        accessor = try record.string("accessor")
        numUses = try record.int("num_uses")
        ttl = try record.int("ttl")
        creationTime = Timestamp(nanoseconds: try record.int("creation_time"))
        expirationTime = Timestamp(nanoseconds: try record.int("expiration_time"))
        lastUpdatedTime = Timestamp(nanoseconds: try record.int("last_updated_time"))
        metadata = try record.stringMap("metadata")
        cidrList = try record.strings("cidr_list")
        tokenBoundCIDRs = try record.strings("token_bound_cidrs")
        guard (cidrList + tokenBoundCIDRs).allSatisfy({ CIDRBlock($0) != nil }), numUses >= 0 else {
            throw AuthMethodError(.corrupt, key: key, detail: "CIDR lists or use count out of range")
        }
    }

    func encoded() -> [UInt8] {
        AuthRecord.encode([
            "accessor": .string(accessor), "num_uses": .int(numUses), "ttl": .int(ttl),
            "creation_time": .int(creationTime.nanoseconds), "expiration_time": .int(expirationTime.nanoseconds),
            "last_updated_time": .int(lastUpdatedTime.nanoseconds), "metadata": JSONValue(metadata),
            "cidr_list": JSONValue(cidrList), "token_bound_cidrs": JSONValue(tokenBoundCIDRs),
        ])
    }

    /// The `data` of a lookup, as Vault shows it.
    var apiRepresentation: [String: JSONValue] {
        [
            "secret_id_accessor": .string(accessor),
            "secret_id_num_uses": .int(numUses),
            "secret_id_ttl": .int(ttl),
            "creation_time": .string(creationTime.rfc3339),
            "expiration_time": .string(expirationTime.rfc3339OrNever),
            "last_updated_time": .string(lastUpdatedTime.rfc3339),
            "metadata": JSONValue(metadata),
            "cidr_list": JSONValue(cidrList),
            "token_bound_cidrs": JSONValue(tokenBoundCIDRs),
        ]
    }
}
