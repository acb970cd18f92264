import CofferBarrier
public import CofferJSON
public import CofferLogical
import CofferStorage
import Crypto

/// The answer of `sys/init`: the unseal key shares (raw bytes) and the root token.
public struct InitResult: Sendable {
    public var keys: [[UInt8]]
    public var rootToken: String
}

/// The answer of `sys/seal-status` and `sys/unseal`.
public struct SealStatusInfo: Sendable {
    public var initialized: Bool
    public var sealed: Bool
    public var threshold: Int
    public var shares: Int
    public var progress: Int
    public var nonce: String
    public var clusterName: String?
    public var clusterID: String?
    public var storageType: String
}

extension Core {
    static let unsealKeyLength = 32

    // MARK: status

    public func sealStatus() async throws -> SealStatusInfo {
        let sealConfig = try await loadSealConfig()
        let active = self.active
        let (progress, nonce) = sealState.withLock { ($0.progress?.progress ?? 0, $0.progress?.nonce ?? "") }
        return SealStatusInfo(
            initialized: sealConfig != nil, sealed: active == nil,
            threshold: sealConfig?.secretThreshold ?? 0, shares: sealConfig?.secretShares ?? 0,
            progress: active == nil ? progress : 0, nonce: active == nil ? nonce : "",
            clusterName: active?.clusterName, clusterID: active?.clusterID, storageType: storage.name
        )
    }

    public func isInitialized() async throws -> Bool { try await loadSealConfig() != nil }

    /// The seal configuration, read once and cached. It sits outside the barrier.
    func loadSealConfig() async throws -> SealConfig? {
        if let cached = sealState.withLock({ $0.sealConfig }) { return cached }
        guard let bytes = try await storage.get(StorageKeys.sealConfig) else { return nil }
        let config = try SealConfig(bytes: bytes)
        sealState.withLock { $0.sealConfig = config }
        return config
    }

    // MARK: init

    /// `sys/init`: creates the barrier keys, splits the unseal key, creates the root token
    /// and the default mounts, and leaves the server sealed, as Vault does.
    public func initialize(shares: Int, threshold: Int) async throws -> InitResult {
        try Self.validateInit(shares: shares, threshold: threshold)
        return try await lifecycle.run {
            guard try await loadSealConfig() == nil else {
                throw LogicalError.invalidRequest("Vault is already initialized")
            }
            var unsealKey = [UInt8](repeating: 0, count: Self.unsealKeyLength)
            var rng = SystemRandomNumberGenerator()
            for i in unsealKey.indices { unsealKey[i] = rng.next() }
            let keyShares = try Shamir.split(secret: unsealKey, shares: shares, threshold: threshold)

            // Without a seal config nothing is initialised: whatever a crashed earlier init
            // left behind (keys nobody holds shares of) is removed before starting over.
            try await storage.commit(StorageBatch([.deletePrefix("")]))
            try await barrier.initialize(unsealKey: unsealKey)
            try await barrier.unseal(unsealKey: unsealKey)
            let rootToken: String
            do {
                let tokens = try await TokenStore.load(barrier: barrier, now: now)
                rootToken = try await tokens.createRootToken().token
                try await createClusterInfo()
                try await createDefaultMountTables()
                try await PolicyStore(barrier: barrier).ensureDefaultPolicy()
                barrier.seal()
            } catch {
                barrier.seal()
                throw error
            }
            // Written last: its presence is what "initialised" means.
            let sealConfig = SealConfig(secretShares: shares, secretThreshold: threshold)
            try await storage.put(StorageKeys.sealConfig, sealConfig.encoded())
            sealState.withLock { $0 = SealState(sealConfig: sealConfig, progress: nil) }
            logger.info("core: initialized", metadata: ["shares": "\(shares)", "threshold": "\(threshold)"])
            return InitResult(keys: keyShares, rootToken: rootToken)
        }
    }

    static func validateInit(shares: Int, threshold: Int) throws {
        if shares < 1 { throw LogicalError.invalidRequest("shares must be at least one") }
        if threshold < 1 { throw LogicalError.invalidRequest("threshold must be at least one") }
        if shares > 1 && threshold == 1 {
            throw LogicalError.invalidRequest("threshold must be greater than one for multiple shares")
        }
        if shares > 255 { throw LogicalError.invalidRequest("shares must be less than 256") }
        if threshold > shares { throw LogicalError.invalidRequest("threshold cannot be larger than shares") }
    }

    // MARK: unseal

    /// `sys/unseal` with one key share (raw bytes). Returns the status after it.
    public func unseal(share: [UInt8]) async throws -> SealStatusInfo {
        try await lifecycle.run {
            guard let sealConfig = try await loadSealConfig() else {
                throw LogicalError.invalidRequest("Vault is not initialized")
            }
            guard active == nil else { return }
            let action = sealState.withLock { state -> UnsealProgress.Action in
                if state.progress == nil { state.progress = UnsealProgress(threshold: sealConfig.secretThreshold) }
                return state.progress!.submit(share: share)
            }
            guard case .combine(let shares) = action else { return }
            let key: [UInt8]
            do {
                key = try Shamir.combine(shares, threshold: sealConfig.secretThreshold)
            } catch {
                throw LogicalError.invalidRequest("failed to combine the unseal key shares: they are malformed or do not belong together")
            }
            do {
                try await barrier.unseal(unsealKey: key)
            } catch let error as BarrierError where error.code == .invalidKey {
                throw LogicalError.invalidRequest("unable to unseal: the key shares do not reconstruct this Vault's unseal key")
            }
            do {
                try await activate()
            } catch {
                barrier.seal()
                throw error
            }
            logger.info("core: vault is unsealed")
            await replicationController?.coreUnsealed()
        }
        return try await sealStatus()
    }

    /// `sys/unseal` with `reset=true`: forgets the shares given so far.
    public func resetUnseal() async throws -> SealStatusInfo {
        try await lifecycle.run {
            guard try await loadSealConfig() != nil else {
                throw LogicalError.invalidRequest("Vault is not initialized")
            }
            guard active == nil else { throw LogicalError.invalidRequest("vault is unsealed") }
            sealState.withLock { $0.progress?.reset() }
        }
        return try await sealStatus()
    }

    // MARK: seal

    /// `sys/seal`. Requires a root token (sudo on `sys/seal` once policies exist).
    public func seal(clientToken: String?) async throws {
        guard let active else { throw LogicalError.sealed }
        let auth = try await authenticate(clientToken, active: active)
        guard await hasSudo(auth, path: "sys/seal") else { throw LogicalError.permissionDenied }
        await replicationController?.coreSealing()
        await lifecycle.run {
            await active.expiration.stop()
            activeState.withLock { $0 = nil }
            barrier.seal()
            sealState.withLock { $0.progress = nil }
            discardKeyOperations()
            logger.info("core: vault is sealed")
        }
    }

    // MARK: dev mode

    /// Dev mode: initialise with one share, unseal, mount `secret/`, and create a root
    /// token with the given value. Returns the unseal key and root token.
    public func setUpDevMode(rootTokenID: String?) async throws -> (unsealKey: [UInt8], rootToken: String) {
        let result = try await initialize(shares: 1, threshold: 1)
        _ = try await unseal(share: result.keys[0])
        var rootToken = result.rootToken
        if let rootTokenID, !rootTokenID.isEmpty {
            guard let active else { throw LogicalError.sealed }
            rootToken = try await active.tokens.createRootToken(id: rootTokenID).token
        }
        devRootToken.withLock { [rootToken] in $0 = rootToken }
        try await lifecycle.run {
            try await addDevMounts()
            try await activate()
        }
        return (result.keys[0], rootToken)
    }

    // MARK: activation

    /// Loads mounts, tokens and cluster identity after the barrier opened, and publishes
    /// the snapshot that lets requests in. `audit` replaces the audit devices; without
    /// it they carry over, or are opened from storage on the first activation after unseal.
    func activate(audit: AuditBroker? = nil) async throws {
        let info = try await barrier.get(StorageKeys.clusterInfo).map { try JSONParser.parse($0) }
        // Stores survive a republish (mount changes): their caches and per-token locks
        // must be the ones every request uses.
        let expiration = active?.expiration ?? makeExpirationManager()
        let tokens: TokenStore
        if let current = active?.tokens {
            tokens = current
        } else {
            tokens = try await TokenStore.load(
                barrier: barrier, now: now,
                limits: TokenLimits(defaultTTL: config.defaultLeaseTTL, maxTTL: config.maxLeaseTTL),
                // Weak: background expiry may outlive a Core that was dropped unsealed.
                onRevoke: { [weak self] entries in
                    guard let self else { throw LogicalError.sealed }
                    try await self.destroyPerTokenData(entries)
                    for entry in entries { try await expiration.revokeByToken(tokenID: entry.id) }
                },
                onStore: { entry in _ = try await expiration.registerToken(entry) }
            )
        }
        let mounts = try await loadTable(StorageKeys.mounts) + loadTable(StorageKeys.localMounts)
        let authMounts = try await loadTable(StorageKeys.auth) + loadTable(StorageKeys.localAuth)
        // Before anything writes to a mount: its data's key class follows its `local` flag.
        keyClasses.setLocalMounts(Set((mounts + authMounts).filter(\.local).map(\.uuid)))
        try await loadReplicationLogOnce()
        if let tokenMount = authMounts.first(where: { $0.type == "token" }) {
            tokens.updateLimits(TokenLimits(
                defaultTTL: tokenMount.defaultLeaseTTL > 0 ? tokenMount.defaultLeaseTTL : config.defaultLeaseTTL,
                maxTTL: tokenMount.maxLeaseTTL > 0 ? tokenMount.maxLeaseTTL : config.maxLeaseTTL
            ))
        }
        let policies = active?.policies ?? PolicyStore(barrier: barrier)
        var auditDevices = audit ?? active?.audit
        if auditDevices == nil { auditDevices = try await loadAuditBroker() }
        let snapshot = ActiveState(
            router: try buildRouter(mounts: mounts, authMounts: authMounts, tokens: tokens),
            tokens: tokens,
            policies: policies,
            expiration: expiration,
            clusterID: info?["id"]?.stringValue ?? "",
            clusterName: info?["name"]?.stringValue ?? "",
            mounts: mounts,
            authMounts: authMounts,
            audit: auditDevices ?? AuditBroker()
        )
        activeState.withLock { $0 = snapshot }
        expiration.start()
    }

    /// The lease manager: revokes tokens whose lease ran out (and, once engines issue
    /// dynamic secrets, their secrets) on the wall clock.
    private func makeExpirationManager() -> ExpirationManager {
        ExpirationManager(
            barrier: barrier, clock: ExpirationClock(now: now, clock: ContinuousClock()), logger: logger,
            tokenExists: { [weak self] id in
                guard let tokens = self?.active?.tokens else { throw LogicalError.sealed }
                return try await tokens.storedEntry(id: id) != nil
            },
            revoke: { [weak self] record in
                guard let active = self?.active else { throw LogicalError.sealed }
                if record.isTokenLease { try await active.tokens.revokeTree(id: record.tokenID) }
                // Secret leases: no engine issues dynamic secrets yet, so deleting the
                // record (the manager does) is the whole revocation.
            }
        )
    }

    func createClusterInfo() async throws {
        let name = config.clusterName.isEmpty
            ? "vault-cluster-" + String(TokenGenerator.uuid().prefix(8)) : config.clusterName
        let info: JSONValue = ["id": .string(TokenGenerator.uuid()), "name": .string(name)]
        try await barrier.commit(StorageBatch([.put(key: StorageKeys.clusterInfo, value: JSONWriter.bytes(info))]))
    }

    /// A new cluster's (or a new secondary's) own cubbyhole mount: local, per token.
    static func newCubbyholeMount() -> MountEntry {
        MountEntry(
            path: "cubbyhole/", type: "cubbyhole", description: "per-token private secret storage",
            uuid: TokenGenerator.uuid(), accessor: "cubbyhole_" + String(TokenGenerator.uuid().prefix(8)), local: true
        )
    }

    /// The local mount table of a cluster whose storage was replaced by a primary's (a
    /// new performance secondary): only its own cubbyhole, which response wrapping needs.
    func createLocalMountTable() async throws {
        try await barrier.commit(StorageBatch([
            .put(key: StorageKeys.localMounts, value: JSONWriter.bytes(MountTableRecord(entries: [Self.newCubbyholeMount()]).storageValue)),
        ]))
    }

    private func createDefaultMountTables() async throws {
        let cubbyhole = Self.newCubbyholeMount()
        let sys = MountEntry(
            path: "sys/", type: "system", description: "system endpoints used for control, policy and debugging",
            uuid: TokenGenerator.uuid(), accessor: "system_" + String(TokenGenerator.uuid().prefix(8))
        )
        let token = MountEntry(
            path: "token/", type: "token", description: "token based credentials",
            uuid: TokenGenerator.uuid(), accessor: "auth_token_" + String(TokenGenerator.uuid().prefix(8))
        )
        try await barrier.commit(StorageBatch([
            .put(key: StorageKeys.mounts, value: JSONWriter.bytes(MountTableRecord(entries: [sys]).storageValue)),
            .put(key: StorageKeys.localMounts, value: JSONWriter.bytes(MountTableRecord(entries: [cubbyhole]).storageValue)),
            .put(key: StorageKeys.auth, value: JSONWriter.bytes(MountTableRecord(entries: [token]).storageValue)),
        ]))
    }

    private func addDevMounts() async throws {
        var mounts = try await loadTable(StorageKeys.mounts)
        guard !mounts.contains(where: { $0.path == "secret/" }) else { return }
        mounts.append(MountEntry(
            path: "secret/", type: "kv", description: "key/value secret storage",
            uuid: TokenGenerator.uuid(), accessor: "kv_" + String(TokenGenerator.uuid().prefix(8)),
            options: ["version": "2"]
        ))
        try await barrier.commit(StorageBatch([
            .put(key: StorageKeys.mounts, value: JSONWriter.bytes(MountTableRecord(entries: mounts).storageValue)),
        ]))
    }

    /// Deletes what belongs to revoked tokens: their cubbyhole slices. Idempotent (the
    /// token store may call it twice for a token after a crash).
    func destroyPerTokenData(_ entries: [TokenEntry]) async throws {
        let cubbyholes = try await loadTable(StorageKeys.localMounts).filter { $0.type == "cubbyhole" }
        guard !cubbyholes.isEmpty, !entries.isEmpty else { return }
        var operations: [StorageOperation] = []
        for mount in cubbyholes {
            for entry in entries { operations.append(.deletePrefix(mount.storagePrefix + entry.id + "/")) }
        }
        try await barrier.commit(StorageBatch(operations))
    }

    func loadTable(_ key: String) async throws -> [MountEntry] {
        guard let bytes = try await barrier.get(key) else { return [] }
        return try MountTableRecord(storageValue: try JSONParser.parse(bytes)).entries
    }
}
