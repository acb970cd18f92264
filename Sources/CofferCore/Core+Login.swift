import CofferLogical
import Foundation

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
        guard CIDRList.allows(auth.boundCIDRs, address: request.remoteAddress) else {
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
        response.auth = minted
        return response
    }
}

/// Client address restrictions (`token_bound_cidrs`, `secret_id_bound_cidrs`).
enum CIDRList {
    /// True when `cidrs` is empty or `address` falls in one of them. Unparseable entries
    /// match nothing (fail closed).
    static func allows(_ cidrs: [String], address: String?) -> Bool {
        guard !cidrs.isEmpty else { return true }
        guard let address, let ip = bytes(of: address) else { return false }
        return cidrs.contains { contains($0, ip) }
    }

    static func contains(_ cidr: String, _ ip: [UInt8]) -> Bool {
        let parts = cidr.split(separator: "/", maxSplits: 1)
        guard let network = bytes(of: String(parts[0])), network.count == ip.count else { return false }
        let bits = parts.count == 2 ? Int(parts[1]) ?? -1 : network.count * 8
        guard bits >= 0, bits <= network.count * 8 else { return false }
        for i in 0..<network.count {
            let maskBits = max(0, min(8, bits - i * 8))
            let mask: UInt8 = maskBits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - maskBits))
            if network[i] & mask != ip[i] & mask { return false }
        }
        return true
    }

    /// 4 or 16 bytes of an IPv4 or IPv6 address.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
