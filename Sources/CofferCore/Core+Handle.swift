public import CofferLogical
import CofferPolicy

extension Core {
    /// Runs one logical request through the pipeline (docs/architecture.md, "Request path"):
    /// sealed check, token → AuthContext, routing, create-vs-update, the ACL, the audit
    /// request entry, the backend, lease defaults, response wrapping, the audit response
    /// entry. Throws ``LogicalError`` for anything the client should see; nil means
    /// "nothing here" (404 on read and list, 204 on writes).
    ///
    /// On a performance secondary, a backend whose write storage refuses (a replicated
    /// key) has the request forwarded to the primary with the caller's identity
    /// (``ReplicationController/forward(_:auth:)``); the primary's answer then goes
    /// through the stages after the backend here (leases, wrapping, audit) as a local
    /// one would. Elsewhere that refusal is a 400 `cannot write to readonly storage`.
    ///
    /// `request.path` is the full path under `/v1/`; `request.auth` is filled in here.
    ///
    /// `forwardToPrimary` (a consistency header asked for it, see ``checkConsistency(_:)``):
    /// on a performance secondary a token caller's request that the primary can serve is
    /// sent there instead of being served here.
    public func handle(_ request: Request, clientToken: String?, forwardToPrimary: Bool = false) async throws -> Response? {
        guard let active else { throw LogicalError.sealed }
        let started = ContinuousClock.now
        var context = RequestContext(request: request)
        defer { requestMetrics.requestFinished(context, since: started) }
        context.clientToken = clientToken
        context.forwardRequested = forwardToPrimary
        do {
            var response = try await dispatch(request, clientToken: clientToken, active: active, context: &context)
            if let answer = response, let ttl = context.request.wrapTTL ?? answer.forcedWrapTTL, ttl != 0 {
                response = try await wrapResponse(answer, ttl: ttl, context: context, active: active)
            }
            try await auditResponse(response, error: nil, context: context, active: active)
            return response
        } catch {
            let error = Self.surfacingReadOnly(error)
            await auditFailure(error, context: &context, active: active)
            throw error
        }
    }

    /// Audits a request that failed. Refused before the request entry (bad token, ACL,
    /// unknown path): Vault still audits the attempt, request and error; the client gets
    /// the refusal either way.
    func auditFailure(_ error: any Error, context: inout RequestContext, active: ActiveState) async {
        if !context.audited, (try? await auditRequest(context: context, active: active)) != nil {
            context.audited = true
        }
        if context.audited {
            try? await auditResponse(nil, error: error, context: context, active: active)
        }
    }

    /// Who is asking, once known. The stages after token resolution differ only in this.
    enum Caller {
        /// An unauthenticated path (a login). `forwarded`: a secondary sent it, so a
        /// response asking for a token is returned as it is (the secondary mints the token).
        case anonymous(forwarded: Bool)
        /// A local token, with its entry (use counts) and value (the token backend needs it).
        case token(TokenEntry, clientToken: String)
        /// A performance secondary forwarded the request with this resolved identity.
        case forwarded(AuthContext)
    }

    /// Token resolution: routes, decides between an unauthenticated path and a token,
    /// looks the token up (a JWT-format wrapping token stands for its `jti`), and runs the
    /// rest with ``execute(_:route:relativePath:caller:active:context:)``.
    private func dispatch(
        _ request: Request, clientToken: String?, active: ActiveState, context: inout RequestContext
    ) async throws -> Response? {
        let routed = active.router.route(request.path)
        if let (route, relativePath) = routed, route.backend.isUnauthenticated(relativePath) {
            return try await execute(
                request, route: route, relativePath: relativePath, caller: .anonymous(forwarded: false),
                active: active, context: &context)
        }
        guard var clientToken, !clientToken.isEmpty else { throw LogicalError.permissionDenied }
        if let token = await tokenFromWrappingJWT(clientToken) {
            clientToken = token
            context.clientToken = token
        }
        guard let entry = try await active.tokens.lookup(token: clientToken) else { throw LogicalError.invalidToken }
        guard let (route, relativePath) = routed else { throw LogicalError.unsupportedPath(request.path) }
        return try await execute(
            request, route: route, relativePath: relativePath, caller: .token(entry, clientToken: clientToken),
            active: active, context: &context)
    }

    /// Everything between token resolution and wrapping, for every kind of caller:
    /// create-vs-update, the ACL, the audit request entry (fail closed), the token's use,
    /// the backend (or, when its storage refuses on a secondary, the primary), and lease
    /// registration. `original` is the request as the client sent it (full path);
    /// `context` collects what the later stages need.
    func execute(
        _ original: Request, route: RouteEntry, relativePath: String, caller: Caller, active: ActiveState,
        context: inout RequestContext
    ) async throws -> Response? {
        var request = original
        let fullPath = original.path
        request.path = relativePath
        request.mountPoint = route.mount.path

        let auth: AuthContext
        var entry: TokenEntry?
        var clientToken = ""
        switch caller {
        case .anonymous(let forwarded):
            context.mount = route.mount
            context.request = request
            try await auditRequest(context: context, active: active)
            context.audited = true
            if forwarded { return try await serveForwardedUnauthenticated(request, route: route) }
            return try await serveUnauthenticated(
                request, route: forwardingOnSecondary(route, original: original), fullPath: fullPath, active: active)
        case .token(let tokenEntry, let token):
            auth = active.tokens.authContext(for: tokenEntry)
            entry = tokenEntry
            clientToken = token
        case .forwarded(let identity):
            auth = identity
        }
        request.auth = auth

        let view = try storageView(for: route, auth: auth)
        if request.operation == .update || request.operation == .create {
            if let exists = try await route.backend.exists(request, storage: view) {
                request.operation = exists ? .update : .create
            }
        }
        context.auth = auth
        context.mount = route.mount
        context.request = request
        try await authorize(auth, path: fullPath, request: request, mount: route.mount, active: active)
        try await auditRequest(context: context, active: active)
        context.audited = true
        if let current = entry, current.numUses > 0 {
            guard let used = try await active.tokens.recordUse(current) else { throw LogicalError.invalidToken }
            entry = used
        }

        do {
            var answer: Response?
            var refusal: (any Error)?
            do {
                if context.forwardRequested, case .token = caller, replicationMode == .secondary,
                   (try? Self.checkForwardable(request, mount: route.mount, relativePath: relativePath)) != nil {
                    answer = try await forwardToPrimary(original, auth: auth)
                } else if let tokenBackend = route.backend as? TokenBackend {
                    answer = try await tokenBackend.handle(request, clientToken: clientToken)
                    if request.path.hasPrefix("create"), let minted = answer?.auth {
                        requestMetrics.tokenCreated(authMethod: route.mount.type, mountPoint: route.mount.path, tokenType: minted.tokenType)
                    }
                } else {
                    answer = try await route.backend.handle(request, storage: view)
                }
            } catch {
                refusal = error
            }
            if let entry, entry.numUses > 0 || entry.revocationPending { try await active.tokens.finishUse(entry) }
            if let refusal {
                // A secondary's storage refused a replicated write: the primary performs it.
                guard case .token = caller, Self.isReadOnlyStorage(refusal) else { throw refusal }
                answer = try await forwardToPrimary(original, auth: auth)
            }
            guard var response = answer else { return nil }
            response.mountType = route.mount.type
            if var secret = response.secret {
                secret.ttlSeconds = effectiveTTL(requested: secret.ttlSeconds, mount: route.mount)
                response.secret = secret
                // KV reports a TTL without a lease (Vault's behaviour); other engines' secrets
                // get one. Leases are local to a cluster: a forwarded request's lease is
                // registered by the secondary that forwarded it, against its own token.
                if let entry, !Self.leaselessMountTypes.contains(route.mount.type) {
                    let record = try await active.expiration.register(
                        secret: secret, path: fullPath, auth: auth,
                        maxTTL: route.mount.maxLeaseTTL > 0 ? route.mount.maxLeaseTTL : config.maxLeaseTTL,
                        ownerTokenID: entry.isBatch ? entry.parent : entry.id)
                    response.secret = SecretInfo(leaseID: record.id, ttlSeconds: record.ttl, renewable: record.renewable)
                }
            }
            return response
        } catch let error as LogicalError {
            throw error
        } catch {
            throw LogicalError(.internalError, ["internal error"], cause: error)
        }
    }

    /// The storage a backend sees: the mount's view, or for cubbyhole the calling
    /// token's own slice of it.
    func storageView(for route: RouteEntry, auth: AuthContext) throws -> any StorageView {
        guard route.mount.type == "cubbyhole" else { return route.view }
        return BarrierView(barrier: barrier, prefix: route.mount.storagePrefix + auth.tokenID + "/")
    }

    /// Resolves a client token for the non-logical endpoints. Missing → `permission
    /// denied`; unknown or expired → Vault's `permission denied` + `invalid token`.
    func authenticate(_ clientToken: String?, active: ActiveState) async throws -> AuthContext {
        guard let clientToken, !clientToken.isEmpty else { throw LogicalError.permissionDenied }
        guard let entry = try await active.tokens.lookup(token: clientToken) else { throw LogicalError.invalidToken }
        return active.tokens.authContext(for: entry)
    }

    /// The ACL check (vault-core-api.md §7.4): the token's compiled ACL for the full
    /// path and operation, with `sudo` required on root-protected paths.
    func authorize(_ auth: AuthContext, path: String, request: Request, mount: MountEntry, active: ActiveState) async throws {
        if auth.isRoot { return }
        // The CLI's KV preflight decides visibility itself (any access under the mount),
        // as Vault's unauthenticated `sys/internal/ui/mounts/*` does.
        if mount.type == "system", request.operation == .read, request.path.hasPrefix("internal/ui/mounts/") { return }
        let acl = try await active.policies.acl(for: auth.policies)
        let decision = acl.allowOperation(ACLRequest(
            path: path, operation: request.operation, data: request.data, wrapTTL: request.wrapTTL,
            rootProtected: Self.isRootProtected(relativePath: request.path, mount: mount)
        ))
        guard decision.allowed else { throw LogicalError.permissionDenied }
    }

    /// Whether the caller holds `sudo` on `path` (token store rules use it).
    func hasSudo(_ auth: AuthContext, path: String) async -> Bool {
        if auth.isRoot { return true }
        guard let active, let acl = try? await active.policies.acl(for: auth.policies) else { return false }
        return acl.capabilities(path: path).contains("sudo")
    }

    /// Sudo from the compiled ACL already cached for this token's policies (the request's
    /// own authorisation just compiled it). If a concurrent policy change evicted it, the
    /// answer is "no": conservative, and the caller retries.
    func cachedSudo(_ auth: AuthContext, path: String) -> Bool {
        if auth.isRoot { return true }
        guard let acl = active?.policies.cachedACL(for: auth.policies) else { return false }
        return acl.capabilities(path: path).contains("sudo")
    }

    /// Mounts whose responses carry a TTL but never a lease.
    static let leaselessMountTypes: Set<String> = ["kv", "generic", "cubbyhole", "system", "token"]

    /// Root-protected paths of the built-in backends, relative to their mount.
    static func isRootProtected(relativePath: String, mount: MountEntry) -> Bool {
        let patterns: [String]
        switch mount.type {
        case "system": patterns = SystemBackend.rootProtectedPaths
        case "token": patterns = ["revoke-orphan/*", "revoke-orphan", "accessors*"]
        default: return false
        }
        return patterns.contains { pattern in
            pattern.hasSuffix("*") ? relativePath.hasPrefix(pattern.dropLast()) : relativePath == pattern
        }
    }

    /// A lease TTL of 0 means "the default": the mount's, else the system's; anything is
    /// capped by the mount's, else the system's, maximum.
    func effectiveTTL(requested: Int64, mount: MountEntry) -> Int64 {
        let defaultTTL = mount.defaultLeaseTTL > 0 ? mount.defaultLeaseTTL : config.defaultLeaseTTL
        let maxTTL = mount.maxLeaseTTL > 0 ? mount.maxLeaseTTL : config.maxLeaseTTL
        let ttl = requested > 0 ? requested : defaultTTL
        return maxTTL > 0 ? min(ttl, maxTTL) : ttl
    }
}
