/// Vault's `jwt` wrap format (vault-replication.md §2): the `wrap_info.token` a client
/// receives is a signed JWT whose `jti` is the real wrapping token, so the token can
/// carry claims (the primary's address, for a replication activation token) and be
/// checked offline. Core asks for it only for responses that set
/// ``Response/wrapFormatJWT``; `sys/wrapping/wrap` never does, so users cannot mint one.
///
/// CofferCluster implements it (signing key, claims, ES512); the server installs it with
/// ``Core/setWrappingTokenCodec(_:)``. Core does no JWT parsing of its own.
public protocol WrappingTokenCodec: Sendable {
    /// The JWT standing for the wrapping token `tokenID` (the token itself, which must
    /// become the `jti`), minted at `creationTime` (Unix seconds) and valid for `ttl`
    /// seconds. Throwing fails the wrap; the wrapping token is then revoked.
    func encode(tokenID: String, creationTime: Int64, ttl: Int64) async throws -> String
    /// The wrapping token `jwt` stands for, when its signature, type and expiry verify;
    /// nil otherwise. Must not throw or trap on any input.
    func decode(_ jwt: String) async -> String?
}

extension Core {
    /// Installs (or, with nil, removes) the codec that mints and reads JWT-format wrapping
    /// tokens. Without one, responses asking for the JWT format are wrapped with a plain
    /// token (and a warning), and JWT-shaped tokens are never valid wrapping tokens.
    public func setWrappingTokenCodec(_ codec: (any WrappingTokenCodec)?) {
        wrappingTokenCodecBox.withLock { $0 = codec }
    }

    var wrappingTokenCodec: (any WrappingTokenCodec)? { wrappingTokenCodecBox.withLock { $0 } }

    /// Whether `token` has the shape of a JWT (three dot-separated parts). Coffer's own
    /// tokens never do (`hvs.`/`hvb.` and base62 or base64url).
    static func isJWTShaped(_ token: String) -> Bool {
        token.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2
    }

    /// The wrapping token a verified JWT-format token stands for; nil when `token` is not
    /// JWT-shaped, no codec is installed, or the codec refuses it.
    func tokenFromWrappingJWT(_ token: String) async -> String? {
        guard Self.isJWTShaped(token), let codec = wrappingTokenCodec else { return nil }
        return await codec.decode(token)
    }
}
