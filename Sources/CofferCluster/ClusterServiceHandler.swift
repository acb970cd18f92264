/// The primary's side of the cluster link: what ``ClusterServer`` calls for each RPC a
/// secondary makes.
///
/// Every method receives `secondaryID`, the CN of the client certificate that the TLS
/// handshake verified against the set's CA on this connection (see ``ClusterServer``).
/// It is never taken from a message field, and the server has already refused the call if
/// the id is revoked. Implementations still decide what that secondary may see (mount
/// filters) and must not trust anything else the messages claim about who sent them.
///
/// Errors: throw ``ClusterError``; its code becomes the RPC status and its message is
/// sent to the secondary, so it must not contain secrets. Any other error is sent as
/// `internal` with a fixed message. Methods are called concurrently, from many tasks, and
/// are cancelled when the secondary goes away or the server stops.
public protocol ClusterServiceHandler: Sendable {
    /// The activation bootstrap: the barrier's stored entries and root key for
    /// `secondaryID`. Called once per activation, before any streaming.
    func bootstrap(
        _ request: Coffer_Cluster_V1_BootstrapRequest,
        secondaryID: String
    ) async throws -> Coffer_Cluster_V1_BootstrapResponse

    /// The replication stream. `inbound` carries the secondary's `StartStream` (first)
    /// and heartbeats; write records, heartbeats or `NeedSync` to `outbound`.
    ///
    /// Return to end the stream normally (the secondary's iteration ends); throw to end it
    /// with an error status. The call lasts as long as the secondary stays connected, so
    /// the method must watch both `inbound` (its end or error means the secondary left)
    /// and cancellation. A message with an unset `kind` is malformed: end the stream
    /// with ``ClusterError/Code/malformedMessage``.
    func streamWAL(
        inbound: ClusterMessageStream<Coffer_Cluster_V1_SecondaryMessage>,
        outbound: ClusterMessageWriter<Coffer_Cluster_V1_PrimaryMessage>,
        secondaryID: String
    ) async throws

    /// Merkle catch-up, step one: all page hashes of the replicated-key tree.
    func merklePages(
        _ request: Coffer_Cluster_V1_MerklePagesRequest,
        secondaryID: String
    ) async throws -> Coffer_Cluster_V1_MerklePagesResponse

    /// Merkle catch-up, step two: the entries on the pages that differ.
    func merklePageEntries(
        _ request: Coffer_Cluster_V1_PageEntriesRequest,
        secondaryID: String
    ) async throws -> Coffer_Cluster_V1_PageEntriesResponse

    /// Merkle catch-up, step three: the stored values of the keys that differ.
    func fetchKeys(
        _ request: Coffer_Cluster_V1_FetchKeysRequest,
        secondaryID: String
    ) async throws -> Coffer_Cluster_V1_FetchKeysResponse

    /// A write the secondary received and forwards, with its caller's resolved auth.
    /// Refusals the client should see as HTTP errors go in the response's
    /// `error_status`/`errors`, not as a thrown error.
    func forward(
        _ request: Coffer_Cluster_V1_ForwardRequest,
        secondaryID: String
    ) async throws -> Coffer_Cluster_V1_ForwardResponse
}
