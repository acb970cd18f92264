public import CofferJSON

/// What an engine answers. A nil response from a backend means "nothing here": a read
/// answers 404 and a write answers 204.
public struct Response: Sendable {
    /// The `data` member of Vault's envelope.
    public var data: [String: JSONValue]?
    public var warnings: [String]
    /// Set when the response carries a lease (a dynamic secret).
    public var secret: SecretInfo?
    /// Set when the response mints a token (login, token create).
    public var auth: AuthInfo?
    /// A status other than 200 with the full envelope (KV v2 answers 404 for a deleted
    /// version with its metadata in `data`).
    public var statusCode: Int?
    /// Copy every member of `data` to the top level too (legacy `sys/` routes that
    /// hvac reads that way: `sys/mounts`, `sys/policy`, `sys/key-status`, ...).
    public var injectDataAtTopLevel: Bool
    /// Set by the wrapping stage when the response was wrapped.
    public var wrapInfo: WrapInfo?
    /// The type of the mount that served the request (`mount_type`); set by Core.
    public var mountType: String?
    /// A wrapping TTL the backend demands whatever the client asked (`sys/wrapping/wrap`,
    /// `rewrap`); nil means "wrap only if the request asked for it".
    public var forcedWrapTTL: Int64?
    /// Asks that, if this response is wrapped, `wrap_info.token` be a signed JWT whose
    /// `jti` is the wrapping token (Vault's `jwt` wrap format, used for replication
    /// activation tokens). Honoured only when Core has a wrapping-token codec; otherwise
    /// the plain token is returned with a warning. Backends set it; clients cannot.
    public var wrapFormatJWT: Bool
    /// When set, the HTTP layer sends this instead of the envelope (``RawBody``).
    public var rawBody: RawBody?

    public init(
        data: [String: JSONValue]? = nil,
        warnings: [String] = [],
        secret: SecretInfo? = nil,
        auth: AuthInfo? = nil,
        statusCode: Int? = nil,
        injectDataAtTopLevel: Bool = false
    ) {
        self.data = data
        self.warnings = warnings
        self.secret = secret
        self.auth = auth
        self.statusCode = statusCode
        self.injectDataAtTopLevel = injectDataAtTopLevel
        self.wrapInfo = nil
        self.mountType = nil
        self.forcedWrapTTL = nil
        self.wrapFormatJWT = false
    }
}

/// Lease facts of a dynamic secret.
public struct SecretInfo: Sendable, Hashable {
    public var leaseID: String
    public var ttlSeconds: Int64
    public var renewable: Bool

    public init(leaseID: String, ttlSeconds: Int64, renewable: Bool) {
        self.leaseID = leaseID
        self.ttlSeconds = ttlSeconds
        self.renewable = renewable
    }
}

/// The `auth` block of Vault's envelope.
public struct AuthInfo: Sendable, Hashable {
    public var clientToken: String
    public var accessor: String
    public var policies: [String]
    public var tokenPolicies: [String]
    public var metadata: [String: String]
    public var leaseDurationSeconds: Int64
    public var renewable: Bool
    public var entityID: String
    public var tokenType: String
    public var orphan: Bool
    public var numUses: Int
    /// For a login: the new token's hard limit, period and allowed client CIDRs, and the
    /// display name (Core mints the token from these; they are not in the envelope).
    public var explicitMaxTTLSeconds: Int64
    public var periodSeconds: Int64
    public var boundCIDRs: [String]
    public var displayName: String

    public init(
        clientToken: String, accessor: String, policies: [String], tokenPolicies: [String],
        metadata: [String: String] = [:], leaseDurationSeconds: Int64, renewable: Bool,
        entityID: String = "", tokenType: String = "service", orphan: Bool, numUses: Int = 0,
        explicitMaxTTLSeconds: Int64 = 0, periodSeconds: Int64 = 0, boundCIDRs: [String] = [], displayName: String = ""
    ) {
        self.clientToken = clientToken
        self.accessor = accessor
        self.policies = policies
        self.tokenPolicies = tokenPolicies
        self.metadata = metadata
        self.leaseDurationSeconds = leaseDurationSeconds
        self.renewable = renewable
        self.entityID = entityID
        self.tokenType = tokenType
        self.orphan = orphan
        self.numUses = numUses
        self.explicitMaxTTLSeconds = explicitMaxTTLSeconds
        self.periodSeconds = periodSeconds
        self.boundCIDRs = boundCIDRs
        self.displayName = displayName
    }
}

/// The `wrap_info` block of Vault's envelope.
public struct WrapInfo: Sendable, Hashable {
    public var token: String
    public var accessor: String
    public var ttlSeconds: Int64
    public var creationTime: String
    public var creationPath: String
    public var wrappedAccessor: String?

    public init(token: String, accessor: String, ttlSeconds: Int64, creationTime: String, creationPath: String,
                wrappedAccessor: String? = nil) {
        self.token = token
        self.accessor = accessor
        self.ttlSeconds = ttlSeconds
        self.creationTime = creationTime
        self.creationPath = creationPath
        self.wrappedAccessor = wrappedAccessor
    }
}
