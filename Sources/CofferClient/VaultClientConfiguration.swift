/// How a ``VaultClient`` reaches the server: address, credentials, TLS, timeouts, retries.
///
/// A plain value; build one, then hand it to ``VaultClient/init(configuration:)``. The token
/// is a secret: ``description`` never prints it.
public struct VaultClientConfiguration: Sendable, CustomStringConvertible {
    /// Go's client default, which the `vault` CLI inherits.
    public static let defaultAddress = "https://127.0.0.1:8200"

    /// `scheme://host[:port][/base]`, scheme `http` or `https`. Requests go to `<address>/v1/<path>`.
    public var address: String
    /// Sent as `X-Vault-Token` when non-nil and non-empty.
    public var token: String?
    /// Sent as `X-Vault-Namespace` when non-nil and non-empty.
    public var namespace: String?
    /// A PEM file of CA certificates. When set, only these roots are trusted (not the system's).
    public var caCertificateFile: String?
    /// Accept any server certificate. For development only.
    public var tlsSkipVerify: Bool
    /// Overall deadline of one HTTP exchange (connect, send, receive the whole body).
    public var timeout: Duration
    /// Sent as `X-Vault-Wrap-TTL` on every request when set (`"5m"`, `"300"`).
    public var wrapTTL: String?
    /// How often a request is repeated after a 412 or a 5xx other than 501, as Go's client
    /// does. Transport failures (refused connection, TLS errors) are never retried.
    public var maxRetries: Int
    /// Wait before a retry: a uniformly random duration in this range.
    public var retryWait: ClosedRange<Duration>
    /// Responses with a larger body fail with ``VaultClientError/Code/responseTooLarge``.
    public var maxResponseBytes: Int

    public init(
        address: String = VaultClientConfiguration.defaultAddress,
        token: String? = nil,
        namespace: String? = nil,
        caCertificateFile: String? = nil,
        tlsSkipVerify: Bool = false,
        timeout: Duration = .seconds(60),
        wrapTTL: String? = nil,
        maxRetries: Int = 0,
        retryWait: ClosedRange<Duration> = .milliseconds(1000) ... .milliseconds(1500),
        maxResponseBytes: Int = 64 << 20
    ) {
        self.address = address
        self.token = token
        self.namespace = namespace
        self.caCertificateFile = caCertificateFile
        self.tlsSkipVerify = tlsSkipVerify
        self.timeout = timeout
        self.wrapTTL = wrapTTL
        self.maxRetries = maxRetries
        self.retryWait = retryWait
        self.maxResponseBytes = maxResponseBytes
    }

    public var description: String {
        var parts = ["address: \(address)", "token: \(token.map { $0.isEmpty ? "<empty>" : "<redacted>" } ?? "<none>")"]
        if let namespace { parts.append("namespace: \(namespace)") }
        if let caCertificateFile { parts.append("ca: \(caCertificateFile)") }
        if tlsSkipVerify { parts.append("tls-skip-verify") }
        parts.append("timeout: \(timeout)")
        parts.append("retries: \(maxRetries)")
        return "VaultClientConfiguration(\(parts.joined(separator: ", ")))"
    }
}
