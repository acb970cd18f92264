import CofferJSON
import CofferLogical

/// `auth/token/`: the token auth method. For now only `lookup-self`, which clients use to
/// check a token (hvac's `is_authenticated`); creation and revocation come with the full
/// token store. It is Core-internal because token operations see the caller's token
/// itself, which ordinary engines never do.
struct TokenBackend: LogicalBackend {
    let tokens: TokenStore

    func handle(_ request: Request, storage: any StorageView) async throws -> Response? {
        throw LogicalError.unsupportedPath("auth/token/" + request.path)
    }

    func handle(_ request: Request, clientToken: String) async throws -> Response? {
        switch (request.operation, request.path) {
        case (.read, "lookup-self"), (.update, "lookup-self"), (.create, "lookup-self"):
            guard let entry = try await tokens.lookup(token: clientToken) else { throw LogicalError.invalidToken }
            return Response(data: tokens.lookupData(entry: entry, token: clientToken))
        default:
            throw LogicalError.unsupportedPath("auth/token/" + request.path)
        }
    }
}
