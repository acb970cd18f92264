import CofferLogical
import CofferMetrics

/// The request path's instruments, made once per ``Core`` so that recording one costs no
/// lookup: a timer record is a clock read and a few briefly-locked additions.
///
/// - `vault.core.handle_request`: every logical request but logins, from the moment Core
///   takes it (unsealed) to its answer or error, audit and wrapping included.
/// - `vault.core.handle_login_request`: logins (an auth method's unauthenticated paths),
///   the same span. As in Vault, a request counts in one of the two, never both.
/// - `vault.token.creation`: a counter per token minted by a login or `auth/token/create*`,
///   labelled `auth_method` (the mount type), `mount_point` and `token_type`.
struct RequestMetrics: Sendable {
    let registry: MetricsRegistry
    let handleRequest: Metrics.Timer
    let handleLoginRequest: Metrics.Timer

    init(registry: MetricsRegistry) {
        self.registry = registry
        self.handleRequest = registry.timer("vault.core.handle_request")
        self.handleLoginRequest = registry.timer("vault.core.handle_login_request")
    }

    /// Records a request that Core started at `start` and has answered (or refused).
    func requestFinished(_ context: RequestContext, since start: ContinuousClock.Instant) {
        let elapsed = start.duration(to: .now)
        // A login is the one kind of request served on an auth mount without a token.
        if context.auth == nil, context.mount?.path.hasPrefix("auth/") == true {
            handleLoginRequest.record(duration: elapsed)
        } else {
            handleRequest.record(duration: elapsed)
        }
    }

    /// Counts a token minted by the auth method of type `authMethod` mounted at `mountPoint`.
    func tokenCreated(authMethod: String, mountPoint: String, tokenType: String) {
        registry.counter(
            "vault.token.creation",
            labels: ["auth_method": authMethod, "mount_point": mountPoint, "token_type": tokenType]
        ).increment()
    }
}

extension Core {
    /// Registers the gauges computed when metrics are read: `vault.core.unsealed` (1 or 0)
    /// and `vault.expire.num_leases` (leases the expiration manager tracks; 0 while sealed).
    /// Called once, from `init`. Holds Core weakly: Core owns the registry.
    func installMetricsCollectors() {
        let unsealed = metrics.gauge("vault.core.unsealed")
        let leases = metrics.gauge("vault.expire.num_leases")
        metrics.addCollector { [weak self] in
            let active = self?.active
            unsealed.record(active == nil ? 0 : 1)
            leases.record(active.map { state in state.expiration.machine.withLock { $0.count } } ?? 0)
        }
    }
}
