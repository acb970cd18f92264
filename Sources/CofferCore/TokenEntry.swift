import CofferJSON

/// A token's record. A service token's entry lives at `sys/token/id/<salted id>` (local
/// key class); a batch token's entry travels inside the token itself (``BatchTokenCodec``).
/// The token value is never part of it.
///
/// Times are unix seconds; durations are seconds.
public struct TokenEntry: Sendable, Hashable {
    /// Salted hash of the token: the storage id, and the id per-token storage (cubbyhole) uses.
    public var id: String
    /// The token's public handle (lookup, renew and revoke without the token); empty for
    /// batch tokens. Stored only as a salted HMAC key.
    public var accessor: String
    /// Sorted, without duplicates; `["root"]` alone for root tokens.
    public var policies: [String]
    /// The parent's ``id``; empty for orphans.
    public var parent: String
    /// The path that created the token (`auth/token/create`, `auth/token/root`).
    public var path: String
    /// `token`, or `token-<display_name>` sanitised; `root` for root tokens.
    public var displayName: String
    /// `meta` from creation: shown in lookups and passed to audit.
    public var metadata: [String: String]
    /// Uses left; 0 = unlimited.
    public var numUses: Int
    /// When the token was created; its maximum life is measured from here.
    public var creationTime: Int64
    /// The TTL the token was created with (`creation_ttl`); 0 = never expires.
    public var ttl: Int64
    /// The effective explicit maximum lifetime from ``creationTime``; 0 = none.
    public var explicitMaxTTL: Int64
    /// Periodic tokens renew to this TTL; 0 = not periodic.
    public var period: Int64
    /// `service` or `batch`.
    public var type: String
    /// When the token stops working; 0 = never. Moves on renewal.
    public var expireTime: Int64
    /// The last successful renewal; 0 = never renewed.
    public var lastRenewalTime: Int64
    /// Whether renewal is allowed at all (never for batch tokens or tokens without a TTL).
    public var renewable: Bool
    /// The role the token was created against; empty when none.
    public var role: String
    /// Set while the token is being revoked (or after its last use): the token no longer
    /// authenticates, and a later revoke or tidy finishes the job.
    public var revocationPending: Bool

    /// `expireTime` defaults to `creationTime + ttl` (0 when `ttl` is 0).
    public init(
        id: String, accessor: String, policies: [String], parent: String = "", path: String,
        displayName: String, metadata: [String: String] = [:], numUses: Int = 0, creationTime: Int64,
        ttl: Int64 = 0, explicitMaxTTL: Int64 = 0, period: Int64 = 0, type: String = "service",
        expireTime: Int64? = nil, lastRenewalTime: Int64 = 0, renewable: Bool = false, role: String = "",
        revocationPending: Bool = false
    ) {
        self.id = id
        self.accessor = accessor
        self.policies = policies
        self.parent = parent
        self.path = path
        self.displayName = displayName
        self.metadata = metadata
        self.numUses = numUses
        self.creationTime = creationTime
        self.ttl = ttl
        self.explicitMaxTTL = explicitMaxTTL
        self.period = period
        self.type = type
        self.expireTime = expireTime ?? (ttl > 0 ? creationTime + ttl : 0)
        self.lastRenewalTime = lastRenewalTime
        self.renewable = renewable
        self.role = role
        self.revocationPending = revocationPending
    }

    /// A batch token: not stored, not renewable, no accessor, cannot create tokens.
    public var isBatch: Bool { type == TokenEntry.batchType }
    /// Has no parent: outlives the token that created it.
    public var isOrphan: Bool { parent.isEmpty }
    /// Carries the `root` policy.
    public var isRoot: Bool { policies.contains("root") }

    /// Whether the token has expired at `now`.
    public func isExpired(at now: Int64) -> Bool { expireTime > 0 && expireTime <= now }

    /// Seconds left at `now`; 0 when the token never expires or has expired.
    public func remainingTTL(at now: Int64) -> Int64 { expireTime > 0 ? max(0, expireTime - now) : 0 }

    /// ``type`` of stored tokens (`hvs.`).
    public static let serviceType = "service"
    /// ``type`` of batch tokens (`hvb.`).
    public static let batchType = "batch"
}

extension TokenEntry: CustomStringConvertible, CustomDebugStringConvertible {
    /// Leaves out the accessor (it can revoke the token) and the metadata.
    public var description: String {
        "TokenEntry(id: \(id.prefix(8))…, type: \(type), policies: \(policies), orphan: \(isOrphan))"
    }

    public var debugDescription: String { description }
}

// MARK: - Storage format

/// The stored form of a service token's entry: a JSON object inside the barrier's
/// envelope (which authenticates it and binds it to its key).
///
/// ```
/// { "version": 2, "id": hex, "accessor": s, "policies": [s], "parent": hex|"", "path": s,
///   "display_name": s, "meta": {s: s}, "num_uses": n, "creation_time": n, "ttl": n,
///   "explicit_max_ttl": n, "period": n, "type": "service", "expire_time": n,
///   "last_renewal_time": n, "renewable": b, "role": s, "revocation_pending": b }
/// ```
///
/// Version 1 (root tokens written before the full token store) is still read. Anything
/// else, a missing member, a member of the wrong type or values out of range, fails
/// closed with a corrupt-state error: the token does not authenticate.
extension TokenEntry {
    static let storageVersion: Int64 = 2
    /// Upper bounds on what a stored or submitted entry may hold.
    static let maxPolicies = 256
    static let maxMetadataPairs = 128

    var storageValue: JSONValue {
        .object([
            "version": .int(Self.storageVersion), "id": .string(id), "accessor": .string(accessor),
            "policies": .array(policies.map { .string($0) }), "parent": .string(parent), "path": .string(path),
            "display_name": .string(displayName), "meta": .object(metadata.mapValues { .string($0) }),
            "num_uses": .int(Int64(numUses)), "creation_time": .int(creationTime), "ttl": .int(ttl),
            "explicit_max_ttl": .int(explicitMaxTTL), "period": .int(period), "type": .string(type),
            "expire_time": .int(expireTime), "last_renewal_time": .int(lastRenewalTime),
            "renewable": .bool(renewable), "role": .string(role), "revocation_pending": .bool(revocationPending),
        ])
    }

    var storageBytes: [UInt8] { JSONWriter.bytes(storageValue) }

    init(storageBytes bytes: [UInt8]) throws {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: 8)
        } catch {
            throw CoreError.corrupt("token entry is not valid JSON")
        }
        try self.init(storageValue: value)
    }

    init(storageValue v: JSONValue) throws {
        let bad = CoreError.corrupt("token entry has an unknown format")
        guard let version = v["version"]?.intValue else { throw bad }
        switch version {
        case 1:
            // Root tokens only: no renewal state, expiry derived from the TTL.
            guard let id = v["id"]?.stringValue, let accessor = v["accessor"]?.stringValue,
                let policies = v["policies"]?.stringArrayValue, let creationTime = v["creation_time"]?.intValue
            else { throw bad }
            let ttl = v["ttl"]?.intValue ?? 0
            self.init(
                id: id, accessor: accessor, policies: policies, parent: v["parent"]?.stringValue ?? "",
                path: v["path"]?.stringValue ?? "", displayName: v["display_name"]?.stringValue ?? "",
                metadata: (v["meta"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
                numUses: Int(v["num_uses"]?.intValue ?? 0), creationTime: creationTime, ttl: ttl,
                explicitMaxTTL: v["explicit_max_ttl"]?.intValue ?? 0, period: v["period"]?.intValue ?? 0,
                type: Self.serviceType
            )
        case Self.storageVersion:
            guard let id = v["id"]?.stringValue, let accessor = v["accessor"]?.stringValue,
                let policies = v["policies"]?.stringArrayValue, policies.count <= Self.maxPolicies,
                let parent = v["parent"]?.stringValue, let path = v["path"]?.stringValue,
                let displayName = v["display_name"]?.stringValue, let meta = v["meta"]?.objectValue,
                meta.count <= Self.maxMetadataPairs,
                let numUses = v["num_uses"]?.intValue, numUses >= 0, numUses <= Int64(Int32.max),
                let creationTime = v["creation_time"]?.intValue, let ttl = v["ttl"]?.intValue, ttl >= 0,
                let explicitMaxTTL = v["explicit_max_ttl"]?.intValue, explicitMaxTTL >= 0,
                let period = v["period"]?.intValue, period >= 0,
                let type = v["type"]?.stringValue, type == Self.serviceType,
                let expireTime = v["expire_time"]?.intValue, expireTime >= 0,
                let lastRenewalTime = v["last_renewal_time"]?.intValue,
                let renewable = v["renewable"]?.boolValue, let role = v["role"]?.stringValue,
                let pending = v["revocation_pending"]?.boolValue
            else { throw bad }
            var metadata: [String: String] = [:]
            for (key, value) in meta {
                guard let text = value.stringValue else { throw bad }
                metadata[key] = text
            }
            self.init(
                id: id, accessor: accessor, policies: policies, parent: parent, path: path,
                displayName: displayName, metadata: metadata, numUses: Int(numUses), creationTime: creationTime,
                ttl: ttl, explicitMaxTTL: explicitMaxTTL, period: period, type: type, expireTime: expireTime,
                lastRenewalTime: lastRenewalTime, renewable: renewable, role: role, revocationPending: pending
            )
        default:
            throw bad
        }
    }
}
