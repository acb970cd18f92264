import CofferClient
import CofferJSON
import Testing

@Suite("kv patch, delete, undelete, destroy, list and metadata")
struct KVVersionCommandTests {
    // MARK: patch

    @Test func patchSendsAMergePatch() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("PATCH", "secret/data/foo", json: kvWrittenMetadata)
        #expect(await cli.run("kv", "patch", "-remove-data=old", "-remove-data=older", "-cas=2", "secret/foo", "a=b") == 0)
        #expect(cli.transport.routes == ["GET sys/internal/ui/mounts/secret/foo", "PATCH secret/data/foo"])
        let patch = cli.transport.requests[1]
        #expect(patch.header("Content-Type") == "application/merge-patch+json")
        #expect(patch.headers.filter { $0.0.lowercased() == "content-type" }.count == 1)
        #expect(patch.json == ["data": ["a": "b", "old": nil, "older": nil], "options": ["cas": 2]])
        #expect(cli.out.hasPrefix("= Secret Path =\nsecret/data/foo\n\n======= Metadata =======\n"))
    }

    @Test func patchFallsBackToReadAndWriteOn405() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("PATCH", "secret/data/foo", status: 405, json: #"{"errors": ["unsupported operation"]}"#)
        cli.transport.on("GET", "secret/data/foo", json: kvVersion2)
        cli.transport.on("PUT", "secret/data/foo", json: kvWrittenMetadata)
        #expect(await cli.run("kv", "patch", "-remove-data=foo", "secret/foo", "password=new") == 0)
        #expect(cli.transport.routes == [
            "GET sys/internal/ui/mounts/secret/foo", "PATCH secret/data/foo", "GET secret/data/foo", "PUT secret/data/foo",
        ])
        #expect(cli.transport.requests[3].json == ["data": ["password": "new"], "options": ["cas": 2]])
        #expect(cli.err == "")
    }

    @Test func patchWithoutPatchCapabilityWarnsAndFallsBack() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("PATCH", "secret/data/foo", status: 403, json: #"{"errors": ["permission denied"]}"#)
        cli.transport.on("GET", "secret/data/foo", json: kvVersion2)
        cli.transport.on("PUT", "secret/data/foo", json: kvWrittenMetadata)
        #expect(await cli.run("kv", "patch", "secret/foo", "a=b") == 0)
        #expect(cli.err.hasPrefix("Data was written to secret/data/foo but we recommend that you add the \"patch\" capability"))
        #expect(cli.transport.requests[3].json == ["data": ["foo": "bar", "password": "hunter2", "a": "b"], "options": ["cas": 2]])
    }

    @Test func patchMethodPatchDoesNotFallBack() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("PATCH", "secret/data/foo", status: 403, json: #"{"errors": ["permission denied"]}"#)
        #expect(await cli.run("kv", "patch", "-method=patch", "secret/foo", "a=b") == 2)
        #expect(cli.err.hasPrefix("Error writing data to secret/data/foo: Error making API request."))
        #expect(cli.transport.requests.count == 2)
    }

    @Test func patchReadWriteNeedsAnExistingSecret() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        #expect(await cli.run("kv", "patch", "-method=rw", "secret/foo", "a=b") == 2)
        #expect(cli.err == "No value found at secret/data/foo\n")
        #expect(cli.transport.routes == ["GET sys/internal/ui/mounts/secret/foo", "GET secret/data/foo"])
    }

    @Test func patchRefusesKVv1AndUnknownMethods() async {
        let v1 = CLIHarness()
        v1.transport.on("GET", "sys/internal/ui/mounts/kv1/foo", json: Preflight.kv1())
        #expect(await v1.run("kv", "patch", "kv1/foo", "a=b") == 2)
        #expect(v1.err == "K/V engine mount must be version 2 for patch support\n")
        #expect(v1.transport.requests.count == 1)

        let method = CLIHarness()
        method.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        #expect(await method.run("kv", "patch", "-method=merge", "secret/foo", "a=b") == 2)
        #expect(method.err == "Unsupported method provided to -method flag: merge\n")
    }

    // MARK: delete, undelete, destroy

    @Test func deleteLatestAndVersions() async {
        let latest = CLIHarness()
        latest.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        latest.transport.on("DELETE", "secret/data/foo", status: 204)
        #expect(await latest.run("kv", "delete", "secret/foo") == 0)
        #expect(latest.transport.routes.last == "DELETE secret/data/foo")
        #expect(latest.out == "Success! Data deleted (if it existed) at: secret/data/foo\n")

        let versions = CLIHarness()
        versions.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        versions.transport.on("PUT", "secret/delete/foo", status: 204)
        #expect(await versions.run("kv", "delete", "-versions=1,2", "-versions=3", "secret/foo") == 0)
        #expect(versions.transport.routes.last == "PUT secret/delete/foo")
        #expect(versions.transport.requests.last?.json == ["versions": ["1", "2", "3"]])
        #expect(versions.out == "Success! Data deleted (if it existed) at: secret/data/foo\n")
    }

    @Test func deleteOnV1() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/kv1/foo", json: Preflight.kv1())
        cli.transport.on("DELETE", "kv1/foo", status: 204)
        #expect(await cli.run("kv", "delete", "kv1/foo") == 0)
        #expect(cli.out == "Success! Data deleted (if it existed) at: kv1/foo\n")
    }

    @Test func undeleteAndDestroyWriteVersions() async {
        for verb in ["undelete", "destroy"] {
            let cli = CLIHarness()
            cli.transport.on("GET", "sys/internal/ui/mounts/secret", json: Preflight.kv2())
            cli.transport.on("PUT", "secret/\(verb)/foo", status: 204)
            #expect(await cli.run("kv", verb, "-mount=secret", "-versions=4", "foo") == 0)
            #expect(cli.transport.routes == ["GET sys/internal/ui/mounts/secret", "PUT secret/\(verb)/foo"])
            #expect(cli.transport.requests[1].json == ["versions": ["4"]])
            #expect(cli.out == "Success! Data written to: secret/\(verb)/foo\n")
        }
    }

    @Test func undeleteAndDestroyNeedVersionsAndKVv2() async {
        let noVersions = CLIHarness()
        #expect(await noVersions.run("kv", "destroy", "secret/foo") == 1)
        #expect(noVersions.err == "No versions provided, use the \"-versions\" flag to specify the version to destroy.\n")
        #expect(noVersions.transport.requests.isEmpty)

        let v1 = CLIHarness()
        v1.transport.on("GET", "sys/internal/ui/mounts/kv1/foo", json: Preflight.kv1())
        #expect(await v1.run("kv", "undelete", "-versions=1", "kv1/foo") == 1)
        #expect(v1.err == "Undelete not supported on KV Version 1\n")

        let v1Destroy = CLIHarness()
        v1Destroy.transport.on("GET", "sys/internal/ui/mounts/kv1/foo", json: Preflight.kv1())
        #expect(await v1Destroy.run("kv", "destroy", "-versions=1", "kv1/foo") == 1)
        #expect(v1Destroy.err == "Destroy not supported on KV Version 1\n")
        #expect(v1Destroy.transport.requests.count == 1)
    }

    // MARK: list

    @Test func listOnV2UsesTheMetadataPath() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/app", json: Preflight.kv2())
        cli.transport.on("LIST", "secret/metadata/app/", json: #"{"data": {"keys": ["db", "api/"]}}"#)
        #expect(await cli.run("kv", "list", "secret/app") == 0)
        #expect(cli.transport.routes == ["GET sys/internal/ui/mounts/secret/app", "LIST secret/metadata/app/"])
        #expect(cli.out == "Keys\n----\napi/\ndb\n")
    }

    @Test func listAlreadyPrefixedPathAndMountRoot() async {
        let prefixed = CLIHarness()
        prefixed.transport.on("GET", "sys/internal/ui/mounts/secret/metadata/app", json: Preflight.kv2())
        prefixed.transport.on("LIST", "secret/metadata/app/", json: #"{"data": {"keys": ["db"]}}"#)
        #expect(await prefixed.run("kv", "list", "secret/metadata/app") == 0)
        #expect(prefixed.transport.routes.last == "LIST secret/metadata/app/")

        let root = CLIHarness()
        root.transport.on("GET", "sys/internal/ui/mounts/secret", json: Preflight.kv2())
        root.transport.on("LIST", "secret/metadata/", json: #"{"data": {"keys": ["a"]}}"#)
        #expect(await root.run("kv", "list", "-mount=secret") == 0)
        #expect(root.transport.routes.last == "LIST secret/metadata/")
    }

    @Test func listEmptyExitsTwo() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/none", json: Preflight.kv2())
        #expect(await cli.run("kv", "list", "secret/none") == 2)
        #expect(cli.err == "No value found at secret/metadata/none\n")
        let noArguments = CLIHarness()
        #expect(await noArguments.run("kv", "list") == 1)
        #expect(noArguments.err == "Not enough arguments (expected 1, got 0)\n")
    }

    // MARK: metadata

    @Test func metadataGetPrintsMetadataAndEachVersion() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("GET", "secret/metadata/foo", json: """
            {"data": {"cas_required": false, "created_time": "2024-01-01T00:00:00Z", "current_version": 10,
             "custom_metadata": {"owner": "ops"}, "delete_version_after": "0s", "max_versions": 0, "oldest_version": 0,
             "updated_time": "2024-01-02T00:00:00Z",
             "versions": {
               "10": {"created_time": "2024-01-02T00:00:00Z", "deletion_time": "", "destroyed": false},
               "2": {"created_time": "2024-01-01T00:00:00Z", "deletion_time": "", "destroyed": true}}}}
            """)
        #expect(await cli.run("kv", "metadata", "get", "secret/foo") == 0)
        #expect(cli.transport.routes.last == "GET secret/metadata/foo")
        #expect(
            cli.out == """
                == Metadata Path ==
                secret/metadata/foo

                ========== Metadata ==========
                Key                     Value
                ---                     -----
                cas_required            false
                created_time            2024-01-01T00:00:00Z
                current_version         10
                custom_metadata         map[owner:ops]
                delete_version_after    0s
                max_versions            0
                oldest_version          0
                updated_time            2024-01-02T00:00:00Z

                ====== Version 2 ======
                Key              Value
                ---              -----
                created_time     2024-01-01T00:00:00Z
                deletion_time    n/a
                destroyed        true

                ===== Version 10 =====
                Key              Value
                ---              -----
                created_time     2024-01-02T00:00:00Z
                deletion_time    n/a
                destroyed        false

                """)
    }

    @Test func metadataPutSendsOnlyTheGivenSettings() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        cli.transport.on("PUT", "secret/metadata/foo", status: 204)
        #expect(await cli.run(
            "kv", "metadata", "put", "-max-versions=5", "-cas-required", "-delete-version-after=3h25m19s",
            "-custom-metadata=owner=ops", "-custom-metadata", "tier=1", "secret/foo") == 0)
        #expect(cli.transport.requests.last?.json == [
            "max_versions": 5, "cas_required": true, "delete_version_after": "3h25m19s",
            "custom_metadata": ["owner": "ops", "tier": "1"],
        ])
        #expect(cli.out == "Success! Data written to: secret/metadata/foo\n")

        let bare = CLIHarness()
        bare.transport.on("GET", "sys/internal/ui/mounts/secret/foo", json: Preflight.kv2())
        bare.transport.on("PUT", "secret/metadata/foo", status: 204)
        #expect(await bare.run("kv", "metadata", "put", "secret/foo") == 0)
        #expect(bare.transport.requests.last?.json == [:])
    }

    @Test func metadataPutRejectsBadFlagValues() async {
        let cli = CLIHarness()
        #expect(await cli.run("kv", "metadata", "put", "-custom-metadata=novalue", "secret/foo") == 1)
        #expect(cli.err == "invalid value \"novalue\" for flag -custom-metadata: missing = in KV pair: \"novalue\"\n")
        let duration = CLIHarness()
        #expect(await duration.run("kv", "metadata", "put", "-delete-version-after=soon", "secret/foo") == 1)
        #expect(duration.err.hasPrefix("invalid value \"soon\" for flag -delete-version-after"))
        #expect(cli.transport.requests.isEmpty && duration.transport.requests.isEmpty)
    }

    @Test func metadataDelete() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/internal/ui/mounts/secret", json: Preflight.kv2())
        cli.transport.on("DELETE", "secret/metadata/foo", status: 204)
        #expect(await cli.run("kv", "metadata", "delete", "-mount=secret", "foo") == 0)
        #expect(cli.transport.routes.last == "DELETE secret/metadata/foo")
        #expect(cli.out == "Success! Data deleted (if it existed) at: secret/metadata/foo\n")
    }

    @Test func metadataRefusesKVv1() async {
        for subcommand in ["get", "put", "delete"] {
            let cli = CLIHarness()
            cli.transport.on("GET", "sys/internal/ui/mounts/kv1/foo", json: Preflight.kv1())
            #expect(await cli.run("kv", "metadata", subcommand, "kv1/foo") == 1)
            #expect(cli.err == "Metadata not supported on KV Version 1\n")
            #expect(cli.transport.requests.count == 1)
        }
    }

    @Test func metadataGroupListsItsSubcommands() async {
        let cli = CLIHarness()
        #expect(await cli.run("kv", "metadata") == 1)
        #expect(cli.err.contains("Subcommands:\n    delete    Deletes all versions and metadata for a key in the KV store\n"))
        let group = CLIHarness()
        #expect(await group.run("kv") == 1)
        #expect(group.err.contains("\n    metadata    "))
        #expect(group.err.contains("\n    put         Sets or updates data in the KV store\n"))
    }
}
