import Crypto
public import FoundationEssentials
import JWTKit

extension ActivationToken {
    /// The primary's ES512 key for activation tokens (ECDSA P-521).
    ///
    /// The primary creates it once and persists ``pemRepresentation`` barrier-encrypted
    /// (Vault keeps its equivalent at `core/wrapping/jwtkey`). It signs tokens at
    /// `secondary-token` time and verifies them when one comes back to be unwrapped. The
    /// private key is a secret: ``description`` and the mirror omit it.
    public struct SigningKey: Sendable, CustomStringConvertible, CustomReflectable {
        private let key: P521.Signing.PrivateKey

        /// A fresh P-521 key.
        public init() {
            key = P521.Signing.PrivateKey()
        }

        /// Loads a key persisted with ``pemRepresentation``.
        ///
        /// - Throws: ``ClusterError/Code/invalidKey`` when `pem` is not a P-521 private key.
        public init(pemRepresentation pem: String) throws(ClusterError) {
            do {
                key = try P521.Signing.PrivateKey(pemRepresentation: pem)
            } catch {
                throw ClusterError(.invalidKey, "not a PEM-encoded P-521 private key")
            }
        }

        /// The private key as PKCS#8 PEM. A secret: persist it only barrier-encrypted.
        public var pemRepresentation: String { key.pemRepresentation }

        /// The public key as SubjectPublicKeyInfo PEM (what `sys/wrapping/pubkey`
        /// describes).
        public var publicKeyPEM: String { key.publicKey.pemRepresentation }

        /// Signs `token`'s claims into a compact JWT.
        ///
        /// - Throws: ``ClusterError/Code/invalidToken`` when signing fails.
        public func sign(_ token: ActivationToken) async throws(ClusterError) -> String {
            do {
                let keys = try await collection()
                return try await keys.sign(ActivationTokenPayload(token))
            } catch {
                throw ClusterError(.invalidToken, "could not sign the activation token", cause: error)
            }
        }

        /// Verifies a token this key signed and returns its claims: the signature must be
        /// ES512 by this key, `type` must be `wrapping`, and `now` must be before `exp`.
        ///
        /// - Throws: ``ClusterError/Code/tokenExpired`` for an expired token,
        ///   ``ClusterError/Code/invalidToken`` for anything else wrong. Messages never
        ///   quote the token.
        public func verify(_ token: String, now: Date) async throws(ClusterError) -> ActivationToken {
            guard ActivationToken.isJWT(token) else {
                throw ClusterError(.invalidToken, "the activation token is not a JWT")
            }
            let header: JWTHeader
            do {
                header = try DefaultJWTParser().parse(Array(token.utf8), as: ActivationTokenPayload.self).header
            } catch {
                throw ClusterError(.invalidToken, "the activation token cannot be parsed")
            }
            guard header.alg == "ES512" else {
                throw ClusterError(.invalidToken, "the activation token is not signed with ES512")
            }
            let payload: ActivationTokenPayload
            do {
                payload = try await collection().verify(token, as: ActivationTokenPayload.self)
            } catch {
                throw ClusterError(.invalidToken, "the activation token's signature does not verify")
            }
            guard payload.type == ActivationToken.wrappingType else {
                throw ClusterError(.invalidToken, "the token is not a wrapping token")
            }
            guard now.timeIntervalSince1970 < TimeInterval(payload.exp) else {
                throw ClusterError(.tokenExpired, "the activation token has expired")
            }
            return payload.claims
        }

        private func collection() async throws -> JWTKeyCollection {
            let keys = JWTKeyCollection()
            try await keys.add(ecdsa: ES512PrivateKey(pem: key.pemRepresentation))
            return keys
        }

        public var description: String { "ActivationToken.SigningKey(P-521, private key redacted)" }

        public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
    }
}
