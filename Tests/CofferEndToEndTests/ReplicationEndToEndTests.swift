import AsyncHTTPClient
import CofferJSON
import CofferTestKit
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Performance replication between real `coffer` dev servers on loopback, driven through
/// the CLI and the HTTP API as an operator would.
@Suite("End to end: performance replication between two real servers", .serialized)
struct ReplicationEndToEndTests {
    @Test("primary and secondary: activation, streaming, forwarding, local mounts, tokens, status and health")
    func primaryAndSecondary() async throws {
        try await withWorkDirectory { directory, http in
            let cliHome = directory + "/cli-home"
            try FileManager.default.createDirectory(atPath: cliHome, withIntermediateDirectories: false)
            let primary = try await ReplicaServer.start(in: directory + "/primary", rootToken: "root", http: http)
            let secondary = try await ReplicaServer.start(in: directory + "/secondary", rootToken: "sroot", http: http)
            var servers = [primary, secondary]
            do {
                let onP = ReplicaCLI(address: primary.process.baseURL, token: "root", home: cliHome)
                // Before activation the secondary has its own root token.
                let onSBootstrap = ReplicaCLI(address: secondary.process.baseURL, token: "sroot", home: cliHome)
                // The primary's root token is replicated to the secondary.
                let onS = ReplicaCLI(address: secondary.process.baseURL, token: "root", home: cliHome)

                // Enable the primary, write a secret, mint an activation token.
                var r = try onP.run("write", "-f", "sys/replication/performance/primary/enable")
                #expect(r.status == 0, "\(r)")
                r = try onP.run("kv", "put", "secret/hello", "v=1")
                #expect(r.status == 0, "\(r)")
                r = try onP.run(
                    "write", "-field=wrapping_token", "sys/replication/performance/primary/secondary-token", "id=sec-eu-001")
                let activation = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(r.status == 0 && activation.split(separator: ".").count == 3, "a JWT: \(r)")

                r = try onSBootstrap.run("write", "sys/replication/performance/secondary/enable", "token=\(activation)")
                #expect(r.status == 0, "\(r)")

                // The secondary reaches stream-wals.
                var lastStatus = ""
                let streaming = try await poll(seconds: 10) {
                    let status = try onS.run("read", "-format=json", "sys/replication/status")
                    lastStatus = "\(status)"
                    guard status.status == 0, let json = try? JSONParser.parse(Array(status.stdout.utf8)) else { return false }
                    return json["data"]?["performance"]?["mode"] == "secondary"
                        && json["data"]?["performance"]?["state"] == "stream-wals"
                }
                try #require(streaming, "secondary never reached stream-wals: \(lastStatus)")

                // Data written before activation is there; a new write on P streams over.
                r = try onS.run("kv", "get", "-field=v", "secret/hello")
                #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(r)")
                r = try onP.run("kv", "put", "secret/later", "w=2")
                #expect(r.status == 0, "\(r)")
                let streamed = try await poll(seconds: 10) {
                    let get = try onS.run("kv", "get", "-field=w", "secret/later")
                    return get.status == 0 && get.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2"
                }
                #expect(streamed, "a write on the primary never appeared on the secondary")

                // A write on S is forwarded to P, and S reads its own write at once.
                r = try onS.run("kv", "put", "secret/fwd", "b=3")
                #expect(r.status == 0, "\(r)")
                r = try onS.run("kv", "get", "-field=b", "secret/fwd")
                #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "3", "read-your-write: \(r)")
                r = try onP.run("kv", "get", "-field=b", "secret/fwd")
                #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "3", "\(r)")

                // Local mounts live only on the secondary; non-local mounts are refused there.
                r = try onS.run("secrets", "enable", "-path=kv-local", "-version=2", "-local", "kv")
                #expect(r.status == 0, "\(r)")
                r = try onS.run("kv", "put", "kv-local/only-here", "c=4")
                #expect(r.status == 0, "\(r)")
                r = try onS.run("kv", "get", "-field=c", "kv-local/only-here")
                #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "4", "\(r)")
                r = try onP.run("secrets", "list", "-format=json")
                let primaryMounts = try JSONParser.parse(Array(r.stdout.utf8))
                #expect(r.status == 0 && primaryMounts["secret/"] != nil, "\(r)")
                #expect(primaryMounts["kv-local/"] == nil, "a local mount must not reach the primary: \(r)")
                r = try onS.run("secrets", "list", "-format=json")
                #expect(try JSONParser.parse(Array(r.stdout.utf8))["kv-local/"] != nil, "\(r)")
                r = try onS.run("secrets", "enable", "-path=other", "kv")
                #expect(r.status == 2, "\(r)")
                #expect(r.stderr.contains("cannot create a non-local mount on a replication secondary"), "\(r)")

                // A token created on S is local to S.
                r = try onS.run("token", "create", "-field=token", "-policy=default")
                let localToken = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(r.status == 0 && !localToken.isEmpty, "\(r)")
                r = try onS.with(token: localToken).run("token", "lookup")
                #expect(r.status == 0, "the token works where it was made: \(r)")
                let lookupOnP = try await primary.client.send("GET", "/v1/auth/token/lookup-self", token: localToken)
                #expect(lookupOnP.status == 403, "a secondary's local token must not work on the primary")

                // Response wrapping works on the secondary: it has its own cubbyhole (the
                // bootstrap wipe used to leave it without one, so every wrap was a 500).
                r = try onS.run("write", "-wrap-ttl=60", "-field=wrapping_token", "sys/wrapping/wrap", "zone=eu")
                let wrapped = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(r.status == 0 && !wrapped.isEmpty, "\(r)")
                r = try onS.run("unwrap", "-field=zone", wrapped)
                #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "eu", "\(r)")

                // Status on both sides agrees once the secondary has caught up.
                var primaryStatus: JSONValue?
                var secondaryStatus: JSONValue?
                let converged = try await poll(seconds: 10) {
                    primaryStatus = try await primary.client.send(
                        "GET", "/v1/sys/replication/performance/status", token: "root"
                    ).json?["data"]
                    secondaryStatus = try await secondary.client.send(
                        "GET", "/v1/sys/replication/performance/status", token: "root"
                    ).json?["data"]
                    guard let p = primaryStatus, let s = secondaryStatus else { return false }
                    return p["merkle_root"]?.stringValue != nil && p["merkle_root"] == s["merkle_root"]
                        && p["last_wal"]?.intValue != nil && p["last_wal"]?.intValue == s["last_remote_wal"]?.intValue
                }
                #expect(
                    converged,
                    "merkle roots / WAL positions never matched: primary \(String(describing: primaryStatus)), secondary \(String(describing: secondaryStatus))"
                )
                #expect(primaryStatus?["mode"] == "primary")
                #expect(secondaryStatus?["mode"] == "secondary")
                #expect(primaryStatus?["known_secondaries"] == .array(["sec-eu-001"]), "\(String(describing: primaryStatus))")
                #expect(
                    primaryStatus?["secondaries"]?.arrayValue?.first?["connection_status"] == "connected",
                    "\(String(describing: primaryStatus))")
                #expect((primaryStatus?["last_wal"]?.intValue ?? 0) > 0)

                // Health reports each side's replication mode.
                let healthS = try await secondary.client.send("GET", "/v1/sys/health")
                #expect(healthS.json?["replication_performance_mode"] == "secondary", "\(healthS.status)")
                let healthP = try await primary.client.send("GET", "/v1/sys/health")
                #expect(healthP.json?["replication_performance_mode"] == "primary", "\(healthP.status)")

                // The activation token is single-use: a third server cannot use it.
                let third = try await ReplicaServer.start(in: directory + "/third", rootToken: "troot", http: http)
                servers.append(third)
                r = try ReplicaCLI(address: third.process.baseURL, token: "troot", home: cliHome)
                    .run("write", "sys/replication/performance/secondary/enable", "token=\(activation)")
                #expect(r.status == 2 && r.stderr.contains("activation token is not valid"), "\(r)")

                // Secondary IDs are unique.
                r = try onP.run("write", "-field=wrapping_token", "sys/replication/performance/primary/secondary-token", "id=sec-eu-001")
                #expect(r.status == 2 && r.stderr.contains("already exists"), "\(r)")

                // Replication status needs no token, through the CLI and over HTTP.
                for server in [primary, secondary] {
                    r = try ReplicaCLI(address: server.process.baseURL, token: "", home: cliHome)
                        .run("read", "-format=json", "sys/replication/status")
                    #expect(r.status == 0, "\(r)")
                    let reply = try await server.client.send("GET", "/v1/sys/replication/status")
                    #expect(reply.status == 200 && reply.json?["data"]?["performance"]?["mode"] != nil, "\(reply.status)")
                }

                // No secret from the activation flow reaches any log.
                let jti = jwtID(activation)
                #expect(jti != nil, "the activation token carries its wrapping token as jti")
                for server in servers {
                    let log = server.process.logText()
                    #expect(!log.contains(activation), "the activation JWT leaked into \(server.process.logPath)")
                    if let jti { #expect(!log.contains(jti), "the wrapping token leaked into \(server.process.logPath)") }
                    #expect(!log.contains("PRIVATE KEY"), "key material leaked into \(server.process.logPath)")
                }
            } catch {
                for server in servers { Issue.record("log of \(server.process.logPath):\n\(server.process.logText())") }
                for server in servers { _ = server.process.terminate() }
                throw error
            }
            for server in servers { _ = server.process.terminate() }
        }
    }
}

/// A dev server on loopback with the client that talks to it.
private struct ReplicaServer {
    let process: ServerProcess
    let client: TestHTTPClient

    /// Starts `coffer server -dev` in `directory` with `rootToken`, on an API port whose
    /// successor (the default cluster port) is free too.
    static func start(in directory: String, rootToken: String, http: HTTPClient) async throws -> ReplicaServer {
        let (process, client) = try await ServerProcess.startDev(in: directory, rootToken: rootToken, http: http)
        return ReplicaServer(process: process, client: client)
    }
}

/// Runs `coffer` against one server with a fixed address, token and home directory.
private struct ReplicaCLI {
    var environment: [String: String]

    /// An empty `token` means none: `home` has no token file either.
    init(address: String, token: String, home: String) {
        environment = [
            "VAULT_ADDR": address, "VAULT_TOKEN": token, "COFFER_TOKEN": "", "VAULT_MAX_RETRIES": "0", "HOME": home,
        ]
    }

    private init(environment: [String: String]) { self.environment = environment }

    func run(_ arguments: String..., stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try ServerProcess.runCLI(arguments, environment: environment, stdin: stdin)
    }

    func with(token: String) -> ReplicaCLI {
        var copy = environment
        copy["VAULT_TOKEN"] = token
        return ReplicaCLI(environment: copy)
    }
}



/// The `jti` claim of a JWT (its payload decoded from base64url), or nil.
private func jwtID(_ jwt: String) -> String? {
    let parts = jwt.split(separator: ".")
    guard parts.count == 3 else { return nil }
    var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while payload.count % 4 != 0 { payload += "=" }
    guard let data = Data(base64Encoded: payload), let json = try? JSONParser.parse(Array(data)) else { return nil }
    return json["jti"]?.stringValue
}
