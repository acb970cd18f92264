import CofferBarrier
import CofferJSON
import CofferLogical
import CofferStorage
import Logging
import Synchronization

/// Leases of this cluster: registration, lookup, renewal, revocation (one, by prefix, by
/// token), expiry, tidy. The shell around ``ExpirationStateMachine``.
///
/// Layout (through the barrier, local key class):
/// - `sys/expire/id/<lease id>`: the ``LeaseRecord``. Lease ids contain `/`, so listing a
///   prefix of this directory lists leases by the path that created them.
/// - `sys/expire/token/<owning token id>/<index name>`: ``LeaseIndexEntry``, so a token's
///   revocation finds its leases. Written and deleted in one batch with the record.
///
/// Storage is the truth; the state machine only knows when each lease is due. Every
/// expiry re-reads the record before acting, so a stale due time (a renewal racing the
/// restore, a lease already revoked) costs a read, never a wrong revocation.
///
/// Order of use: create once per unseal, after the token store; ``start(restoring:)`` once
/// requests may reach it (it loads the stored leases in the background and then revokes
/// them as they expire); ``stop()`` before the barrier seals.
///
/// Read-modify-writes and revocations of one secret lease hold its stripe of a
/// ``TokenLocks`` (striped async locks; a lease id hashes to a stripe). Token leases are
/// handled without it: revoking one calls back in through ``revokeByToken(tokenID:)``
/// (the token store's revocation hook), and a racing write on a token lease can only
/// leave a record whose later revocation finds its token already gone.
final class ExpirationManager: Sendable {
    /// Revokes what a lease stands for: the token for a token lease (Core revokes its tree),
    /// the engine's secret otherwise. Called before the record is deleted; must be
    /// idempotent (a crash or an error repeats it). Throwing keeps the lease, which is
    /// retried with backoff. It must not call back into the manager for the same secret
    /// lease (token revocation reaching ``revokeByToken(tokenID:)`` is fine).
    typealias Revoker = @Sendable (LeaseRecord) async throws -> Void

    static let recordPrefix = StorageKeys.expirePrefix + "id/"
    static let tokenIndexPrefix = StorageKeys.expirePrefix + "token/"
    static let listPageSize = 1000

    let barrier: SecurityBarrier
    let clock: ExpirationClock
    let revoker: Revoker
    /// Whether a stored token with this salted id still exists (tidy revokes leases whose
    /// owner is gone). nil: tidy does not check owners.
    let tokenExists: (@Sendable (String) async throws -> Bool)?
    let logger: Logger
    let machine: Mutex<ExpirationStateMachine>
    let wake = ExpirationWake()
    let locks = TokenLocks()
    let loopTask = Mutex<Task<Void, Never>?>(nil)
    let tidyRunning = Mutex(false)

    /// - Parameters:
    ///   - barrier: an unsealed barrier; the manager stops working when it seals.
    ///   - clock: wall time and sleeping (``ExpirationClock``).
    ///   - configuration: retry and concurrency limits of expiry.
    ///   - tokenExists: see ``tokenExists``.
    ///   - revoke: see ``Revoker``.
    init(
        barrier: SecurityBarrier, clock: ExpirationClock,
        configuration: ExpirationStateMachine.Configuration = .init(), logger: Logger,
        tokenExists: (@Sendable (String) async throws -> Bool)? = nil, revoke: @escaping Revoker
    ) {
        self.barrier = barrier
        self.clock = clock
        self.revoker = revoke
        self.tokenExists = tokenExists
        self.logger = logger
        self.machine = Mutex(ExpirationStateMachine(configuration: configuration))
    }

    static func recordKey(_ id: String) -> String { recordPrefix + id }

    static func indexKey(tokenID: String, leaseID: String) -> String {
        tokenIndexPrefix + tokenID + "/" + LeaseRecord.indexName(leaseID: leaseID)
    }

    // MARK: Registration

    /// Registers the lease of a dynamic secret a backend just returned for a request at
    /// `path` (the full request path, e.g. `database/creds/readonly`), and returns its
    /// record: put `record.id`, `record.ttl` and `record.renewable` into the response.
    ///
    /// - Parameters:
    ///   - secret: the backend's lease facts; `ttlSeconds` should already carry the mount's
    ///     default and cap (0 means the lease never expires). Its `leaseID` is ignored.
    ///   - auth: the caller; its token owns the lease (revoking it revokes the lease).
    ///   - maxTTL: the mount's effective maximum lease TTL; renewals never go past
    ///     `issue + maxTTL`. 0 = none.
    ///   - internalData: what the engine needs to revoke the secret later.
    ///   - ownerTokenID: a different owner than `auth.tokenID` (a batch token's leases
    ///     belong to its parent, or to nobody when it is an orphan: pass "").
    /// - Throws: ``LogicalError`` `invalidRequest` for an unusable path; storage errors.
    func register(
        secret: SecretInfo, path: String, auth: AuthContext?, maxTTL: Int64 = 0,
        internalData: [String: JSONValue] = [:], ownerTokenID: String? = nil
    ) async throws -> LeaseRecord {
        var base = Substring(path)
        while base.hasSuffix("/") { base = base.dropLast() }
        let id = String(base) + "/" + TokenGenerator.uuid()
        guard !base.isEmpty, LeaseRecord.isValidID(id) else {
            throw LogicalError.invalidRequest("cannot create a lease for this path")
        }
        let owner = ownerTokenID ?? auth?.tokenID ?? ""
        guard LeaseRecord.isValidTokenID(owner) else { throw CoreError.corrupt("token id has an unusable shape") }
        let now = clock.now()
        var ttl = max(0, secret.ttlSeconds)
        if maxTTL > 0 && ttl > maxTTL { ttl = maxTTL }
        let record = LeaseRecord(
            id: id, path: String(base), issueTime: now, expireTime: ttl > 0 ? now + ttl : 0,
            renewable: secret.renewable && ttl > 0, ttl: ttl, maxTTL: max(0, maxTTL), clientTokenID: owner,
            internalData: internalData
        )
        try await write(record)
        await handle(machine.withLock { $0.register(record.times) })
        return record
    }

    /// Registers, or updates after a renewal, the lease of a service token with an expiry
    /// (creation, login, `auth/token/renew*`): call it after each, with the stored entry.
    /// Batch tokens and tokens that never expire get no lease (nil).
    @discardableResult
    func registerToken(_ entry: TokenEntry) async throws -> LeaseRecord? {
        guard !entry.isBatch, entry.expireTime > 0, !entry.id.isEmpty, LeaseRecord.isValidTokenID(entry.id) else {
            return nil
        }
        var path = Substring(entry.path)
        while path.hasSuffix("/") { path = path.dropLast() }
        if path.isEmpty || path.hasPrefix("/") || path.utf8.count > 512 { path = "auth/token" }
        let record = LeaseRecord(
            id: LeaseRecord.tokenLeaseID(path: String(path), tokenID: entry.id), path: String(path),
            issueTime: entry.creationTime, expireTime: entry.expireTime, lastRenewalTime: entry.lastRenewalTime,
            renewable: entry.renewable, ttl: entry.ttl, maxTTL: entry.explicitMaxTTL, clientTokenID: entry.parent,
            tokenID: entry.id
        )
        try await write(record)
        await handle(machine.withLock { $0.register(record.times) })
        return record
    }

    // MARK: Reading

    /// The stored lease, or nil when there is none (or `id` cannot name one).
    /// - Throws: a corrupt-state error for an unreadable record; storage errors.
    func lookup(id: String) async throws -> LeaseRecord? {
        guard LeaseRecord.isValidID(id) else { return nil }
        guard let bytes = try await barrier.get(Self.recordKey(id)) else { return nil }
        let record = try LeaseRecord(storageBytes: bytes)
        guard record.id == id else { throw CoreError.corrupt("lease record is stored under another id") }
        return record
    }

    /// Direct children of `prefix` among lease ids (`"abc"`, `"issue/"`), sorted, as
    /// `LIST sys/leases/lookup/:prefix` shows them.
    func list(prefix: String) async throws -> [String] {
        var names: [String] = []
        try await forEachName(under: Self.recordPrefix + prefix) { names.append($0) }
        return names
    }

    /// The `data` of `sys/leases/lookup`.
    func lookupData(_ record: LeaseRecord) -> [String: JSONValue] {
        let now = clock.now()
        return [
            "id": .string(record.id),
            "issue_time": .string(ISO8601.string(fromUnix: record.issueTime)),
            "expire_time": record.expireTime > 0 ? .string(ISO8601.string(fromUnix: record.expireTime)) : .null,
            "last_renewal": record.lastRenewalTime > 0 ? .string(ISO8601.string(fromUnix: record.lastRenewalTime)) : .null,
            "renewable": .bool(record.renewable && record.expireTime > 0 && !record.isExpired(at: now) && !record.isIrrevocable),
            "ttl": .int(record.remainingTTL(at: now)),
        ]
    }

    /// Leases tracked for expiry, and how many of them are irrevocable.
    var trackedCounts: (leases: Int, irrevocable: Int) {
        machine.withLock { ($0.count, $0.irrevocableCount) }
    }

    // MARK: Storage helpers

    /// Writes the record and its owner's index entry in one batch.
    func write(_ record: LeaseRecord) async throws {
        var operations: [StorageOperation] = [.put(key: Self.recordKey(record.id), value: record.storageBytes)]
        if !record.owningTokenID.isEmpty {
            operations.append(.put(
                key: Self.indexKey(tokenID: record.owningTokenID, leaseID: record.id),
                value: LeaseIndexEntry.bytes(leaseID: record.id)
            ))
        }
        try await barrier.commit(StorageBatch(operations))
    }

    /// Deletes the record and its owner's index entry in one batch.
    func delete(_ record: LeaseRecord) async throws {
        var operations: [StorageOperation] = [.delete(key: Self.recordKey(record.id))]
        if !record.owningTokenID.isEmpty {
            operations.append(.delete(key: Self.indexKey(tokenID: record.owningTokenID, leaseID: record.id)))
        }
        try await barrier.commit(StorageBatch(operations))
    }

    /// Calls `body` with each direct child name under the storage `prefix`, a page at a time.
    func forEachName(under prefix: String, _ body: (String) async throws -> Void) async throws {
        var after: String?
        while true {
            let page = try await barrier.list(prefix: prefix, after: after, limit: Self.listPageSize)
            for name in page where !name.isEmpty { try await body(name) }
            guard page.count == Self.listPageSize, let last = page.last else { return }
            after = last
        }
    }

    /// Calls `body` with every lease id under `prefix` (relative to the record directory,
    /// empty or ending in `/`), depth first, holding only the directories still to visit.
    /// Leases deleted meanwhile may or may not be seen.
    func forEachLeaseID(under prefix: String, _ body: (String) async throws -> Void) async throws {
        var directories = [prefix]
        while let directory = directories.popLast() {
            var children: [String] = []
            try await forEachName(under: Self.recordPrefix + directory) { name in
                if name.hasSuffix("/") {
                    children.append(directory + name)
                } else {
                    try await body(directory + name)
                }
            }
            directories.append(contentsOf: children.reversed())
        }
    }

    /// Whether `error` says a stored record cannot be read (corrupt, or failing the
    /// barrier's integrity check), as opposed to storage being unavailable or sealed.
    static func isUnreadable(_ error: any Error) -> Bool {
        if let logical = error as? LogicalError, logical.cause is CorruptState { return true }
        if let barrier = error as? BarrierError, barrier.code == .integrity { return true }
        return false
    }

    /// Performs what an input other than the loop's tick asked for.
    func handle(_ actions: [ExpirationAction]) async {
        for action in actions {
            switch action {
            case .scheduleTick(let at):
                wake.request(at: at)
            case .markIrrevocable(let id):
                await markIrrevocable(id)
            case .revoke(let id):
                // Only tick() hands out revocations, and only the loop ticks.
                logger.error("expiration: unexpected revocation request outside the loop", metadata: ["lease_id": "\(id)"])
            }
        }
    }
}
