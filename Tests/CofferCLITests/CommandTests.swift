import CofferClient
import CofferJSON
import Testing

private let unsealedStatus = """
    {"type": "shamir", "initialized": true, "sealed": false, "t": 3, "n": 5, "progress": 0, "nonce": "",
     "version": "0.1.0", "build_date": "2025-01-01T00:00:00Z", "migration": false, "recovery_seal": false,
     "storage_type": "sqlite", "cluster_name": "coffer-cluster-1", "cluster_id": "c1"}
    """
private let sealedStatus = """
    {"type": "shamir", "initialized": true, "sealed": true, "t": 3, "n": 5, "progress": 2, "nonce": "n-1",
     "version": "0.1.0", "build_date": "2025-01-01T00:00:00Z", "migration": false, "recovery_seal": false,
     "storage_type": "sqlite"}
    """

@Suite("Commands against a fake server")
struct CommandTests {
    // MARK: status

    @Test func statusUnsealedPrintsTheTableAndExitsZero() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/seal-status", json: unsealedStatus)
        cli.transport.on("GET", "sys/leader", json: #"{"ha_enabled": false}"#)
        #expect(await cli.run("status") == 0)
        #expect(
            cli.out == """
                Key             Value
                ---             -----
                Seal Type       shamir
                Initialized     true
                Sealed          false
                Total Shares    5
                Threshold       3
                Version         0.1.0
                Build Date      2025-01-01T00:00:00Z
                Storage Type    sqlite
                Cluster Name    coffer-cluster-1
                Cluster ID      c1
                HA Enabled      false

                """)
        #expect(cli.err == "")
        #expect(cli.transport.shutdowns == 1)
    }

    @Test func statusSealedExitsTwoAndShowsProgress() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/seal-status", json: sealedStatus)
        cli.transport.on("GET", "sys/leader", status: 503, json: #"{"errors": ["Vault is sealed"]}"#)
        #expect(await cli.run("status") == 2)
        #expect(cli.out.contains("Unseal Progress    2/3\nUnseal Nonce       n-1\n"))
        #expect(cli.out.hasSuffix("HA Enabled         true\n"), "a sealed HA node cannot tell its leader")
    }

    @Test func statusJSON() async throws {
        let cli = CLIHarness(environment: ["VAULT_ADDR": "http://h:1", "VAULT_FORMAT": "json"])
        cli.transport.on("GET", "sys/seal-status", json: unsealedStatus)
        cli.transport.on("GET", "sys/leader", json: #"{"ha_enabled": false}"#)
        #expect(await cli.run("status") == 0)
        let json = try JSONParser.parse(Array(cli.out.utf8))
        #expect(json["sealed"] == false)
        #expect(json["ha_enabled"] == false)
        #expect(json["cluster_name"] == "coffer-cluster-1")
        #expect(cli.out.hasPrefix("{\n  \""), "indented like Go's MarshalIndent")
    }

    @Test func statusConnectionErrorExitsOne() async {
        let cli = CLIHarness()
        cli.transport.fail(with: VaultClientError(
            .connectionFailed,
            #"Get "http://127.0.0.1:8200/v1/sys/seal-status": dial tcp 127.0.0.1:8200: connect: connection refused"#))
        #expect(await cli.run("status") == 1)
        #expect(
            cli.err
                == "Error checking seal status: Get \"http://127.0.0.1:8200/v1/sys/seal-status\": dial tcp 127.0.0.1:8200: connect: connection refused\n"
        )
    }

    @Test func statusRejectsArguments() async {
        let cli = CLIHarness()
        #expect(await cli.run("status", "extra") == 1)
        #expect(cli.err == "Too many arguments (expected 0, got 1)\n")
        #expect(cli.transport.requests.isEmpty)
    }

    // MARK: read

    @Test func readPrintsDataTable() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "secret/foo", json: """
            {"request_id": "r1", "lease_id": "", "renewable": false, "lease_duration": 2764800,
             "data": {"password": "hunter2", "user": "bob", "nested": {"a": [1, 2]}}, "wrap_info": null,
             "warnings": null, "auth": null}
            """)
        #expect(await cli.run("read", "/secret/foo/") == 0)
        #expect(
            cli.out == """
                Key                 Value
                ---                 -----
                refresh_interval    768h
                nested              map[a:[1 2]]
                password            hunter2
                user                bob

                """)
        #expect(cli.transport.requests.first?.url == "http://127.0.0.1:8200/v1/secret/foo")
        #expect(cli.transport.requests.first?.header("X-Vault-Token") == "s.test-token")
    }

    @Test func readFieldIsRawWithoutNewlineWhenPiped() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "secret/foo", json: #"{"data": {"password": "hunter2"}}"#)
        #expect(await cli.run("read", "-field=password", "secret/foo") == 0)
        #expect(cli.out == "hunter2")

        let terminal = CLIHarness(stdoutIsTerminal: true)
        terminal.transport.on("GET", "secret/foo", json: #"{"data": {"password": "hunter2"}}"#)
        #expect(await terminal.run("read", "--field", "password", "secret/foo") == 0)
        #expect(terminal.out == "hunter2\n")
    }

    @Test func readMissingField() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "secret/foo", json: #"{"data": {"password": "hunter2"}}"#)
        #expect(await cli.run("read", "-field=nope", "secret/foo") == 1)
        #expect(cli.err == "Field \"nope\" not present in secret\n")
    }

    @Test func readJSONPrintsTheEnvelope() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "secret/foo", json: #"{"request_id": "r1", "data": {"k": "v"}, "auth": null, "wrap_info": null, "warnings": null, "lease_duration": 0}"#)
        #expect(await cli.run("read", "-format=json", "secret/foo") == 0)
        #expect(
            cli.out == """
                {
                  "data": {
                    "k": "v"
                  },
                  "lease_duration": 0,
                  "request_id": "r1",
                  "warnings": null
                }

                """)
    }

    @Test func readNothingThereExitsTwo() async {
        let cli = CLIHarness()
        #expect(await cli.run("read", "secret/missing") == 2)
        #expect(cli.err == "No value found at secret/missing\n")
        #expect(cli.out == "")
    }

    @Test func readPermissionDeniedPrintsTheVaultError() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "secret/foo", status: 403, json: #"{"errors": ["permission denied"]}"#)
        #expect(await cli.run("read", "secret/foo") == 2)
        #expect(
            cli.err == """
                Error reading secret/foo: Error making API request.

                URL: GET http://127.0.0.1:8200/v1/secret/foo
                Code: 403. Errors:

                * permission denied

                """)
    }

    @Test func readSendsExtraArgumentsAsParameters() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "pki/cert/ca", json: #"{"data": {"certificate": "c"}}"#)
        #expect(await cli.run("read", "pki/cert/ca", "format=pem") == 0)
        #expect(cli.transport.requests.first?.url == "http://127.0.0.1:8200/v1/pki/cert/ca?format=pem")
    }

    @Test func readWarnsAboutFlagsAfterThePath() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "secret/foo", json: #"{"data": {"k": "v"}}"#)
        _ = await cli.run("read", "secret/foo", "-format=json")
        #expect(cli.err.hasPrefix("Command flags must be provided before positional arguments."))
        #expect(cli.err.contains("[-format=json]"))
    }

    @Test func warningsGoToStderr() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "secret/foo", status: 404, json: #"{"data": null, "warnings": ["Invalid path for a versioned K/V secrets engine."]}"#)
        #expect(await cli.run("read", "secret/foo") == 0)
        #expect(cli.err == "WARNING! The following warnings were returned from Vault:\n\n  * Invalid path for a versioned K/V secrets engine.\n\n")
        #expect(cli.out == "")
    }

    // MARK: write

    @Test func writeWithNoContentPrintsSuccess() async throws {
        let cli = CLIHarness()
        cli.transport.on("PUT", "secret/foo", status: 204)
        #expect(await cli.run("write", "secret/foo", "a=b", "c=d") == 0)
        #expect(cli.out == "Success! Data written to: secret/foo\n")
        #expect(try JSONParser.parse(cli.transport.requests.first?.body ?? []) == ["a": "b", "c": "d"])
    }

    @Test func writeBodyFromStdin() async throws {
        let cli = CLIHarness(stdin: #"{"n": 3, "list": ["x"]}"#)
        cli.transport.on("PUT", "secret/foo", status: 204)
        #expect(await cli.run("write", "secret/foo", "-") == 0)
        #expect(try JSONParser.parse(cli.transport.requests.first?.body ?? []) == ["n": 3, "list": ["x"]])
    }

    @Test func writeNeedsDataOrForce() async throws {
        let cli = CLIHarness()
        #expect(await cli.run("write", "sys/rotate") == 1)
        #expect(cli.err == "Must supply data or use -force\n")
        #expect(cli.transport.requests.isEmpty)

        let forced = CLIHarness()
        forced.transport.on("PUT", "sys/rotate", status: 204)
        #expect(await forced.run("write", "-f", "sys/rotate") == 0)
        #expect(try JSONParser.parse(forced.transport.requests.first?.body ?? []) == [:])
    }

    @Test func writeJSONFormatPrintsNothingOnNoContent() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "secret/foo", status: 204)
        #expect(await cli.run("write", "-format=json", "secret/foo", "a=b") == 0)
        #expect(cli.out == "")
    }

    @Test func writeWithResponsePrintsTheTable() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "auth/token/create", json: """
            {"auth": {"client_token": "s.new", "accessor": "acc", "policies": ["default"], "token_policies": ["default"],
             "lease_duration": 3600, "renewable": true, "metadata": null}}
            """)
        #expect(await cli.run("write", "auth/token/create", "ttl=1h") == 0)
        #expect(cli.out.contains("token                s.new\n"))
        #expect(cli.out.contains("token_duration       1h\n"))
        #expect(cli.out.contains("token_policies       [\"default\"]\n"))
    }

    @Test func writeBadDataIsAUsageError() async {
        let cli = CLIHarness()
        #expect(await cli.run("write", "secret/foo", "novalue") == 1)
        #expect(cli.err == "Failed to parse K=V data: invalid key/value pair \"novalue\": format must be key=value\n")
    }

    @Test func writeErrorExitsTwo() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "secret/foo", status: 400, json: #"{"errors": ["check-and-set parameter did not match the current version"]}"#)
        #expect(await cli.run("write", "secret/foo", "a=b") == 2)
        #expect(cli.err.hasPrefix("Error writing data to secret/foo: Error making API request.\n\nURL: PUT http://127.0.0.1:8200/v1/secret/foo\nCode: 400."))
    }

    // MARK: list

    @Test func listPrintsSortedKeys() async {
        let cli = CLIHarness()
        cli.transport.on("LIST", "secret/", json: #"{"data": {"keys": ["zeta", "alpha/", "beta"]}}"#)
        #expect(await cli.run("list", "secret") == 0)
        #expect(cli.out == "Keys\n----\nalpha/\nbeta\nzeta\n")
        #expect(cli.transport.requests.first?.method == "LIST")
    }

    @Test func listJSONIsTheKeyArray() async throws {
        let cli = CLIHarness()
        cli.transport.on("LIST", "secret/", json: #"{"data": {"keys": ["b", "a"]}}"#)
        #expect(await cli.run("list", "-format=json", "secret/") == 0)
        #expect(try JSONParser.parse(Array(cli.out.utf8)) == ["b", "a"])
    }

    @Test func listEmptyExitsTwo() async {
        let cli = CLIHarness()
        #expect(await cli.run("list", "secret/empty") == 2)
        #expect(cli.err == "No value found at secret/empty/\n")

        let json = CLIHarness()
        #expect(await json.run("list", "-format=json", "secret/empty") == 2)
        #expect(json.out == "{}\n")
    }

    @Test func listArgumentCount() async {
        let cli = CLIHarness()
        #expect(await cli.run("list") == 1)
        #expect(cli.err == "Not enough arguments (expected 1, got 0)\n")
        #expect(await cli.run("list", "a", "b") == 1)
        #expect(cli.err.hasSuffix("Too many arguments (expected 1, got 2)\n"))
    }

    // MARK: delete

    @Test func deletePrintsSuccess() async {
        let cli = CLIHarness()
        cli.transport.on("DELETE", "secret/foo", status: 204)
        #expect(await cli.run("delete", "secret/foo") == 0)
        #expect(cli.out == "Success! Data deleted (if it existed) at: secret/foo\n")
    }

    @Test func deleteErrorExitsTwo() async {
        let cli = CLIHarness()
        cli.transport.on("DELETE", "secret/foo", status: 503, json: #"{"errors": ["Vault is sealed"]}"#)
        #expect(await cli.run("delete", "secret/foo") == 2)
        #expect(cli.err.hasSuffix("Code: 503. Errors:\n\n* Vault is sealed\n"))
        #expect(cli.transport.requests.count == 1, "VAULT_MAX_RETRIES=0 in the harness")
    }
}
