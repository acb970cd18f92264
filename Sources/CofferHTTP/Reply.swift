import CofferJSON
import CofferLogical
import HTTPTypes
import HummingbirdCore
import NIOCore

/// A finished HTTP answer: status and an optional JSON body. Every reply carries
/// `Content-Type: application/json` exactly (hvac parses errors only then), except a
/// backend's raw one, and `Cache-Control: no-store`, as Vault's do.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var body: JSONValue?
    var closeConnection = false
    /// Sent instead of `body`, with its own content type (``Response/rawBody``).
    var raw: RawBody? = nil
    /// More header fields (replication state: `X-Vault-Index`, the secondary's lag).
    var extraHeaders: [(name: String, value: String)] = []

    /// A backend's raw answer (`sys/metrics`): its status, content type and bytes as given.
    static func raw(_ raw: RawBody) -> Reply {
        Reply(status: HTTPResponse.Status(code: raw.status), body: nil, raw: raw)
    }

    func write(to writer: consuming ResponseWriter, isHead: Bool) async throws {
        var fields = HTTPFields()
        fields[.contentType] = raw?.contentType ?? "application/json"
        fields[.cacheControl] = "no-store"
        if closeConnection { fields[.connection] = "close" }
        for header in extraHeaders {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        var bytes: [UInt8] = []
        if let raw {
            bytes = raw.bytes
        } else if let body {
            bytes.reserveCapacity(256)
            JSONWriter.write(body, into: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        fields[.contentLength] = String(bytes.count)
        let head = HTTPResponse(status: status, headerFields: fields)
        if bytes.isEmpty || isHead {
            try await writer.writeResponse(head)
        } else {
            try await writer.write(response: head, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
