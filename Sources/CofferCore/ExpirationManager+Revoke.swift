import CofferBarrier
import CofferLogical
import CofferStorage

/// What one attempt to revoke a stored lease found.
enum LeaseRevocationOutcome: Sendable, Hashable {
    /// Revoked and deleted.
    case revoked
    /// No such lease (already revoked).
    case absent
    /// Only expired leases were to go, and this one is due at this time (0: never): it
    /// was renewed after its expiry was scheduled.
    case notDue(Int64)
}

/// Revocation: one lease, by prefix, by token, brought forward.
///
/// A revocation calls the ``ExpirationManager/Revoker`` first and deletes the record and
/// its index entry (one batch) after, so a crash in between leaves the lease to be revoked
/// again: revokers are idempotent.
extension ExpirationManager {
    /// Revokes the lease now (`sys/leases/revoke` with `sync`). An unknown lease is not
    /// an error. With `force`, a failing revoker (or an unreadable record) does not stop
    /// the deletion: the engine may be left with a live secret.
    func revoke(id: String, force: Bool = false) async throws {
        guard LeaseRecord.isValidID(id) else { return }
        _ = try await revokeStored(id: id, onlyIfExpired: false, force: force)
    }

    /// Brings the lease's expiry forward to now and lets expiry revoke it, with retries
    /// (`sys/leases/revoke` without `sync`). An irrevocable lease is tried again.
    func revokeLater(id: String) async throws {
        guard LeaseRecord.isValidID(id) else { return }
        guard let peek = try await lookup(id: id) else { return }
        if peek.isTokenLease {
            try await expireNow(id: id)
        } else {
            try await locks.withLock(id) { try await expireNow(id: id) }
        }
    }

    /// Revokes every lease whose id starts with `prefix` (`sys/leases/revoke-prefix`,
    /// `revoke-force`). A prefix without a trailing `/` that names a lease revokes just that
    /// lease; otherwise it is taken as a directory. Without `sync` the leases are brought
    /// forward and expire in the background. Stops at the first failure unless `force`.
    /// Returns how many leases were handled.
    @discardableResult
    func revokePrefix(_ prefix: String, force: Bool = false, sync: Bool = true) async throws -> Int {
        var directory = prefix
        if !directory.isEmpty && !directory.hasSuffix("/") {
            if try await lookupForRevocation(directory, force: force) {
                try await revokeOne(directory, force: force, sync: sync)
                return 1
            }
            directory += "/"
        }
        var count = 0
        try await forEachLeaseID(under: directory) { id in
            try await revokeOne(id, force: force, sync: sync)
            count += 1
        }
        return count
    }

    /// For the token store's revocation hook: the leases of a token that is being revoked.
    /// The token's own lease is deleted (the token is already going); its secrets' leases
    /// are brought forward so expiry revokes them, with retries, without holding up the
    /// token's revocation. Idempotent. Index entries that point nowhere are dropped.
    func revokeByToken(tokenID: String) async throws {
        guard !tokenID.isEmpty, LeaseRecord.isValidTokenID(tokenID) else { return }
        let directory = Self.tokenIndexPrefix + tokenID + "/"
        try await forEachName(under: directory) { name in
            let indexKey = directory + name
            guard let bytes = try await barrier.get(indexKey), let leaseID = LeaseIndexEntry.leaseID(from: bytes) else {
                try await barrier.delete(indexKey)
                return
            }
            let found: LeaseRecord?
            do {
                found = try await lookup(id: leaseID)
            } catch where Self.isUnreadable(error) {
                // One bad record must not hold up a token's revocation; tidy reports it
                // and a forced revocation deletes it.
                logger.error("expiration: unreadable lease record of a revoked token", metadata: ["lease_id": "\(leaseID)", "error": "\(error)"])
                return
            }
            guard let record = found, record.owningTokenID == tokenID else {
                try await barrier.delete(indexKey)
                return
            }
            if record.isTokenLease {
                try await delete(record)
                await forget(record.id)
            } else {
                try await revokeLater(id: record.id)
            }
        }
    }

    // MARK: Internals

    /// Revokes the stored lease `id`. With `onlyIfExpired` (expiry), a lease found renewed
    /// is left alone and reported ``LeaseRevocationOutcome/notDue(_:)``.
    func revokeStored(id: String, onlyIfExpired: Bool, force: Bool) async throws -> LeaseRevocationOutcome {
        let peek: LeaseRecord?
        do {
            peek = try await lookup(id: id)
        } catch where force && Self.isUnreadable(error) {
            try await dropUnreadable(id, error)
            return .revoked
        }
        guard let peek else {
            await forget(id)
            return .absent
        }
        if peek.isTokenLease {
            return try await revokeRecord(peek, onlyIfExpired: onlyIfExpired, force: force)
        }
        return try await locks.withLock(id) {
            guard let record = try await lookup(id: id) else {
                await forget(id)
                return .absent
            }
            return try await revokeRecord(record, onlyIfExpired: onlyIfExpired, force: force)
        }
    }

    private func revokeRecord(_ record: LeaseRecord, onlyIfExpired: Bool, force: Bool) async throws -> LeaseRevocationOutcome {
        if onlyIfExpired && !record.isExpired(at: clock.now()) { return .notDue(record.expireTime) }
        do {
            try await revoker(record)
        } catch {
            guard force else { throw error }
            logger.warning(
                "expiration: revocation failed; deleting the lease anyway (forced)",
                metadata: ["lease_id": "\(record.id)", "error": "\(error)"]
            )
        }
        try await delete(record)
        await forget(record.id)
        return .revoked
    }

    /// Whether `id` names a stored lease; with `force`, an unreadable record counts.
    private func lookupForRevocation(_ id: String, force: Bool) async throws -> Bool {
        guard LeaseRecord.isValidID(id) else { return false }
        do {
            return try await lookup(id: id) != nil
        } catch where force && Self.isUnreadable(error) {
            return true
        }
    }

    private func revokeOne(_ id: String, force: Bool, sync: Bool) async throws {
        if sync {
            _ = try await revokeStored(id: id, onlyIfExpired: false, force: force)
        } else {
            try await revokeLater(id: id)
        }
    }

    /// Sets the stored lease to expire now (clearing an irrevocable mark) and schedules it.
    /// The caller holds the lease's lock for a secret lease.
    private func expireNow(id: String) async throws {
        guard var record = try await lookup(id: id) else { return }
        let now = clock.now()
        if record.expireTime == 0 || record.expireTime > now { record.expireTime = now }
        record.revokeError = ""
        try await write(record)
        await handle(machine.withLock { $0.register(record.times) })
    }

    /// Forced revocation of a record that cannot be read: it is deleted (its index entry,
    /// which cannot be named without the record, goes with tidy).
    private func dropUnreadable(_ id: String, _ error: any Error) async throws {
        logger.warning("expiration: deleting an unreadable lease record (forced)", metadata: ["lease_id": "\(id)", "error": "\(error)"])
        try await barrier.delete(Self.recordKey(id))
        await forget(id)
    }

    /// Tells the state machine the lease is gone.
    func forget(_ id: String) async {
        await handle(machine.withLock { $0.remove(id: id) })
    }

    /// Records that expiry gave up on the lease: it stays stored, marked, unscheduled.
    func markIrrevocable(_ id: String) async {
        do {
            try await locks.withLock(id) {
                guard var record = try await lookup(id: id) else { return }
                let attempts = machine.withLock { $0.configuration.maxAttempts }
                record.revokeError = "revocation failed \(attempts) times"
                try await write(record)
            }
            logger.error("expiration: lease is irrevocable; revoke it with force after fixing its engine", metadata: ["lease_id": "\(id)"])
        } catch {
            logger.error("expiration: could not mark lease irrevocable", metadata: ["lease_id": "\(id)", "error": "\(error)"])
        }
    }
}
