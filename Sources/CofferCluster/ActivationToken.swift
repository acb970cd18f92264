public import FoundationEssentials
import JWTKit

/// The claims of a secondary activation token: the JWT that stands in for the response-
/// wrapping token id when the primary answers `primary/secondary-token`.
///
/// ```
/// header  {"alg":"ES512","typ":"JWT"}
/// payload {"addr":"https://10.0.0.5:8200","exp":1525829676,"iat":1525827876,
///          "jti":"<the real wrapping token id>","type":"wrapping"}
/// signature  ECDSA P-521 / SHA-512, JWS (RFC 7518) raw r||s, base64url
/// ```
///
/// `addr` is the primary's API address, so a secondary given only the token knows where
/// to unwrap it. `jti` is the wrapping token itself: whoever holds the JWT can unwrap the
/// bundle, so the claims are a secret; ``description`` redacts `jti`.
///
/// Vault signs with DER-encoded ECDSA signatures (its JOSE library's choice); Coffer
/// uses the standard JWS encoding. Only the issuing primary ever verifies these tokens,
/// so the difference is not visible on the wire contract.
public struct ActivationToken: Sendable, Hashable, CustomStringConvertible {
    /// The only `type` claim value an activation token may carry.
    public static let wrappingType = "wrapping"

    /// `addr`: the primary's API address (`api_addr`), e.g. `https://10.0.0.5:8200`.
    public var address: String
    /// `jti`: the response-wrapping token id the JWT carries. A secret.
    public var wrappingTokenID: String
    /// `iat`, whole seconds since 1970.
    public var issuedAt: Date
    /// `exp`, whole seconds since 1970.
    public var expiresAt: Date
    /// `type`: ``wrappingType`` for tokens this module issues.
    public var type: String

    public init(
        address: String,
        wrappingTokenID: String,
        issuedAt: Date,
        expiresAt: Date,
        type: String = ActivationToken.wrappingType
    ) {
        self.address = address
        self.wrappingTokenID = wrappingTokenID
        // JWT times are whole seconds; truncate so a round trip compares equal.
        self.issuedAt = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
        self.expiresAt = Date(timeIntervalSince1970: expiresAt.timeIntervalSince1970.rounded(.down))
        self.type = type
    }

    public var description: String {
        "ActivationToken(addr: \(address), iat: \(Int64(issuedAt.timeIntervalSince1970)), exp: \(Int64(expiresAt.timeIntervalSince1970)), type: \(type), jti: redacted)"
    }

    /// True when `token` has the shape of a JWT (three base64url parts), as opposed to a
    /// plain wrapping token id. Says nothing about validity.
    public static func isJWT(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
        }
    }

    /// Reads the claims without checking the signature, the type or the expiry: the
    /// secondary's side, which holds no key and only needs ``address`` to know where to
    /// unwrap. Nothing else read this way may be trusted; the primary verifies the token
    /// when it is presented for unwrapping.
    ///
    /// - Throws: ``ClusterError/Code/invalidToken`` when `token` is not a JWT with these
    ///   claims.
    public static func decodeUnverified(_ token: String) throws(ClusterError) -> ActivationToken {
        guard isJWT(token) else {
            throw ClusterError(.invalidToken, "the activation token is not a JWT")
        }
        do {
            let (_, payload, _) = try DefaultJWTParser().parse(Array(token.utf8), as: ActivationTokenPayload.self)
            return payload.claims
        } catch {
            throw ClusterError(.invalidToken, "the activation token's claims cannot be read")
        }
    }
}

/// The JSON payload, claim names as Vault writes them.
struct ActivationTokenPayload: JWTPayload, Equatable {
    var addr: String
    var exp: Int64
    var iat: Int64
    var jti: String
    var type: String

    init(_ claims: ActivationToken) {
        addr = claims.address
        exp = Int64(claims.expiresAt.timeIntervalSince1970)
        iat = Int64(claims.issuedAt.timeIntervalSince1970)
        jti = claims.wrappingTokenID
        type = claims.type
    }

    var claims: ActivationToken {
        ActivationToken(
            address: addr,
            wrappingTokenID: jti,
            issuedAt: Date(timeIntervalSince1970: TimeInterval(iat)),
            expiresAt: Date(timeIntervalSince1970: TimeInterval(exp)),
            type: type
        )
    }

    /// JWTKit calls this after the signature checks out. The expiry needs the caller's
    /// `now`, so ``ActivationToken/SigningKey/verify(_:now:)`` checks claims itself.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
