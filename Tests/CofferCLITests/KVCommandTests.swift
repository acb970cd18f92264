import CofferClient
import CofferJSON
import Testing

@Suite("kv put and get: preflight, paths, bodies and output")
struct KVCommandTests {
    // MARK: put

    @Test func putOnV2WrapsTheDataAndPrintsTheMetadata() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("PUT", "secret/data/foo", json: kvWrittenMetadata)
        #expect(await cli.run("kv", "put", "secret/foo", "foo=bar", "n=1") == 0)
        #expect(cli.transport.routes == ["GET sys/internal/ui/mounts/secret/foo", "PUT secret/data/foo"])
        let put = cli.transport.requests[1]
        #expect(put.json == ["data": ["foo": "bar", "n": "1"], "options": [:]])
        #expect(put.header("Content-Type") == "application/json")
        #expect(put.header("X-Vault-Token") == "s.test-token")
        #expect(
            cli.out == """
                = Secret Path =
                secret/data/foo

                ======= Metadata =======
                Key                Value
                ---                -----
                created_time       2024-01-01T00:00:00Z
                custom_metadata    <nil>
                deletion_time      n/a
                destroyed          false
                version            3

                """)
        #expect(cli.err == "")
    }

    @Test func putWithMountFlagAndCAS() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret", json: Preflight.kv2())
        cli.transport.on("PUT", "secret/data/app/db", json: kvWrittenMetadata)
        #expect(await cli.run("kv", "put", "-mount=secret", "-cas=0", "app/db", "user=bob") == 0)
        #expect(cli.transport.routes == ["GET sys/internal/ui/mounts/secret", "PUT secret/data/app/db"])
        #expect(cli.transport.requests[1].json == ["data": ["user": "bob"], "options": ["cas": 0]])
        #expect(cli.out.hasPrefix("=== Secret Path ===\nsecret/data/app/db\n\n"))
    }

    @Test func putOnV1WritesThePathAsIs() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/kv1/foo", json: Preflight.kv1())
        cli.transport.on("PUT", "kv1/foo", status: 204)
        #expect(await cli.run("kv", "put", "kv1/foo", "foo=bar") == 0)
        #expect(cli.transport.routes == ["GET sys/internal/ui/mounts/kv1/foo", "PUT kv1/foo"])
        #expect(cli.transport.requests[1].json == ["foo": "bar"])
        #expect(cli.out == "Success! Data written to: kv1/foo\n")
    }

    @Test func putWithoutPreflightEndpointTreatsTheMountAsV1() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "secret/foo", status: 204)
        #expect(await cli.run("kv", "put", "secret/foo", "a=b") == 0)
        #expect(cli.transport.routes == ["GET sys/internal/ui/mounts/secret/foo", "PUT secret/foo"])
        #expect(cli.out == "Success! Data written to: secret/foo\n")
    }

    @Test func putJSONPrintsTheEnvelope() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("PUT", "secret/data/foo", json: kvWrittenMetadata)
        #expect(await cli.run("kv", "put", "-format=json", "secret/foo", "a=b") == 0)
        let json = try JSONParser.parse(Array(cli.out.utf8))
        #expect(json["data"]?["version"] == 3)
        #expect(json["request_id"] == "r1")
    }

    @Test func putFieldPrintsTheRawValue() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("PUT", "secret/data/foo", json: kvWrittenMetadata)
        #expect(await cli.run("kv", "put", "-field=version", "secret/foo", "a=b") == 0)
        #expect(cli.out == "3")
    }

    @Test func putArgumentErrorsExitOneWithoutRequests() async {
        let cli = CLIHarness()
        #expect(await cli.run("kv", "put") == 1)
        #expect(cli.err == "Not enough arguments (expected >1, got 0)\n")
        let noData = CLIHarness()
        #expect(await noData.run("kv", "put", "secret/foo") == 1)
        #expect(noData.err == "Must supply data\n")
        let badData = CLIHarness()
        #expect(await badData.run("kv", "put", "secret/foo", "novalue") == 1)
        #expect(badData.err.hasPrefix("Failed to parse K=V data: "))
        #expect(cli.transport.requests.isEmpty && noData.transport.requests.isEmpty && badData.transport.requests.isEmpty)
    }

    @Test func preflightDeniedExitsTwo() async {
        let cli = CLIHarness()
        cli.transport.on(
            "GET", "sys/internal/ui/mounts/secret/foo", status: 403,
            json: #"{"errors": ["preflight capability check returned 403, please ensure client's policies grant access to path \"secret/foo/\""]}"#)
        #expect(await cli.run("kv", "get", "secret/foo") == 2)
        #expect(cli.err.hasPrefix("Error making API request.\n\nURL: GET http://127.0.0.1:8200/v1/sys/internal/ui/mounts/secret/foo\nCode: 403."))
        #expect(cli.transport.requests.count == 1, "nothing is sent after a failed preflight")
    }

    @Test func putCASMismatchExitsTwo() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on(
            "PUT", "secret/data/foo", status: 400,
            json: #"{"errors": ["check-and-set parameter did not match the current version"]}"#)
        #expect(await cli.run("kv", "put", "-cas=1", "secret/foo", "a=b") == 2)
        #expect(cli.err.hasPrefix("Error writing data to secret/data/foo: Error making API request."))
        #expect(cli.err.hasSuffix("* check-and-set parameter did not match the current version\n"))
    }

    // MARK: get

    @Test func getOnV2PrintsPathMetadataAndData() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("GET", "secret/data/foo", json: kvVersion2)
        #expect(await cli.run("kv", "get", "secret/foo") == 0)
        #expect(cli.transport.routes == ["GET sys/internal/ui/mounts/secret/foo", "GET secret/data/foo"])
        #expect(cli.transport.requests[1].query == "")
        #expect(
            cli.out == """
                = Secret Path =
                secret/data/foo

                ======= Metadata =======
                Key                Value
                ---                -----
                created_time       2024-01-01T00:00:00Z
                custom_metadata    <nil>
                deletion_time      n/a
                destroyed          false
                version            2

                ====== Data ======
                Key         Value
                ---         -----
                foo         bar
                password    hunter2

                """)
    }

    @Test func getVersionAndField() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret", json: Preflight.kv2())
        cli.transport.on("GET", "secret/data/foo", json: kvVersion2)
        #expect(await cli.run("kv", "get", "-mount=secret", "-version=2", "-field=password", "foo") == 0)
        #expect(cli.out == "hunter2")
        #expect(cli.transport.requests[1].query == "version=2")

        let missing = CLIHarness()
        missing.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        missing.transport.on("GET", "secret/data/foo", json: kvVersion2)
        #expect(await missing.run("kv", "get", "-field=nope", "secret/foo") == 1)
        #expect(missing.err == "Field \"nope\" not present in secret\n")
    }

    @Test func getFieldDataIsTheDataMap() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("GET", "secret/data/foo", json: kvVersion2)
        #expect(await cli.run("kv", "get", "-field=data", "secret/foo") == 0)
        #expect(cli.out == "map[foo:bar password:hunter2]")
    }

    @Test func getOnV1PrintsOnlyTheData() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/kv1/foo", json: Preflight.kv1())
        cli.transport.on("GET", "kv1/foo", json: #"{"lease_duration": 2764800, "data": {"foo": "bar"}}"#)
        #expect(await cli.run("kv", "get", "-version=3", "kv1/foo") == 0)
        #expect(cli.transport.routes == ["GET sys/internal/ui/mounts/kv1/foo", "GET kv1/foo"])
        #expect(cli.transport.requests[1].query == "", "-version means nothing on KV v1")
        #expect(cli.out == "=== Data ===\nKey    Value\n---    -----\nfoo    bar\n")
    }

    @Test func getMissingExitsTwo() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/nope", json: Preflight.kv2())
        #expect(await cli.run("kv", "get", "secret/nope") == 2)
        #expect(cli.err == "No value found at secret/data/nope\n")
        #expect(cli.out == "")
    }

    @Test func getDeletedVersionShowsItsMetadata() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("GET", "secret/data/foo", status: 404, json: """
            {"data": {"data": null, "metadata": {"created_time": "2024-01-01T00:00:00Z", "custom_metadata": null,
             "deletion_time": "2024-02-01T00:00:00Z", "destroyed": false, "version": 1}}}
            """)
        #expect(await cli.run("kv", "get", "secret/foo") == 0)
        #expect(cli.out.contains("deletion_time      2024-02-01T00:00:00Z\n"))
        #expect(!cli.out.contains("Data ="), "a deleted version has no data section")
    }

    @Test func getJSONPrintsTheEnvelope() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("GET", "secret/data/foo", json: kvVersion2)
        #expect(await cli.run("kv", "get", "-format=json", "secret/foo") == 0)
        let json = try JSONParser.parse(Array(cli.out.utf8))
        #expect(json["data"]?["data"]?["foo"] == "bar")
        #expect(json["data"]?["metadata"]?["version"] == 2)
    }
}
