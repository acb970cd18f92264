public import AsyncHTTPClient
public import CofferJSON
public import NIOCore

/// A small HTTP client for tests that talk to a Coffer server over real sockets: any
/// method (LIST included), raw or JSON bodies, and the reply's status, headers and JSON.
public struct TestHTTPClient: Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var bytes: [UInt8]

        public var json: JSONValue? { bytes.isEmpty ? nil : try? JSONParser.parse(bytes) }

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public let baseURL: String
    public let http: HTTPClient

    public init(baseURL: String, http: HTTPClient) {
        self.baseURL = baseURL
        self.http = http
    }

    public func send(
        _ method: String, _ path: String, body: [UInt8]? = nil, json: JSONValue? = nil, token: String? = nil,
        headers: [(String, String)] = [], timeout: TimeAmount = .seconds(30)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .RAW(value: method)
        if let token { request.headers.add(name: "X-Vault-Token", value: token) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json { request.body = .bytes(JSONWriter.bytes(json)) }
        if let body { request.body = .bytes(body) }
        let response = try await http.execute(request, timeout: timeout)
        let collected = try await response.body.collect(upTo: 64 << 20)
        return Reply(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            bytes: Array(collected.readableBytesView)
        )
    }

    /// `sys/init` with `shares`/`threshold`, then `sys/unseal` with the first `threshold` keys.
    public func initAndUnseal(shares: Int = 5, threshold: Int = 3) async throws -> (keys: [String], rootToken: String) {
        let reply = try await send("PUT", "/v1/sys/init", json: [
            "secret_shares": .int(Int64(shares)), "secret_threshold": .int(Int64(threshold)),
        ])
        guard reply.status == 200, let json = reply.json,
            let keys = json["keys"]?.arrayValue?.compactMap(\.stringValue), let root = json["root_token"]?.stringValue
        else { throw TestKitFailure("sys/init answered \(reply.status)") }
        try await unseal(keys: Array(keys.prefix(threshold)))
        return (keys, root)
    }

    /// Sends each key to `sys/unseal`; fails unless the last leaves the server unsealed.
    public func unseal(keys: [String]) async throws {
        var last: Reply?
        for key in keys { last = try await send("PUT", "/v1/sys/unseal", json: ["key": .string(key)]) }
        guard last?.json?["sealed"] == false else { throw TestKitFailure("still sealed after \(keys.count) keys") }
    }
}

/// A test-support failure with a message.
public struct TestKitFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
