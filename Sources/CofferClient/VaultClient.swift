public import CofferJSON

/// A typed client of the Vault HTTP API, as the `vault` CLI's Go client behaves.
///
/// One client owns one transport (by default one AsyncHTTPClient `HTTPClient` with its
/// connection pool). Call ``shutdown()`` once when done, or use
/// ``withClient(configuration:isolation:_:)`` which does it for you. Clients made by
/// ``withToken(_:)`` share the transport of the client they came from; shut down only the
/// original.
///
/// Every request carries `X-Vault-Request: true`, the token as `X-Vault-Token`, the namespace
/// as `X-Vault-Namespace` and the wrap TTL as `X-Vault-Wrap-TTL` when configured.
public final class VaultClient: Sendable {
    public let configuration: VaultClientConfiguration
    let address: VaultAddress
    let transport: any VaultTransport

    /// A client over AsyncHTTPClient. Throws for an unusable address or CA file.
    public convenience init(configuration: VaultClientConfiguration) throws(VaultClientError) {
        let address = try VaultAddress(parsing: configuration.address)
        let transport = try HTTPClientTransport(configuration: configuration)
        self.init(configuration: configuration, address: address, transport: transport)
    }

    /// A client over any transport (tests use a fake one). Throws for an unusable address.
    public convenience init(configuration: VaultClientConfiguration, transport: any VaultTransport) throws(VaultClientError) {
        let address = try VaultAddress(parsing: configuration.address)
        self.init(configuration: configuration, address: address, transport: transport)
    }

    init(configuration: VaultClientConfiguration, address: VaultAddress, transport: any VaultTransport) {
        self.configuration = configuration
        self.address = address
        self.transport = transport
    }

    /// Runs `body` with a fresh client and shuts it down afterwards, whether `body` throws or not.
    public static func withClient<Result>(
        configuration: VaultClientConfiguration,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (VaultClient) async throws -> Result
    ) async throws -> Result {
        let client = try VaultClient(configuration: configuration)
        let result: Result
        do {
            result = try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }

    /// The same client with another token (nil for none), sharing this client's transport.
    public func withToken(_ token: String?) -> VaultClient {
        var configuration = self.configuration
        configuration.token = token
        return VaultClient(configuration: configuration, address: address, transport: transport)
    }

    /// Closes the transport's connections. Call once, after the last request.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// The URL a request to `path` goes to: `<address>/v1/<path>[?query]`.
    public func url(for path: String, query: [(String, String)] = []) -> String {
        address.url(apiPath: path, query: query)
    }

    /// Sends one request and returns the answer whatever its status; throws only when no
    /// answer arrived (``VaultClientError``). Retries 412 and 5xx (except 501) up to
    /// ``VaultClientConfiguration/maxRetries`` times.
    ///
    /// - Parameters:
    ///   - method: `GET`, `PUT`, `POST`, `DELETE`, `LIST`, `HEAD`, ...
    ///   - path: the API path below `/v1/`, e.g. `secret/foo` (a leading `/` is ignored).
    ///   - body: sent as JSON with `Content-Type: application/json`, unless `headers` carries
    ///     its own `Content-Type` (e.g. `application/merge-patch+json`), which then replaces it.
    ///   - headers: extra headers, added after the standard ones.
    ///   - wrapping: false leaves out the configured `X-Vault-Wrap-TTL` (the CLI's own
    ///     preflight calls, which `vault` never wraps).
    public func send(
        _ method: String, _ path: String, body: JSONValue? = nil, query: [(String, String)] = [],
        headers: [(String, String)] = [], wrapping: Bool = true
    ) async throws -> VaultResponse {
        let request = makeRequest(method, path, body: body, query: query, headers: headers, wrapping: wrapping)
        var attempt = 0
        while true {
            let raw = try await transport.execute(
                request, timeout: configuration.timeout, maxResponseBytes: configuration.maxResponseBytes)
            let response = VaultResponse(
                method: request.method, url: request.url, status: raw.status, headers: raw.headers, body: raw.body)
            guard attempt < configuration.maxRetries, VaultClient.isRetryable(status: raw.status) else {
                return response
            }
            attempt += 1
            try await Task.sleep(for: randomWait())
        }
    }

    /// Like ``send(_:_:body:query:headers:)`` but throws ``VaultAPIError`` for a status outside
    /// 200...399, as Go's client does.
    public func request(
        _ method: String, _ path: String, body: JSONValue? = nil, query: [(String, String)] = [],
        headers: [(String, String)] = []
    ) async throws -> VaultResponse {
        let response = try await send(method, path, body: body, query: query, headers: headers)
        guard response.isSuccess else { throw apiError(response) }
        return response
    }

    /// The ``VaultAPIError`` for an unaccepted response, with this client's namespace.
    public func apiError(_ response: VaultResponse) -> VaultAPIError {
        VaultAPIError(response: response, namespace: configuration.namespace)
    }

    func makeRequest(
        _ method: String, _ path: String, body: JSONValue?, query: [(String, String)], headers extra: [(String, String)],
        wrapping: Bool = true
    ) -> VaultHTTPRequest {
        var headers: [(String, String)] = [("X-Vault-Request", "true")]
        if let token = configuration.token, !token.isEmpty { headers.append(("X-Vault-Token", token)) }
        if let namespace = configuration.namespace, !namespace.isEmpty { headers.append(("X-Vault-Namespace", namespace)) }
        if wrapping, let wrap = configuration.wrapTTL, !wrap.isEmpty { headers.append(("X-Vault-Wrap-TTL", wrap)) }
        var encoded: [UInt8]? = nil
        if let body {
            encoded = JSONWriter.bytes(body)
            // A caller-supplied Content-Type (PATCH's merge-patch type) replaces the default.
            if !extra.contains(where: { $0.0.lowercased() == "content-type" }) {
                headers.append(("Content-Type", "application/json"))
            }
        }
        headers.append(contentsOf: extra)
        return VaultHTTPRequest(
            method: method.uppercased(), url: address.url(apiPath: path, query: query), headers: headers, body: encoded)
    }

    static func isRetryable(status: Int) -> Bool {
        status == 412 || (status >= 500 && status != 501)
    }

    private func randomWait() -> Duration {
        let low = configuration.retryWait.lowerBound
        let high = configuration.retryWait.upperBound
        guard high > low else { return low }
        let span = (high - low) / .nanoseconds(1)
        return low + .nanoseconds(Int64(Double.random(in: 0...1) * span))
    }
}
