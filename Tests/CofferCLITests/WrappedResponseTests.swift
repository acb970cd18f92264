import CofferClient
import CofferJSON
import Testing

/// `-wrap-ttl` (or `VAULT_WRAP_TTL`) on commands that print a server answer: the wrapping
/// details are shown instead of failing or printing nothing.
@Suite("wrapped responses")
struct WrappedResponseTests {
    @Test func readWriteDeleteAndTokenCreatePrintTheWrapping() async {
        let cases: [(arguments: [String], method: String, path: String)] = [
            (["read", "-wrap-ttl=5m", "secret/foo"], "GET", "secret/foo"),
            (["write", "-wrap-ttl=5m", "secret/foo", "a=b"], "PUT", "secret/foo"),
            (["delete", "-wrap-ttl=5m", "secret/foo"], "DELETE", "secret/foo"),
            (["token", "create", "-wrap-ttl=5m"], "POST", "auth/token/create"),
            (["token", "lookup", "-wrap-ttl=5m"], "GET", "auth/token/lookup-self"),
        ]
        for (arguments, method, path) in cases {
            let cli = CLIHarness()
            cli.transport.on(method, path, json: wrappedAnswer(path))
            #expect(await cli.run(arguments) == 0, "\(arguments)")
            #expect(cli.transport.requests.first?.header("X-Vault-Wrap-TTL") == "5m")
            #expect(cli.out == wrappedTable(path), "\(arguments)")
        }
    }

    @Test func listPrintsTheWrappingInsteadOfKeys() async {
        let cli = CLIHarness()
        cli.transport.on("LIST", "secret/", json: wrappedAnswer("secret"))
        #expect(await cli.run("list", "-wrap-ttl=5m", "secret") == 0)
        #expect(cli.out == wrappedTable("secret"))
    }

    @Test func environmentWrapTTLAndFieldOutput() async {
        let cli = CLIHarness(environment: [
            "VAULT_ADDR": "http://127.0.0.1:8200", "VAULT_TOKEN": "s.t", "VAULT_MAX_RETRIES": "0", "VAULT_WRAP_TTL": "90s",
        ])
        cli.transport.on("GET", "secret/foo", json: wrappedAnswer("secret/foo"))
        #expect(await cli.run("read", "-field=wrapping_token", "secret/foo") == 0)
        #expect(cli.transport.requests[0].header("X-Vault-Wrap-TTL") == "90s")
        #expect(cli.out == "hvs.wrapping")
    }

    @Test func jsonKeepsTheWrapInfo() async throws {
        let cli = CLIHarness()
        cli.transport.on("POST", "auth/token/create", json: wrappedAnswer("auth/token/create", wrappedAccessor: "acc-7"))
        #expect(await cli.run("token", "create", "-wrap-ttl=5m", "-format=json") == 0)
        let json = try JSONParser.parse(Array(cli.out.utf8))
        #expect(json["wrap_info"]?["token"] == "hvs.wrapping")
        #expect(json["wrap_info"]?["wrapped_accessor"] == "acc-7")
        #expect(json["auth"] == nil)
    }

    @Test func listingCommandsPrintTheWrapping() async {
        let cases: [(arguments: [String], path: String)] = [
            (["auth", "list", "-wrap-ttl=5m"], "sys/auth"),
            (["audit", "list", "-wrap-ttl=5m"], "sys/audit"),
        ]
        for (arguments, path) in cases {
            let cli = CLIHarness()
            cli.transport.on("GET", path, json: wrappedAnswer(path))
            #expect(await cli.run(arguments) == 0, "\(arguments)")
            #expect(cli.out == wrappedTable(path), "\(arguments)")
        }
    }

    @Test func leaseCommandsPrintTheWrapping() async {
        let cases: [(arguments: [String], path: String)] = [
            (["lease", "lookup", "-wrap-ttl=5m", "kv/x/1"], "sys/leases/lookup"),
            (["lease", "renew", "-wrap-ttl=5m", "kv/x/1"], "sys/leases/renew"),
        ]
        for (arguments, path) in cases {
            let cli = CLIHarness()
            cli.transport.on("PUT", path, json: wrappedAnswer(path))
            #expect(await cli.run(arguments) == 0, "\(arguments)")
            #expect(cli.out == wrappedTable(path), "\(arguments)")
        }
    }
}
