/// Whether a storage key is copied to performance secondaries (replicated) or stays with
/// the cluster that wrote it (local). One classifier decides, from the prefix and, for
/// mount data, from the local mount tables (docs/architecture.md, "Storage key classes").
public enum KeyClass: Sendable, Hashable {
    case replicated
    case local
}

/// Storage prefixes, in one place, so the classifier and the writers agree.
public enum StorageKeys {
    public static let sealConfig = "core/seal-config"
    public static let mounts = "core/mounts"
    public static let localMounts = "core/local-mounts"
    public static let auth = "core/auth"
    public static let localAuth = "core/local-auth"
    public static let audit = "core/audit"
    public static let localAudit = "core/local-audit"
    /// Per-device audit salts: `<prefix><device uuid>`; the local one for `local` devices.
    public static let auditSaltPrefix = "core/audit-salt/"
    public static let localAuditSaltPrefix = "core/local-audit-salt/"
    public static let clusterInfo = "core/cluster/local/info"
    public static let policyPrefix = "sys/policy/"
    public static let tokenPrefix = "sys/token/"
    public static let tokenRolesPrefix = "sys/token/roles/"
    public static let expirePrefix = "sys/expire/"
    public static let replicationPrefix = "core/replication/"
    public static let logicalPrefix = "logical/"
    public static let authPrefix = "auth/"

    /// The storage prefix of a mount's data.
    public static func mountData(uuid: String, isAuth: Bool = false) -> String {
        (isAuth ? authPrefix : logicalPrefix) + uuid + "/"
    }
}

/// Classifies storage keys. `localMountUUIDs` holds the UUIDs of `-local` mounts (and
/// per-token mounts such as cubbyhole), whose data never leaves the cluster.
public struct KeyClassifier: Sendable {
    public var localMountUUIDs: Set<String>

    public init(localMountUUIDs: Set<String> = []) {
        self.localMountUUIDs = localMountUUIDs
    }

    public func classify(_ key: String) -> KeyClass {
        if key.hasPrefix(StorageKeys.logicalPrefix) || key.hasPrefix(StorageKeys.authPrefix) {
            let rest = key.hasPrefix(StorageKeys.logicalPrefix)
                ? key.dropFirst(StorageKeys.logicalPrefix.count) : key.dropFirst(StorageKeys.authPrefix.count)
            let uuid = rest.prefix(while: { $0 != "/" })
            return localMountUUIDs.contains(String(uuid)) ? .local : .replicated
        }
        if key.hasPrefix(StorageKeys.tokenRolesPrefix) { return .replicated }  // token roles replicate, as in Vault
        for prefix in Self.localPrefixes where key.hasPrefix(prefix) { return .local }
        return .replicated
    }

    static let localPrefixes = [
        StorageKeys.localMounts, StorageKeys.localAuth, "core/local-audit",
        StorageKeys.tokenPrefix, StorageKeys.expirePrefix, "sys/wrapping/", "core/cluster/local/",
        StorageKeys.replicationPrefix,
    ]
}
