import CofferJSON
import CofferLogical

/// `lookup*`, `renew*` and `revoke*`, with Vault's answers for unknown input:
/// lookup of an unknown token → 403 `bad token`; unknown accessor → 400 `invalid accessor`;
/// revoking an unknown token → 204 (nothing to do).
extension TokenBackend {
    static let badToken = LogicalError(.permissionDenied, "bad token")
    static let invalidAccessor = LogicalError.invalidRequest("invalid accessor")

    // MARK: Lookup

    func lookup(_ request: Request, clientToken: String) async throws -> Response? {
        let token = try TokenFields(request.data).string("token", maxLength: TokenStore.maxBatchTokenLength) ?? ""
        if token.isEmpty || token == clientToken { return try await lookupSelf(clientToken: clientToken) }
        guard let entry = try await tokens.lookup(token: token) else { throw Self.badToken }
        return Response(data: tokens.lookupData(entry: entry, token: token))
    }

    func lookupSelf(clientToken: String) async throws -> Response? {
        guard let entry = try await tokens.resolve(token: clientToken, allowPending: true) else { throw Self.badToken }
        return Response(data: tokens.lookupData(entry: entry, token: clientToken))
    }

    func lookupAccessor(_ request: Request) async throws -> Response? {
        let accessor = try requiredAccessor(request)
        guard let entry = try await tokens.lookup(accessor: accessor) else { throw Self.invalidAccessor }
        return Response(data: tokens.lookupData(entry: entry, token: ""))
    }

    // MARK: Renew

    /// `renew` (`token`), `renew-self`, `renew-accessor` (`accessor`); all take `increment`.
    /// The auth block carries the token for the first two and "" for the accessor form.
    func renew(_ request: Request, clientToken: String) async throws -> Response? {
        let fields = TokenFields(request.data)
        let increment = try fields.duration("increment") ?? 0
        let entry: TokenEntry
        var token = ""
        switch request.path {
        case "renew-accessor":
            guard let found = try await tokens.storedEntry(forAccessor: try requiredAccessor(request)) else {
                throw Self.invalidAccessor
            }
            entry = found
        default:
            token = request.path == "renew-self" ? clientToken : try requiredToken(fields)
            guard let found = try await tokens.entry(forToken: token) else {
                throw LogicalError.invalidRequest("token not found")
            }
            entry = found
        }
        if entry.isBatch { throw LogicalError.invalidRequest("batch tokens cannot be renewed") }
        let renewed = try await tokens.renew(id: entry.id, increment: increment)
        return Response(
            warnings: renewed.warnings,
            auth: tokens.authInfo(entry: renewed.entry, token: token, leaseDuration: renewed.ttl)
        )
    }

    // MARK: Revoke

    /// `revoke` (`token`), `revoke-self`, `revoke-accessor` (`accessor`) revoke the token
    /// and its subtree; `revoke-orphan` (`token`, sudo) revokes the token alone and makes
    /// its children orphans. All answer 204.
    func revoke(_ request: Request, clientToken: String) async throws -> Response? {
        let fields = TokenFields(request.data)
        switch request.path {
        case "revoke-accessor":
            guard let entry = try await tokens.storedEntry(forAccessor: try requiredAccessor(request)) else {
                throw Self.invalidAccessor
            }
            try await tokens.revokeTree(id: entry.id)
        case "revoke-orphan":
            guard let auth = request.auth, hasSudo(auth, fullPath(request)) else {
                throw LogicalError.invalidRequest("root or sudo privileges required to revoke and orphan")
            }
            let token = try requiredToken(fields)
            guard let entry = try await tokens.lookup(token: token) else {
                throw LogicalError.invalidRequest("token to revoke not found")
            }
            if entry.isBatch { throw LogicalError.invalidRequest("batch tokens cannot be revoked") }
            try await tokens.revokeOrphan(id: entry.id)
        default:
            let token = request.path == "revoke-self" ? clientToken : try requiredToken(fields)
            // Whatever its state: revoking an expired or half-revoked token cleans it up.
            guard let entry = try await tokens.entry(forToken: token) else { return nil }
            if entry.isBatch { throw LogicalError.invalidRequest("batch tokens cannot be revoked") }
            try await tokens.revokeTree(id: entry.id)
        }
        return nil
    }

    // MARK: Fields

    func requiredToken(_ fields: TokenFields) throws -> String {
        guard let token = try fields.string("token", maxLength: TokenStore.maxBatchTokenLength), !token.isEmpty else {
            throw LogicalError.invalidRequest("missing token ID")
        }
        return token
    }

    func requiredAccessor(_ request: Request) throws -> String {
        guard let accessor = try TokenFields(request.data).string("accessor", maxLength: TokenStore.maxAccessorLength),
            !accessor.isEmpty
        else { throw LogicalError.invalidRequest("missing accessor") }
        return accessor
    }
}
