import CofferJSON
import Testing

/// Policies, ACL enforcement, capabilities, cubbyhole and mount management through HTTP.
@Suite("Policies, mounts and cubbyhole API")
struct PolicyAndMountAPITests {
    static func dev<T: Sendable>(_ body: @Sendable (TestServer, String) async throws -> T) async throws -> T {
        try await TestServer.with { server in
            let (_, root) = try await server.core.setUpDevMode(rootTokenID: "root-test")
            return try await body(server, root)
        }
    }

    /// A token with exactly `policies`, made by root (`no_default_policy` unless `default`
    /// is asked for: Vault strips `default` when that flag is set).
    static func token(_ server: TestServer, root: String, policies: [String]) async throws -> String {
        let reply = try await server.send("POST", "/v1/auth/token/create", json: [
            "policies": .array(policies.map { .string($0) }), "no_default_policy": .bool(!policies.contains("default")),
        ], token: root)
        guard let token = reply.json?["auth"]?["client_token"]?.stringValue else {
            throw TestFailure("token create answered \(reply.status)")
        }
        return token
    }

    @Test("a policy grants exactly what it says, and changes apply at once")
    func aclEnforcement() async throws {
        try await Self.dev { server, root in
            _ = try await server.send("POST", "/v1/secret/data/app/db", json: ["data": ["pw": "1"]], token: root)
            _ = try await server.send("POST", "/v1/secret/data/other", json: ["data": ["pw": "2"]], token: root)
            let policy = #"path "secret/data/app/*" { capabilities = ["read"] }"#
            #expect(try await server.send("PUT", "/v1/sys/policy/app", json: ["policy": .string(policy)], token: root).status == 204)
            let token = try await Self.token(server, root: root, policies: ["app"])

            #expect(try await server.send("GET", "/v1/secret/data/app/db", token: token).status == 200)
            #expect(try await server.send("GET", "/v1/secret/data/other", token: token).status == 403)
            #expect(try await server.send("POST", "/v1/secret/data/app/db", json: ["data": ["pw": "x"]], token: token).status == 403)
            #expect(try await server.send("GET", "/v1/sys/mounts", token: token).status == 403)

            // Widen the policy: the cached ACL must not survive the change.
            let wider = #"path "secret/data/*" { capabilities = ["read", "update", "create"] }"#
            _ = try await server.send("PUT", "/v1/sys/policy/app", json: ["policy": .string(wider)], token: root)
            #expect(try await server.send("GET", "/v1/secret/data/other", token: token).status == 200)
            #expect(try await server.send("POST", "/v1/secret/data/app/db", json: ["data": ["pw": "x"]], token: token).status == 200)
            _ = try await server.send("DELETE", "/v1/sys/policy/app", token: root)
            #expect(try await server.send("GET", "/v1/secret/data/other", token: token).status == 403)
        }
    }

    @Test("root-protected paths need sudo; deny beats sudo")
    func sudoPaths() async throws {
        try await Self.dev { server, root in
            let noSudo = #"path "sys/rotate" { capabilities = ["update"] }"#
            let sudo = #"path "sys/rotate" { capabilities = ["update", "sudo"] }"#
            let deny = #"path "sys/rotate" { capabilities = ["deny"] }"#
            for (name, text) in [("nosudo", noSudo), ("sudo", sudo), ("deny", deny)] {
                _ = try await server.send("PUT", "/v1/sys/policies/acl/\(name)", json: ["policy": .string(text)], token: root)
            }
            let a = try await Self.token(server, root: root, policies: ["nosudo"])
            let b = try await Self.token(server, root: root, policies: ["sudo"])
            let c = try await Self.token(server, root: root, policies: ["sudo", "deny"])
            #expect(try await server.send("PUT", "/v1/sys/rotate", token: a).status == 403)
            #expect(try await server.send("PUT", "/v1/sys/rotate", token: b).status == 204)
            #expect(try await server.send("PUT", "/v1/sys/rotate", token: c).status == 403)
        }
    }

    @Test("policy endpoints: legacy and acl shapes, verbatim text, errors naming the line")
    func policyEndpoints() async throws {
        try await Self.dev { server, root in
            let text = "# team policy\npath \"secret/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n"
            _ = try await server.send("PUT", "/v1/sys/policies/acl/Team", json: ["policy": .string(text)], token: root)
            let acl = try await server.send("GET", "/v1/sys/policies/acl/team", token: root)
            #expect(acl.json?["data"] == ["name": "team", "policy": .string(text)])
            let legacy = try await server.send("GET", "/v1/sys/policy/team", token: root)
            #expect(legacy.json?["rules"] == .string(text))
            let list = try await server.send("LIST", "/v1/sys/policies/acl", token: root)
            #expect(list.json?["data"]?["keys"] == ["default", "team", "root"])
            let legacyList = try await server.send("GET", "/v1/sys/policy", token: root)
            #expect(legacyList.json?["policies"] == ["default", "team", "root"])

            let bad = try await server.send("PUT", "/v1/sys/policy/bad", json: ["policy": "path \"a\" {\n  capabilities = [\"rread\"]\n}"], token: root)
            #expect(bad.status == 400)
            let message = bad.json?["errors"]?.arrayValue?.first?.stringValue ?? ""
            #expect(message.contains("line 2") && message.contains("rread"), "\(message)")
            #expect(try await server.send("DELETE", "/v1/sys/policy/root", token: root).status == 400)
            #expect(try await server.send("DELETE", "/v1/sys/policy/default", token: root).status == 400)
            #expect(try await server.send("DELETE", "/v1/sys/policy/nothing", token: root).status == 204)
        }
    }

    @Test("capabilities, capabilities-self and capabilities-accessor")
    func capabilities() async throws {
        try await Self.dev { server, root in
            let text = #"path "secret/data/app/*" { capabilities = ["read", "list", "update"] }"#
            _ = try await server.send("PUT", "/v1/sys/policy/app", json: ["policy": .string(text)], token: root)
            let create = try await server.send("POST", "/v1/auth/token/create", json: ["policies": ["app"]], token: root)
            let token = try #require(create.json?["auth"]?["client_token"]?.stringValue)
            let accessor = try #require(create.json?["auth"]?["accessor"]?.stringValue)
            let caps = try await server.send("POST", "/v1/sys/capabilities", json: ["token": .string(token), "paths": ["secret/data/app/x", "sys/mounts"]], token: root)
            #expect(caps.json?["secret/data/app/x"] == ["list", "read", "update"] || caps.json?["secret/data/app/x"] == ["read", "list", "update"])
            #expect(caps.json?["sys/mounts"] == ["deny"])
            let selfCaps = try await server.send("POST", "/v1/sys/capabilities-self", json: ["path": "secret/data/app/x"], token: token)
            #expect(selfCaps.json?["capabilities"] == caps.json?["secret/data/app/x"])
            let byAccessor = try await server.send("POST", "/v1/sys/capabilities-accessor", json: ["accessor": .string(accessor), "path": "sys/mounts"], token: root)
            #expect(byAccessor.json?["capabilities"] == ["deny"])
            let rootCaps = try await server.send("POST", "/v1/sys/capabilities-self", json: ["path": "anything"], token: root)
            #expect(rootCaps.json?["capabilities"] == ["root"])
        }
    }

    @Test("cubbyhole is private to each token and goes away with it")
    func cubbyhole() async throws {
        try await Self.dev { server, root in
            let a = try await Self.token(server, root: root, policies: ["default"])
            let b = try await Self.token(server, root: root, policies: ["default"])
            #expect(try await server.send("PUT", "/v1/cubbyhole/note", json: ["v": "a's"], token: a).status == 204)
            #expect(try await server.send("GET", "/v1/cubbyhole/note", token: a).json?["data"] == ["v": "a's"])
            #expect(try await server.send("GET", "/v1/cubbyhole/note", token: b).status == 404)
            #expect(try await server.send("LIST", "/v1/cubbyhole/", token: b).status == 404)
            _ = try await server.send("POST", "/v1/auth/token/revoke", json: ["token": .string(a)], token: root)
            // A new token never sees the old one's data: the revoked token's slice is gone from storage.
            let keys = try await server.core.storage.list(prefix: "logical/")
            for uuidFolder in keys {
                let below = try await server.core.storage.list(prefix: "logical/" + uuidFolder)
                #expect(below.count <= 1)
            }
        }
    }

    @Test("mounts: enable v2 and local, tune, remount keeps data, preflight, disable removes data")
    func mounts() async throws {
        try await Self.dev { server, root in
            #expect(try await server.send("POST", "/v1/sys/mounts/team", json: ["type": "kv", "options": ["version": "2"], "description": "team"], token: root).status == 204)
            #expect(try await server.send("POST", "/v1/sys/mounts/edge", json: ["type": "kv", "local": true], token: root).status == 204)
            let mounts = try await server.send("GET", "/v1/sys/mounts", token: root)
            #expect(mounts.json?["team/"]?["options"] == ["version": "2"])
            #expect(mounts.json?["edge/"]?["local"] == true)
            #expect(mounts.json?["cubbyhole/"]?["local"] == true)
            #expect(try await server.send("POST", "/v1/sys/mounts/team/tune", json: ["default_lease_ttl": "1h", "max_lease_ttl": "2h"], token: root).status == 204)
            let tune = try await server.send("GET", "/v1/sys/mounts/team/tune", token: root)
            #expect(tune.json?["data"]?["default_lease_ttl"] == 3600 && tune.json?["data"]?["max_lease_ttl"] == 7200)
            let badTune = try await server.send("POST", "/v1/sys/mounts/team/tune", json: ["default_lease_ttl": "3h"], token: root)
            #expect(badTune.status == 400)
            // `vault auth tune` tunes an auth method through its router path under sys/mounts.
            #expect(try await server.send("POST", "/v1/sys/mounts/auth/token/tune", json: ["description": "tokens"], token: root).status == 204)
            #expect(try await server.send("GET", "/v1/sys/auth/token/tune", token: root).json?["data"]?["description"] == "tokens")
            #expect(try await server.send("GET", "/v1/sys/mounts/auth/token/tune", token: root).json?["data"]?["description"] == "tokens")
            #expect(try await server.send("GET", "/v1/sys/mounts/auth/nothing/tune", token: root).status == 400)

            _ = try await server.send("POST", "/v1/team/data/x", json: ["data": ["v": "1"]], token: root)
            let move = try await server.send("POST", "/v1/sys/remount", json: ["from": "team", "to": "squad"], token: root)
            #expect(move.status == 200 && move.json?["migration_id"]?.stringValue != nil)
            #expect(try await server.send("GET", "/v1/squad/data/x", token: root).json?["data"]?["data"] == ["v": "1"])
            #expect(try await server.send("GET", "/v1/team/data/x", token: root).status == 404)

            let preflight = try await server.send("GET", "/v1/sys/internal/ui/mounts/squad/x", token: root)
            #expect(preflight.json?["data"]?["type"] == "kv" && preflight.json?["data"]?["options"] == ["version": "2"])
            #expect(preflight.json?["data"]?["path"] == "squad/")

            let before = try await server.core.storage.list(prefix: "logical/")
            #expect(try await server.send("DELETE", "/v1/sys/mounts/squad", token: root).status == 204)
            let after = try await server.core.storage.list(prefix: "logical/")
            #expect(after.count == before.count - 1, "a disabled mount's data is removed")
            #expect(try await server.send("POST", "/v1/sys/mounts/sys2", json: ["type": "nope"], token: root).status == 400)
            #expect(try await server.send("POST", "/v1/sys/mounts/sys", json: ["type": "kv"], token: root).status == 400)
        }
    }
}
