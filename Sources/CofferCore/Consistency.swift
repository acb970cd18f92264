public import CofferLogical
import CofferJSON

/// A request's consistency headers, as the HTTP layer read them.
///
/// - `X-Vault-Index` (may repeat): states the answering cluster must contain; a
///   secondary waits (bounded) until it has applied them, or answers 412 `required
///   index state not present`.
/// - `X-Vault-Inconsistent: forward-active-node`: forward instead of the 412.
/// - `X-Vault-Forward: active-node`: always forward (a secondary sends the request to
///   its primary).
/// - `X-Coffer-Max-Staleness-Ms` (Coffer's own): the answer may be at most this far
///   behind the primary; a secondary waits, forwards or answers 412 to keep it.
///
/// The forwarding headers need `replication { allow_forwarding_via_header = true }`, as
/// in Vault; without it they are a 400.
public struct ConsistencyRequest: Sendable, Hashable {
    public var requiredStates: [String]
    public var inconsistent: String?
    public var forward: String?
    public var maxStalenessMillis: Int64?
    /// The client asked for `X-Vault-Index` on a read's answer too.
    public var recordState: Bool

    public init(requiredStates: [String] = [], inconsistent: String? = nil, forward: String? = nil,
                maxStalenessMillis: Int64? = nil, recordState: Bool = false) {
        self.requiredStates = requiredStates
        self.inconsistent = inconsistent
        self.forward = forward
        self.maxStalenessMillis = maxStalenessMillis
        self.recordState = recordState
    }

    /// Vault's `X-Vault-Inconsistent` value that asks for forwarding.
    public static let forwardActiveNode = "forward-active-node"
    /// Vault's `X-Vault-Forward` value.
    public static let activeNode = "active-node"

    public var wantsForwardAlways: Bool { forward == Self.activeNode }
    public var wantsForwardWhenBehind: Bool { inconsistent == Self.forwardActiveNode }
    /// Nothing to check.
    public var isEmpty: Bool { requiredStates.isEmpty && inconsistent == nil && forward == nil && maxStalenessMillis == nil }
}

/// Where a request is served after its consistency check.
public enum ConsistencyDecision: Sendable, Hashable {
    case serveLocally
    case forwardToPrimary
}

extension LogicalError {
    /// Vault's exact message for an unsatisfied `X-Vault-Index`.
    public static let missingRequiredState = LogicalError(.missingRequiredState, "required index state not present")
}

extension ReplicationController {
    public func checkConsistency(_ request: ConsistencyRequest, allowForwarding: Bool, waitMillis: Int64) async throws -> ConsistencyDecision {
        .serveLocally
    }

    public func responseHeaders(wrote: Bool, recordState: Bool) -> [(name: String, value: String)] { [] }
}

extension Core {
    /// Decides where a request with consistency headers is served: here (possibly after a
    /// bounded wait for the required state) or at the primary; throws a 412 when neither
    /// can satisfy it and a 400 for forwarding headers the configuration does not allow.
    /// Without replication the headers are accepted and ignored (a single cluster has
    /// every state it produced).
    public func checkConsistency(_ request: ConsistencyRequest) async throws -> ConsistencyDecision {
        if !config.allowForwardingViaHeader {
            if request.forward != nil {
                throw LogicalError.invalidRequest("forwarding via header X-Vault-Forward disabled in configuration")
            }
            if request.wantsForwardWhenBehind {
                throw LogicalError.invalidRequest("forwarding via header X-Vault-Inconsistent=forward-active-node disabled in configuration")
            }
        }
        guard !request.isEmpty, let controller = replicationController else { return .serveLocally }
        return try await controller.checkConsistency(request, allowForwarding: config.allowForwardingViaHeader, waitMillis: config.walWaitMillis)
    }

    /// The replication headers of an answer: `X-Vault-Index` after a write (or when the
    /// client asked), and on a secondary its applied index and lag.
    public func replicationResponseHeaders(wrote: Bool, recordState: Bool) -> [(name: String, value: String)] {
        replicationController?.responseHeaders(wrote: wrote, recordState: recordState) ?? []
    }
}
