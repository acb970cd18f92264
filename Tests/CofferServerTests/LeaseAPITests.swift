import CofferJSON
import Testing

/// Token leases through HTTP: created with the token, listed, looked up, gone with it.
@Suite("Leases API")
struct LeaseAPITests {
    @Test("a token with a TTL gets a lease that follows renewals and goes when the token is revoked")
    func tokenLeases() async throws {
        try await TestServer.with { server in
            let (_, root) = try await server.core.setUpDevMode(rootTokenID: "root-test")
            let create = try await server.send("POST", "/v1/auth/token/create", json: ["policies": ["default"], "ttl": "1h"], token: root)
            let token = try #require(create.json?["auth"]?["client_token"]?.stringValue)
            let list = try await server.send("LIST", "/v1/sys/leases/lookup/auth/token/create/", token: root)
            let keys = (list.json?["data"]?["keys"]?.arrayValue ?? []).compactMap { $0.stringValue }
            #expect(keys.count == 1)
            let leaseID = "auth/token/create/" + (keys.first ?? "")
            let lookup = try await server.send("PUT", "/v1/sys/leases/lookup", json: ["lease_id": .string(leaseID)], token: root)
            #expect(lookup.status == 200)
            let ttl = lookup.json?["data"]?["ttl"]?.intValue ?? 0
            #expect(ttl > 3500 && ttl <= 3600)
            #expect(!String(decoding: lookup.bytes, as: UTF8.self).contains(token), "the lease never reveals the token")

            _ = try await server.send("POST", "/v1/auth/token/revoke", json: ["token": .string(token)], token: root)
            let after = try await server.send("LIST", "/v1/sys/leases/lookup/auth/token/create/", token: root)
            #expect(after.status == 404)
            let noSudo = try await server.send("LIST", "/v1/sys/leases/lookup/auth/", token: token)
            #expect(noSudo.status == 403)
        }
    }
}

/// Token TTL limits follow the token auth mount's tuning.
@Suite("Token mount tuning")
struct TokenMountTuningTests {
    @Test("sys/auth/token/tune sets the default and maximum TTL of new tokens")
    func tuning() async throws {
        try await TestServer.with { server in
            let (_, root) = try await server.core.setUpDevMode(rootTokenID: "root-test")
            let before = try await server.send("POST", "/v1/auth/token/create", json: ["policies": ["default"]], token: root)
            #expect(before.json?["auth"]?["lease_duration"] == 2_764_800)
            let tune = try await server.send("POST", "/v1/sys/auth/token/tune",
                                             json: ["default_lease_ttl": "1h", "max_lease_ttl": "2h"], token: root)
            #expect(tune.status == 204)
            let after = try await server.send("POST", "/v1/auth/token/create", json: ["policies": ["default"]], token: root)
            #expect(after.json?["auth"]?["lease_duration"] == 3600)
            let capped = try await server.send("POST", "/v1/auth/token/create", json: ["policies": ["default"], "ttl": "10h"], token: root)
            #expect(capped.json?["auth"]?["lease_duration"] == 7200)
            let read = try await server.send("GET", "/v1/sys/auth/token/tune", token: root)
            #expect(read.json?["data"]?["default_lease_ttl"] == 3600)
        }
    }
}

/// Disabling an auth method takes the tokens it issued with it (Vault revokes the
/// method's leases first).
@Suite("Auth method disable")
struct AuthDisableTests {
    @Test("tokens from a disabled auth method stop working; other tokens keep working")
    func disableRevokesTokens() async throws {
        try await TestServer.with { server in
            let (_, root) = try await server.core.setUpDevMode(rootTokenID: "root-test")
            #expect(try await server.send("POST", "/v1/sys/auth/userpass", json: ["type": "userpass"], token: root).status == 204)
            #expect(try await server.send("POST", "/v1/auth/userpass/users/tester",
                                          json: ["password": "pw-1234", "token_policies": "default"], token: root).status == 204)
            let login = try await server.send("POST", "/v1/auth/userpass/login/tester", json: ["password": "pw-1234"])
            let token = try #require(login.json?["auth"]?["client_token"]?.stringValue)
            let other = try await server.send("POST", "/v1/auth/token/create", json: ["policies": ["default"], "ttl": "1h"], token: root)
            let otherToken = try #require(other.json?["auth"]?["client_token"]?.stringValue)
            #expect(try await server.send("GET", "/v1/auth/token/lookup-self", token: token).status == 200)

            #expect(try await server.send("DELETE", "/v1/sys/auth/userpass", token: root).status == 204)
            #expect(try await server.send("GET", "/v1/auth/token/lookup-self", token: token).status == 403)
            #expect(try await server.send("GET", "/v1/auth/token/lookup-self", token: otherToken).status == 200)
            let leases = try await server.send("LIST", "/v1/sys/leases/lookup/auth/userpass/", token: root)
            #expect(leases.status == 404)
        }
    }
}
