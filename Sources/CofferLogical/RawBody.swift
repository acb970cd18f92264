/// A response body the HTTP layer sends exactly as given, with its own status and
/// content type, instead of Vault's JSON envelope (Vault's `http_raw_body`,
/// `http_content_type` and `http_status_code`). `sys/metrics` answers this way.
///
/// Only for endpoints whose answer is not wrapped or forwarded: response wrapping and
/// the forwarding codec carry the envelope's members, not this.
public struct RawBody: Sendable, Hashable {
    /// The HTTP status, 200 unless the endpoint says otherwise.
    public var status: Int
    /// The `Content-Type` header, sent as is (`text/plain; version=0.0.4`).
    public var contentType: String
    public var bytes: [UInt8]

    public init(status: Int = 200, contentType: String, bytes: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.bytes = bytes
    }
}
