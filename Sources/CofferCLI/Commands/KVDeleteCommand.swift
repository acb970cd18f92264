import CofferClient
import CofferJSON

/// `coffer kv delete [-mount=M] [-versions=N,...] KEY`: KV v2 soft-deletes the latest version
/// (`DELETE <mount>/data/<key>`) or the given versions (`<mount>/delete/<key>`); KV v1 deletes
/// the secret.
enum KVDeleteCommand: CLICommand {
    static let path = ["kv", "delete"]
    static let synopsis = "Deletes versions in the KV store"
    static let help = """
        Usage: coffer kv delete [options] PATH

          Deletes the data for the provided version and path in the key-value store. The
          versioned data will not be fully removed, but marked as deleted and will no
          longer be returned in normal get requests.

          To delete the latest version of the key "foo":

              $ coffer kv delete -mount=secret foo

          The deprecated path-like syntax can also be used, but this should be avoided
          for KV v2, as the fact that it is not actually the full API path to
          the secret (secret/data/foo) can cause confusion:

              $ coffer kv delete secret/foo

          To delete version 3 of key foo:

              $ coffer kv delete -mount=secret -versions=3 foo

          To delete all versions and metadata, see the "coffer kv metadata" subcommand.
        """
    static let flagGroups: [FlagGroup] = [
        .http, .output,
        FlagGroup("Common Options", [
            FlagSpec("versions", kind: .string, usage: "Specifies the version numbers to delete."),
            KVOutput.mountFlag("data"),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        let (client, kv): (VaultClient, KVPath)
        switch await KVPath.target(run) {
        case .success(let resolved): (client, kv) = resolved
        case .failure(let exit): return exit.code
        }
        let path = kv.apiPath("data")
        let versions = KVOutput.versionList(run)
        return await run.secretCall("Error deleting \(path)", printPartial: true, onEmpty: {
            if run.format == .table { run.output("Success! Data deleted (if it existed) at: \(path)") }
            return 0
        }) { _ in
            if kv.isV2 && !versions.isEmpty {
                return try await client.write(kv.apiPath("delete"), data: ["versions": JSONValue(versions)])
            }
            return try await client.delete(path)
        }
    }
}
