import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization

/// The RPCs of ``ClusterClient``. Every method throws ``ClusterError``: the primary's
/// status (its code mapped back, its message kept), ``ClusterError/Code/timeout`` past the
/// deadline, ``ClusterError/Code/unavailable`` when the primary cannot be reached or
/// refuses this secondary's certificate.
extension ClusterClient {
    /// Fetches the activation bootstrap (barrier entries, root key, stream position).
    public func bootstrap(
        _ request: Coffer_Cluster_V1_BootstrapRequest = .init(),
        timeout: Duration? = nil
    ) async throws -> Coffer_Cluster_V1_BootstrapResponse {
        try await unary({ try await stub.bootstrap(request, options: $0) }, timeout: timeout)
    }

    /// Fetches every Merkle page hash of the primary's replicated-key tree.
    public func merklePages(
        _ request: Coffer_Cluster_V1_MerklePagesRequest = .init(),
        timeout: Duration? = nil
    ) async throws -> Coffer_Cluster_V1_MerklePagesResponse {
        try await unary({ try await stub.merklePages(request, options: $0) }, timeout: timeout)
    }

    /// Fetches the key hashes on the given Merkle pages.
    public func merklePageEntries(
        _ request: Coffer_Cluster_V1_PageEntriesRequest,
        timeout: Duration? = nil
    ) async throws -> Coffer_Cluster_V1_PageEntriesResponse {
        try await unary({ try await stub.merklePageEntries(request, options: $0) }, timeout: timeout)
    }

    /// Fetches the stored values of the given keys.
    public func fetchKeys(
        _ request: Coffer_Cluster_V1_FetchKeysRequest,
        timeout: Duration? = nil
    ) async throws -> Coffer_Cluster_V1_FetchKeysResponse {
        try await unary({ try await stub.fetchKeys(request, options: $0) }, timeout: timeout)
    }

    /// Forwards a write to the primary.
    public func forward(
        _ request: Coffer_Cluster_V1_ForwardRequest,
        timeout: Duration? = nil
    ) async throws -> Coffer_Cluster_V1_ForwardResponse {
        try await unary({ try await stub.forward(request, options: $0) }, timeout: timeout)
    }

    /// Opens the replication stream and runs `body` with its two halves: write the
    /// `StartStream` and heartbeats to the writer, read records, heartbeats and
    /// `NeedSync` from the stream.
    ///
    /// The stream has no deadline. It ends when `body` returns (this side closes its
    /// half and the call is torn down) or throws; the stream's iteration ends when the
    /// primary finishes the call, and throws ``ClusterError`` when it fails. `body` may
    /// read and write from different child tasks.
    ///
    /// - Returns: What `body` returns.
    public func streamWAL<Result: Sendable>(
        _ body: @escaping @Sendable (
            _ outbound: ClusterMessageWriter<Coffer_Cluster_V1_SecondaryMessage>,
            _ inbound: ClusterMessageStream<Coffer_Cluster_V1_PrimaryMessage>
        ) async throws -> Result
    ) async throws -> Result {
        // grpc-swift hands the request writer to a producer closure (run in a child task)
        // and the response to another; this joins them for `body`. The producer parks
        // until `body` is done, because returning from it closes the request stream.
        let writerSlot = Mutex<RPCWriter<Coffer_Cluster_V1_SecondaryMessage>?>(nil)
        let writerReady = StopSignal()
        let bodyDone = StopSignal()
        do {
            return try await stub.streamWAL(
                options: options(timeout: nil),
                requestProducer: { writer in
                    writerSlot.withLock { $0 = writer }
                    writerReady.fire()
                    await bodyDone.wait()
                },
                onResponse: { response in
                    defer { bodyDone.fire() }
                    if case .failure(let error) = response.accepted {
                        throw error
                    }
                    // Accepted means the request headers went out, so the producer has
                    // been started and is about to hand over its writer.
                    await writerReady.wait()
                    guard let writer = writerSlot.withLock({ $0 }) else {
                        throw CancellationError()
                    }
                    return try await body(
                        ClusterMessageWriter(rpc: writer),
                        ClusterMessageStream(rpc: response.messages)
                    )
                }
            )
        } catch {
            throw ClusterError(linkFailure: error)
        }
    }
}
