import CofferBarrier
import CofferJSON
public import CofferReplication
public import CofferLogical
public import CofferMetrics
public import CofferStorage
public import Foundation
public import Logging
import Synchronization

/// The server's heart: seal lifecycle, mounts, tokens and the request pipeline.
///
/// State that the read path needs (router, token store) lives in one immutable
/// ``ActiveState`` snapshot behind a mutex that is held only to copy a reference; the
/// lifecycle operations (init, unseal, seal, mount changes) are serialised by an
/// ``SerialGate`` and publish a new snapshot when done.
public final class Core: Sendable {
    public let storage: any StorageBackend
    let barrier: SecurityBarrier
    let config: CoreConfig
    let logger: Logger
    /// The wall clock; injected so tests can move time.
    let clock: @Sendable () -> Date

    let lifecycle = SerialGate()
    let sealState = Mutex(SealState())
    let activeState = Mutex<ActiveState?>(nil)
    /// Engine instances by mount, kept across routing rebuilds: an engine's locks (KV v2
    /// serialises writes per key) must be the same for every request to that mount.
    let engines = Mutex<[String: any LogicalBackend]>([:])
    /// Finished `sys/remount` migrations by id (this node's memory only, as in Vault).
    let migrations = Mutex<[String: JSONValue]>([:])
    /// The `sys/generate-root` attempt in progress (memory only, as in Vault; dropped on seal).
    let rootGeneration = Mutex<RootGenerationAttempt?>(nil)
    /// The `sys/rekey` operation in progress (memory only; dropped on seal).
    let rekeyOperation = Mutex<RekeyOperation?>(nil)

    /// The write-ahead log and Merkle index over replicated keys, installed into the
    /// storage's commit path (nil for a backend that takes no interceptor).
    public let replicationLog: ReplicationLog?
    /// Which keys replicate; its local-mount set follows the mount tables.
    let keyClasses = KeyClassifierBox()
    /// Set by the server: the cluster link and replication endpoints (CofferCluster).
    let replicationControl = Mutex<(any ReplicationController)?>(nil)
    /// The dev-mode root token, which a dev secondary receives at bootstrap.
    let devRootToken = Mutex<String?>(nil)
    /// Whether the log was loaded from storage (once per process).
    let replicationLogLoaded = Mutex(false)
    /// Mints and reads JWT-format wrapping tokens (`WrappingTokenCodec.swift`); set by the server.
    let wrappingTokenCodecBox = Mutex<(any WrappingTokenCodec)?>(nil)
    /// This server's metrics (`sys/metrics`); subsystems register theirs here.
    public let metrics: MetricsRegistry
    /// The request path's instruments, made once (`Core+Metrics.swift`).
    let requestMetrics: RequestMetrics

    public init(
        storage: any StorageBackend,
        config: CoreConfig = CoreConfig(),
        logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.storage = storage
        self.barrier = SecurityBarrier(storage: storage)
        if let interceptable = storage as? any InterceptableStorage {
            let classes = keyClasses
            let log = ReplicationLog(
                storage: storage, retention: config.walRetention,
                isReplicated: { classes.isReplicated($0) }, logger: logger)
            interceptable.setCommitInterceptor(log)
            self.replicationLog = log
        } else {
            self.replicationLog = nil
        }
        self.config = config
        self.logger = logger
        self.clock = clock
        let metrics = MetricsRegistry(clock: clock)
        self.metrics = metrics
        self.requestMetrics = RequestMetrics(registry: metrics)
        installMetricsCollectors()
    }

    /// Unix seconds by the injected clock.
    var now: @Sendable () -> Int64 {
        let clock = self.clock
        return { Int64(clock().timeIntervalSince1970) }
    }

    /// The current snapshot when unsealed.
    var active: ActiveState? { activeState.withLock { $0 } }

    public var isSealed: Bool { active == nil }
}

/// Unseal-related state that exists while sealed.
struct SealState: Sendable {
    /// Cached `core/seal-config`; nil until read or when not initialised.
    var sealConfig: SealConfig?
    var progress: UnsealProgress?
}

/// Everything the request path needs once unsealed. Immutable; replaced as a whole.
final class ActiveState: Sendable {
    let router: Router
    let tokens: TokenStore
    let policies: PolicyStore
    let expiration: ExpirationManager
    let clusterID: String
    let clusterName: String
    let mounts: [MountEntry]
    let authMounts: [MountEntry]
    /// The enabled audit devices (empty: auditing costs one check per request).
    let audit: AuditBroker

    init(router: Router, tokens: TokenStore, policies: PolicyStore, expiration: ExpirationManager,
         clusterID: String, clusterName: String, mounts: [MountEntry], authMounts: [MountEntry],
         audit: AuditBroker = AuditBroker()) {
        self.router = router
        self.tokens = tokens
        self.policies = policies
        self.expiration = expiration
        self.clusterID = clusterID
        self.clusterName = clusterName
        self.mounts = mounts
        self.authMounts = authMounts
        self.audit = audit
    }
}
