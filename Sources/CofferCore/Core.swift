import CofferBarrier
import CofferJSON
public import CofferLogical
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

    public init(
        storage: any StorageBackend,
        config: CoreConfig = CoreConfig(),
        logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.storage = storage
        self.barrier = SecurityBarrier(storage: storage)
        self.config = config
        self.logger = logger
        self.clock = clock
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

    init(router: Router, tokens: TokenStore, policies: PolicyStore, expiration: ExpirationManager,
         clusterID: String, clusterName: String, mounts: [MountEntry], authMounts: [MountEntry]) {
        self.router = router
        self.tokens = tokens
        self.policies = policies
        self.expiration = expiration
        self.clusterID = clusterID
        self.clusterName = clusterName
        self.mounts = mounts
        self.authMounts = authMounts
    }
}
