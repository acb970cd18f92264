import CofferClient

/// `coffer kv metadata delete [-mount=M] KEY`: deletes every version and the metadata of a
/// key (`DELETE <mount>/metadata/<key>`).
enum KVMetadataDeleteCommand: CLICommand {
    static let path = ["kv", "metadata", "delete"]
    static let synopsis = "Deletes all versions and metadata for a key in the KV store"
    static let help = """
        Usage: coffer kv metadata delete [options] PATH

          Deletes all versions and metadata for the provided key.

              $ coffer kv metadata delete -mount=secret foo

          The deprecated path-like syntax can also be used, but this should be avoided
          for KV v2, as the fact that it is not actually the full API path to
          the secret (secret/metadata/foo) can cause confusion:

              $ coffer kv metadata delete secret/foo
        """
    static let flagGroups: [FlagGroup] = [
        .http,
        FlagGroup("Common Options", [KVOutput.mountFlag("metadata")]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        let (client, kv): (VaultClient, KVPath)
        switch await KVPath.target(run, v1Message: "Metadata not supported on KV Version 1") {
        case .success(let resolved): (client, kv) = resolved
        case .failure(let exit): return exit.code
        }
        let path = kv.apiPath("metadata")
        do {
            _ = try await client.delete(path)
        } catch {
            return run.failPrintingPartial("Error deleting \(path)", error)
        }
        run.output("Success! Data deleted (if it existed) at: \(path)")
        return 0
    }
}
