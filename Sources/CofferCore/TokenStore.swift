import CofferBarrier
import CofferJSON
import CofferLogical
import CofferStorage
import Crypto
import Synchronization

/// Tokens of this cluster: creation, resolution to an ``AuthContext``, renewal,
/// revocation, roles.
///
/// Layout (all through the barrier, local key class except the roles, which Vault replicates):
/// - `sys/token/salt`: 32 random bytes, created once.
/// - `sys/token/id/<hex HMAC-SHA256(salt, token)>`: the ``TokenEntry`` (see its storage format).
/// - `sys/token/accessor/<hex HMAC-SHA256(salt, accessor)>`: ``TokenAccessorRecord``.
/// - `sys/token/parent/<parent id>/<child id>`: empty; lists a token's children.
/// - `sys/token/roles/<name>`: ``TokenRole``.
///
/// Batch tokens (`hvb.`) are not stored: the token is the sealed entry (``TokenBatchCodec``).
///
/// Liveness: a token authenticates when its entry exists, is not pending revocation, has
/// not expired, and the same holds for every ancestor. The ancestor rule is what makes a
/// parent's expiry or revocation end its subtree at once, and what keeps a crashed or
/// racing revocation fail-closed: whatever it left behind hangs below a pending or
/// missing token. ``tidy()`` removes such leftovers.
///
/// Resolved entries are cached in memory (bounded, ``TokenCache``) so the read path does
/// one HMAC and dictionary lookups; every change goes through this type, which keeps the
/// cache in step. Read-modify-writes of one token hold its stripe of ``TokenLocks``.
final class TokenStore: Sendable {
    static let idPrefix = StorageKeys.tokenPrefix + "id/"
    static let accessorPrefix = StorageKeys.tokenPrefix + "accessor/"
    static let parentPrefix = StorageKeys.tokenPrefix + "parent/"
    static let rolePrefix = StorageKeys.tokenPrefix + "roles/"
    static let saltKey = StorageKeys.tokenPrefix + "salt"
    /// The storage path batch tokens are sealed for (their envelope's additional data).
    static let batchEnvelopePath = StorageKeys.tokenPrefix + "batch"
    static let servicePrefix = "hvs."
    static let batchPrefix = "hvb."
    static let cacheLimit = 50_000
    /// Longest service token (or custom id) accepted; longer input is not a token.
    static let maxServiceTokenLength = 256
    /// Longest batch token accepted.
    static let maxBatchTokenLength = 8192
    /// Deepest chain of ancestors a token may have; bounds the liveness walk.
    static let maxDepth = 64
    static let saltedIDLength = 64

    let barrier: SecurityBarrier
    private let salt: SymmetricKey
    /// Unix seconds.
    let now: @Sendable () -> Int64
    /// TTL default and maximum: the token auth mount's tuning, else the server config.
    /// Core updates them when `sys/auth/token/tune` changes.
    var limits: TokenLimits { limitsState.withLock { $0 } }
    private let limitsState: Mutex<TokenLimits>
    let onRevoke: @Sendable ([TokenEntry]) async throws -> Void
    /// Called after a service token is created or renewed (its lease follows its expiry).
    let onStore: @Sendable (TokenEntry) async throws -> Void
    let cache: TokenCache
    let locks = TokenLocks()
    let tidyRunning = Mutex(false)

    private init(
        barrier: SecurityBarrier, salt: SymmetricKey, now: @escaping @Sendable () -> Int64, limits: TokenLimits,
        cacheLimit: Int, onRevoke: @escaping @Sendable ([TokenEntry]) async throws -> Void,
        onStore: @escaping @Sendable (TokenEntry) async throws -> Void
    ) {
        self.barrier = barrier
        self.salt = salt
        self.now = now
        self.limitsState = Mutex(limits)
        self.cache = TokenCache(limit: cacheLimit)
        self.onRevoke = onRevoke
        self.onStore = onStore
    }

    /// Loads the salt, creating it on first use. Call after unseal, once per unseal: the
    /// returned store's cache and locks are only correct if it is the one writer.
    ///
    /// - Parameters:
    ///   - limits: TTL default and maximum for new tokens and renewals.
    ///   - onRevoke: called with every token about to be deleted by a revocation, before
    ///     its entry goes, so per-token data (cubbyhole, leases) can go first. It may be
    ///     called again for the same token after a crash or an error: make it idempotent.
    ///     Throwing stops the revocation; the token stays unusable and a retry continues.
    ///   - onStore: called after a service token is written by creation or renewal, so
    ///     its lease can track its expiry.
    static func load(
        barrier: SecurityBarrier,
        now: @escaping @Sendable () -> Int64,
        limits: TokenLimits = TokenLimits(),
        cacheLimit: Int = TokenStore.cacheLimit,
        onRevoke: @escaping @Sendable ([TokenEntry]) async throws -> Void = { _ in },
        onStore: @escaping @Sendable (TokenEntry) async throws -> Void = { _ in }
    ) async throws -> TokenStore {
        let salt: SymmetricKey
        if let bytes = try await barrier.get(saltKey) {
            guard bytes.count == 32 else { throw CoreError.corrupt("token salt has the wrong size") }
            salt = SymmetricKey(data: bytes)
        } else {
            salt = SymmetricKey(size: .bits256)
            try await barrier.commit(.init([.put(key: saltKey, value: salt.withUnsafeBytes { Array($0) })]))
        }
        return TokenStore(
            barrier: barrier, salt: salt, now: now, limits: limits, cacheLimit: cacheLimit, onRevoke: onRevoke,
            onStore: onStore
        )
    }

    /// Replaces the TTL limits (after the token mount was tuned).
    func updateLimits(_ limits: TokenLimits) {
        limitsState.withLock { $0 = limits }
    }

    /// The storage id of a token or accessor: hex HMAC-SHA256 under this cluster's salt.
    func saltedID(_ value: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: salt)
        return Hex.encode(Array(mac))
    }

    static func idKey(_ id: String) -> String { idPrefix + id }
    static func parentKey(parent: String, child: String) -> String { parentPrefix + parent + "/" + child }

    // MARK: Resolution

    /// The live entry for a client token, or nil when it is malformed, unknown, expired,
    /// revoked (or pending revocation), or below a token that is.
    /// - Throws: storage or barrier errors (sealed), or a corrupt stored entry.
    func lookup(token: String) async throws -> TokenEntry? {
        try await resolve(token: token, allowPending: false)
    }

    /// ``lookup(token:)``, optionally accepting a token whose revocation is pending: the
    /// token backend uses that for the caller's own token, which may have spent its last
    /// use on the very request being served.
    func resolve(token: String, allowPending: Bool) async throws -> TokenEntry? {
        guard let entry = try await entry(forToken: token) else { return nil }
        if entry.revocationPending && !allowPending { return nil }
        let now = now()
        guard !entry.isExpired(at: now), try await ancestorCount(of: entry, now: now) != nil else { return nil }
        return entry
    }

    /// The entry behind a token whatever its state (pending, expired), or nil when the
    /// token is malformed or unknown. Batch tokens are opened, not looked up.
    func entry(forToken token: String) async throws -> TokenEntry? {
        guard Self.isWellFormed(token) else { return nil }
        if token.hasPrefix(Self.batchPrefix) {
            return try TokenBatchCodec.decode(token, barrier: barrier, id: saltedID(token))
        }
        return try await storedEntry(id: saltedID(token))
    }

    /// The stored entry with this salted id, from the cache or storage.
    func storedEntry(id: String) async throws -> TokenEntry? {
        if let cached = cache.entry(id) { return cached }
        guard Hex.isLowercaseHex(id, count: Self.saltedIDLength) else { return nil }
        let epoch = cache.epoch
        guard let bytes = try await barrier.get(Self.idKey(id)) else { return nil }
        let entry = try TokenEntry(storageBytes: bytes)
        guard entry.id == id else { throw CoreError.corrupt("token entry is stored under another id") }
        cache.insert(entry, ifEpoch: epoch)
        return entry
    }

    /// How many ancestors `entry` has, or nil when one of them is missing, pending
    /// revocation or expired (then `entry` is dead too), or the chain is too deep.
    func ancestorCount(of entry: TokenEntry, now: Int64) async throws -> Int? {
        var parent = entry.parent
        var count = 0
        while !parent.isEmpty {
            count += 1
            guard count <= Self.maxDepth, let ancestor = try await storedEntry(id: parent),
                !ancestor.revocationPending, !ancestor.isExpired(at: now)
            else { return nil }
            parent = ancestor.parent
        }
        return count
    }

    /// Whether `token` can be a token at all: printable ASCII, not empty, not too long.
    static func isWellFormed(_ token: String) -> Bool {
        let limit = token.hasPrefix(batchPrefix) ? maxBatchTokenLength : maxServiceTokenLength
        var count = 0
        for byte in token.utf8 {
            guard byte > 0x20, byte < 0x7f else { return false }
            count += 1
            if count > limit { return false }
        }
        return count > 0
    }

    func authContext(for entry: TokenEntry) -> AuthContext {
        AuthContext(
            accessor: entry.accessor, policies: entry.policies, metadata: entry.metadata,
            displayName: entry.displayName, tokenID: entry.id
        )
    }

    /// The `data` of `auth/token/lookup*`, as Vault reports it. `token` is shown as `id`
    /// (pass "" for lookups by accessor).
    func lookupData(entry: TokenEntry, token: String) -> [String: JSONValue] {
        let now = now()
        var data: [String: JSONValue] = [
            "accessor": .string(entry.accessor), "creation_time": .int(entry.creationTime),
            "creation_ttl": .int(entry.ttl), "display_name": .string(entry.displayName), "entity_id": "",
            "expire_time": entry.expireTime > 0 ? .string(ISO8601.string(fromUnix: entry.expireTime)) : .null,
            "explicit_max_ttl": .int(entry.explicitMaxTTL), "id": .string(token),
            "issue_time": .string(ISO8601.string(fromUnix: entry.creationTime)),
            "meta": entry.metadata.isEmpty ? .null : .object(entry.metadata.mapValues { .string($0) }),
            "num_uses": .int(Int64(entry.numUses)), "orphan": .bool(entry.isOrphan), "path": .string(entry.path),
            "policies": .array(entry.policies.map { .string($0) }),
            "renewable": .bool(entry.renewable && entry.expireTime > 0 && !entry.isBatch),
            "ttl": .int(entry.remainingTTL(at: now)), "type": .string(entry.type),
        ]
        if entry.period > 0 { data["period"] = .int(entry.period) }
        if !entry.role.isEmpty { data["role"] = .string(entry.role) }
        if entry.lastRenewalTime > 0 {
            data["last_renewal_time"] = .int(entry.lastRenewalTime)
            data["last_renewal"] = .string(ISO8601.string(fromUnix: entry.lastRenewalTime))
        }
        return data
    }

    /// The `auth` block for a token just created or renewed.
    func authInfo(entry: TokenEntry, token: String, leaseDuration: Int64) -> AuthInfo {
        AuthInfo(
            clientToken: token, accessor: entry.accessor, policies: entry.policies, tokenPolicies: entry.policies,
            metadata: entry.metadata, leaseDurationSeconds: leaseDuration,
            renewable: entry.renewable && entry.expireTime > 0 && !entry.isBatch,
            tokenType: entry.type, orphan: entry.isOrphan, numUses: entry.numUses
        )
    }
}
