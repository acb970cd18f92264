import CofferClient
import CofferJSON

/// `coffer kv metadata put [-mount=M] [-max-versions=N] [-cas-required] [-delete-version-after=D]
/// [-custom-metadata=k=v ...] KEY`: creates or updates a key's settings
/// (`<mount>/metadata/<key>`). Only the flags given are sent.
enum KVMetadataPutCommand: CLICommand {
    static let path = ["kv", "metadata", "put"]
    static let synopsis = "Sets or updates key settings in the KV store"
    static let help = """
        Usage: coffer kv metadata put [options] KEY

          This command can be used to create a blank key in the key-value store or to
          update key configuration for a specified key.

          Create a key in the key-value store with no data:

              $ coffer kv metadata put -mount=secret foo

          Set a max versions setting on the key:

              $ coffer kv metadata put -mount=secret -max-versions=5 foo

          Set delete-version-after on the key:

              $ coffer kv metadata put -mount=secret -delete-version-after=3h25m19s foo

          Require Check-and-Set for this key:

              $ coffer kv metadata put -mount=secret -cas-required foo

          Set custom metadata on the key:

              $ coffer kv metadata put -mount=secret -custom-metadata=foo=abc -custom-metadata=bar=123 foo
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Common Options", [
            FlagSpec(
                "max-versions", kind: .int, default: "-1",
                usage: "The number of versions to keep. If not set, the backend's configured max version is used."),
            FlagSpec(
                "cas-required", kind: .bool,
                usage: "If true the key will require the cas parameter to be set on all write requests. If false, the "
                    + "backend's configuration will be used."),
            FlagSpec(
                "delete-version-after", kind: .string,
                usage: "Specifies the length of time before a version is deleted. If not set, the backend's configured "
                    + "delete-version-after is used. Cannot be greater than the backend's delete-version-after. The "
                    + "delete-version-after is specified as a numeric string with a suffix like \"30s\" or \"3h25m19s\"."),
            FlagSpec(
                "custom-metadata", kind: .string,
                usage: "Specifies arbitrary version-agnostic key=value metadata meant to describe a secret. This can be "
                    + "specified multiple times to add multiple pieces of metadata."),
            KVOutput.mountFlag("metadata"),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        var body: [String: JSONValue] = [:]
        do {
            if let maxVersions = run.flags.int("max-versions"), maxVersions >= 0 {
                body["max_versions"] = .int(Int64(maxVersions))
            }
            if let after = try DurationFlag("delete-version-after", in: run.flags).apiValue {
                body["delete_version_after"] = .string(after)
            }
            if let required = run.flags.bool("cas-required") { body["cas_required"] = .bool(required) }
            let custom = try run.flags.keyValues("custom-metadata")
            if !custom.isEmpty { body["custom_metadata"] = JSONValue(custom) }
        } catch {
            run.error(error.message)
            return 1
        }
        let (client, kv): (VaultClient, KVPath)
        switch await KVPath.target(run, v1Message: "Metadata not supported on KV Version 1") {
        case .success(let resolved): (client, kv) = resolved
        case .failure(let exit): return exit.code
        }
        let path = kv.apiPath("metadata")
        return await run.writeCall(path) { _ in try await client.write(path, data: body) }
    }
}
