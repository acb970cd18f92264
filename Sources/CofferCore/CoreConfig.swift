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

    public init(
        defaultLeaseTTL: Int64 = 768 * 3600,
        maxLeaseTTL: Int64 = 768 * 3600,
        clusterName: String = "",
        apiAddress: String = "",
        clusterAddress: String = ""
    ) {
        self.defaultLeaseTTL = defaultLeaseTTL
        self.maxLeaseTTL = maxLeaseTTL
        self.clusterName = clusterName
        self.apiAddress = apiAddress
        self.clusterAddress = clusterAddress
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
