import CofferClient
import CofferJSON
import Testing

@Suite("VaultClient mounts, policies, tokens and PATCH")
struct ClientAdminAPITests {
    let transport = FakeTransport()

    private func client() throws -> VaultClient {
        try VaultClient(
            configuration: VaultClientConfiguration(address: "http://127.0.0.1:8200", token: "s.tok"), transport: transport)
    }

    @Test func patchReplacesTheContentType() async throws {
        transport.on("PATCH", "secret/data/foo", status: 204)
        let secret = try await client().patch("secret/data/foo", data: ["data": ["a": nil]])
        #expect(secret == nil)
        let request = try #require(transport.requests.first)
        #expect(request.method == "PATCH")
        #expect(request.headers.filter { $0.0.lowercased() == "content-type" }.map(\.1) == ["application/merge-patch+json"])
        #expect(request.json == ["data": ["a": nil]])
    }

    @Test func patchErrorsThrowTheAPIError() async throws {
        transport.on("PATCH", "secret/data/foo", status: 415, json: #"{"errors": ["PATCH requires Content-Type of application/merge-patch+json"]}"#)
        await #expect(throws: VaultAPIError.self) { try await client().patch("secret/data/foo", data: [:]) }
    }

    @Test func mountsDecodeTheEntries() async throws {
        transport.on("GET", "sys/mounts", json: """
            {"data": {"secret/": {"type": "kv", "options": {"version": "2"}, "accessor": "kv_1", "local": true,
                                  "config": {"default_lease_ttl": 60, "max_lease_ttl": 120, "force_no_cache": true}},
                      "not-a-mount": 3}}
            """)
        let mounts = try await client().mounts()
        #expect(mounts.keys.sorted() == ["secret/"])
        let secret = try #require(mounts["secret/"])
        #expect(secret.type == "kv" && secret.accessor == "kv_1" && secret.local)
        #expect(secret.options == ["version": "2"])
        #expect(secret.defaultLeaseTTL == 60 && secret.maxLeaseTTL == 120 && secret.forceNoCache)
    }

    @Test func mountPathsDropSlashes() async throws {
        transport.on("POST", "sys/mounts/kv/tune", status: 204)
        try await client().tuneMount(at: "/kv/", ["max_lease_ttl": "1h"])
        #expect(transport.routes == ["POST sys/mounts/kv/tune"])
    }

    @Test func remountWithAndWithoutMigrationID() async throws {
        transport.on("POST", "sys/remount", status: 204)
        #expect(try await client().startRemount(from: "a/", to: "b/") == nil)

        let asynchronous = FakeTransport()
        asynchronous.on("POST", "sys/remount", json: #"{"data": {"migration_id": "m-7"}}"#)
        let client = try VaultClient(
            configuration: VaultClientConfiguration(address: "http://127.0.0.1:8200"), transport: asynchronous)
        #expect(try await client.startRemount(from: "a/", to: "b/") == "m-7")
    }

    @Test func policyReadMissingIsNil() async throws {
        #expect(try await client().policy(named: "nope") == nil)
        transport.on("GET", "sys/policies/acl/p", json: #"{"policy": "legacy top-level copy"}"#)
        #expect(try await client().policy(named: "p") == "legacy top-level copy")
    }

    @Test func policyListNeedsKeys() async throws {
        transport.on("LIST", "sys/policies/acl", json: #"{"data": {}}"#)
        await #expect(throws: VaultClientError.self) { try await client().policyNames() }
    }

    @Test func tokenCreateBodyLeavesUnsetFieldsOut() {
        let request = VaultTokenCreateRequest()
        #expect(request.json == ["display_name": "", "num_uses": 0, "type": "service"])
        let secretID = VaultTokenCreateRequest(id: "hvs.chosen")
        #expect(!secretID.description.contains("hvs.chosen"))
    }

    @Test func capabilitiesFallBackToTheCapabilitiesKey() async throws {
        transport.on("POST", "sys/capabilities-self", json: #"{"data": {"capabilities": ["read"]}}"#)
        #expect(try await client().capabilities(of: "secret/x") == ["read"])
    }
}
