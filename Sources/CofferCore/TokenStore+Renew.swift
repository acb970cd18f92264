import CofferBarrier
import CofferLogical

/// Renewal of service tokens.
extension TokenStore {
    /// Renews the stored token with salted id `id` by `increment` seconds (0 = its own TTL)
    /// and returns the updated entry, the TTL granted and any capping warnings.
    ///
    /// A periodic token gets its period again; any other token is cut to what is left of
    /// its maximum life (mount maximum, role `token_max_ttl`, explicit maximum, from its
    /// creation). A token created from a role renews with the role's current period and
    /// limits; if the role is gone the token cannot be renewed (as in Vault).
    /// - Throws: ``LogicalError`` `invalidRequest`: `token not found` (unknown, expired,
    ///   revoked), `batch tokens cannot be renewed`, `lease is not renewable`,
    ///   `past the max TTL, cannot renew`.
    func renew(id: String, increment: Int64) async throws -> (entry: TokenEntry, ttl: Int64, warnings: [String]) {
        try await locks.withLock(id) {
            let now = now()
            guard var entry = try await storedEntry(id: id), !entry.revocationPending, !entry.isExpired(at: now),
                try await ancestorCount(of: entry, now: now) != nil
            else { throw LogicalError.invalidRequest("token not found") }
            guard entry.renewable, entry.expireTime > 0 else {
                throw LogicalError.invalidRequest("lease is not renewable")
            }
            var inputs = TokenTTL.Inputs(
                increment: increment, baseTTL: entry.ttl, period: entry.period,
                explicitMaxTTL: entry.explicitMaxTTL, start: entry.creationTime, now: now
            )
            if !entry.role.isEmpty {
                guard let role = try await role(named: entry.role) else {
                    throw LogicalError.invalidRequest("original token role \"\(entry.role)\" could not be found, not renewing")
                }
                if role.period > 0 { inputs.period = role.period }
                inputs.roleMaxTTL = role.maxTTL
                if role.explicitMaxTTL > 0, inputs.explicitMaxTTL == 0 || role.explicitMaxTTL < inputs.explicitMaxTTL {
                    inputs.explicitMaxTTL = role.explicitMaxTTL
                }
            }
            let (ttl, warnings) = try TokenTTL.calculate(inputs, limits: limits)
            entry.expireTime = now + ttl
            entry.lastRenewalTime = now
            try await barrier.put(Self.idKey(id), entry.storageBytes)
            cache.store(entry)
            try await onStore(entry)
            return (entry, ttl, warnings)
        }
    }
}
