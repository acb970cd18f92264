import CofferBarrier
public import CofferJSON
public import CofferLogical
public import CofferReplication
public import CofferStorage
import Synchronization

/// How this cluster takes part in performance replication (`mode` in
/// `sys/replication/performance/status`, `replication_performance_mode` in health).
public enum ReplicationMode: String, Sendable {
    case disabled, primary, secondary, bootstrapping
}

/// What Core asks of the replication layer. CofferCluster implements it (the cluster
/// link, the activation flow, the log shippers and the replicator); the server injects it
/// with ``Core/setReplicationController(_:)``. Core never sees gRPC or TLS.
public protocol ReplicationController: AnyObject, Sendable {
    /// This cluster's performance replication mode.
    var mode: ReplicationMode { get }
    /// Serves `sys/replication/...`; `request.path` is relative to `sys/` (`replication/status`).
    func handle(_ request: Request) async throws -> Response?
    /// The `performance` section of `sys/replication/status`.
    func performanceStatus() async -> JSONValue
    /// Sends a write this secondary may not perform to the primary and answers once this
    /// cluster has applied the primary's resulting index (or the bounded wait ran out, with
    /// a warning). `request.path` is the full path; `auth` the caller's resolved identity
    /// (nil for an unauthenticated path such as a login).
    func forward(_ request: Request, auth: AuthContext?) async throws -> Response?
    /// The barrier opened (start links) / is about to close (stop them).
    func coreUnsealed() async
    func coreSealing() async
    /// See ``Core/checkConsistency(_:)``; the default serves everything locally.
    func checkConsistency(_ request: ConsistencyRequest, allowForwarding: Bool, waitMillis: Int64) async throws -> ConsistencyDecision
    /// See ``Core/replicationResponseHeaders(wrote:recordState:)``; the default adds none.
    func responseHeaders(wrote: Bool, recordState: Bool) -> [(name: String, value: String)]
}

/// The classifier behind the WAL, shared with the log's callback (which runs inside the
/// storage's commit and must not touch Core's snapshots).
final class KeyClassifierBox: Sendable {
    private let classifier = Mutex(KeyClassifier())

    func isReplicated(_ key: String) -> Bool {
        classifier.withLock { $0.classify(key) } == .replicated
    }

    func setLocalMounts(_ uuids: Set<String>) {
        classifier.withLock { $0.localMountUUIDs = uuids }
    }
}

extension Core {
    /// The key of this secondary's last applied primary WAL index (local class).
    public static let lastRemoteWALKey = StorageKeys.replicationPrefix + "secondary/last-remote-wal"

    public func setReplicationController(_ controller: (any ReplicationController)?) {
        replicationControl.withLock { $0 = controller }
    }

    public var replicationController: (any ReplicationController)? { replicationControl.withLock { $0 } }

    /// The performance replication mode, `disabled` without a controller.
    public var replicationMode: ReplicationMode { replicationController?.mode ?? .disabled }

    /// Whether `error` is storage refusing a write to a replicated key on a secondary,
    /// however deep an engine or the barrier wrapped it.
    static func isReadOnlyStorage(_ error: any Error) -> Bool {
        var current: (any Error)? = error
        var depth = 0
        while let error = current, depth < 8 {
            if let storage = error as? StorageError { return storage.code == .readOnly }
            if let logical = error as? LogicalError { current = logical.cause } else { return false }
            depth += 1
        }
        return false
    }

    // MARK: secondary: applying the primary's log

    /// Applies `records` (in order, contiguous) from the primary in ONE storage
    /// transaction together with the new last applied index, then refreshes what Core
    /// caches about the keys they touched. A crash leaves either all of it or none.
    public func applyReplicated(_ records: [WALRecord], lastRemoteIndex: UInt64) async throws {
        var operations = records.map(\.operation)
        operations.append(.put(key: Self.lastRemoteWALKey, value: Array(String(lastRemoteIndex).utf8)))
        try await storage.commit(StorageBatch(operations, origin: .replication))
        try await refreshAfterReplication(records.map(\.operation))
    }

    /// Applies one Merkle sync step (values as stored on the primary, deletes of keys it
    /// no longer has, the replicator's own bookkeeping keys) in one transaction; the last
    /// step also records the index the sync reached as `last_remote_wal`.
    public func applySyncBatch(_ operations: [StorageOperation], reachedIndex: UInt64?) async throws {
        var operations = operations
        if let reachedIndex {
            operations.append(.put(key: Self.lastRemoteWALKey, value: Array(String(reachedIndex).utf8)))
        }
        try await storage.commit(StorageBatch(operations, origin: .replication))
        try await refreshAfterReplication(operations)
    }

    /// The last primary index this secondary applied (0 before any).
    public func lastRemoteWAL() async throws -> UInt64 {
        guard let bytes = try await storage.get(Self.lastRemoteWALKey) else { return 0 }
        return UInt64(String(decoding: bytes, as: UTF8.self)) ?? 0
    }

    /// Mount tables, policies and the keyring are cached in memory; replicated writes
    /// change them underneath, so what they touched is reloaded.
    func refreshAfterReplication(_ operations: [StorageOperation]) async throws {
        var tables = false, keyring = false, sealConfig = false
        var policies: Set<String> = []
        for operation in operations {
            let key: String
            switch operation {
            case .put(let k, _), .delete(let k): key = k
            case .deletePrefix(let prefix):
                if prefix.isEmpty || "core/".hasPrefix(prefix) || prefix.hasPrefix("core/") { tables = true; keyring = true }
                if prefix.isEmpty || prefix.hasPrefix(StorageKeys.policyPrefix) || StorageKeys.policyPrefix.hasPrefix(prefix) {
                    policies.insert("*")
                }
                continue
            }
            if [StorageKeys.mounts, StorageKeys.auth, "core/audit"].contains(key) { tables = true }
            if key == SecurityBarrier.keyringPath || key == SecurityBarrier.rootKeyPath { keyring = true }
            if key == StorageKeys.sealConfig { sealConfig = true }
            if key.hasPrefix(StorageKeys.policyPrefix) { policies.insert(String(key.dropFirst(StorageKeys.policyPrefix.count))) }
        }
        if sealConfig { sealState.withLock { $0.sealConfig = nil } }
        guard let active else { return }
        if keyring { try await barrier.reloadKeyring() }
        if policies.contains("*") {
            active.policies.invalidateAll()
        } else {
            for name in policies { active.policies.invalidate(name, replacement: nil) }
        }
        if tables {
            try await lifecycle.run {
                guard self.active != nil else { return }
                try await activate()
            }
        }
    }

    // MARK: bootstrap

    /// What a new secondary receives over the cluster link: the barrier's stored key
    /// entries (already encrypted), the root key (secret: only over the mTLS link), and in
    /// dev mode the dev root token so it works on the secondary too.
    public func bootstrapMaterial() async throws -> (entries: [(key: String, value: [UInt8])], rootKey: [UInt8], devRootToken: String?) {
        guard active != nil else { throw LogicalError.sealed }
        return (try await barrier.storedKeyEntries(), try barrier.rootKeyForBootstrap(), devRootToken.withLock { $0 })
    }

    /// Becomes a secondary: wipes ALL storage (local mounts included, as Vault does at first
    /// bootstrap, since the keys change), installs the primary's key entries, unseals with
    /// the primary's root key, and runs `afterWipe` (the caller records its replication
    /// state there) before publishing. In dev mode the primary's dev root token is recreated.
    public func installBootstrap(
        entries: [(key: String, value: [UInt8])], rootKey: [UInt8], devRootToken: String?,
        afterWipe: @Sendable () async throws -> Void
    ) async throws {
        try await lifecycle.run {
            if let active {
                await active.expiration.stop()
                activeState.withLock { $0 = nil }
            }
            barrier.seal()
            sealState.withLock { $0 = SealState() }
            replicationLog?.setMode(.secondary)
            var operations: [StorageOperation] = [.deletePrefix("")]
            operations += entries.map { .put(key: $0.key, value: $0.value) }
            try await storage.commit(StorageBatch(operations, origin: .replication))
            try await barrier.unseal(rootKey: rootKey)
            try await createClusterInfo()
            try await createLocalMountTable()
            try await afterWipe()
            try await activate()
            if let devRootToken, !devRootToken.isEmpty, let active {
                _ = try await active.tokens.createRootToken(id: devRootToken)
            }
            logger.info("core: joined a replication set as a performance secondary; local storage was replaced")
        }
    }
}

extension Core {
    /// Restores the log's index and rebuilds the Merkle index from storage, once per
    /// process (the first activation after start; later activations reuse it).
    func loadReplicationLogOnce() async throws {
        guard let replicationLog, !replicationLogLoaded.withLock({ $0 }) else { return }
        try await replicationLog.load()
        replicationLogLoaded.withLock { $0 = true }
    }
}

extension Core {
    /// Whether `key` replicates to performance secondaries (the one classifier).
    public func isReplicatedKey(_ key: String) -> Bool { keyClasses.isReplicated(key) }

    /// This node's `api_addr` as configured (what activation tokens carry).
    public var apiAddress: String { config.apiAddress }

    /// How long a secondary waits for a forwarded write to arrive before answering.
    public var walWaitMillis: Int64 { config.walWaitMillis }

    /// The replication layer's own state (`core/replication/<name>`, local class),
    /// barrier-encrypted: it holds the set's CA key and this cluster's link credentials.
    public func readReplicationState(_ name: String) async throws -> [UInt8]? {
        try await barrier.get(StorageKeys.replicationPrefix + "state/" + name)
    }

    public func writeReplicationState(_ name: String, _ value: [UInt8]) async throws {
        try await barrier.put(StorageKeys.replicationPrefix + "state/" + name, value)
    }

    /// A write to a replicated key through the barrier (the primary's replication-set
    /// record, which must itself reach secondaries through the log).
    public func writeReplicated(_ key: String, _ value: [UInt8]) async throws {
        guard isReplicatedKey(key) else {
            throw CoreError.corrupt("writeReplicated was given a local key")
        }
        try await barrier.put(key, value)
    }

    /// A replicated key's value through the barrier (nil when absent).
    public func readReplicated(_ key: String) async throws -> [UInt8]? {
        guard isReplicatedKey(key) else {
            throw CoreError.corrupt("readReplicated was given a local key")
        }
        return try await barrier.get(key)
    }
}

/// A mount as replication filters see it: its path (`secret/`, `auth/userpass/`) and the
/// storage prefix of its data.
public struct MountDataPrefix: Sendable, Hashable {
    public var path: String
    public var prefix: String
    public var type: String
    public var local: Bool
}

extension Core {
    /// Every secrets and auth mount with its data's storage prefix (empty while sealed).
    /// Auth mounts are named `auth/<path>`, as Vault's paths filters name them.
    public func mountDataPrefixes() -> [MountDataPrefix] {
        guard let active else { return [] }
        let secrets = active.mounts.map {
            MountDataPrefix(path: $0.path, prefix: StorageKeys.mountData(uuid: $0.uuid), type: $0.type, local: $0.local)
        }
        let auth = active.authMounts.map {
            MountDataPrefix(path: "auth/" + $0.path, prefix: StorageKeys.mountData(uuid: $0.uuid, isAuth: true), type: $0.type, local: $0.local)
        }
        return secrets + auth
    }
}
