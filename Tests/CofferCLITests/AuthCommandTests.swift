@testable import CofferCLI
import CofferClient
import CofferJSON
import Testing

private let authListing = """
    {"request_id": "r", "data": {
      "token/": {"type": "token", "description": "token based credentials", "accessor": "auth_token_1",
                 "options": null, "local": false, "seal_wrap": false, "uuid": "u-1", "plugin_version": "",
                 "config": {"default_lease_ttl": 0, "max_lease_ttl": 0, "force_no_cache": false,
                            "token_type": "default-service"}},
      "userpass/": {"type": "userpass", "description": "", "accessor": "auth_userpass_2", "options": {"k": "v"},
                    "local": true, "seal_wrap": false, "uuid": "u-2", "plugin_version": "v1.2.3",
                    "config": {"default_lease_ttl": 3600, "max_lease_ttl": 0, "force_no_cache": false}}}}
    """

@Suite("auth commands")
struct AuthCommandTests {
    @Test func enableSendsTheMountInputAndSaysWhere() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/auth/userpass", status: 204)
        #expect(await cli.run("auth", "enable", "userpass") == 0)
        #expect(cli.out == "Success! Enabled userpass auth method at: userpass/\n")
        #expect(cli.transport.routes == ["POST sys/auth/userpass"])
        #expect(cli.transport.requests[0].json == [
            "type": "userpass", "description": "", "local": false, "seal_wrap": false,
            "external_entropy_access": false,
            "config": ["default_lease_ttl": "0s", "max_lease_ttl": "0s", "force_no_cache": false],
        ])
    }

    @Test func enableWithEveryOption() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/auth/machines/prod", status: 204)
        #expect(await cli.run(
            "auth", "enable", "-path=machines/prod/", "-description=CI machines", "-default-lease-ttl=1h",
            "-max-lease-ttl=24h", "-local", "-listing-visibility=unauth", "-token-type=batch",
            "-audit-non-hmac-request-keys=role_id", "-audit-non-hmac-request-keys", "name",
            "-passthrough-request-headers=X-Custom", "-options=foo=bar", "-version=2", "-plugin-version=v1.0.0",
            "approle") == 0)
        #expect(cli.out == "Success! Enabled approle auth method version v1.0.0 at: machines/prod/\n")
        let body = cli.transport.requests[0].json
        #expect(body?["description"] == "CI machines")
        #expect(body?["local"] == true)
        #expect(body?["options"] == ["foo": "bar", "version": "2"])
        #expect(body?["config"] == [
            "default_lease_ttl": "1h0m0s", "max_lease_ttl": "24h0m0s", "force_no_cache": false,
            "listing_visibility": "unauth", "token_type": "batch",
            "audit_non_hmac_request_keys": ["role_id", "name"], "passthrough_request_headers": ["X-Custom"],
            "plugin_version": "v1.0.0",
        ])
    }

    @Test func enablePluginUsesThePluginName() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/auth/my-auth", status: 204)
        #expect(await cli.run("auth", "enable", "-path=my-auth", "-plugin-name=my-plugin", "plugin") == 0)
        #expect(cli.transport.requests[0].json?["type"] == "my-plugin")
        #expect(cli.out == "Success! Enabled my-plugin auth method at: my-auth/\n")
    }

    @Test func enableErrors() async {
        let taken = CLIHarness()
        taken.transport.on("POST", "sys/auth/userpass", status: 400, json: #"{"errors": ["path is already in use at userpass/"]}"#)
        #expect(await taken.run("auth", "enable", "userpass") == 2)
        #expect(taken.err.hasPrefix(
            "Error enabling userpass auth: Error making API request.\n\nURL: POST http://127.0.0.1:8200/v1/sys/auth/userpass\nCode: 400."))
        #expect(taken.err.contains("* path is already in use at userpass/"))

        let none = CLIHarness()
        #expect(await none.run("auth", "enable") == 1)
        #expect(none.err == "Not enough arguments (expected 1, got 0)\n")

        let two = CLIHarness()
        #expect(await two.run("auth", "enable", "userpass", "approle") == 1)
        #expect(two.err == "Too many arguments (expected 1, got 2)\n")

        let badTTL = CLIHarness()
        #expect(await badTTL.run("auth", "enable", "-default-lease-ttl=soon", "userpass") == 1)
        #expect(badTTL.err == "invalid value \"soon\" for flag -default-lease-ttl: time: invalid duration \"soon\"\n")

        let badOption = CLIHarness()
        #expect(await badOption.run("auth", "enable", "-options=novalue", "userpass") == 1)
        #expect(badOption.err.hasPrefix("invalid value \"novalue\" for flag -options"))
        for cli in [none, two, badTTL, badOption] { #expect(cli.transport.requests.isEmpty) }
    }

    @Test func disable() async {
        let cli = CLIHarness()
        cli.transport.on("DELETE", "sys/auth/userpass", status: 204)
        #expect(await cli.run("auth", "disable", "/userpass/") == 0)
        #expect(cli.transport.routes == ["DELETE sys/auth/userpass"])
        #expect(cli.out == "Success! Disabled the auth method (if it existed) at: userpass/\n")

        let denied = CLIHarness()
        denied.transport.on("DELETE", "sys/auth/userpass", status: 403, json: #"{"errors": ["permission denied"]}"#)
        #expect(await denied.run("auth", "disable", "userpass") == 2)
        #expect(denied.err.hasPrefix("Error disabling auth method at userpass/: Error making API request."))
    }

    @Test func listTableHasAVersionColumn() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/auth", json: authListing)
        #expect(await cli.run("auth", "list") == 0)
        #expect(
            cli.out == """
                Path         Type        Accessor           Description                Version
                ----         ----        --------           -----------                -------
                token/       token       auth_token_1       token based credentials    n/a
                userpass/    userpass    auth_userpass_2    n/a                        v1.2.3

                """)
    }

    @Test func listDetailed() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/auth", json: authListing)
        #expect(await cli.run("auth", "list", "-detailed") == 0)
        let lines = cli.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        let header = lines[0].split(separator: /\s{2,}/).map(String.init)
        #expect(header == [
            "Path", "Plugin", "Accessor", "Default TTL", "Max TTL", "Token Type", "Replication", "Seal Wrap",
            "External Entropy Access", "Options", "Description", "UUID", "Version", "Running Version",
            "Running SHA256", "Deprecation Status",
        ])
        let token = lines[2].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(token.prefix(10) == [
            "token/", "token", "auth_token_1", "system", "system", "default-service", "replicated", "false", "false",
            "map[]",
        ])
        let userpass = lines[3].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(userpass.prefix(10) == [
            "userpass/", "userpass", "auth_userpass_2", "3600", "system", "n/a", "local", "false", "false", "map[k:v]",
        ])
    }

    @Test func listJSONIsTheMethodMap() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/auth", json: authListing)
        #expect(await cli.run("auth", "list", "-format=json") == 0)
        let json = try JSONParser.parse(Array(cli.out.utf8))
        #expect(json.objectValue?.keys.sorted() == ["token/", "userpass/"])
        #expect(json["userpass/"]?["accessor"] == "auth_userpass_2")
    }

    @Test func listReadsTheTopLevelCopyAndReportsEmptyAnswers() async {
        let legacy = CLIHarness()
        legacy.transport.on("GET", "sys/auth", json: #"{"token/": {"type": "token", "accessor": "a", "description": "d"}}"#)
        #expect(await legacy.run("auth", "list") == 0)
        #expect(legacy.out.contains("token/    token    a           d"))

        let empty = CLIHarness()
        empty.transport.on("GET", "sys/auth", json: #"{"request_id": "r"}"#)
        #expect(await empty.run("auth", "list") == 2)
        #expect(empty.err == "Error listing enabled authentications: data from server response is empty\n")
    }

    @Test func tuneSendsOnlyTheGivenSettingsToSysAuth() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/auth/userpass/tune", status: 204)
        #expect(await cli.run(
            "auth", "tune", "-default-lease-ttl=72h", "-max-lease-ttl=system", "-description=", "-token-type=service",
            "-listing-visibility=hidden", "userpass/") == 0)
        #expect(cli.transport.routes == ["POST sys/auth/userpass/tune"])
        #expect(cli.transport.requests[0].json == [
            "default_lease_ttl": "72h0m0s", "max_lease_ttl": "system", "description": "", "token_type": "service",
            "listing_visibility": "hidden",
        ])
        #expect(cli.out == "Success! Tuned the auth method at: userpass/\n")
    }

    @Test func tuneOptionsVersionAndUserLockout() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/auth/ldap/tune", status: 204)
        #expect(await cli.run(
            "auth", "tune", "-version=2", "-options=a=b", "-user-lockout-threshold=5", "-user-lockout-duration=10m",
            "-user-lockout-disable=false", "ldap") == 0)
        #expect(cli.transport.requests[0].json == [
            "options": ["a": "b", "version": "2"],
            "user_lockout_config": ["lockout_threshold": "5", "lockout_duration": "10m0s", "lockout_disable": false],
        ])

        let zero = CLIHarness()
        zero.transport.on("POST", "sys/auth/ldap/tune", status: 204)
        #expect(await zero.run("auth", "tune", "-default-lease-ttl=0", "ldap") == 0)
        #expect(zero.transport.requests[0].json == [:], "0 leaves the TTL as it is")
    }

    @Test func tuneErrors() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/auth/nope/tune", status: 400, json: #"{"errors": ["cannot fetch sysview for path \"auth/nope/\""]}"#)
        #expect(await cli.run("auth", "tune", "-max-lease-ttl=1h", "nope") == 2)
        #expect(cli.err.hasPrefix("Error tuning auth method nope/: Error making API request."))

        let negative = CLIHarness()
        #expect(await negative.run("auth", "tune", "-user-lockout-threshold=-1", "ldap") == 1)
        #expect(negative.err.contains("-user-lockout-threshold"))
        #expect(negative.transport.requests.isEmpty)
    }

    @Test func helpByTypeNeedsNoServer() async {
        let cli = CLIHarness()
        #expect(await cli.run("auth", "help", "userpass") == 0)
        #expect(cli.out.hasPrefix("Usage: coffer login -method=userpass [CONFIG K=V...]"))
        #expect(cli.transport.requests.isEmpty)
    }

    @Test func helpByPathLooksTheTypeUp() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/auth", json: authListing)
        #expect(await cli.run("auth", "help", "token/") == 0)
        #expect(cli.out.hasPrefix("Usage: coffer login TOKEN [CONFIG K=V...]"))

        let missing = CLIHarness()
        missing.transport.on("GET", "sys/auth", json: authListing)
        #expect(await missing.run("auth", "help", "github") == 1)
        #expect(missing.err == "No auth method available on the server at \"github/\"\n")
    }

    @Test func groupHelpListsTheSubcommands() async {
        let cli = CLIHarness()
        #expect(await cli.run("auth") == 1)
        #expect(cli.err.hasPrefix("Usage: coffer auth <subcommand> [options] [args]"))
        for name in ["disable", "enable", "help", "list", "tune"] {
            #expect(cli.err.contains("\n    \(name) "), "\(name) is listed")
        }
        let top = CLIHarness()
        #expect(await top.run("-h") == 0)
        for name in ["auth", "audit", "lease", "unwrap"] {
            #expect(top.err.contains("\n    \(name) "), "\(name) is listed")
        }
    }
}
