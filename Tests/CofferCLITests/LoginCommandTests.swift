import CofferClient
import CofferJSON
import Foundation
import Testing

private let lookupSelf = """
    {"data": {"accessor": "acc-9", "id": "hvs.login", "policies": ["default", "dev"],
     "identity_policies": ["group-dev"], "meta": {"user": "ana"}, "ttl": 2764800, "renewable": true,
     "type": "service", "orphan": false}}
    """

/// No `VAULT_TOKEN`, so the token file is what a later command would use.
private let environment = ["VAULT_ADDR": "http://127.0.0.1:8200", "VAULT_MAX_RETRIES": "0"]

@Suite("login")
struct LoginCommandTests {
    @Test func tokenArgumentIsVerifiedStoredAndShown() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on("GET", "auth/token/lookup-self", json: lookupSelf)
        #expect(await cli.run("login", "hvs.login") == 0)
        #expect(cli.transport.routes == ["GET auth/token/lookup-self"])
        #expect(cli.transport.requests[0].header("X-Vault-Token") == "hvs.login")
        #expect(
            cli.out == """
                Success! You are now authenticated. The token information displayed below
                is already stored in the token helper. You do NOT need to run "coffer login"
                again. Future Vault requests will automatically use this token.

                Key                  Value
                ---                  -----
                token                hvs.login
                token_accessor       acc-9
                token_duration       768h
                token_renewable      true
                token_policies       ["default" "dev"]
                identity_policies    ["group-dev"]
                policies             ["default" "dev" "group-dev"]
                token_meta_user      ana

                """)
        #expect(cli.err == "")
        let file = home.path + "/.vault-token"
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "hvs.login")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        // The next command picks the stored token up.
        let next = CLIHarness(environment: environment, home: home.path)
        next.transport.on("GET", "auth/token/lookup-self", json: lookupSelf)
        #expect(await next.run("token", "lookup") == 0)
        #expect(next.transport.requests[0].header("X-Vault-Token") == "hvs.login")
    }

    @Test func storingTightensAnExistingTokenFile() async throws {
        let home = try TemporaryDirectory()
        let file = home.path + "/.vault-token"
        try "hvs.old-and-longer".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on("GET", "auth/token/lookup-self", json: lookupSelf)
        #expect(await cli.run("login", "-method=token", "token=hvs.login") == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "hvs.login")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func promptsWithoutEchoOnATerminal() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path, stdin: "hvs.login\n", stdinIsTerminal: true)
        cli.transport.on("GET", "auth/token/lookup-self", json: lookupSelf)
        #expect(await cli.run("login") == 0)
        #expect(cli.err == "Token (will be hidden): \n")
        #expect(!cli.out.contains("Token (will be hidden)"))
        #expect(cli.transport.requests[0].header("X-Vault-Token") == "hvs.login")
    }

    @Test func readsTheTokenFromPipedStdin() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path, stdin: "  hvs.login  \n")
        cli.transport.on("GET", "auth/token/lookup-self", json: lookupSelf)
        #expect(await cli.run("login", "-") == 0)
        #expect(cli.transport.requests[0].header("X-Vault-Token") == "hvs.login")
    }

    @Test func noStoreWarnsAndWritesNothing() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on("GET", "auth/token/lookup-self", json: lookupSelf)
        #expect(await cli.run("login", "-no-store", "hvs.login") == 0)
        #expect(cli.err.hasPrefix("The token was not stored in token helper. Set the VAULT_TOKEN environment"))
        #expect(!FileManager.default.fileExists(atPath: home.path + "/.vault-token"))
        #expect(cli.out.contains("token                hvs.login\n"))
    }

    @Test func tokenOnlyPrintsTheBareToken() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on("GET", "auth/token/lookup-self", json: lookupSelf)
        #expect(await cli.run("login", "-token-only", "hvs.login") == 0)
        #expect(cli.out == "hvs.login")
        #expect(cli.err == "")
        #expect(!FileManager.default.fileExists(atPath: home.path + "/.vault-token"))
    }

    @Test func lookupFalseSkipsVerification() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        #expect(await cli.run("login", "-format=json", "token=hvs.unchecked", "lookup=false") == 0)
        #expect(cli.transport.requests.isEmpty)
        let json = try JSONParser.parse(Array(cli.out.utf8))
        #expect(json["auth"]?["client_token"] == "hvs.unchecked")
        #expect(try String(contentsOfFile: home.path + "/.vault-token", encoding: .utf8) == "hvs.unchecked")
    }

    @Test func warnsWhenVAULT_TOKENWillWin() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(home: home.path)  // the harness sets VAULT_TOKEN
        cli.transport.on("GET", "auth/token/lookup-self", json: lookupSelf)
        #expect(await cli.run("login", "hvs.login") == 0)
        #expect(cli.err.hasPrefix("WARNING! The VAULT_TOKEN environment variable is set!"))
    }

    @Test func badTokenExitsTwoAndStoresNothing() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on("GET", "auth/token/lookup-self", status: 403, json: #"{"errors": ["permission denied"]}"#)
        #expect(await cli.run("login", "hvs.wrong") == 2)
        #expect(cli.err.hasPrefix("Error authenticating: error looking up token: Error making API request."))
        #expect(!cli.err.contains("hvs.wrong"), "the token is never echoed")
        #expect(!FileManager.default.fileExists(atPath: home.path + "/.vault-token"))
    }

    @Test func usageErrors() async {
        let method = CLIHarness(environment: environment)
        #expect(await method.run("login", "-method=github") == 1)
        #expect(method.err.hasPrefix("Unknown auth method: github. Use \"coffer auth list\" to see the complete list"))

        let both = CLIHarness(environment: environment)
        #expect(await both.run("login", "-no-store", "-no-print", "x") == 1)
        #expect(both.err == "-no-store and -no-print cannot be used together\n")

        let empty = CLIHarness(environment: environment, stdin: "")
        #expect(await empty.run("login") == 2)
        #expect(empty.err == "Error authenticating: a token must be passed to auth, please view the help for more information\n")

        let lookup = CLIHarness(environment: environment)
        #expect(await lookup.run("login", "token=x", "lookup=maybe") == 2)
        #expect(lookup.err.hasPrefix("Error authenticating: Failed to parse \"lookup\" as boolean"))
        for cli in [method, both, empty, lookup] { #expect(cli.transport.requests.isEmpty) }
    }

    @Test func withoutAHomeDirectoryTheTokenIsShownButNotStored() async {
        let cli = CLIHarness(environment: environment, home: nil)
        cli.transport.on("GET", "auth/token/lookup-self", json: lookupSelf)
        #expect(await cli.run("login", "hvs.login") == 2)
        #expect(cli.err.hasPrefix("Error storing token: no home directory to store the token in\n"))
        #expect(cli.out.contains("token                hvs.login\n"))
    }
}
