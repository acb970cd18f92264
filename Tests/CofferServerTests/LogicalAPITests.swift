import CofferJSON
import Testing

/// Logical requests through real HTTP: envelope, KV v1, tokens, errors.
@Suite("Logical API")
struct LogicalAPITests {
    /// A server in dev mode with a known root token.
    static func dev<T: Sendable>(_ body: @Sendable (TestServer, String) async throws -> T) async throws -> T {
        try await TestServer.with { server in
            let (_, root) = try await server.core.setUpDevMode(rootTokenID: "root-test")
            #expect(root == "root-test")
            // Dev mode mounts KV v2 at secret/, as Vault does; these tests exercise KV v1 there.
            try await server.core.disableMount(path: "secret")
            try await server.core.enableMount(
                path: "secret", type: "kv", description: "", local: false, options: ["version": "1"],
                defaultLeaseTTL: 0, maxLeaseTTL: 0)
            return try await body(server, root)
        }
    }

    @Test("KV v1: write, read with Vault's envelope, list, overwrite, delete")
    func kvRoundTrip() async throws {
        try await Self.dev { server, root in
            let write = try await server.send("POST", "/v1/secret/app/db", json: ["password": "s3cr3t", "port": 5432], token: root)
            #expect(write.status == 204)
            #expect(write.header("Content-Type") == "application/json")
            let read = try await server.send("GET", "/v1/secret/app/db", token: root)
            #expect(read.status == 200)
            let json = try #require(read.json)
            #expect(json["data"] == ["password": "s3cr3t", "port": 5432])
            #expect(json["lease_duration"] == 2_764_800)
            #expect(json["renewable"] == false && json["lease_id"] == "")
            #expect(json["mount_type"] == "kv")
            #expect(json["request_id"]?.stringValue?.count == 36)
            for key in ["wrap_info", "warnings", "auth"] { #expect(json[key] == .null) }

            _ = try await server.send("PUT", "/v1/secret/app/api", json: ["key": "k", "ttl": "1h"], token: root)
            let ttlRead = try await server.send("GET", "/v1/secret/app/api", token: root)
            #expect(ttlRead.json?["lease_duration"] == 3600)

            let list = try await server.send("LIST", "/v1/secret/app", token: root)
            #expect(list.status == 200)
            #expect(list.json?["data"] == ["keys": ["api", "db"]])
            let listQuery = try await server.send("GET", "/v1/secret/?list=true", token: root)
            #expect(listQuery.json?["data"] == ["keys": ["app/"]])

            _ = try await server.send("PUT", "/v1/secret/app/db", json: ["password": "new"], token: root)
            #expect(try await server.send("GET", "/v1/secret/app/db", token: root).json?["data"] == ["password": "new"])

            let delete = try await server.send("DELETE", "/v1/secret/app/db", token: root)
            #expect(delete.status == 204)
            let gone = try await server.send("GET", "/v1/secret/app/db", token: root)
            #expect(gone.status == 404 && gone.json == ["errors": []])
            let emptyList = try await server.send("LIST", "/v1/secret/nothing", token: root)
            #expect(emptyList.status == 404 && emptyList.json == ["errors": []])
        }
    }

    @Test("LIST works across several requests on one keep-alive connection")
    func listKeepAlive() async throws {
        try await Self.dev { server, root in
            _ = try await server.send("PUT", "/v1/secret/a", json: ["v": 1], token: root)
            _ = try await server.send("PUT", "/v1/secret/b", json: ["v": 1], token: root)
            for _ in 0..<20 {
                let list = try await server.send("LIST", "/v1/secret/", token: root)
                #expect(list.json?["data"] == ["keys": ["a", "b"]])
                let read = try await server.send("GET", "/v1/secret/a", token: root)
                #expect(read.status == 200)
                let write = try await server.send("PUT", "/v1/secret/b", json: ["w": "LIST /v1/x"], token: root)
                #expect(write.status == 204)
            }
        }
    }

    @Test("tokens: missing → 403, unknown → 403 invalid token, Bearer accepted, lookup-self")
    func tokens() async throws {
        try await Self.dev { server, root in
            let missing = try await server.send("GET", "/v1/secret/a")
            #expect(missing.status == 403 && missing.json == ["errors": ["permission denied"]])
            let unknown = try await server.send("GET", "/v1/secret/a", token: "hvs.unknown")
            #expect(unknown.status == 403)
            #expect(unknown.json?["errors"]?.arrayValue?.contains("permission denied") == true)
            let malformed = try await server.send("GET", "/v1/secret/a", token: String(repeating: "A", count: 600))
            #expect(malformed.status == 403)
            let bearer = try await server.send("GET", "/v1/auth/token/lookup-self", headers: [("Authorization", "Bearer \(root)")])
            #expect(bearer.status == 200)
            #expect(bearer.json?["data"]?["policies"] == ["root"])
            #expect(bearer.json?["data"]?["id"] == .string(root))
            #expect(bearer.json?["data"]?["expire_time"] == .null)
        }
    }

    @Test("bad input gets Vault's error envelope and leaves the server serving", arguments: [
        ("PUT", "/v1/secret/x", Array("{not json".utf8), 400),
        ("PUT", "/v1/secret/x", Array("[1,2]".utf8), 400),
        ("PUT", "/v1/secret/x", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d], 400),  // invalid UTF-8
        ("PUT", "/v1/secret/x", Array("{}".utf8), 400),  // no data
        ("GET", "/v1/nomount/x", [], 404),
        ("GET", "/v2/secret/x", [], 404),
        ("GET", "/v1/secret/x?list=maybe", [], 400),
        ("TRACE", "/v1/secret/x", [], 405),
        ("PATCH", "/v1/secret/x", Array("{\"a\":1}".utf8), 415),
        ("GET", "/v1/sys/key-status/extra", [], 404),
        ("DELETE", "/v1/sys/health", [], 405),
    ] as [(String, String, [UInt8], Int)])
    func badInput(method: String, path: String, body: [UInt8], status: Int) async throws {
        try await Self.dev { server, root in
            _ = try await server.send("PUT", "/v1/secret/keep", json: ["v": "safe"], token: root)
            let reply = try await server.send(method, path, body: body.isEmpty ? nil : body, token: root)
            #expect(reply.status == status)
            #expect(reply.header("Content-Type") == "application/json")
            let errors = try #require(reply.json?["errors"]?.arrayValue)
            if status != 404 { #expect(!errors.isEmpty) }
            // Still serving, storage intact.
            let read = try await server.send("GET", "/v1/secret/keep", token: root)
            #expect(read.json?["data"] == ["v": "safe"])
        }
    }

    @Test("a body over 32 MiB is refused with 413")
    func oversizedBody() async throws {
        try await Self.dev { server, root in
            let big = [UInt8](repeating: UInt8(ascii: "a"), count: 33 * 1024 * 1024)
            let reply = try await server.send("PUT", "/v1/secret/big", body: big, token: root)
            #expect(reply.status == 413)
            #expect(reply.json?["errors"]?.arrayValue?.first?.stringValue?.contains("too large") == true)
            let read = try await server.send("GET", "/v1/secret/big", token: root)
            #expect(read.status == 404)
        }
    }

    @Test("sys/mounts lists the mounts with data injected at the top level; key rotation raises the term")
    func mountsAndRotate() async throws {
        try await Self.dev { server, root in
            let mounts = try await server.send("GET", "/v1/sys/mounts", token: root)
            #expect(mounts.json?["data"]?["secret/"]?["type"] == "kv")
            #expect(mounts.json?["data"]?["cubbyhole/"]?["type"] == "cubbyhole")
            #expect(mounts.json?["secret/"]?["type"] == "kv")
            #expect(mounts.json?["sys/"]?["type"] == "system")
            _ = try await server.send("PUT", "/v1/secret/before", json: ["v": 1], token: root)
            let before = try #require(try await server.send("GET", "/v1/sys/key-status", token: root).json?["term"]?.intValue)
            let rotate = try await server.send("PUT", "/v1/sys/rotate", token: root)
            #expect(rotate.status == 204)
            let after = try #require(try await server.send("GET", "/v1/sys/key-status", token: root).json?["data"]?["term"]?.intValue)
            #expect(after == before + 1)
            #expect(try await server.send("GET", "/v1/secret/before", token: root).json?["data"] == ["v": 1])
        }
    }

    @Test("a namespace other than root is 404; X-Vault-Wrap-TTL wraps the response")
    func headers() async throws {
        try await Self.dev { server, root in
            let ns = try await server.send("GET", "/v1/secret/a", token: root, headers: [("X-Vault-Namespace", "team1/")])
            #expect(ns.status == 404 && ns.json == ["errors": ["namespace not found"]])
            let rootNS = try await server.send("GET", "/v1/sys/mounts", token: root, headers: [("X-Vault-Namespace", "root")])
            #expect(rootNS.status == 200)
            let wrap = try await server.send("GET", "/v1/sys/mounts", token: root, headers: [("X-Vault-Wrap-TTL", "60")])
            #expect(wrap.status == 200 && wrap.json?["wrap_info"]?["ttl"] == 60 && wrap.json?["data"] == .null)
        }
    }
}
