/// Errors of the cluster link: certificates and keys, activation tokens, the mTLS
/// transport and the messages carried on it.
///
/// Messages may name a secondary id, an address or a storage path; they never contain key
/// material, tokens, certificates' private parts or stored values. Callers branch on
/// ``code`` (never on ``message``).
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an open set of values so later layers can add codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A certificate could not be parsed, built or does not fit its use (PEM, DER,
        /// extensions, a key that does not match the certificate).
        public static let invalidCertificate = Code("invalid certificate")
        /// A private key could not be parsed or generated.
        public static let invalidKey = Code("invalid key")
        /// A secondary id or host name cannot go into a certificate.
        public static let invalidIdentifier = Code("invalid identifier")
        /// A cluster address is not `host:port` (optionally `https://host:port`).
        public static let invalidAddress = Code("invalid address")
        /// An activation token is malformed, badly signed or not a wrapping token.
        public static let invalidToken = Code("invalid token")
        /// An activation token's `exp` is in the past.
        public static let tokenExpired = Code("token expired")
        /// The peer did not prove an identity the link accepts (no or unverifiable
        /// client certificate).
        public static let unauthenticated = Code("unauthenticated")
        /// The peer is known but not allowed: a revoked secondary, a refused request.
        public static let permissionDenied = Code("permission denied")
        /// The peer cannot be reached, refused the TLS handshake, or is shutting down.
        public static let unavailable = Code("unavailable")
        /// The call did not finish before its deadline.
        public static let timeout = Code("timeout")
        /// The call was cancelled (by this side, or the peer went away mid-call).
        public static let cancelled = Code("cancelled")
        /// A message broke the protocol (an unset oneof, an unknown operation, a size
        /// limit). The stream that carried it is closed.
        public static let malformedMessage = Code("malformed message")
        /// The remote handler asked for something it does not have (an unknown page).
        public static let notFound = Code("not found")
        /// The remote side is in no state to answer (sealed, not a primary any more).
        public static let failedPrecondition = Code("failed precondition")
        /// Anything else: a bug or an unexpected failure underneath.
        public static let `internal` = Code("internal")
    }

    public var code: Code
    /// Says what failed; may name an id, an address or a path, never a secret.
    public var message: String
    /// The underlying error, when there is one (an RPC status, a TLS or parsing error).
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "cluster \(code): \(message)" }
}
