public import CofferJSON

/// One HTTP answer from the server, whatever its status.
public struct VaultResponse: Sendable {
    /// The method the request was sent with (`GET`, `LIST`, ...).
    public var method: String
    /// The full request URL, query included.
    public var url: String
    /// The HTTP status code.
    public var status: Int
    /// Response headers in arrival order; names as the server sent them.
    public var headers: [(String, String)]
    /// The raw body (empty for 204).
    public var body: [UInt8]
    /// The body parsed as JSON; nil when the body is empty (or only whitespace) or not JSON.
    public var json: JSONValue?
    /// Why the body did not parse, when it was not empty and not JSON.
    public var jsonError: JSONParseError?

    public init(method: String, url: String, status: Int, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        self.url = url
        self.status = status
        self.headers = headers
        self.body = body
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            self.json = nil
            self.jsonError = nil
        } else {
            do {
                self.json = try JSONParser.parse(body)
                self.jsonError = nil
            } catch {
                self.json = nil
                self.jsonError = error
            }
        }
    }

    /// Statuses Go's client treats as success: 200...399.
    public var isSuccess: Bool { (200..<400).contains(status) }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.0.lowercased() == lowered }?.1
    }

    /// The parsed body, or a ``VaultClientError/Code/invalidResponse`` error naming the URL
    /// (never the body, which may hold secrets).
    public func requireJSONObject() throws(VaultClientError) -> [String: JSONValue] {
        if case .object(let members)? = json { return members }
        let reason: String
        if let jsonError {
            reason = "invalid JSON: \(jsonError)"
        } else if json == nil {
            reason = "empty body"
        } else {
            reason = "expected a JSON object"
        }
        throw VaultClientError(.invalidResponse, "\(method) \(url): unexpected response (status \(status)): \(reason)")
    }
}
