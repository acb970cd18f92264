public import CofferJSON

/// The server answered with an error status (anything outside 200...399).
///
/// ``description`` is the `vault` CLI's text, so scripts and people see what they know:
///
/// ```
/// Error making API request.
///
/// URL: GET http://127.0.0.1:8200/v1/secret/foo
/// Code: 403. Errors:
///
/// * permission denied
/// ```
///
/// When the body was not Vault's `{"errors":[...]}` JSON, the body is shown instead under
/// `Raw Message:`. Several errors are printed one `* ` line each (Go's client runs them
/// together on one line; one error, the common case, reads the same).
public struct VaultAPIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status code.
    public var status: Int
    /// The request method as sent (`GET`, `PUT`, `LIST`, ...).
    public var method: String
    /// The full request URL, query included.
    public var url: String
    /// The server's `errors` list; empty for `{"errors":[]}` (Vault's "nothing here" 404).
    public var errors: [String]
    /// The body as text, when it was not a JSON object (Go's client says "Raw Message").
    public var rawMessage: String?
    /// The namespace the request was sent in, shown as Vault does when set.
    public var namespace: String?
    /// The parsed body, when it was JSON. KV v2 404s and `write` errors carry data next to
    /// `errors`; callers may show it.
    public var body: JSONValue?

    public init(
        status: Int, method: String, url: String, errors: [String], rawMessage: String? = nil,
        namespace: String? = nil, body: JSONValue? = nil
    ) {
        self.status = status
        self.method = method
        self.url = url
        self.errors = errors
        self.rawMessage = rawMessage
        self.namespace = namespace
        self.body = body
    }

    /// Builds the error for a response the client does not accept.
    public init(response: VaultResponse, namespace: String? = nil) {
        var errors: [String] = []
        var raw: String? = nil
        if case .object(let members)? = response.json {
            errors = (members["errors"]?.arrayValue ?? []).map { $0.stringValue ?? JSONWriter.string($0) }
        } else {
            raw = String(decoding: response.body, as: UTF8.self)
        }
        self.init(
            status: response.status, method: response.method, url: response.url, errors: errors,
            rawMessage: raw, namespace: namespace, body: response.json
        )
    }

    public var description: String {
        var text = "Error making API request.\n\n"
        if let namespace, !namespace.isEmpty { text += "Namespace: \(namespace)\n" }
        text += "URL: \(method) \(url)\n"
        if let rawMessage {
            text += "Code: \(status). Raw Message:\n\n\(rawMessage)"
        } else {
            text += "Code: \(status). Errors:\n\n"
            text += errors.map { "* \($0)" }.joined(separator: "\n")
        }
        return text
    }
}
