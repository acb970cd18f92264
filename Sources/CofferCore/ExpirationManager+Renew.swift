import CofferLogical

/// What a renewal granted.
struct LeaseRenewal: Sendable, Hashable {
    var record: LeaseRecord
    /// Seconds the lease now has.
    var ttl: Int64
    /// Set when the increment was cut to what is left of the lease's maximum life.
    var warnings: [String]
}

extension ExpirationManager {
    /// Renews a secret's lease by `increment` seconds from now (0: its last TTL again),
    /// never past `issue + maxTTL`. Token leases renew through `auth/token/renew*`.
    ///
    /// - Throws: ``LogicalError`` `invalidRequest`: `lease not found`, `tokens cannot be
    ///   renewed through this endpoint`, `lease is irrevocable`, `lease expired`,
    ///   `lease is not renewable`, `past the max TTL, cannot renew`; storage errors.
    func renew(id: String, increment: Int64) async throws -> LeaseRenewal {
        guard increment >= 0 else { throw LogicalError.invalidRequest("increment must not be negative") }
        guard LeaseRecord.isValidID(id) else { throw LogicalError.invalidRequest("lease not found") }
        return try await locks.withLock(id) {
            guard var record = try await lookup(id: id) else { throw LogicalError.invalidRequest("lease not found") }
            let now = clock.now()
            if record.isTokenLease {
                throw LogicalError.invalidRequest("tokens cannot be renewed through this endpoint")
            }
            if record.isIrrevocable { throw LogicalError.invalidRequest("lease is irrevocable") }
            if record.isExpired(at: now) { throw LogicalError.invalidRequest("lease expired") }
            guard record.renewable, record.expireTime > 0 else {
                throw LogicalError.invalidRequest("lease is not renewable")
            }
            let (ttl, warnings) = try TokenTTL.calculate(
                TokenTTL.Inputs(increment: increment, baseTTL: record.ttl, start: record.issueTime, now: now),
                limits: TokenLimits(defaultTTL: record.ttl, maxTTL: record.maxTTL)
            )
            record.expireTime = now + ttl
            record.lastRenewalTime = now
            record.ttl = ttl
            try await write(record)
            await handle(machine.withLock { $0.renew(id: id, newExpiry: record.expireTime) })
            return LeaseRenewal(record: record, ttl: ttl, warnings: warnings)
        }
    }
}
