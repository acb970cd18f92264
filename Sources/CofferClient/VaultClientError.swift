/// A failure on the client side: the address or TLS setup is unusable, the server could not
/// be reached, or its answer could not be read. Errors the server *answered* with are
/// ``VaultAPIError``.
///
/// ``message`` follows Go's `net/http` wording where a `vault` user would recognise it, e.g.
/// `Get "http://127.0.0.1:8200/v1/sys/seal-status": dial tcp 127.0.0.1:8200: connect: connection refused`.
/// It never contains a token or a request body.
public struct VaultClientError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The configured address is not `http(s)://host[:port]`.
        public static let invalidAddress = Code("invalid address")
        /// Some other setting is unusable (an unreadable CA file, ...).
        public static let invalidConfiguration = Code("invalid configuration")
        /// No connection: refused, unreachable, DNS failure, reset.
        public static let connectionFailed = Code("connection failed")
        /// The exchange did not finish within the configured timeout.
        public static let timeout = Code("timeout")
        /// The TLS handshake failed (untrusted certificate, wrong host name, plain HTTP server).
        public static let tls = Code("tls")
        /// The server answered with something that is not the expected JSON.
        public static let invalidResponse = Code("invalid response")
        /// The response body exceeded ``VaultClientConfiguration/maxResponseBytes``.
        public static let responseTooLarge = Code("response too large")
        /// The client was shut down before the request.
        public static let shutdown = Code("shut down")
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
