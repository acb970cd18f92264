/// The `replication { ... }` stanza. `logshipper_buffer_length` bounds the WAL records the
/// primary keeps for its secondaries (default 16,384); `allow_forwarding_via_header`
/// (default false) lets clients ask a secondary to forward with consistency headers;
/// `best_effort_wal_wait_duration` (default "2s") bounds a secondary's waits for its
/// primary's index. `logshipper_buffer_size` and `resolver_discover_servers` are parsed
/// and validated so that existing Vault configurations load, and have no effect yet.
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
    /// Whether a secondary honours `X-Vault-Forward: active-node` and
    /// `X-Vault-Inconsistent: forward-active-node` (Vault's default: false, and such
    /// requests get a 400).
    public var allowForwardingViaHeader: Bool?
    /// How long a secondary waits for its primary's index (after a forwarded write, or
    /// for a request's `X-Vault-Index`) before it answers anyway; seconds (Vault: "2s").
    public var bestEffortWALWaitSeconds: Int64?

    public init(logshipperBufferLength: Int64? = nil, logshipperBufferSize: String? = nil, resolverDiscoverServers: Bool? = nil) {
        self.logshipperBufferLength = logshipperBufferLength
        self.logshipperBufferSize = logshipperBufferSize
        self.resolverDiscoverServers = resolverDiscoverServers
    }
}
