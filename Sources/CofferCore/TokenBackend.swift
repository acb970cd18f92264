import CofferJSON
import CofferLogical

/// `auth/token/`: the token auth method (vault-core-api.md §8).
///
/// Core-internal because token operations see the caller's token itself, which ordinary
/// engines never do: Core calls ``handle(_:clientToken:)`` with the request path relative
/// to the mount, `request.auth` set to the caller's resolved identity, and the ACL check
/// on the path already passed. This type adds the token store's own rules on top (policy
/// subsets, sudo-only parameters, batch-token limits).
struct TokenBackend: LogicalBackend {
    let tokens: TokenStore
    /// Whether the caller has `sudo` on a full path (`auth/token/create`); Core passes its
    /// ACL check. Root tokens always do.
    let hasSudo: @Sendable (AuthContext, String) -> Bool
    /// Whether a policy exists, for Vault's `Policy "x" does not exist` warnings on create;
    /// nil skips the warnings.
    let policyExists: (@Sendable (String) async throws -> Bool)?

    init(
        tokens: TokenStore,
        hasSudo: @escaping @Sendable (AuthContext, String) -> Bool = { context, _ in context.isRoot },
        policyExists: (@Sendable (String) async throws -> Bool)? = nil
    ) {
        self.tokens = tokens
        self.hasSudo = hasSudo
        self.policyExists = policyExists
    }

    /// Never used: Core routes this mount through ``handle(_:clientToken:)``.
    func handle(_ request: Request, storage: any StorageView) async throws -> Response? {
        throw LogicalError.unsupportedPath("auth/token/" + request.path)
    }

    /// Create-vs-update for role writes; nil elsewhere.
    func exists(_ request: Request, storage: any StorageView) async throws -> Bool? {
        guard request.path.hasPrefix("roles/") else { return nil }
        let name = String(request.path.dropFirst("roles/".count))
        return try await tokens.role(named: name) != nil
    }

    /// Serves one request on the token mount. `clientToken` is the caller's token.
    func handle(_ request: Request, clientToken: String) async throws -> Response? {
        let path = request.path
        let operation = request.operation
        let isWrite = operation == .update || operation == .create
        let readOrWrite = isWrite || operation == .read

        func require(_ allowed: Bool) throws {
            if !allowed { throw LogicalError.unsupportedOperation }
        }

        switch path {
        case "create":
            try require(isWrite)
            let roleName = try TokenFields(request.data).string("role_name", maxLength: 256) ?? ""
            return try await create(request, clientToken: clientToken, roleName: roleName, orphanEndpoint: false)
        case "create-orphan":
            try require(isWrite)
            let roleName = try TokenFields(request.data).string("role_name", maxLength: 256) ?? ""
            return try await create(request, clientToken: clientToken, roleName: roleName, orphanEndpoint: true)
        case _ where path.hasPrefix("create/"):
            try require(isWrite)
            let roleName = String(path.dropFirst("create/".count))
            return try await create(request, clientToken: clientToken, roleName: roleName, orphanEndpoint: false)
        case "lookup":
            try require(readOrWrite)
            return try await lookup(request, clientToken: clientToken)
        case "lookup-self":
            try require(readOrWrite)
            return try await lookupSelf(clientToken: clientToken)
        case "lookup-accessor":
            try require(readOrWrite)
            return try await lookupAccessor(request)
        case "renew", "renew-self", "renew-accessor":
            try require(isWrite)
            return try await renew(request, clientToken: clientToken)
        case "revoke", "revoke-self", "revoke-accessor", "revoke-orphan":
            try require(isWrite)
            return try await revoke(request, clientToken: clientToken)
        case "roles", "roles/":
            try require(operation == .list)
            return try await listRoles()
        case _ where path.hasPrefix("roles/"):
            return try await role(request, name: String(path.dropFirst("roles/".count)))
        case "accessors", "accessors/":
            try require(operation == .list)
            let accessors = try await tokens.listAccessors()
            return accessors.isEmpty ? nil : Response(data: ["keys": JSONValue(accessors)])
        case "tidy":
            try require(isWrite)
            return try await tidy()
        default:
            throw LogicalError.unsupportedPath("auth/token/" + path)
        }
    }

    /// The full path under `/v1/` of a request on this mount, for sudo checks.
    func fullPath(_ request: Request) -> String {
        (request.mountPoint.isEmpty ? "auth/token/" : request.mountPoint) + request.path
    }
}
