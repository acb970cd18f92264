/// One HTTP request as the transport sends it. ``VaultClient`` builds these; tests and
/// alternative transports read them.
public struct VaultHTTPRequest: Sendable, CustomStringConvertible {
    /// `GET`, `PUT`, `POST`, `DELETE`, `LIST`, `HEAD`, ...
    public var method: String
    /// Absolute URL, path percent-encoded, query included.
    public var url: String
    public var headers: [(String, String)]
    /// The encoded body; nil sends none.
    public var body: [UInt8]?

    public init(method: String, url: String, headers: [(String, String)], body: [UInt8]?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.0.lowercased() == lowered }?.1
    }

    /// Method and URL only: headers carry the token and the body may carry secrets.
    public var description: String { "\(method) \(url)" }
}

/// The raw HTTP answer a transport hands back.
public struct VaultHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Moves one request to the server and its answer back.
///
/// The production transport is AsyncHTTPClient (``VaultClient/init(configuration:)``); tests
/// plug in a fake with ``VaultClient/init(configuration:transport:)``.
///
/// Contract: `execute` returns every HTTP answer, whatever its status; it throws only when
/// no answer arrived, as a ``VaultClientError`` whose message follows Go's wording
/// (`<Method> "<url>": <reason>`). `shutdown` is called once, after the last request.
public protocol VaultTransport: Sendable {
    func execute(_ request: VaultHTTPRequest, timeout: Duration, maxResponseBytes: Int) async throws -> VaultHTTPResponse
    func shutdown() async throws
}
