import CofferJSON
import Testing

/// `GET /v1/sys/metrics` over HTTP: the raw bodies and their content types, Vault's error
/// envelope for a bad format and for a token without access.
@Suite("sys/metrics API")
struct MetricsAPITests {
    static let root = "root-metrics-api"

    static func dev<T: Sendable>(_ body: @Sendable (TestServer) async throws -> T) async throws -> T {
        try await TestServer.with { server in
            _ = try await server.core.setUpDevMode(rootTokenID: root)
            return try await body(server)
        }
    }

    /// The value of the sample line `name value` in the Prometheus text.
    static func sample(_ text: String, _ name: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    @Test("the JSON is the raw go-metrics summary, not Vault's envelope")
    func json() async throws {
        try await Self.dev { server in
            let reply = try await server.send("GET", "/v1/sys/metrics", token: Self.root)
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/json")
            #expect(reply.header("Cache-Control") == "no-store")
            let json = try #require(reply.json)
            #expect(json["request_id"] == JSONValue?.none && json["data"] == JSONValue?.none)
            for key in ["Timestamp", "Gauges", "Counters", "Samples", "Points"] { #expect(json[key] != JSONValue?.none, "\(key)") }
        }
    }

    @Test("format=prometheus answers text/plain version 0.0.4 and its request count grows")
    func prometheus() async throws {
        try await Self.dev { server in
            let first = try await server.send("GET", "/v1/sys/metrics?format=prometheus", token: Self.root)
            #expect(first.status == 200)
            #expect(first.header("Content-Type") == "text/plain; version=0.0.4")
            let text = String(decoding: first.bytes, as: UTF8.self)
            #expect(text.contains("# TYPE vault_core_handle_request histogram\n"))
            let before = try #require(Self.sample(text, "vault_core_handle_request_count"))
            _ = try await server.send("GET", "/v1/sys/mounts", token: Self.root)
            let second = try await server.send("GET", "/v1/sys/metrics?format=prometheus", token: Self.root)
            let after = try #require(Self.sample(String(decoding: second.bytes, as: UTF8.self), "vault_core_handle_request_count"))
            #expect(after == before + 2, "the mounts read and the first metrics read")
        }
    }

    @Test("a bad format is a 400 and a token without read on sys/metrics a 403, in Vault's error envelope")
    func errors() async throws {
        try await Self.dev { server in
            let bogus = try await server.send("GET", "/v1/sys/metrics?format=bogus", token: Self.root)
            #expect(bogus.status == 400)
            #expect(bogus.header("Content-Type") == "application/json")
            #expect(bogus.json == ["errors": ["metric response format \"bogus\" unknown"]])

            let create = try await server.send("POST", "/v1/auth/token/create", json: ["policies": ["default"]], token: Self.root)
            let token = try #require(create.json?["auth"]?["client_token"]?.stringValue)
            let denied = try await server.send("GET", "/v1/sys/metrics", token: token)
            #expect(denied.status == 403)
            #expect(denied.json == ["errors": ["permission denied"]])
            let anonymous = try await server.send("GET", "/v1/sys/metrics?format=prometheus")
            #expect(anonymous.status == 403)
        }
    }
}
