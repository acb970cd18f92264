import CofferJSON
import Testing

/// init, seal status, unseal, seal, health and leader through real HTTP.
@Suite("Lifecycle API")
struct LifecycleAPITests {
    @Test("an uninitialised server is sealed, reports 501 health and refuses logical requests with 503")
    func uninitialised() async throws {
        try await TestServer.with { server in
            let initStatus = try await server.send("GET", "/v1/sys/init")
            #expect(initStatus.json == ["initialized": false])
            let health = try await server.send("GET", "/v1/sys/health")
            #expect(health.status == 501)
            #expect(health.json?["initialized"] == false)
            let read = try await server.send("GET", "/v1/secret/foo", token: "x")
            #expect(read.status == 503)
            #expect(read.json == ["errors": ["Vault is sealed"]])
            #expect(read.header("Content-Type") == "application/json")
        }
    }

    @Test("init validates shares and threshold with Vault's messages", arguments: [
        (0, 1, "shares must be at least one"),
        (1, 0, "threshold must be at least one"),
        (3, 1, "threshold must be greater than one for multiple shares"),
        (256, 3, "shares must be less than 256"),
        (3, 5, "threshold cannot be larger than shares"),
    ])
    func initValidation(shares: Int, threshold: Int, message: String) async throws {
        try await TestServer.with { server in
            let reply = try await server.send("PUT", "/v1/sys/init", json: [
                "secret_shares": .int(Int64(shares)), "secret_threshold": .int(Int64(threshold)),
            ])
            #expect(reply.status == 400)
            #expect(reply.json == ["errors": [.string(message)]])
        }
    }

    @Test("init with 5 shares, unseal with 3 in hvac's order, reset, repeat share, already unsealed")
    func unsealSequence() async throws {
        try await TestServer.with { server in
            let initReply = try await server.send("POST", "/v1/sys/init", json: [
                "secret_shares": 5, "secret_threshold": 3, "root_token_pgp_key": nil,
            ])
            #expect(initReply.status == 200)
            let keys = (initReply.json?["keys"]?.arrayValue ?? []).compactMap { $0.stringValue }
            let b64 = (initReply.json?["keys_base64"]?.arrayValue ?? []).compactMap { $0.stringValue }
            #expect(keys.count == 5 && b64.count == 5)
            #expect(initReply.json?["root_token"]?.stringValue?.hasPrefix("hvs.") == true)
            // Sealed after init, as Vault leaves it.
            var status = try await server.send("GET", "/v1/sys/seal-status")
            #expect(status.json?["sealed"] == true)
            #expect(status.json?["t"] == 3 && status.json?["n"] == 5 && status.json?["initialized"] == true)

            // Two keys: progress 2. A repeated share does not count twice.
            _ = try await server.send("PUT", "/v1/sys/unseal", json: ["key": .string(keys[0])])
            status = try await server.send("PUT", "/v1/sys/unseal", json: ["key": .string(b64[1]), "migrate": false])
            #expect(status.json?["progress"] == 2)
            status = try await server.send("PUT", "/v1/sys/unseal", json: ["key": .string(keys[1])])
            #expect(status.json?["progress"] == 2)
            // Reset forgets them.
            status = try await server.send("PUT", "/v1/sys/unseal", json: ["reset": true, "migrate": false])
            #expect(status.json?["progress"] == 0 && status.json?["sealed"] == true)
            // keys[1], keys[2], keys[0] unseal.
            for key in [keys[1], keys[2]] { _ = try await server.send("PUT", "/v1/sys/unseal", json: ["key": .string(key)]) }
            status = try await server.send("PUT", "/v1/sys/unseal", json: ["key": .string(keys[0])])
            #expect(status.status == 200)
            #expect(status.json?["sealed"] == false)
            #expect(status.json?["cluster_id"]?.stringValue?.isEmpty == false)
            // A key sent to an unsealed server answers the status, not an error.
            status = try await server.send("PUT", "/v1/sys/unseal", json: ["key": .string(keys[3])])
            #expect(status.status == 200 && status.json?["sealed"] == false)
            // Reset while unsealed is a 400.
            status = try await server.send("PUT", "/v1/sys/unseal", json: ["reset": true])
            #expect(status.status == 400 && status.json == ["errors": ["vault is unsealed"]])
            // A second init is refused.
            let again = try await server.send("PUT", "/v1/sys/init", json: ["secret_shares": 1, "secret_threshold": 1])
            #expect(again.status == 400 && again.json == ["errors": ["Vault is already initialized"]])
        }
    }

    @Test("bad unseal keys are 400s with clear messages and leave the server sealed")
    func badUnsealKeys() async throws {
        try await TestServer.with { server in
            _ = try await server.send("PUT", "/v1/sys/init", json: ["secret_shares": 3, "secret_threshold": 2])
            let missing = try await server.send("PUT", "/v1/sys/unseal", json: [:])
            #expect(missing.status == 400)
            #expect(missing.json == ["errors": ["'key' must be specified in request body as JSON, or 'reset' set to true"]])
            let garbage = try await server.send("PUT", "/v1/sys/unseal", json: ["key": "not a key!!"])
            #expect(garbage.status == 400)
            #expect(garbage.json == ["errors": ["'key' must be a valid hex or base64 string"]])
            let wrongType = try await server.send("PUT", "/v1/sys/unseal", json: ["key": 12])
            #expect(wrongType.status == 400)
            // Two well-formed shares of another key: the combination fails closed.
            let other = try await server.send("PUT", "/v1/sys/unseal", json: ["key": .string(String(repeating: "ab", count: 33))])
            #expect(other.status == 200)
            let second = try await server.send("PUT", "/v1/sys/unseal", json: ["key": .string(String(repeating: "cd", count: 33))])
            #expect(second.status == 400)
            let status = try await server.send("GET", "/v1/sys/seal-status")
            #expect(status.json?["sealed"] == true)
            #expect(status.json?["progress"] == 0)
        }
    }

    @Test("seal needs a root token; sealed server answers 503 and health 503")
    func sealAndHealth() async throws {
        try await TestServer.with { server in
            let (_, root) = try await server.initAndUnseal()
            var health = try await server.send("GET", "/v1/sys/health")
            #expect(health.status == 200)
            #expect(health.json?["replication_performance_mode"] == "disabled")
            #expect(health.json?["replication_dr_mode"] == "disabled")
            #expect(health.json?["sealed"] == false && health.json?["standby"] == false)
            let head = try await server.send("HEAD", "/v1/sys/health")
            #expect(head.status == 200 && head.bytes.isEmpty)
            let leader = try await server.send("GET", "/v1/sys/leader")
            #expect(leader.json?["ha_enabled"] == false)

            let denied = try await server.send("PUT", "/v1/sys/seal", token: "hvs.bogus")
            #expect(denied.status == 403)
            let sealed = try await server.send("PUT", "/v1/sys/seal", token: root)
            #expect(sealed.status == 204)
            health = try await server.send("GET", "/v1/sys/health")
            #expect(health.status == 503 && health.json?["sealed"] == true)
            health = try await server.send("GET", "/v1/sys/health?sealedcode=299&uninitcode=298")
            #expect(health.status == 299)
            let bad = try await server.send("GET", "/v1/sys/health?sealedcode=abc")
            #expect(bad.status == 400)
            let read = try await server.send("GET", "/v1/sys/mounts", token: root)
            #expect(read.status == 503)
        }
    }

    @Test("health codes can be overridden when active")
    func healthActiveCode() async throws {
        try await TestServer.with { server in
            _ = try await server.initAndUnseal(shares: 1, threshold: 1)
            let health = try await server.send("GET", "/v1/sys/health?activecode=204&standbyok=true")
            #expect(health.status == 204)
        }
    }
}
