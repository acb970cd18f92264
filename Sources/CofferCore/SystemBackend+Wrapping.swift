import CofferJSON
import CofferLogical

/// `sys/wrapping/*` (vault-core-api.md §12): wrap arbitrary data, unwrap, look up and
/// rewrap wrapping tokens. The mechanism (minting, the cubbyhole, validation) is in
/// `Core+Wrapping.swift`; this file reads the parameters and answers.
///
/// - `wrap` answers the request body, to be wrapped; without a wrap TTL it is 400.
/// - `unwrap` takes the wrapping token from `token` or, without one, uses the caller's
///   own token (which must then be the wrapping token). It answers the original response
///   (204 when that was empty) and revokes the wrapping token.
/// - `lookup` is unauthenticated and does not spend the token: `token` is required.
/// - `rewrap` moves the contents to a new wrapping token with the same creation TTL and
///   path, and revokes the old one.
///
/// Every token that is not a live wrapping token gets Vault's 400 `wrapping token is not
/// valid or does not exist`. A JWT-format wrapping token (``WrappingTokenCodec``) is
/// accepted wherever a wrapping token is, in `token` or as the caller's own token.
extension SystemBackend {
    /// `sys/wrapping/lookup` needs no token: Vault leaves it unauthenticated so a
    /// recipient can check a wrapping token without spending its single use.
    var unauthenticatedPaths: [String] {
        ["wrapping/lookup", "replication/status", "replication/performance/status", "replication/dr/status"]
    }

    func handleWrapping(_ request: Request) async throws -> Response? {
        guard let active = core.active else { throw LogicalError.sealed }
        guard request.operation == .update || request.operation == .create else {
            throw LogicalError.unsupportedOperation
        }
        switch request.path {
        case "wrapping/wrap":
            guard let ttl = request.wrapTTL, ttl > 0 else {
                throw LogicalError.invalidRequest("endpoint requires response wrapping to be used")
            }
            var response = Response(data: request.data)
            response.forcedWrapTTL = ttl
            return response
        case "wrapping/unwrap":
            let id = try await core.claimWrappingToken(
                bodyToken: try Self.wrappingTokenParameter(request), caller: request.auth, active: active
            )
            let stored: WrappedResponse?
            do {
                stored = try await core.wrappedResponse(tokenID: id, active: active)
            } catch {
                try? await core.revokeWrappingToken(id: id, active: active)
                throw error
            }
            try await core.revokeWrappingToken(id: id, active: active)
            guard let stored else { throw Core.invalidWrappingToken }
            return stored.isEmpty ? nil : stored.response
        case "wrapping/lookup":
            guard let token = try Self.wrappingTokenParameter(request) else {
                throw LogicalError.invalidRequest("missing \"token\" value in input")
            }
            let entry = try await core.wrappingToken(token, active: active)
            guard let metadata = try await core.wrappingMetadata(tokenID: entry.id, active: active) else {
                throw Core.invalidWrappingToken
            }
            return Response(data: metadata.lookupData)
        case "wrapping/rewrap":
            let id = try await core.claimWrappingToken(
                bodyToken: try Self.wrappingTokenParameter(request), caller: request.auth, active: active
            )
            let info: WrapInfo
            do {
                guard let stored = try await core.wrappedResponse(tokenID: id, active: active),
                    let metadata = try await core.wrappingMetadata(tokenID: id, active: active)
                else { throw Core.invalidWrappingToken }
                info = try await core.storeWrapped(
                    stored, ttl: metadata.creationTTL, creationPath: metadata.creationPath,
                    wrappedAccessor: metadata.wrappedAccessor, active: active
                )
            } catch {
                try? await core.revokeWrappingToken(id: id, active: active)
                throw error
            }
            try await core.revokeWrappingToken(id: id, active: active)
            var response = Response()
            response.wrapInfo = info
            return response
        default:
            throw LogicalError.unsupportedPath("sys/" + request.path)
        }
    }

    /// The `token` parameter: nil when absent or empty, 400 when not a string.
    private static func wrappingTokenParameter(_ request: Request) throws -> String? {
        guard let token = try RequestFields(request.data).string("token"), !token.isEmpty else { return nil }
        return token
    }
}
