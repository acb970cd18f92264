@testable import CofferCLI
import CofferClient
import CofferJSON
import Testing

private let mountsListing = """
    {"request_id": "r", "data": {
      "secret/": {"type": "kv", "description": "key/value secret storage", "accessor": "kv_1a2b",
                  "options": {"version": "2"}, "local": false, "seal_wrap": false, "uuid": "u-1",
                  "config": {"default_lease_ttl": 0, "max_lease_ttl": 3600, "force_no_cache": false}},
      "cubbyhole/": {"type": "cubbyhole", "description": "per-token private secret storage", "accessor": "cubbyhole_9",
                     "options": null, "local": true, "seal_wrap": false, "uuid": "u-2",
                     "config": {"default_lease_ttl": 0, "max_lease_ttl": 0, "force_no_cache": false}},
      "sys/": {"type": "system", "description": "system endpoints", "accessor": "system_3", "options": null,
               "local": false, "seal_wrap": true, "uuid": "u-3",
               "config": {"default_lease_ttl": 0, "max_lease_ttl": 0, "force_no_cache": false}}}}
    """

@Suite("secrets commands")
struct SecretsCommandTests {
    @Test func enableSendsTheMountInput() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/mounts/kv", status: 204)
        #expect(await cli.run("secrets", "enable", "-version=2", "-description=team secrets", "kv") == 0)
        #expect(cli.out == "Success! Enabled the kv secrets engine at: kv/\n")
        #expect(cli.transport.routes == ["POST sys/mounts/kv"])
        #expect(cli.transport.requests[0].json == [
            "type": "kv", "description": "team secrets", "local": false, "seal_wrap": false,
            "external_entropy_access": false, "options": ["version": "2"],
            "config": ["default_lease_ttl": "0s", "max_lease_ttl": "0s", "force_no_cache": false],
        ])
    }

    @Test func enableWithPathTTLsOptionsAndLocal() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/mounts/team/kv", status: 204)
        #expect(await cli.run(
            "secrets", "enable", "-path=team/kv/", "-default-lease-ttl=1h", "-max-lease-ttl=90", "-local",
            "-options=version=1", "-options", "foo=bar", "kv") == 0)
        #expect(cli.out == "Success! Enabled the kv secrets engine at: team/kv/\n")
        let body = cli.transport.requests[0].json
        #expect(body?["config"] == ["default_lease_ttl": "1h0m0s", "max_lease_ttl": "1m30s", "force_no_cache": false])
        #expect(body?["options"] == ["version": "1", "foo": "bar"])
        #expect(body?["local"] == true)
    }

    @Test func enableErrors() async {
        let taken = CLIHarness()
        taken.transport.on("POST", "sys/mounts/kv", status: 400, json: #"{"errors": ["path is already in use at kv/"]}"#)
        #expect(await taken.run("secrets", "enable", "kv") == 2)
        #expect(taken.err.hasPrefix("Error enabling: Error making API request.\n\nURL: POST http://127.0.0.1:8200/v1/sys/mounts/kv\nCode: 400."))

        let badTTL = CLIHarness()
        #expect(await badTTL.run("secrets", "enable", "-max-lease-ttl=forever", "kv") == 1)
        #expect(badTTL.err == "invalid value \"forever\" for flag -max-lease-ttl: time: invalid duration \"forever\"\n")
        #expect(badTTL.transport.requests.isEmpty)

        let noType = CLIHarness()
        #expect(await noType.run("secrets", "enable") == 1)
        #expect(noType.err == "Not enough arguments (expected 1, got 0)\n")
    }

    @Test func disable() async {
        let cli = CLIHarness()
        cli.transport.on("DELETE", "sys/mounts/aws", status: 204)
        #expect(await cli.run("secrets", "disable", "aws/") == 0)
        #expect(cli.transport.routes == ["DELETE sys/mounts/aws"])
        #expect(cli.out == "Success! Disabled the secrets engine (if it existed) at: aws/\n")

        let denied = CLIHarness()
        denied.transport.on("DELETE", "sys/mounts/aws", status: 403, json: #"{"errors": ["permission denied"]}"#)
        #expect(await denied.run("secrets", "disable", "aws") == 2)
        #expect(denied.err.hasPrefix("Error disabling secrets engine at aws/: Error making API request."))
    }

    @Test func listTable() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/mounts", json: mountsListing)
        #expect(await cli.run("secrets", "list") == 0)
        #expect(
            cli.out == """
                Path          Type         Accessor       Description
                ----          ----         --------       -----------
                cubbyhole/    cubbyhole    cubbyhole_9    per-token private secret storage
                secret/       kv           kv_1a2b        key/value secret storage
                sys/          system       system_3       system endpoints

                """)
    }

    @Test func listDetailed() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/mounts", json: mountsListing)
        #expect(await cli.run("secrets", "list", "-detailed") == 0)
        let lines = cli.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("Path          Plugin       Accessor       Default TTL    Max TTL    Force No Cache    Replication    Seal Wrap    External Entropy Access    Options           Description"))
        let secret = lines[3].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(secret.prefix(10) == ["secret/", "kv", "kv_1a2b", "system", "3600", "false", "replicated", "false", "false", "map[version:2]"])
        #expect(lines[2].contains("cubbyhole_9    n/a            n/a        false             local"), "cubbyhole has no TTLs")
    }

    @Test func listJSONIsTheMountMap() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/mounts", json: mountsListing)
        #expect(await cli.run("secrets", "list", "-format=json") == 0)
        let json = try JSONParser.parse(Array(cli.out.utf8))
        #expect(json["secret/"]?["options"] == ["version": "2"])
        #expect(json["sys/"]?["type"] == "system")
    }

    @Test func listReadsTheLegacyTopLevelCopy() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/mounts", json: #"{"secret/": {"type": "kv", "accessor": "a", "description": "d"}}"#)
        #expect(await cli.run("secrets", "list") == 0)
        #expect(cli.out.contains("secret/    kv      a           d\n"))
    }

    @Test func tuneSendsOnlyTheGivenSettings() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/mounts/pki/tune", status: 204)
        #expect(await cli.run("secrets", "tune", "-default-lease-ttl=72h", "-max-lease-ttl=system", "-description=", "pki/") == 0)
        #expect(cli.transport.routes == ["POST sys/mounts/pki/tune"])
        #expect(cli.transport.requests[0].json == [
            "default_lease_ttl": "72h0m0s", "max_lease_ttl": "system", "description": "",
        ])
        #expect(cli.out == "Success! Tuned the secrets engine at: pki/\n")

        let version = CLIHarness()
        version.transport.on("POST", "sys/mounts/secret/tune", status: 204)
        #expect(await version.run("secrets", "tune", "-version=2", "secret") == 0)
        #expect(version.transport.requests[0].json == ["options": ["version": "2"]])
    }

    @Test func tuneError() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/mounts/nope/tune", status: 400, json: #"{"errors": ["no mount entry found"]}"#)
        #expect(await cli.run("secrets", "tune", "-max-lease-ttl=1h", "nope") == 2)
        #expect(cli.err.hasPrefix("Error tuning secrets engine nope/: Error making API request."))
    }

    @Test func moveSynchronous() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/remount", status: 204)
        #expect(await cli.run("secrets", "move", "secret", "generic/") == 0)
        #expect(cli.transport.requests[0].json == ["from": "secret/", "to": "generic/"])
        #expect(cli.out == "Success! Moved secrets engine secret/ to: generic/\n")
    }

    @Test func moveWithMigrationPollsUntilDone() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/remount", json: #"{"data": {"migration_id": "m-1"}}"#)
        cli.transport.on("GET", "sys/remount/status/m-1", json: #"{"data": {"migration_id": "m-1", "migration_info": {"status": "success"}}}"#)
        #expect(await cli.run("secrets", "move", "secret/", "generic/") == 0)
        #expect(cli.transport.routes == ["POST sys/remount", "GET sys/remount/status/m-1"])
        #expect(
            cli.out == """
                Started moving secrets engine secret/ to generic/, with migration ID m-1
                Success! Finished moving secrets engine secret/ to generic/, with migration ID m-1

                """)
    }

    @Test func moveWaitsWhileInProgressAndReportsFailure() async {
        let cli = CLIHarness()
        cli.transport.on("POST", "sys/remount", json: #"{"migration_id": "m-2"}"#)
        cli.transport.on("GET", "sys/remount/status/m-2", json: #"{"data": {"migration_info": {"status": "in-progress"}}}"#)
        cli.transport.on("GET", "sys/remount/status/m-2", json: #"{"data": {"migration_info": {"status": "failure"}}}"#)
        let run = CommandRun(
            context: CLIContext(
                environment: cli.environment, homeDirectory: nil, stdin: cli.stdin, stdout: cli.stdout,
                stderr: cli.stderr,
                makeClient: { [transport = cli.transport] in try VaultClient(configuration: $0, transport: transport) }),
            commandName: "secrets move", flags: ParsedFlags(), arguments: ["a", "b"], format: .table)
        #expect(await SecretsMoveCommand.move(run, pollInterval: .zero) == 2)
        #expect(cli.transport.routes == ["POST sys/remount", "GET sys/remount/status/m-2", "GET sys/remount/status/m-2"])
        #expect(cli.out.contains("Waiting for terminal status in migration of secrets engine a/ to b/, with migration ID m-2\n"))
        #expect(cli.err == "Failure! Error encountered moving secrets engine a/ to b/, with migration ID m-2\n")
    }

    @Test func moveArgumentCount() async {
        let cli = CLIHarness()
        #expect(await cli.run("secrets", "move", "only-one") == 1)
        #expect(cli.err == "Not enough arguments (expected 2, got 1)\n")
    }
}
