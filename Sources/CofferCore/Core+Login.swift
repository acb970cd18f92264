import CofferLogical

extension Core {
    /// Serves an auth method's unauthenticated path (a login): no token, no ACL. A
    /// response whose ``AuthInfo`` has no client token asks for one: Core checks the
    /// bound CIDRs against the caller's address, mints the token with the method's
    /// settings (TTL defaulted and capped by the mount, then the system) and answers with
    /// the token's `auth` block.
    func serveUnauthenticated(_ request: Request, route: RouteEntry, fullPath: String, active: ActiveState) async throws
        -> Response?
    {
        guard var response = try await route.backend.handle(request, storage: route.view) else { return nil }
        response.mountType = route.mount.type
        guard let auth = response.auth, auth.clientToken.isEmpty else { return response }
        guard CIDRList.allows(request.remoteAddress, auth.boundCIDRs) else {
            throw LogicalError.permissionDenied
        }
        guard !auth.policies.contains("root") else {
            throw LogicalError.invalidRequest("auth methods cannot create root tokens")
        }
        let ttl = auth.periodSeconds > 0 ? auth.periodSeconds : effectiveTTL(requested: auth.leaseDurationSeconds, mount: route.mount)
        let (token, entry) = try await active.tokens.create(TokenSpec(
            policies: auth.policies, path: fullPath,
            displayName: auth.displayName.isEmpty ? route.mount.type : auth.displayName,
            metadata: auth.metadata, numUses: auth.numUses, creationTime: now(), ttl: ttl,
            explicitMaxTTL: auth.explicitMaxTTLSeconds, period: auth.periodSeconds, renewable: auth.renewable,
            type: ["batch", "default-batch"].contains(auth.tokenType) ? TokenEntry.batchType : TokenEntry.serviceType
        ))
        var minted = active.tokens.authInfo(entry: entry, token: token, leaseDuration: entry.ttl)
        minted.tokenPolicies = auth.tokenPolicies.isEmpty ? auth.policies : auth.tokenPolicies
        requestMetrics.tokenCreated(authMethod: route.mount.type, mountPoint: route.mount.path, tokenType: minted.tokenType)
        response.auth = minted
        return response
    }
}
