public import CofferJSON

/// `GET sys/seal-status` (also the answer of `sys/unseal`).
public struct VaultSealStatus: Sendable, Equatable {
    /// Seal type, `shamir` for key shares.
    public var type: String
    public var initialized: Bool
    public var sealed: Bool
    /// Threshold of shares needed.
    public var threshold: Int
    /// Number of shares.
    public var shares: Int
    /// Shares entered so far in this unseal attempt.
    public var progress: Int
    public var nonce: String
    public var version: String
    public var buildDate: String
    public var migration: Bool
    public var clusterName: String
    public var clusterID: String
    public var recoverySeal: Bool
    public var storageType: String
    public var raw: JSONValue

    public init(json: JSONValue) {
        raw = json
        type = json["type"]?.stringValue ?? ""
        initialized = json["initialized"]?.boolValue ?? false
        sealed = json["sealed"]?.boolValue ?? false
        threshold = Int(json["t"]?.intValue ?? 0)
        shares = Int(json["n"]?.intValue ?? 0)
        progress = Int(json["progress"]?.intValue ?? 0)
        nonce = json["nonce"]?.stringValue ?? ""
        version = json["version"]?.stringValue ?? ""
        buildDate = json["build_date"]?.stringValue ?? ""
        migration = json["migration"]?.boolValue ?? false
        clusterName = json["cluster_name"]?.stringValue ?? ""
        clusterID = json["cluster_id"]?.stringValue ?? ""
        recoverySeal = json["recovery_seal"]?.boolValue ?? false
        storageType = json["storage_type"]?.stringValue ?? ""
    }
}

/// `PUT sys/init`'s answer: the unseal key shares and the initial root token.
/// Everything in it is secret: ``description`` shows counts only.
public struct VaultInitResponse: Sendable, CustomStringConvertible {
    /// Shares, hex encoded (`keys`).
    public var keys: [String]
    /// The same shares, standard base64 (`keys_base64`).
    public var keysBase64: [String]
    public var recoveryKeys: [String]
    public var recoveryKeysBase64: [String]
    public var rootToken: String
    public var raw: JSONValue

    public init(json: JSONValue) {
        raw = json
        keys = json["keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        keysBase64 = json["keys_base64"]?.arrayValue?.compactMap(\.stringValue) ?? []
        recoveryKeys = json["recovery_keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        recoveryKeysBase64 = json["recovery_keys_base64"]?.arrayValue?.compactMap(\.stringValue) ?? []
        rootToken = json["root_token"]?.stringValue ?? ""
    }

    public var description: String {
        "VaultInitResponse(keys: \(keys.count), recovery keys: \(recoveryKeys.count), root token: <redacted>)"
    }
}

/// `GET sys/leader`.
public struct VaultLeaderStatus: Sendable, Equatable {
    public var haEnabled: Bool
    public var isSelf: Bool
    /// RFC 3339 time this node became active; Go's zero time when unknown.
    public var activeTime: String
    public var leaderAddress: String
    public var leaderClusterAddress: String
    public var performanceStandby: Bool
    public var performanceStandbyLastRemoteWAL: Int64
    public var lastWAL: Int64
    public var raftCommittedIndex: Int64
    public var raftAppliedIndex: Int64
    public var raw: JSONValue

    /// Go's `time.Time{}` as JSON, what Vault sends when no time is known.
    public static let zeroTime = "0001-01-01T00:00:00Z"

    public init(json: JSONValue) {
        raw = json
        haEnabled = json["ha_enabled"]?.boolValue ?? false
        isSelf = json["is_self"]?.boolValue ?? false
        activeTime = json["active_time"]?.stringValue ?? VaultLeaderStatus.zeroTime
        leaderAddress = json["leader_address"]?.stringValue ?? ""
        leaderClusterAddress = json["leader_cluster_address"]?.stringValue ?? ""
        performanceStandby = json["performance_standby"]?.boolValue ?? false
        performanceStandbyLastRemoteWAL = json["performance_standby_last_remote_wal"]?.intValue ?? 0
        lastWAL = json["last_wal"]?.intValue ?? 0
        raftCommittedIndex = json["raft_committed_index"]?.intValue ?? 0
        raftAppliedIndex = json["raft_applied_index"]?.intValue ?? 0
    }
}

/// `GET sys/health`, asked so that every state answers (see ``VaultClient/health()``).
public struct VaultHealthStatus: Sendable, Equatable {
    /// The HTTP status the server chose; with the client's query overrides, 299 means
    /// "not active" (sealed, uninitialised or standby) and 200 active.
    public var status: Int
    public var initialized: Bool
    public var sealed: Bool
    public var standby: Bool
    public var performanceStandby: Bool
    public var replicationPerformanceMode: String
    public var replicationDRMode: String
    public var serverTimeUTC: Int64
    public var version: String
    public var clusterName: String
    public var clusterID: String
    public var raw: JSONValue

    public init(status: Int, json: JSONValue) {
        self.status = status
        raw = json
        initialized = json["initialized"]?.boolValue ?? false
        sealed = json["sealed"]?.boolValue ?? false
        standby = json["standby"]?.boolValue ?? false
        performanceStandby = json["performance_standby"]?.boolValue ?? false
        replicationPerformanceMode = json["replication_performance_mode"]?.stringValue ?? ""
        replicationDRMode = json["replication_dr_mode"]?.stringValue ?? ""
        serverTimeUTC = json["server_time_utc"]?.intValue ?? 0
        version = json["version"]?.stringValue ?? ""
        clusterName = json["cluster_name"]?.stringValue ?? ""
        clusterID = json["cluster_id"]?.stringValue ?? ""
    }
}

/// The mount serving a path, from the `vault kv` preflight (`sys/internal/ui/mounts/<path>`).
public struct VaultMountInfo: Sendable, Equatable {
    /// The mount path with a trailing slash, e.g. `secret/`.
    public var path: String
    /// Engine type, e.g. `kv`.
    public var type: String
    /// `options.version` (`"2"` for KV v2); "" when absent.
    public var version: String
    public var options: [String: JSONValue]
    public var raw: JSONValue

    public init(json: JSONValue) {
        raw = json
        path = json["path"]?.stringValue ?? ""
        type = json["type"]?.stringValue ?? ""
        options = json["options"]?.objectValue ?? [:]
        version = options["version"]?.stringValue ?? ""
    }
}
