public import CofferReplication

/// What Core needs from the server configuration.
public struct CoreConfig: Sendable {
    /// Lease TTL when neither the mount nor the request sets one (Vault: 768h).
    public var defaultLeaseTTL: Int64
    /// Upper bound on any lease TTL (Vault: 768h).
    public var maxLeaseTTL: Int64
    /// Shown in seal status and health; generated at init when empty.
    public var clusterName: String
    /// `api_addr`, reported by `sys/leader` and replication.
    public var apiAddress: String
    /// `cluster_addr`.
    public var clusterAddress: String
    /// WAL records kept for secondaries (`replication { logshipper_buffer_length }`).
    public var walRetention: Int
    /// How long a secondary waits to apply the index of a write it forwarded before it
    /// answers with a warning (`replication { best_effort_wal_wait_duration }`, 2 s).
    public var walWaitMillis: Int64
    /// Whether a secondary forwards on `X-Vault-Forward` / `X-Vault-Inconsistent`
    /// (`replication { allow_forwarding_via_header }`, false).
    public var allowForwardingViaHeader: Bool

    public init(
        defaultLeaseTTL: Int64 = 768 * 3600,
        maxLeaseTTL: Int64 = 768 * 3600,
        clusterName: String = "",
        apiAddress: String = "",
        clusterAddress: String = "",
        walRetention: Int = ReplicationLog.defaultRetention,
        walWaitMillis: Int64 = 2000,
        allowForwardingViaHeader: Bool = false
    ) {
        self.defaultLeaseTTL = defaultLeaseTTL
        self.maxLeaseTTL = maxLeaseTTL
        self.clusterName = clusterName
        self.apiAddress = apiAddress
        self.clusterAddress = clusterAddress
        self.walRetention = walRetention
        self.walWaitMillis = walWaitMillis
        self.allowForwardingViaHeader = allowForwardingViaHeader
    }
}

/// The version Coffer reports. The first part is the Vault API level it implements
/// (clients such as hvac compare it); the build metadata names Coffer's own release.
public enum CofferVersion {
    public static let apiLevel = "1.17.0"
    public static let release = "0.1.0"
    public static let reported = "\(apiLevel)+coffer.\(release)"
    public static let buildDate = "2026-11-22T00:00:00Z"
}
