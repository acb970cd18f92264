import CofferBarrier
public import CofferLogical
public import CofferStorage
import Foundation
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
    /// Unix seconds; injected so tests can move time.
    let now: @Sendable () -> Int64

    let lifecycle = SerialGate()
    let sealState = Mutex(SealState())
    let activeState = Mutex<ActiveState?>(nil)

    public init(
        storage: any StorageBackend,
        config: CoreConfig = CoreConfig(),
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = Core.wallClock
    ) {
        self.storage = storage
        self.barrier = SecurityBarrier(storage: storage)
        self.config = config
        self.logger = logger
        self.now = now
    }

    /// Unix seconds from the system clock.
    public static let wallClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

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
    let clusterID: String
    let clusterName: String
    let mounts: [MountEntry]
    let authMounts: [MountEntry]

    init(router: Router, tokens: TokenStore, clusterID: String, clusterName: String,
         mounts: [MountEntry], authMounts: [MountEntry]) {
        self.router = router
        self.tokens = tokens
        self.clusterID = clusterID
        self.clusterName = clusterName
        self.mounts = mounts
        self.authMounts = authMounts
    }
}
