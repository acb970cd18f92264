public import CofferLogical

extension Core {
    /// Runs one logical request through the pipeline (docs/architecture.md, "Request path"):
    /// sealed check, token → AuthContext, authorisation, routing, create-vs-update,
    /// the backend, then lease defaults. Throws ``LogicalError`` for anything the client
    /// should see; nil means "nothing here" (404 on read and list, 204 on writes).
    ///
    /// `request.path` is the full path under `/v1/`; `request.auth` is filled in here.
    public func handle(_ request: Request, clientToken: String?) async throws -> Response? {
        guard let active else { throw LogicalError.sealed }
        var request = request
        let auth = try await authenticate(clientToken, active: active)
        request.auth = auth

        guard let (route, relativePath) = active.router.route(request.path) else {
            throw LogicalError.unsupportedPath(request.path)
        }
        try authorize(auth, request: request)

        let fullPath = request.path
        request.path = relativePath
        request.mountPoint = route.mount.path
        if request.operation == .update || request.operation == .create {
            if let exists = try await route.backend.exists(request, storage: route.view) {
                request.operation = exists ? .update : .create
            }
        }

        do {
            let answer: Response?
            if let tokenBackend = route.backend as? TokenBackend {
                answer = try await tokenBackend.handle(request, clientToken: clientToken ?? "")
            } else {
                answer = try await route.backend.handle(request, storage: route.view)
            }
            guard var response = answer else { return nil }
            response.mountType = route.mount.type
            if var secret = response.secret {
                secret.ttlSeconds = effectiveTTL(requested: secret.ttlSeconds, mount: route.mount)
                response.secret = secret
            }
            return response
        } catch let error as LogicalError {
            throw error
        } catch {
            logger.error("core: request failed", metadata: ["path": "\(fullPath)", "error": "\(error)"])
            throw LogicalError(.internalError, ["internal error"], cause: error)
        }
    }

    /// Resolves a client token. Missing → `permission denied`; unknown or expired →
    /// Vault's `permission denied` + `invalid token`.
    func authenticate(_ clientToken: String?, active: ActiveState) async throws -> AuthContext {
        guard let clientToken, !clientToken.isEmpty else { throw LogicalError.permissionDenied }
        guard let entry = try await active.tokens.lookup(token: clientToken) else { throw LogicalError.invalidToken }
        return active.tokens.authContext(for: entry)
    }

    /// Authorisation. Root tokens may do anything. Tokens with other policies arrive with
    /// the token store and ACL policies; until then no such token can be created, so this
    /// refuses them outright rather than guessing.
    func authorize(_ auth: AuthContext, request: Request) throws {
        guard auth.isRoot else { throw LogicalError.permissionDenied }
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
