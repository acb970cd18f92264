import CofferClient
import CofferJSON

/// `coffer kv metadata get [-mount=M] KEY`: reads `<mount>/metadata/<key>` and prints the
/// key's metadata, then one section per version.
enum KVMetadataGetCommand: CLICommand {
    static let path = ["kv", "metadata", "get"]
    static let synopsis = "Retrieves key metadata from the KV store"
    static let help = """
        Usage: coffer kv metadata get [options] KEY

          Retrieves the metadata from Coffer's key-value store at the given key name. If no
          key exists with that name, an error is returned.

              $ coffer kv metadata get -mount=secret foo

          The deprecated path-like syntax can also be used, but this should be avoided
          for KV v2, as the fact that it is not actually the full API path to
          the secret (secret/metadata/foo) can cause confusion:

              $ coffer kv metadata get secret/foo
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
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
        let fetched: VaultSecret?
        do {
            fetched = try await client.read(path)
        } catch {
            return run.fail("Error reading \(path)", error)
        }
        guard var secret = fetched else {
            run.error("No value found at \(path)")
            return 2
        }
        if secret.wrapInfo != nil || run.format != .table {
            return SecretOutput.print(secret, run: run)
        }
        guard case .object(let versions)? = secret.data?["versions"] else {
            run.error("No value found at \(path)")
            _ = SecretOutput.print(secret, run: run)
            return 2
        }
        secret.data?.removeValue(forKey: "versions")
        run.output(SectionHeader.path(path, title: "Metadata Path"))
        run.output(SectionHeader.forTable("Metadata", keys: (secret.data ?? [:]).keys))
        _ = SecretOutput.print(secret, run: run)
        var numbered: [(Int, [String: JSONValue])] = []
        for (key, value) in versions {
            guard let number = Int(key) else {
                run.error("Error parsing version \(key)")
                return 2
            }
            numbered.append((number, value.objectValue ?? [:]))
        }
        for (number, version) in numbered.sorted(by: { $0.0 < $1.0 }) {
            run.output("\n" + SectionHeader.forTable("Version \(number)", keys: version.keys))
            SecretOutput.printMap(version, run: run)
        }
        return 0
    }
}
