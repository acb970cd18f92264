import AsyncHTTPClient
import CofferJSON
import CofferTestKit
import Foundation
import Testing

/// The `coffer` CLI against a real dev server, as a user types it.
@Suite("End to end: CLI and dev mode", .serialized)
struct CLITests {
    @Test("dev server: root token id, vault-style read/write/list/delete, seal and status exit codes")
    func devServerWalkthrough() async throws {
        try await withWorkDirectory { directory, http in
            let server = try ServerProcess(directory: directory)
            server.arguments = ["server", "-dev", "-dev-root-token-id=dev-root", "-dev-listen-address=127.0.0.1:\(server.port)"]
            let client = TestHTTPClient(baseURL: server.baseURL, http: http)
            try await server.start(client: client)
            let env = ["VAULT_ADDR": server.baseURL, "VAULT_TOKEN": "dev-root", "VAULT_MAX_RETRIES": "0", "HOME": directory]
            func cli(_ args: String..., stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
                try ServerProcess.runCLI(args, environment: env, stdin: stdin)
            }

            #expect(server.logText().contains("Root Token: dev-root"))
            let saved = try? String(contentsOfFile: directory + "/.vault-token", encoding: .utf8)
            #expect(saved == "dev-root", "dev mode saves the root token for the CLI")

            var r = try cli("status")
            #expect(r.status == 0)
            #expect(r.stdout.contains("Sealed") && r.stdout.contains("false"))

            // KV v2 at secret/ (dev mode's default), through `kv`.
            r = try cli("kv", "put", "secret/app/db", "user=svc", "password=s3cr3t")
            #expect(r.status == 0 && r.stdout.contains("version"), "\(r)")
            r = try cli("kv", "put", "-mount=secret", "app/db", "user=svc", "password=rotated")
            #expect(r.status == 0, "\(r)")
            r = try cli("kv", "get", "-field=password", "secret/app/db")
            #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "rotated")
            r = try cli("kv", "get", "-version=1", "-format=json", "secret/app/db")
            let v1 = try JSONParser.parse(Array(r.stdout.utf8))
            #expect(v1["data"]?["data"] == ["user": "svc", "password": "s3cr3t"])
            r = try cli("kv", "patch", "secret/app/db", "owner=team-a")
            #expect(r.status == 0, "\(r)")
            r = try cli("kv", "metadata", "get", "-format=json", "secret/app/db")
            #expect(try JSONParser.parse(Array(r.stdout.utf8))["data"]?["current_version"] == 3)

            // KV v1 through the generic commands.
            r = try cli("secrets", "enable", "-path=kv1", "-version=1", "kv")
            #expect(r.status == 0 && r.stdout.contains("Success! Enabled the kv secrets engine at: kv1/"), "\(r)")
            r = try cli("write", "kv1/app/db", "user=svc", "password=s3cr3t")
            #expect(r.status == 0 && r.stdout.contains("Success! Data written to: kv1/app/db"), "\(r)")
            r = try cli("read", "-field=password", "kv1/app/db")
            #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "s3cr3t")
            r = try cli("write", "kv1/app/api", "-", stdin: #"{"key": "from-stdin"}"#)
            #expect(r.status == 0, "\(r)")
            r = try cli("list", "kv1/app")
            #expect(r.stdout.contains("Keys") && r.stdout.contains("api") && r.stdout.contains("db"))
            r = try cli("delete", "kv1/app/db")
            #expect(r.stdout.contains("Success! Data deleted (if it existed) at: kv1/app/db"))
            r = try cli("read", "kv1/app/db")
            #expect(r.status == 2 && r.stderr.contains("No value found at kv1/app/db"))

            // A policy and a token that holds it.
            let policyFile = directory + "/app.hcl"
            try #"path "secret/data/app/*" { capabilities = ["read"] }"#.write(toFile: policyFile, atomically: true, encoding: .utf8)
            r = try cli("policy", "write", "app-read", policyFile)
            #expect(r.status == 0 && r.stdout.contains("Success! Uploaded policy: app-read"), "\(r)")
            r = try cli("token", "create", "-policy=app-read", "-field=token")
            let appToken = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(appToken.hasPrefix("hvs."), "\(r)")
            var appEnv = env
            appEnv["VAULT_TOKEN"] = appToken
            r = try ServerProcess.runCLI(["kv", "get", "-field=owner", "secret/app/db"], environment: appEnv)
            #expect(r.status == 0 && r.stdout.contains("team-a"), "\(r)")
            r = try ServerProcess.runCLI(["kv", "put", "secret/app/db", "x=y"], environment: appEnv)
            #expect(r.status == 2 && r.stderr.contains("permission denied"), "\(r)")

            r = try ServerProcess.runCLI(["read", "kv1/app/api"], environment: env.merging(["VAULT_TOKEN": "hvs.wrong"]) { $1 })
            #expect(r.status == 2)
            #expect(r.stderr.contains("Code: 403") && r.stderr.contains("permission denied"), "\(r.stderr)")

            r = try cli("operator", "seal")
            #expect(r.status == 0 && r.stdout.contains("Success! Vault is sealed."))
            r = try cli("status")
            #expect(r.status == 2, "status exits 2 when sealed")
            _ = server.terminate()
        }
    }

    @Test("operator init and unseal through the CLI against a SQLite server")
    func initAndUnsealViaCLI() async throws {
        try await withWorkDirectory { directory, http in
            let server = try ServerProcess(directory: directory)
            try await server.start(client: TestHTTPClient(baseURL: server.baseURL, http: http))
            let env = ["VAULT_ADDR": server.baseURL, "VAULT_MAX_RETRIES": "0", "HOME": directory]
            var r = try ServerProcess.runCLI(["operator", "init", "-key-shares=5", "-key-threshold=3", "-format=json"], environment: env)
            #expect(r.status == 0, "\(r)")
            let initJSON = try JSONParser.parse(Array(r.stdout.utf8))
            let keys = (initJSON["unseal_keys_b64"]?.arrayValue ?? []).compactMap { $0.stringValue }
            #expect(keys.count == 5)
            for key in keys.prefix(2) {
                r = try ServerProcess.runCLI(["operator", "unseal", key], environment: env)
                #expect(r.stdout.contains("Sealed") && r.stdout.contains("true"))
            }
            // The third key from standard input, as a script pipes it.
            r = try ServerProcess.runCLI(["operator", "unseal"], environment: env, stdin: keys[2] + "\n")
            #expect(r.status == 0, "\(r)")
            r = try ServerProcess.runCLI(["status", "-format=json"], environment: env)
            #expect(r.status == 0)
            #expect(try JSONParser.parse(Array(r.stdout.utf8))["sealed"] == false)
            _ = server.terminate()
        }
    }
}
