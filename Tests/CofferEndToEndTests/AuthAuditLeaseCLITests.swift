import AsyncHTTPClient
import CofferJSON
import CofferTestKit
import Foundation
import Testing

/// `coffer auth|audit|lease|unwrap|login -method=...` and `-wrap-ttl` against a real dev
/// server, as a user types them.
@Suite("End to end: auth, audit, lease, unwrap and wrapping through the CLI", .serialized)
struct AuthAuditLeaseCLITests {
    @Test("auth enable, list, tune, help and disable; userpass and approle logins store the token")
    func authMethodsAndLogins() async throws {
        try await withDevServer { cli, directory in
            var r = try cli.run("auth", "enable", "userpass")
            #expect(r.status == 0 && r.stdout == "Success! Enabled userpass auth method at: userpass/\n", "\(r)")
            r = try cli.run("auth", "enable", "-path=machines", "-description=CI machines", "approle")
            #expect(r.status == 0 && r.stdout == "Success! Enabled approle auth method at: machines/\n", "\(r)")
            r = try cli.run("auth", "enable", "userpass")
            #expect(r.status == 2 && r.stderr.hasPrefix("Error enabling userpass auth: Error making API request."), "\(r)")

            r = try cli.run("auth", "list")
            #expect(r.status == 0, "\(r)")
            let lines = r.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["Path", "Type", "Accessor", "Description", "Version"])
            #expect(lines.contains { $0.hasPrefix("machines/") && $0.contains("approle") && $0.contains("CI machines") }, "\(r)")
            #expect(lines.contains { $0.hasPrefix("token/") && $0.contains("token") }, "\(r)")
            #expect(lines.contains { $0.hasPrefix("userpass/") && $0.contains("userpass") }, "\(r)")
            r = try cli.run("auth", "list", "-format=json")
            let listing = try JSONParser.parse(Array(r.stdout.utf8))
            #expect(listing["machines/"]?["type"] == "approle")
            #expect(listing["machines/"]?["description"] == "CI machines")
            r = try cli.run("auth", "list", "-detailed")
            #expect(r.status == 0 && r.stdout.contains("Default TTL") && r.stdout.contains("Replication"), "\(r)")

            r = try cli.run("auth", "tune", "-default-lease-ttl=30m", "-max-lease-ttl=2h", "userpass/")
            #expect(r.status == 0 && r.stdout == "Success! Tuned the auth method at: userpass/\n", "\(r)")
            r = try cli.run("read", "-format=json", "sys/auth/userpass/tune")
            let tuned = try JSONParser.parse(Array(r.stdout.utf8))
            #expect(tuned["data"]?["default_lease_ttl"] == 1800 && tuned["data"]?["max_lease_ttl"] == 7200, "\(r)")

            r = try cli.run("auth", "help", "userpass")
            #expect(r.status == 0 && r.stdout.hasPrefix("Usage: coffer login -method=userpass"), "\(r)")
            r = try cli.run("auth", "help", "machines/")
            #expect(r.status == 0 && r.stdout.hasPrefix("Usage: coffer login -method=approle"), "\(r)")

            // userpass: the password from a pipe, the token stored for the next command.
            r = try cli.run("write", "auth/userpass/users/tester", "password=pw-1234", "token_policies=default")
            #expect(r.status == 0, "\(r)")
            let home = directory + "/tester-home"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false)
            let user = cli.withTokenFile(home: home)
            r = try user.run("login", "-method=userpass", "username=tester", stdin: "pw-1234\n")
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.hasPrefix("Success! You are now authenticated."), "\(r)")
            #expect(r.stdout.contains("token_meta_username    tester"), "\(r)")
            #expect(r.stdout.contains("token_duration         30m"), "the tuned TTL applies: \(r)")
            let stored = try String(contentsOfFile: home + "/.vault-token", encoding: .utf8)
            #expect(stored.hasPrefix("hvs."))
            r = try user.run("token", "lookup", "-format=json")
            #expect(try JSONParser.parse(Array(r.stdout.utf8))["data"]?["id"] == .string(stored), "\(r)")
            r = try user.run("login", "-method=userpass", "-no-store", "-format=json", "username=tester", "password=pw-1234")
            #expect(r.status == 0, "\(r)")
            #expect(try JSONParser.parse(Array(r.stdout.utf8))["auth"]?["metadata"]?["username"] == "tester")
            #expect(try String(contentsOfFile: home + "/.vault-token", encoding: .utf8) == stored, "-no-store keeps the old token")
            r = try user.run("login", "-method=userpass", "username=tester", "password=wrong-password")
            #expect(r.status == 2 && r.stderr.contains("invalid username or password"), "\(r)")
            #expect(!r.stderr.contains("wrong-password"))

            // approle at a custom path; the secret ID from standard input.
            r = try cli.run("write", "auth/machines/role/ci", "token_policies=default", "token_ttl=20m")
            #expect(r.status == 0, "\(r)")
            r = try cli.run("read", "-field=role_id", "auth/machines/role/ci/role-id")
            let roleID = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(r.status == 0 && !roleID.isEmpty, "\(r)")
            r = try cli.run("write", "-f", "-field=secret_id", "auth/machines/role/ci/secret-id")
            let secretID = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(r.status == 0 && !secretID.isEmpty, "\(r)")
            r = try user.run(
                "login", "-method=approle", "-path=machines", "-token-only", "role_id=\(roleID)", "secret_id=-",
                stdin: secretID)
            #expect(r.status == 0 && r.stdout.hasPrefix("hvs."), "\(r)")
            let machineToken = r.stdout
            r = try user.run("login", "-method=approle", "-path=machines", "role_id=\(roleID)", "secret_id=\(secretID)")
            #expect(r.status == 0 && r.stdout.contains("token_meta_role_name"), "\(r)")
            #expect(try String(contentsOfFile: home + "/.vault-token", encoding: .utf8) != stored)

            // Disabling the method revokes its tokens.
            r = try cli.run("auth", "disable", "userpass")
            #expect(r.status == 0 && r.stdout == "Success! Disabled the auth method (if it existed) at: userpass/\n", "\(r)")
            r = try cli.with(token: stored).run("token", "lookup")
            #expect(r.status == 2, "the userpass token is gone: \(r)")
            r = try cli.with(token: machineToken).run("token", "lookup")
            #expect(r.status == 0, "the approle token still works: \(r)")
            r = try cli.run("auth", "list", "-format=json")
            #expect(try JSONParser.parse(Array(r.stdout.utf8))["userpass/"] == nil)
        }
    }

    @Test("lease lookup, renew and revoke on token leases")
    func leases() async throws {
        try await withDevServer { cli, _ in
            var seen: Set<String> = []
            func newTokenLease() throws -> (token: String, leaseID: String) {
                var r = try cli.run("token", "create", "-policy=default", "-ttl=1h", "-format=json")
                let auth = try JSONParser.parse(Array(r.stdout.utf8))["auth"]
                let token = try #require(auth?["client_token"]?.stringValue, "\(r)")
                r = try cli.run("list", "-format=json", "sys/leases/lookup/auth/token/create")
                let keys = Set((try JSONParser.parse(Array(r.stdout.utf8)).arrayValue ?? []).compactMap(\.stringValue))
                // The newest lease is the one not seen before.
                let known = seen
                let fresh = try #require(keys.subtracting(known).first, "\(r)")
                seen.insert(fresh)
                return (token, "auth/token/create/" + fresh)
            }

            let first = try newTokenLease()
            var r = try cli.run("lease", "lookup", first.leaseID)
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.contains("id              \(first.leaseID)"), "\(r)")
            #expect(r.stdout.contains("renewable") && r.stdout.contains("expire_time"), "\(r)")
            #expect(!r.stdout.contains(first.token), "a lease never shows its token")
            r = try cli.run("lease", "lookup", "-format=json", first.leaseID)
            let ttl = try JSONParser.parse(Array(r.stdout.utf8))["data"]?["ttl"]?.intValue ?? 0
            #expect(ttl > 3500 && ttl <= 3600, "\(r)")
            r = try cli.run("lease", "lookup", "auth/token/create/nope")
            #expect(r.status == 2 && r.stderr.hasPrefix("error looking up lease id auth/token/create/nope:"), "\(r)")

            // Token leases renew through auth/token/renew, not sys/leases/renew (as in Vault).
            r = try cli.run("lease", "renew", "-increment=30m", first.leaseID)
            #expect(r.status == 2, "\(r)")
            #expect(r.stderr.hasPrefix("Error renewing \(first.leaseID): Error making API request."), "\(r)")
            #expect(r.stderr.contains("Code: 400"), "\(r)")

            r = try cli.run("lease", "revoke", "-sync", first.leaseID)
            #expect(r.status == 0 && r.stdout == "Success! Revoked lease: \(first.leaseID)\n", "\(r)")
            r = try cli.with(token: first.token).run("token", "lookup")
            #expect(r.status == 2, "the token went with its lease: \(r)")

            let second = try newTokenLease()
            r = try cli.run("lease", "revoke", second.leaseID)
            #expect(r.status == 0 && r.stdout == "All revocation operations queued successfully!\n", "\(r)")

            let third = try newTokenLease()
            let fourth = try newTokenLease()
            r = try cli.run("lease", "revoke", "-prefix", "-sync", "auth/token/create")
            #expect(r.status == 0 && r.stdout == "Success! Revoked any leases with prefix: auth/token/create\n", "\(r)")
            for token in [third.token, fourth.token] {
                r = try cli.with(token: token).run("token", "lookup")
                #expect(r.status == 2, "\(r)")
            }

            let fifth = try newTokenLease()
            r = try cli.run("lease", "revoke", "-force", "-prefix", "auth/token/create")
            #expect(r.status == 0 && r.stdout == "Success! Force revoked any leases with prefix: auth/token/create\n", "\(r)")
            #expect(r.stderr.contains("Warning! Force-removing leases"), "\(r)")
            r = try cli.with(token: fifth.token).run("token", "lookup")
            #expect(r.status == 2, "\(r)")
            r = try cli.run("lease", "revoke", "-force", fifth.leaseID)
            #expect(r.status == 1 && r.stderr == "Specifying -force requires also specifying -prefix\n", "\(r)")
        }
    }

    @Test("audit enable, list and disable with a file device that logs HMAC'd requests")
    func auditDevices() async throws {
        try await withDevServer { cli, directory in
            var r = try cli.run("audit", "list")
            #expect(r.status == 2 && r.stdout == "No audit devices are enabled.\n", "\(r)")

            let logPath = directory + "/audit.log"
            r = try cli.run("audit", "enable", "file", "file_path=\(logPath)")
            #expect(r.status == 0 && r.stdout == "Success! Enabled the file audit device at: file/\n", "\(r)")
            r = try cli.run("audit", "enable", "-path=second", "-description=second log", "file", "file_path=\(directory)/second.log")
            #expect(r.status == 0 && r.stdout == "Success! Enabled the file audit device at: second/\n", "\(r)")

            r = try cli.run("audit", "list")
            #expect(r.status == 0, "\(r)")
            let lines = r.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["Path", "Type", "Description"])
            #expect(lines.contains { $0.hasPrefix("file/") && $0.contains("file") }, "\(r)")
            #expect(lines.contains { $0.hasPrefix("second/") && $0.contains("second log") }, "\(r)")
            r = try cli.run("audit", "list", "-detailed")
            #expect(r.status == 0 && r.stdout.contains("file_path=\(logPath)") && r.stdout.contains("replicated"), "\(r)")
            r = try cli.run("audit", "list", "-format=json")
            let listing = try JSONParser.parse(Array(r.stdout.utf8))
            #expect(listing["second/"]?["description"] == "second log", "\(r)")
            #expect(listing["file/"]?["options"]?["file_path"] == .string(logPath), "\(r)")

            r = try cli.run("kv", "put", "secret/audited", "password=plain-text-secret")
            #expect(r.status == 0, "\(r)")
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            #expect(log.contains("secret/data/audited"), "the request is logged")
            #expect(log.contains("hmac-sha256:"), "values are HMAC'd")
            #expect(!log.contains("plain-text-secret"), "no secret in the clear")

            r = try cli.run("audit", "disable", "file")
            #expect(r.status == 0 && r.stdout == "Success! Disabled audit device (if it was enabled) at: file/\n", "\(r)")
            r = try cli.run("audit", "disable", "second/")
            #expect(r.status == 0, "\(r)")
            r = try cli.run("audit", "disable", "never-enabled")
            #expect(r.status == 0, "disabling is idempotent: \(r)")
            r = try cli.run("audit", "list")
            #expect(r.status == 2 && r.stdout == "No audit devices are enabled.\n", "\(r)")
        }
    }

    @Test("-wrap-ttl wraps read, list, write, token create and login answers; unwrap opens them once")
    func wrappingAndUnwrap() async throws {
        try await withDevServer { cli, directory in
            var r = try cli.run("secrets", "enable", "-path=kv1", "-version=1", "kv")
            #expect(r.status == 0, "\(r)")
            r = try cli.run("write", "kv1/app", "password=s3cr3t")
            #expect(r.status == 0, "\(r)")

            // read: the wrapping table instead of the data.
            r = try cli.run("read", "-wrap-ttl=5m", "kv1/app")
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.contains("wrapping_token:") && r.stdout.contains("wrapping_accessor:"), "\(r)")
            #expect(r.stdout.contains("wrapping_token_ttl:              5m"), "\(r)")
            #expect(r.stdout.contains("wrapping_token_creation_path:    kv1/app"), "\(r)")
            #expect(!r.stdout.contains("s3cr3t"))
            r = try cli.run("read", "-wrap-ttl=5m", "-field=wrapping_token", "kv1/app")
            let wrapped = r.stdout
            #expect(r.status == 0 && !wrapped.isEmpty, "\(r)")
            r = try cli.run("unwrap", wrapped)
            #expect(r.status == 0 && r.stdout.contains("password") && r.stdout.contains("s3cr3t"), "\(r)")
            r = try cli.run("unwrap", wrapped)
            #expect(r.status == 2 && r.stderr.hasPrefix("Error unwrapping: Error making API request."), "single use: \(r)")

            // The wrapping token as the client token.
            r = try cli.run("read", "-wrap-ttl=5m", "-field=wrapping_token", "kv1/app")
            r = try cli.with(token: r.stdout).run("unwrap", "-field=password")
            #expect(r.status == 0 && r.stdout == "s3cr3t", "\(r)")

            // VAULT_WRAP_TTL and list.
            r = try cli.with(environment: ["VAULT_WRAP_TTL": "2m"]).run("list", "-format=json", "kv1")
            #expect(r.status == 0, "\(r)")
            let listToken = try JSONParser.parse(Array(r.stdout.utf8))["wrap_info"]?["token"]?.stringValue ?? ""
            #expect(!listToken.isEmpty, "\(r)")
            r = try cli.run("unwrap", listToken)
            #expect(r.status == 0 && r.stdout == "Keys\n----\napp\n", "\(r)")

            // write and token create.
            r = try cli.run("write", "-wrap-ttl=5m", "sys/wrapping/wrap", "zip=zap")
            #expect(r.status == 0 && r.stdout.contains("wrapping_token:"), "\(r)")
            r = try cli.run("token", "create", "-wrap-ttl=5m", "-policy=default", "-format=json")
            let wrapInfo = try JSONParser.parse(Array(r.stdout.utf8))["wrap_info"]
            #expect(wrapInfo?["wrapped_accessor"]?.stringValue?.isEmpty == false, "\(r)")
            r = try cli.run("unwrap", "-field=token", wrapInfo?["token"]?.stringValue ?? "")
            #expect(r.status == 0 && r.stdout.hasPrefix("hvs."), "\(r)")

            // Listings of sys/ endpoints, and a lease lookup.
            r = try cli.run("auth", "list", "-wrap-ttl=5m")
            #expect(r.status == 0 && r.stdout.contains("wrapping_token_creation_path:    sys/auth"), "\(r)")
            r = try cli.run("audit", "list", "-wrap-ttl=5m", "-format=json")
            #expect(try JSONParser.parse(Array(r.stdout.utf8))["wrap_info"]?["creation_path"] == "sys/audit", "\(r)")

            // `vault kv` turns wrapping off for its mount preflight and wraps only the KV call.
            r = try cli.run("kv", "put", "secret/wrapme", "a=b")
            #expect(r.status == 0, "\(r)")
            let get = try cli.run("kv", "get", "-wrap-ttl=5m", "secret/wrapme")
            #expect(get.status == 0 && get.stdout.contains("wrapping_token_creation_path:    secret/data/wrapme"), "\(get)")

            // login: unwrapped and stored, unless -token-only or -no-store.
            r = try cli.run("auth", "enable", "userpass")
            r = try cli.run("write", "auth/userpass/users/tester", "password=pw-1234", "token_policies=default")
            #expect(r.status == 0, "\(r)")
            let home = directory + "/wrap-home"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false)
            let user = cli.withTokenFile(home: home)
            r = try user.run("login", "-method=userpass", "-wrap-ttl=2m", "username=tester", "password=pw-1234")
            #expect(r.status == 0 && r.stdout.contains("token_meta_username    tester"), "\(r)")
            let stored = try String(contentsOfFile: home + "/.vault-token", encoding: .utf8)
            #expect(stored.hasPrefix("hvs."))
            r = try user.run("login", "-method=userpass", "-wrap-ttl=2m", "-no-store", "username=tester", "password=pw-1234")
            #expect(r.status == 0 && r.stdout.contains("wrapped_accessor:"), "\(r)")
            r = try user.run("login", "-method=userpass", "-wrap-ttl=2m", "-token-only", "username=tester", "password=pw-1234")
            #expect(r.status == 0 && !r.stdout.isEmpty, "\(r)")
            r = try cli.run("unwrap", "-field=token", r.stdout)
            #expect(r.status == 0 && r.stdout.hasPrefix("hvs.") && r.stdout != stored, "\(r)")
            #expect(try String(contentsOfFile: home + "/.vault-token", encoding: .utf8) == stored)
        }
    }
}

/// Runs `coffer` against one dev server with a fixed environment.
private struct CLI {
    var environment: [String: String]

    func run(_ arguments: String..., stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try ServerProcess.runCLI(arguments, environment: environment, stdin: stdin)
    }

    /// The same CLI with another token.
    func with(token: String) -> CLI {
        with(environment: ["VAULT_TOKEN": token])
    }

    /// The same CLI with more environment variables.
    func with(environment extra: [String: String]) -> CLI {
        CLI(environment: environment.merging(extra) { $1 })
    }

    /// The same CLI without a token in the environment (empty counts as unset), so that the
    /// token file in `home` is read and `login` writes it.
    func withTokenFile(home: String) -> CLI {
        with(environment: ["VAULT_TOKEN": "", "COFFER_TOKEN": "", "HOME": home])
    }
}

/// A dev server with root token `dev-root`, and a CLI pointed at it.
private func withDevServer(_ body: (CLI, String) async throws -> Void) async throws {
    try await withWorkDirectory { directory, http in
        let server = try ServerProcess(directory: directory)
        server.arguments = ["server", "-dev", "-dev-root-token-id=dev-root", "-dev-listen-address=127.0.0.1:\(server.port)"]
        try await server.start(client: TestHTTPClient(baseURL: server.baseURL, http: http))
        let cli = CLI(environment: [
            "VAULT_ADDR": server.baseURL, "VAULT_TOKEN": "dev-root", "VAULT_MAX_RETRIES": "0", "HOME": directory,
        ])
        do {
            try await body(cli, directory)
        } catch {
            Issue.record("server log:\n\(server.logText())")
            _ = server.terminate()
            throw error
        }
        _ = server.terminate()
    }
}
