public import CofferJSON

/// A logical request as engines see it.
///
/// `path` is relative to the mount (`foo/bar` for `/v1/secret/foo/bar` on `secret/`),
/// and `mountPoint` is the mount's own path (`secret/`). Core fills both in before the
/// request reaches a backend.
public struct Request: Sendable {
    /// A fresh UUID per request, echoed as `request_id`.
    public var id: String
    public var operation: Operation
    /// Path relative to the mount once routed; the full path under `/v1/` before.
    public var path: String
    /// The mount that serves the request, with a trailing slash; empty before routing.
    public var mountPoint: String
    /// Body members (or query parameters for read, list and delete).
    public var data: [String: JSONValue]
    /// The caller's identity once the token is resolved; nil for unauthenticated paths.
    public var auth: AuthContext?
    /// Requested response-wrapping TTL in seconds, from `X-Vault-Wrap-TTL`.
    public var wrapTTL: Int64?
    /// The client's address, for audit and CIDR checks.
    public var remoteAddress: String?

    public init(
        id: String,
        operation: Operation,
        path: String,
        data: [String: JSONValue] = [:],
        auth: AuthContext? = nil,
        mountPoint: String = "",
        wrapTTL: Int64? = nil,
        remoteAddress: String? = nil
    ) {
        self.id = id
        self.operation = operation
        self.path = path
        self.data = data
        self.auth = auth
        self.mountPoint = mountPoint
        self.wrapTTL = wrapTTL
        self.remoteAddress = remoteAddress
    }
}

/// The resolved identity behind a client token: what ACL checks, engines and (later)
/// forwarding to a replication primary need. It never holds the token itself, only its
/// accessor, so it can travel and be logged by reference.
public struct AuthContext: Sendable, Hashable {
    /// Accessor of the token (safe to log and to show).
    public var accessor: String
    /// Policies attached to the token, `root` included when it is a root token.
    public var policies: [String]
    public var metadata: [String: String]
    public var displayName: String
    /// The token's own storage key id (its salted hash), used by per-token storage such
    /// as cubbyhole. Not the token.
    public var tokenID: String
    public var entityID: String

    public init(
        accessor: String,
        policies: [String],
        metadata: [String: String] = [:],
        displayName: String = "",
        tokenID: String,
        entityID: String = ""
    ) {
        self.accessor = accessor
        self.policies = policies
        self.metadata = metadata
        self.displayName = displayName
        self.tokenID = tokenID
        self.entityID = entityID
    }

    public var isRoot: Bool { policies.contains("root") }
}
