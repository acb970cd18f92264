/// The `replication { ... }` stanza. `logshipper_buffer_length` bounds the WAL records the
/// primary keeps for its secondaries (default 16,384); the other keys are parsed and
/// validated so that existing Vault configurations load, and have no effect yet.
///
/// ```hcl
/// replication {
///   logshipper_buffer_length  = 1000
///   logshipper_buffer_size    = "5gb"
///   resolver_discover_servers = true
/// }
/// ```
public struct ReplicationConfig: Sendable, Equatable {
    /// How many WAL records the primary retains for secondaries (older ones are deleted; a
    /// secondary further behind catches up by Merkle sync).
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
