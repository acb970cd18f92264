import GRPCCore
import Logging

/// The generated gRPC service, implemented by resolving the caller and delegating to a
/// ``ClusterServiceHandler``.
///
/// Every RPC first reads the secondary id from the connection's verified certificate
/// chain (``ClusterTLS/verifiedSecondaryID(_:)``) and checks `isRevoked` again: the
/// handshake check keeps revoked secondaries from connecting, this one stops a secondary
/// revoked while already connected from starting new calls. A stream already running when
/// its secondary is revoked is the handler's to end.
struct ClusterReplicationService: Coffer_Cluster_V1_ClusterReplication.SimpleServiceProtocol {
    let handler: any ClusterServiceHandler
    let isRevoked: @Sendable (String) -> Bool
    let logger: Logger

    func bootstrap(
        request: Coffer_Cluster_V1_BootstrapRequest,
        context: ServerContext
    ) async throws -> Coffer_Cluster_V1_BootstrapResponse {
        try await call(context) { try await handler.bootstrap(request, secondaryID: $0) }
    }

    func streamWAL(
        request: RPCAsyncSequence<Coffer_Cluster_V1_SecondaryMessage, any Error>,
        response: RPCWriter<Coffer_Cluster_V1_PrimaryMessage>,
        context: ServerContext
    ) async throws {
        try await call(context) { id in
            try await handler.streamWAL(
                inbound: ClusterMessageStream(rpc: request),
                outbound: ClusterMessageWriter(rpc: response),
                secondaryID: id
            )
        }
    }

    func merklePages(
        request: Coffer_Cluster_V1_MerklePagesRequest,
        context: ServerContext
    ) async throws -> Coffer_Cluster_V1_MerklePagesResponse {
        try await call(context) { try await handler.merklePages(request, secondaryID: $0) }
    }

    func merklePageEntries(
        request: Coffer_Cluster_V1_PageEntriesRequest,
        context: ServerContext
    ) async throws -> Coffer_Cluster_V1_PageEntriesResponse {
        try await call(context) { try await handler.merklePageEntries(request, secondaryID: $0) }
    }

    func fetchKeys(
        request: Coffer_Cluster_V1_FetchKeysRequest,
        context: ServerContext
    ) async throws -> Coffer_Cluster_V1_FetchKeysResponse {
        try await call(context) { try await handler.fetchKeys(request, secondaryID: $0) }
    }

    func forward(
        request: Coffer_Cluster_V1_ForwardRequest,
        context: ServerContext
    ) async throws -> Coffer_Cluster_V1_ForwardResponse {
        try await call(context) { try await handler.forward(request, secondaryID: $0) }
    }

    /// Resolves the caller, runs `body`, and maps what it throws to a status.
    private func call<Result>(
        _ context: ServerContext,
        _ body: (String) async throws -> Result
    ) async throws -> Result {
        guard let secondaryID = ClusterTLS.verifiedSecondaryID(context) else {
            // Unreachable with the listener's TLS settings; fail closed if it ever is not.
            logger.error("cluster link: RPC without a verified client certificate", metadata: ["method": "\(context.descriptor)"])
            throw RPCError(code: .unauthenticated, message: "no verified client certificate")
        }
        guard !isRevoked(secondaryID) else {
            logger.warning("cluster link: refused a call from a revoked secondary", metadata: ["secondary_id": "\(secondaryID)"])
            throw RPCError(code: .permissionDenied, message: "secondary \"\(secondaryID)\" is revoked")
        }
        do {
            return try await body(secondaryID)
        } catch {
            let status = ClusterError.rpcError(from: error)
            if status.code == .internalError {
                logger.error(
                    "cluster link: handler failed",
                    metadata: ["method": "\(context.descriptor)", "secondary_id": "\(secondaryID)", "error": "\(error)"]
                )
            }
            throw status
        }
    }
}
