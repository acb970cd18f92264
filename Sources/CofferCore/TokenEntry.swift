public import CofferJSON

/// A stored service token. The token itself is never stored: the entry lives at
/// `sys/token/id/<salted hash of the token>` (local key class).
public struct TokenEntry: Sendable, Hashable {
    /// Salted hash of the token: the storage id.
    public var id: String
    public var accessor: String
    public var policies: [String]
    public var parent: String
    public var path: String
    public var displayName: String
    public var metadata: [String: String]
    public var numUses: Int
    /// Unix seconds.
    public var creationTime: Int64
    /// Seconds; 0 = no expiry (root tokens).
    public var ttl: Int64
    public var explicitMaxTTL: Int64
    public var period: Int64
    public var type: String

    public init(
        id: String, accessor: String, policies: [String], parent: String = "", path: String,
        displayName: String, metadata: [String: String] = [:], numUses: Int = 0, creationTime: Int64,
        ttl: Int64 = 0, explicitMaxTTL: Int64 = 0, period: Int64 = 0, type: String = "service"
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
    }

    static let storageVersion: Int64 = 1

    var storageValue: JSONValue {
        .object([
            "version": .int(Self.storageVersion), "id": .string(id), "accessor": .string(accessor),
            "policies": .array(policies.map { .string($0) }), "parent": .string(parent), "path": .string(path),
            "display_name": .string(displayName), "meta": .object(metadata.mapValues { .string($0) }),
            "num_uses": .int(Int64(numUses)), "creation_time": .int(creationTime), "ttl": .int(ttl),
            "explicit_max_ttl": .int(explicitMaxTTL), "period": .int(period), "type": .string(type),
        ])
    }

    init(storageValue v: JSONValue) throws {
        guard v["version"]?.intValue == Self.storageVersion, let id = v["id"]?.stringValue,
            let accessor = v["accessor"]?.stringValue
        else { throw CoreError.corrupt("token entry has an unknown format") }
        self.init(
            id: id, accessor: accessor, policies: (v["policies"]?.arrayValue ?? []).compactMap(\.stringValue),
            parent: v["parent"]?.stringValue ?? "", path: v["path"]?.stringValue ?? "",
            displayName: v["display_name"]?.stringValue ?? "",
            metadata: (v["meta"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
            numUses: Int(v["num_uses"]?.intValue ?? 0), creationTime: v["creation_time"]?.intValue ?? 0,
            ttl: v["ttl"]?.intValue ?? 0, explicitMaxTTL: v["explicit_max_ttl"]?.intValue ?? 0,
            period: v["period"]?.intValue ?? 0, type: v["type"]?.stringValue ?? "service"
        )
    }
}
