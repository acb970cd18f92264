import CofferCore
import CofferJSON
import CofferStorage
import CofferTestKit
import Foundation
import Testing

/// `sys/audit`, `sys/audit-hash` and the file device through HTTP.
@Suite("Audit devices API")
struct AuditAPITests {
    static let root = "audit-root-token-5c1e"

    static func dev<T: Sendable>(_ body: @Sendable (TestServer, String) async throws -> T) async throws -> T {
        let dir = try makeTemporaryDirectory(prefix: "coffer-audit-api")
        defer { removeTemporaryDirectory(dir) }
        return try await TestServer.with { server in
            _ = try await server.core.setUpDevMode(rootTokenID: root)
            #expect(try await server.send("POST", "/v1/sys/mounts/kv", json: ["type": "kv"], token: root).status == 204)
            return try await body(server, dir)
        }
    }

    static func entries(_ path: String) throws -> [JSONValue] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
    }

    static func hash(_ server: TestServer, device: String, _ input: String, token: String = root) async throws -> String {
        let reply = try await server.send("POST", "/v1/sys/audit-hash/\(device)", json: ["input": .string(input)], token: token)
        guard reply.status == 200, let hash = reply.json?["hash"]?.stringValue else {
            throw TestFailure("audit-hash answered \(reply.status)")
        }
        #expect(reply.json?["data"]?["hash"]?.stringValue == hash)
        return hash
    }

    /// The entries of `type` whose request path is `path`.
    static func find(_ entries: [JSONValue], _ type: String, path: String) -> [JSONValue] {
        entries.filter { $0["type"]?.stringValue == type && $0["request"]?["path"]?.stringValue == path }
    }

    @Test("KV write and read and a userpass login leave secrets, tokens and passwords only as HMACs that audit-hash reproduces")
    func hmacsOnly() async throws {
        try await Self.dev { server, dir in
            let file = dir + "/audit.log"
            let enable = try await server.send("PUT", "/v1/sys/audit/file", json: [
                "type": "file", "description": "main log", "options": ["file_path": .string(file)],
            ], token: Self.root)
            #expect(enable.status == 204)
            let list = try await server.send("GET", "/v1/sys/audit", token: Self.root)
            #expect(list.status == 200)
            let expected: JSONValue = [
                "type": "file", "description": "main log", "options": ["file_path": .string(file)], "local": false,
                "path": "file/",
            ]
            #expect(list.json?["file/"] == expected)
            #expect(list.json?["data"]?["file/"] == expected)

            let secret = "kv-secret-value-42"
            #expect(try await server.send("POST", "/v1/kv/app", json: ["password": .string(secret)], token: Self.root).status == 204)
            #expect(try await server.send("GET", "/v1/kv/app", token: Self.root).json?["data"]?["password"] == .string(secret))

            let password = "alice-password-9"
            #expect(try await server.send("POST", "/v1/sys/auth/userpass", json: ["type": "userpass"], token: Self.root).status == 204)
            #expect(try await server.send("POST", "/v1/auth/userpass/users/alice",
                json: ["password": .string(password), "policies": "default"], token: Self.root).status == 204)
            let login = try await server.send("POST", "/v1/auth/userpass/login/alice", json: ["password": .string(password)])
            let minted = try #require(login.json?["auth"]?["client_token"]?.stringValue)
            let mintedAccessor = try #require(login.json?["auth"]?["accessor"]?.stringValue)

            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            for raw in [secret, password, Self.root, minted, mintedAccessor] {
                #expect(!text.contains(raw), "the audit file holds a raw sensitive value")
            }
            let entries = try Self.entries(file)
            #expect(entries.allSatisfy { $0["time"]?.stringValue?.hasSuffix("Z") == true })

            let write = try #require(Self.find(entries, "request", path: "kv/app").first)
            #expect(write["request"]?["operation"] == "create")
            #expect(write["request"]?["mount_type"] == "kv")
            #expect(write["request"]?["mount_point"] == "kv/")
            #expect(write["request"]?["remote_address"] == "127.0.0.1")
            #expect(write["request"]?["data"]?["password"] == .string(try await Self.hash(server, device: "file", secret)))
            #expect(write["request"]?["client_token"] == .string(try await Self.hash(server, device: "file", Self.root)))
            #expect(write["auth"]?["client_token"] == write["request"]?["client_token"])
            #expect(write["auth"]?["policies"] == ["root"])

            let read = try #require(Self.find(entries, "response", path: "kv/app").last)
            #expect(read["request"]?["operation"] == "read")
            #expect(read["response"]?["data"]?["password"] == .string(try await Self.hash(server, device: "file", secret)))

            let loginPath = "auth/userpass/login/alice"
            let loginRequest = try #require(Self.find(entries, "request", path: loginPath).first)
            #expect(loginRequest["request"]?["data"]?["password"] == .string(try await Self.hash(server, device: "file", password)))
            #expect(loginRequest["request"]?["mount_type"] == "userpass")
            let loginResponse = try #require(Self.find(entries, "response", path: loginPath).first)
            #expect(loginResponse["request"]?["id"] == loginRequest["request"]?["id"])
            #expect(loginResponse["response"]?["auth"]?["client_token"] == .string(try await Self.hash(server, device: "file", minted)))
            #expect(loginResponse["response"]?["auth"]?["accessor"] == .string(try await Self.hash(server, device: "file", mintedAccessor)))

            let unknown = try await server.send("POST", "/v1/sys/audit-hash/nope", json: ["input": "x"], token: Self.root)
            #expect(unknown.status == 400)
            #expect(unknown.json?["errors"]?.arrayValue?.first?.stringValue?.contains("unknown audit backend") == true)
        }
    }

    @Test("generate-root is audited (the key shares and the encoded token only as HMACs); rekey is not, as in Vault")
    func generateRootIsAudited() async throws {
        let dir = try makeTemporaryDirectory(prefix: "coffer-audit-root")
        defer { removeTemporaryDirectory(dir) }
        try await TestServer.with { server in
            let (keys, root) = try await server.initAndUnseal(shares: 1, threshold: 1)
            let file = dir + "/audit.log"
            #expect(try await server.send("PUT", "/v1/sys/audit/file", json: [
                "type": "file", "options": ["file_path": .string(file)],
            ], token: root).status == 204)

            let otp = GenerateRootAPITests.hvacOTP
            let start = try await server.send("PUT", "/v1/sys/generate-root/attempt", json: ["otp": .string(otp)])
            let nonce = try #require(start.json?["nonce"]?.stringValue)
            let done = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(keys[0]), "nonce": .string(nonce)])
            let encoded = try #require(done.json?["encoded_token"]?.stringValue)
            #expect(done.json?["complete"] == true)
            #expect(try await server.send("GET", "/v1/sys/rekey/init").status == 200)

            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            for raw in [keys[0], encoded, nonce] { #expect(!text.contains(raw), "the audit file holds a raw sensitive value") }
            let entries = try Self.entries(file)
            let attempt = Self.find(entries, "request", path: "sys/generate-root/attempt")
            #expect(attempt.first?["request"]?["operation"] == "update")
            #expect(attempt.first?["request"]?["remote_address"] == "127.0.0.1")
            let update = try #require(Self.find(entries, "response", path: "sys/generate-root/update").first)
            #expect(update["response"]?["data"]?["complete"] == true)
            #expect(update["response"]?["data"]?["encoded_token"] == .string(try await Self.hash(server, device: "file", encoded, token: root)))
            #expect(Self.find(entries, "request", path: "sys/generate-root/update").count == 1)
            #expect(entries.allSatisfy { $0["request"]?["path"]?.stringValue?.hasPrefix("sys/rekey") != true }, "rekey is never audited")
        }
    }

    @Test("log_raw writes raw values; hmac_accessor=false leaves only accessors readable")
    func rawAndAccessors() async throws {
        try await Self.dev { server, dir in
            let raw = dir + "/raw.log"
            let accessors = dir + "/accessors.log"
            #expect(try await server.send("PUT", "/v1/sys/audit/raw", json: [
                "type": "file", "options": ["file_path": .string(raw), "log_raw": true],
            ], token: Self.root).status == 204)
            #expect(try await server.send("PUT", "/v1/sys/audit/acc", json: [
                "type": "file", "options": ["path": .string(accessors), "hmac_accessor": "false"],
            ], token: Self.root).status == 204)
            let secret = "raw-secret-77"
            #expect(try await server.send("POST", "/v1/kv/r", json: ["v": .string(secret)], token: Self.root).status == 204)
            let lookup = try await server.send("GET", "/v1/auth/token/lookup-self", token: Self.root)
            let accessor = try #require(lookup.json?["data"]?["accessor"]?.stringValue)

            let rawText = (try? String(contentsOfFile: raw, encoding: .utf8)) ?? ""
            #expect(rawText.contains(secret))
            #expect(rawText.contains(Self.root))
            let accessorText = (try? String(contentsOfFile: accessors, encoding: .utf8)) ?? ""
            #expect(!accessorText.contains(secret))
            #expect(!accessorText.contains(Self.root))
            let lookupEntry = try #require(Self.find(try Self.entries(accessors), "request", path: "auth/token/lookup-self").first)
            #expect(lookupEntry["request"]?["client_token_accessor"] == .string(accessor))
            #expect(lookupEntry["auth"]?["accessor"] == .string(accessor))
            // audit-hash hashes whatever the device logs.
            #expect(try await Self.hash(server, device: "raw", secret).hasPrefix("hmac-sha256:"))
        }
    }

    @Test("disable stops the lines and is idempotent; bad settings are 400s")
    func disableAndErrors() async throws {
        try await Self.dev { server, dir in
            let file = dir + "/audit.log"
            #expect(try await server.send("PUT", "/v1/sys/audit/file", json: [
                "type": "file", "options": ["file_path": .string(file)],
            ], token: Self.root).status == 204)
            #expect(try await server.send("DELETE", "/v1/sys/audit/file", token: Self.root).status == 204)
            let count = try Self.entries(file).count
            #expect(try await server.send("GET", "/v1/kv/none", token: Self.root).status == 404)
            #expect(try Self.entries(file).count == count)
            #expect(try await server.send("DELETE", "/v1/sys/audit/file", token: Self.root).status == 204)
            #expect(try await server.send("GET", "/v1/sys/audit", token: Self.root).json?["data"] == [:])

            let cases: [(JSONValue, String)] = [
                (["type": "file", "options": ["file_path": .string(dir + "/x"), "format": "jsonx"]], "jsonx"),
                (["options": ["file_path": .string(dir + "/x")]], "type is required"),
                (["type": "syslog", "options": ["file_path": "x"]], "unknown audit device type"),
                (["type": "file", "options": ["file_path": .string(dir + "/gone/x.log")]], "No such file or directory"),
            ]
            for (body, message) in cases {
                let reply = try await server.send("PUT", "/v1/sys/audit/bad", json: body, token: Self.root)
                #expect(reply.status == 400)
                let errors = reply.json?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
                #expect(errors.contains { $0.contains(message) }, "\(errors)")
            }
        }
    }

    @Test("managing audit devices needs sudo")
    func sudoRequired() async throws {
        try await Self.dev { server, dir in
            for (name, caps) in [("plain", #"["create", "update", "read", "delete"]"#), ("sudo", #"["create", "update", "read", "delete", "sudo"]"#)] {
                let policy = "path \"sys/audit/*\" { capabilities = \(caps) }\npath \"sys/audit\" { capabilities = \(caps) }"
                #expect(try await server.send("PUT", "/v1/sys/policies/acl/\(name)", json: ["policy": .string(policy)], token: Self.root).status == 204)
            }
            var tokens: [String] = []
            for name in ["plain", "sudo"] {
                let reply = try await server.send("POST", "/v1/auth/token/create", json: ["policies": [.string(name)]], token: Self.root)
                tokens.append(try #require(reply.json?["auth"]?["client_token"]?.stringValue))
            }
            let body: JSONValue = ["type": "file", "options": ["file_path": .string(dir + "/a.log")]]
            #expect(try await server.send("PUT", "/v1/sys/audit/a", json: body, token: tokens[0]).status == 403)
            #expect(try await server.send("GET", "/v1/sys/audit", token: tokens[0]).status == 403)
            #expect(try await server.send("PUT", "/v1/sys/audit/a", json: body, token: tokens[1]).status == 204)
            #expect(try await server.send("GET", "/v1/sys/audit", token: tokens[1]).status == 200)
        }
    }

    @Test("fail closed: when no device can write, requests answer 500 and never reach the backend")
    func failClosed() async throws {
        try await Self.dev { server, _ in
            #expect(try await server.send("PUT", "/v1/sys/audit/full", json: [
                "type": "file", "options": ["file_path": "/dev/full"],
            ], token: Self.root).status == 204)
            let write = try await server.send("POST", "/v1/kv/blocked", json: ["v": "1"], token: Self.root)
            #expect(write.status == 500)
            #expect(write.json?["errors"] == ["internal error"])
            // Every request now fails, disabling included (Vault behaves the same); the
            // operator's way out here is Core's API.
            #expect(try await server.send("DELETE", "/v1/sys/audit/full", token: Self.root).status == 500)
            try await server.core.disableAudit(path: "full")
            #expect(try await server.send("GET", "/v1/kv/blocked", token: Self.root).status == 404)
        }
    }

    @Test("devices and their salts survive a restart")
    func survivesRestart() async throws {
        let dir = try makeTemporaryDirectory(prefix: "coffer-audit-restart")
        defer { removeTemporaryDirectory(dir) }
        let file = dir + "/audit.log"
        let storage = InMemoryBackend()
        let (keys, root, hash) = try await TestServer.with(storage: storage) { server in
            let (keys, root) = try await server.initAndUnseal(shares: 1, threshold: 1)
            #expect(try await server.send("PUT", "/v1/sys/audit/file", json: [
                "type": "file", "options": ["file_path": .string(file)],
            ], token: root).status == 204)
            let reply = try await server.send("POST", "/v1/sys/audit-hash/file", json: ["input": "value"], token: root)
            return (keys, root, reply.json?["hash"]?.stringValue)
        }
        let before = try Self.entries(file).count
        try await TestServer.with(storage: storage) { server in
            try await server.client.unseal(keys: keys)
            let list = try await server.send("GET", "/v1/sys/audit", token: root)
            #expect(list.json?["file/"]?["options"]?["file_path"] == .string(file))
            let reply = try await server.send("POST", "/v1/sys/audit-hash/file", json: ["input": "value"], token: root)
            #expect(reply.json?["hash"]?.stringValue == hash)
        }
        #expect(try Self.entries(file).count == before + 4)
    }
}
