import CofferClient
import CofferJSON
import Foundation
import Testing

private let userpassLogin = """
    {"request_id": "r", "lease_id": "", "renewable": false, "lease_duration": 0, "data": {}, "warnings": null,
     "wrap_info": null, "auth": {"client_token": "hvs.user", "accessor": "acc-u", "policies": ["default", "dev"],
     "token_policies": ["default", "dev"], "identity_policies": null, "metadata": {"username": "tester"},
     "lease_duration": 2764800, "renewable": true, "entity_id": "e", "token_type": "service", "orphan": true}}
    """

private let approleLogin = """
    {"auth": {"client_token": "hvs.machine", "accessor": "acc-m", "policies": ["default"],
     "token_policies": ["default"], "metadata": {"role_name": "ci"}, "lease_duration": 1200, "renewable": true}}
    """

/// No `VAULT_TOKEN`, so that the stored token is what later commands use.
private let environment = ["VAULT_ADDR": "http://127.0.0.1:8200", "VAULT_MAX_RETRIES": "0"]

@Suite("login methods")
struct LoginMethodTests {
    @Test func userpassWithPassword() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on("PUT", "auth/userpass/login/tester", json: userpassLogin)
        #expect(await cli.run("login", "-method=userpass", "username=tester", "password=s3cret") == 0)
        #expect(cli.transport.routes == ["PUT auth/userpass/login/tester"])
        #expect(cli.transport.requests[0].json == ["password": "s3cret"])
        #expect(cli.transport.requests[0].header("X-Vault-Token") == nil, "logins go without a token")
        #expect(
            cli.out == """
                Success! You are now authenticated. The token information displayed below
                is already stored in the token helper. You do NOT need to run "coffer login"
                again. Future Vault requests will automatically use this token.

                Key                    Value
                ---                    -----
                token                  hvs.user
                token_accessor         acc-u
                token_duration         768h
                token_renewable        true
                token_policies         ["default" "dev"]
                identity_policies      []
                policies               ["default" "dev"]
                token_meta_username    tester

                """)
        #expect(cli.err == "")
        #expect(try String(contentsOfFile: home.path + "/.vault-token", encoding: .utf8) == "hvs.user")
    }

    @Test func userpassPromptsWithoutEchoOnATerminal() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path, stdin: "pass word\n", stdinIsTerminal: true)
        cli.transport.on("PUT", "auth/userpass/login/tester", json: userpassLogin)
        #expect(await cli.run("login", "-method=userpass", "username=tester") == 0)
        #expect(cli.err == "Password (will be hidden): \n")
        #expect(!cli.out.contains("pass word"))
        #expect(cli.transport.requests[0].json == ["password": "pass word"], "spaces inside a password are kept")
    }

    @Test func userpassReadsPipedStdinWithoutAPrompt() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path, stdin: "s3cret\r\nignored\n")
        cli.transport.on("PUT", "auth/team-users/login/tester", json: userpassLogin)
        #expect(await cli.run("login", "-method=userpass", "-path=team-users/", "username=tester") == 0)
        #expect(cli.transport.routes == ["PUT auth/team-users/login/tester"])
        #expect(cli.transport.requests[0].json == ["password": "s3cret"])
        #expect(cli.err == "")
    }

    @Test func userpassErrors() async throws {
        let noUser = CLIHarness(environment: environment)
        #expect(await noUser.run("login", "-method=userpass", "password=x") == 2)
        #expect(noUser.err == "Error authenticating: 'username' must be specified\n")

        let nonInteractive = CLIHarness(environment: environment, stdin: "s3cret\n", stdinIsTerminal: true)
        #expect(await nonInteractive.run("login", "-method=userpass", "-non-interactive", "username=tester") == 2)
        #expect(nonInteractive.err == "Error authenticating: 'password' must be specified and refusing to pull from stdin\n")

        let emptyStdin = CLIHarness(environment: environment, stdin: "")
        #expect(await emptyStdin.run("login", "-method=userpass", "username=tester") == 2)
        #expect(emptyStdin.err == "Error authenticating: 'password' must be specified\n")
        for cli in [noUser, nonInteractive, emptyStdin] { #expect(cli.transport.requests.isEmpty) }

        let home = try TemporaryDirectory()
        let wrong = CLIHarness(environment: environment, home: home.path)
        wrong.transport.on("PUT", "auth/userpass/login/tester", status: 400, json: #"{"errors": ["invalid username or password"]}"#)
        #expect(await wrong.run("login", "-method=userpass", "username=tester", "password=hunter2") == 2)
        #expect(wrong.err.hasPrefix("Error authenticating: Error making API request."))
        #expect(wrong.err.contains("* invalid username or password"))
        #expect(!wrong.err.contains("hunter2"), "the password is never echoed")
        #expect(!FileManager.default.fileExists(atPath: home.path + "/.vault-token"))
    }

    @Test func approleWithSecretIDFromStdin() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path, stdin: "sid-123\n")
        cli.transport.on("PUT", "auth/approle/login", json: approleLogin)
        #expect(await cli.run("login", "-method=approle", "-token-only", "role_id=rid-1", "secret_id=-") == 0)
        #expect(cli.transport.requests[0].json == ["role_id": "rid-1", "secret_id": "sid-123"])
        #expect(cli.out == "hvs.machine")
        #expect(!FileManager.default.fileExists(atPath: home.path + "/.vault-token"), "-token-only stores nothing")
    }

    @Test func approleWithoutSecretIDAtAPath() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on("PUT", "auth/machines/login", json: approleLogin)
        #expect(await cli.run("login", "-method=approle", "-path=machines", "role_id=rid-1") == 0)
        #expect(cli.transport.requests[0].json == ["role_id": "rid-1"])
        #expect(cli.out.contains("token_meta_role_name    ci\n"))
        #expect(try String(contentsOfFile: home.path + "/.vault-token", encoding: .utf8) == "hvs.machine")

        let noRole = CLIHarness(environment: environment)
        #expect(await noRole.run("login", "-method=approle", "secret_id=x") == 2)
        #expect(noRole.err == "Error authenticating: 'role_id' must be specified\n")
    }

    @Test func aWrappedLoginIsUnwrappedAndStored() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on(
            "PUT", "auth/userpass/login/tester",
            json: wrappedAnswer("auth/userpass/login/tester", token: "hvs.wrap1", wrappedAccessor: "acc-u"))
        cli.transport.on("PUT", "sys/wrapping/unwrap", json: userpassLogin)
        #expect(await cli.run("login", "-method=userpass", "-wrap-ttl=2m", "username=tester", "password=x") == 0)
        #expect(cli.transport.routes == ["PUT auth/userpass/login/tester", "PUT sys/wrapping/unwrap"])
        let (login, unwrap) = (cli.transport.requests[0], cli.transport.requests[1])
        #expect(login.header("X-Vault-Wrap-TTL") == "2m")
        #expect(unwrap.header("X-Vault-Wrap-TTL") == nil, "the unwrap is not wrapped again")
        #expect(unwrap.header("X-Vault-Token") == "hvs.wrap1")
        #expect(unwrap.body == nil)
        #expect(cli.out.contains("token                  hvs.user\n"))
        #expect(try String(contentsOfFile: home.path + "/.vault-token", encoding: .utf8) == "hvs.user")
        #expect(cli.transport.shutdowns == 2, "the unwrapping client is shut down too")
    }

    @Test func aWrappedLoginWithTokenOnlyPrintsTheWrappingToken() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on("PUT", "auth/approle/login", json: wrappedAnswer("auth/approle/login", token: "hvs.wrap2", wrappedAccessor: "acc-m"))
        #expect(await cli.run("login", "-method=approle", "-wrap-ttl=2m", "-token-only", "role_id=r") == 0)
        #expect(cli.out == "hvs.wrap2")
        #expect(cli.transport.routes == ["PUT auth/approle/login"])
        #expect(!FileManager.default.fileExists(atPath: home.path + "/.vault-token"))
    }

    @Test func aWrappedLoginWithNoStorePrintsTheWrapping() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on("PUT", "auth/approle/login", json: wrappedAnswer("auth/approle/login", wrappedAccessor: "acc-m"))
        #expect(await cli.run("login", "-method=approle", "-wrap-ttl=2m", "-no-store", "role_id=r") == 0)
        #expect(cli.out == wrappedTable("auth/approle/login", wrappedAccessor: "acc-m"))
        #expect(cli.err == "")
        #expect(!FileManager.default.fileExists(atPath: home.path + "/.vault-token"))
    }

    @Test func aWrappedAnswerWithoutATokenIsAnError() async {
        let cli = CLIHarness(environment: environment)
        cli.transport.on("PUT", "auth/approle/login", json: wrappedAnswer("auth/approle/login"))
        #expect(await cli.run("login", "-method=approle", "-wrap-ttl=2m", "role_id=r") == 2)
        #expect(cli.err == "Error extracting token: wrapped response does not contain a token\n")

        let nothing = CLIHarness(environment: environment)
        nothing.transport.on("PUT", "auth/approle/login", json: #"{"data": {"x": "y"}}"#)
        #expect(await nothing.run("login", "-method=approle", "role_id=r") == 2)
        #expect(nothing.err == "Error extracting token: no auth or wrapping info in response\n")
    }

    @Test func tokenLoginVerifiesWithoutWrapping() async throws {
        let home = try TemporaryDirectory()
        let cli = CLIHarness(environment: environment, home: home.path)
        cli.transport.on("GET", "auth/token/lookup-self", json: """
            {"data": {"id": "hvs.login", "accessor": "a", "policies": ["default"], "ttl": 60, "renewable": false}}
            """)
        #expect(await cli.run("login", "-wrap-ttl=5m", "hvs.login") == 0)
        #expect(cli.transport.requests[0].header("X-Vault-Wrap-TTL") == nil)
        #expect(cli.clientConfigurations.map(\.wrapTTL) == ["5m", nil])
        #expect(try String(contentsOfFile: home.path + "/.vault-token", encoding: .utf8) == "hvs.login")
    }
}
