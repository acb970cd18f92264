public import CofferJSON
public import CofferLogical

/// What ``ACL/allowOperation(_:)`` decides on.
///
/// `data` may hold secrets: the description shows parameter names only.
///
/// The caller must have settled `create` versus `update` (the backend's existence check)
/// before asking, and must say whether the path is root-protected (the backend's
/// `PathsSpecial.Root`, plus handlers such as `sys/seal` that demand root or `sudo`).
public struct ACLRequest: Sendable {
    /// The full request path under `/v1/` (`secret/data/foo`); leading `/` are ignored.
    public var path: String
    public var operation: Operation
    /// Request parameters (body, or query for read/list), checked against the rule's
    /// required, allowed and denied parameters for read, create, update and patch.
    public var data: [String: JSONValue]
    /// The requested response-wrapping TTL in seconds, nil when not wrapping.
    public var wrapTTL: Int64?
    /// The path needs `sudo` in addition to the operation's capability.
    public var rootProtected: Bool

    public init(
        path: String,
        operation: Operation,
        data: [String: JSONValue] = [:],
        wrapTTL: Int64? = nil,
        rootProtected: Bool = false
    ) {
        self.path = path
        self.operation = operation
        self.data = data
        self.wrapTTL = wrapTTL
        self.rootProtected = rootProtected
    }
}

extension ACLRequest: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        var text = "ACLRequest(\(operation.rawValue) \(path)"
        if !data.isEmpty { text += ", parameters: [" + data.keys.sorted().joined(separator: ", ") + "]" }
        if let wrapTTL { text += ", wrapTTL: \(wrapTTL)" }
        if rootProtected { text += ", root-protected" }
        return text + ")"
    }

    public var debugDescription: String { description }
}

/// The outcome of one ACL check.
///
/// Clients only ever see "permission denied"; ``denialReason`` is for server logs. It
/// names the rule pattern, the capability and parameter names involved, never parameter
/// values.
public struct ACLDecision: Sendable, Equatable {
    public var allowed: Bool
    /// The root policy decided (everything allowed).
    public var isRoot: Bool
    /// The capabilities of the rule that matched the path (empty when none matched;
    /// every capability but `deny` for root).
    public var capabilitiesGranted: CapabilitySet
    /// The matched rule grants `sudo` (Vault's `RootPrivs`), or the token is root. Some
    /// handlers (token creation with `id` or `no_parent`, ...) consult it.
    public var hasSudo: Bool
    /// The pattern of the rule that decided, as written (`secret/+/config`), if any.
    public var matchedPattern: String?
    public var denialReason: String?

    public init(
        allowed: Bool,
        isRoot: Bool = false,
        capabilitiesGranted: CapabilitySet = [],
        hasSudo: Bool = false,
        matchedPattern: String? = nil,
        denialReason: String? = nil
    ) {
        self.allowed = allowed
        self.isRoot = isRoot
        self.capabilitiesGranted = capabilitiesGranted
        self.hasSudo = hasSudo
        self.matchedPattern = matchedPattern
        self.denialReason = denialReason
    }
}
