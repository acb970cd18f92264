import CofferJSON
import HTTPTypes
import HummingbirdCore
import NIOCore

/// A finished HTTP answer: status and an optional JSON body. Every reply carries
/// `Content-Type: application/json` exactly (hvac parses errors only then) and
/// `Cache-Control: no-store`, as Vault's do.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var body: JSONValue?
    var closeConnection = false

    func write(to writer: consuming ResponseWriter, isHead: Bool) async throws {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        if closeConnection { fields[.connection] = "close" }
        var bytes: [UInt8] = []
        if let body {
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
