public import CofferLogical

/// Write forwarding under performance replication (vault-replication.md §4.2), both ends.
///
/// **Secondary.** Its storage refuses client writes to replicated keys with
/// `StorageError(.readOnly)`. When a backend's write meets that refusal, the pipeline
/// (``Core/handle(_:clientToken:)``) sends the request as the client sent it — full path,
/// original operation, data, but no wrap TTL — with the caller's resolved identity to the
/// primary (``ReplicationController/forward(_:auth:)``), and treats the primary's answer
/// as the backend's. What is local stays local: wrapping tokens, leases and tokens a
/// forwarded login yields are made on the secondary.
///
/// **Primary.** ``Core/handleForwarded(_:auth:)`` runs such a request with the identity
/// it came with (the cluster link is mutually authenticated, so the primary trusts it),
/// checking this cluster's ACL for its policies, with no token use to count, no wrapping
/// and no lease (both belong to the secondary), and audits it as usual.
extension Core {
    /// What a client gets for a write to replicated storage that cannot be forwarded (not
    /// a secondary, or no replication controller): Vault's `ErrReadOnly` text, as a 400.
    static let readOnlyStorageRefusal = LogicalError.invalidRequest("cannot write to readonly storage")

    /// Runs a request a performance secondary forwarded, as the primary, and reports the
    /// replication log's last index once it is done (the secondary waits until it has
    /// applied that index before answering its client; 0 without a log).
    ///
    /// `request.path` is the full path under `/v1/`; `request.wrapTTL` is ignored (the
    /// secondary wraps). `auth` is the caller's identity on the secondary, nil for an
    /// unauthenticated path: such a request may reach only unauthenticated paths, and a
    /// login's response comes back with its token unminted (the secondary mints it).
    /// Requests for what is local to each cluster — `sys/replication/*`, wrapping,
    /// leases, tokens (token roles excepted), local mounts, key rotation — are refused
    /// with 400, as is creating a local mount or audit device.
    ///
    /// - Throws: ``LogicalError`` as ``handle(_:clientToken:)`` does (403 when the ACL
    ///   refuses the policies, 503 when sealed).
    public func handleForwarded(_ request: Request, auth: AuthContext?) async throws -> (response: Response?, walIndex: UInt64) {
        guard let active else { throw LogicalError.sealed }
        var original = request
        original.wrapTTL = nil
        original.auth = nil
        original.mountPoint = ""
        var context = RequestContext(request: original)
        do {
            let response = try await dispatchForwarded(original, auth: auth, active: active, context: &context)
            try await auditResponse(response, error: nil, context: context, active: active)
            return (response, replicationLog?.lastIndex ?? 0)
        } catch {
            let error = Self.surfacingReadOnly(error)
            await auditFailure(error, context: &context, active: active)
            throw error
        }
    }

    /// The forwarded counterpart of token resolution: the identity is given.
    private func dispatchForwarded(
        _ request: Request, auth: AuthContext?, active: ActiveState, context: inout RequestContext
    ) async throws -> Response? {
        guard let (route, relativePath) = active.router.route(request.path) else {
            if auth == nil { throw LogicalError.permissionDenied }
            throw LogicalError.unsupportedPath(request.path)
        }
        try Self.checkForwardable(request, mount: route.mount, relativePath: relativePath)
        if route.backend.isUnauthenticated(relativePath) {
            return try await execute(
                request, route: route, relativePath: relativePath, caller: .anonymous(forwarded: true),
                active: active, context: &context)
        }
        guard let auth else { throw LogicalError.permissionDenied }
        return try await execute(
            request, route: route, relativePath: relativePath, caller: .forwarded(auth), active: active, context: &context)
    }

    /// Refuses (400) a forwarded request for something that exists separately on each
    /// cluster: the primary's copy is not the one the secondary's client meant.
    static func checkForwardable(_ request: Request, mount: MountEntry, relativePath: String) throws {
        let refusal = LogicalError.invalidRequest(
            "\"\(request.path)\" is local to each cluster and cannot be forwarded to the replication primary")
        if mount.local || mount.type == "cubbyhole" { throw refusal }
        if mount.type == "token", !relativePath.hasPrefix("roles") { throw refusal }
        guard mount.type == "system" else { return }
        let first = relativePath.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        if localSystemPaths.contains(first) { throw refusal }
        // Mount and audit tables: a secondary forwards only writes to the replicated ones.
        if ["mounts", "auth", "audit"].contains(first), request.data["local"]?.boolValue == true
            || request.data["local"]?.stringValue == "true"
        {
            throw refusal
        }
    }

    /// `sys/` path groups that are per cluster (their first segment).
    static let localSystemPaths: Set<String> = [
        "replication", "wrapping", "leases", "renew", "revoke", "revoke-prefix", "revoke-force", "rotate",
        "seal", "step-down", "generate-root", "rekey",
    ]

    // MARK: the secondary's side

    /// Sends `original` (as the client sent it) to the primary with `auth` and returns its
    /// answer. The wrap TTL is not sent: wrapping tokens are local, so the caller wraps.
    /// Without a controller in secondary mode this is ``readOnlyStorageRefusal``.
    func forwardToPrimary(_ original: Request, auth: AuthContext?) async throws -> Response? {
        guard let controller = replicationController, controller.mode == .secondary else {
            throw Self.readOnlyStorageRefusal
        }
        var request = original
        request.wrapTTL = nil
        request.auth = nil
        request.mountPoint = ""
        return try await controller.forward(request, auth: auth)
    }

    /// `route` with its backend's read-only refusals forwarded to the primary, for an
    /// unauthenticated path: the primary answers a login without minting the token, and
    /// ``serveUnauthenticated(_:route:fullPath:active:)`` mints it here, so the token is
    /// local to this cluster as Vault's are.
    func forwardingOnSecondary(_ route: RouteEntry, original: Request) -> RouteEntry {
        let forward: @Sendable () async throws -> Response? = { [self] in
            try await forwardToPrimary(original, auth: nil)
        }
        return RouteEntry(
            mount: route.mount, backend: PrimaryForwardingBackend(base: route.backend, forward: forward), view: route.view)
    }

    /// A forwarded unauthenticated request on the primary: the backend's answer as it is.
    func serveForwardedUnauthenticated(_ request: Request, route: RouteEntry) async throws -> Response? {
        guard var response = try await route.backend.handle(request, storage: route.view) else { return nil }
        response.mountType = route.mount.type
        return response
    }

    /// `error` as the client should see it: storage's read-only refusal, however wrapped,
    /// becomes ``readOnlyStorageRefusal`` instead of a 500.
    static func surfacingReadOnly(_ error: any Error) -> any Error {
        isReadOnlyStorage(error) ? readOnlyStorageRefusal : error
    }
}

/// A backend whose read-only storage refusals are answered by the replication primary.
private struct PrimaryForwardingBackend: LogicalBackend {
    let base: any LogicalBackend
    let forward: @Sendable () async throws -> Response?

    func handle(_ request: Request, storage: any StorageView) async throws -> Response? {
        do {
            return try await base.handle(request, storage: storage)
        } catch where Core.isReadOnlyStorage(error) {
            return try await forward()
        }
    }

    func exists(_ request: Request, storage: any StorageView) async throws -> Bool? {
        try await base.exists(request, storage: storage)
    }

    var unauthenticatedPaths: [String] { base.unauthenticatedPaths }
}
