/// The `replication { ... }` stanza. Its keys are reserved for the replication work that
/// follows; they are parsed and validated now so that existing Vault configurations load.
///
/// ```hcl
/// replication {
///   logshipper_buffer_length  = 1000
///   logshipper_buffer_size    = "5gb"
///   resolver_discover_servers = true
/// }
/// ```
public struct ReplicationConfig: Sendable, Equatable {
    /// Maximum number of WAL entries the log shipper keeps in memory.
    public var logshipperBufferLength: Int64?
    /// Maximum memory for the log shipper buffer, as written (e.g. `"5gb"`); not parsed yet.
    public var logshipperBufferSize: String?
    /// Whether the resolver discovers servers; parsed, no effect yet.
    public var resolverDiscoverServers: Bool?

    public init(logshipperBufferLength: Int64? = nil, logshipperBufferSize: String? = nil, resolverDiscoverServers: Bool? = nil) {
        self.logshipperBufferLength = logshipperBufferLength
        self.logshipperBufferSize = logshipperBufferSize
        self.resolverDiscoverServers = resolverDiscoverServers
    }
}
