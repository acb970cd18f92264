import CofferClient
import CofferJSON

/// `coffer kv get [-mount=M] [-version=N] KEY`: reads a secret. KV v2 reads
/// `<mount>/data/<key>[?version=N]` and prints the path, the version's metadata and its data
/// in separate sections; KV v1 prints the data.
enum KVGetCommand: CLICommand {
    static let path = ["kv", "get"]
    static let synopsis = "Retrieves data from the KV store"
    static let help = """
        Usage: coffer kv get [options] KEY

          Retrieves the value from Coffer's key-value store at the given key name. If no
          key exists with that name, an error is returned. If a key exists with that
          name but has no data, nothing is returned.

              $ coffer kv get -mount=secret foo

          The deprecated path-like syntax can also be used, but this should be avoided
          for KV v2, as the fact that it is not actually the full API path to
          the secret (secret/data/foo) can cause confusion:

              $ coffer kv get secret/foo

          To view the given key name at a specific version in time, specify the "-version"
          flag:

              $ coffer kv get -mount=secret -version=1 foo
        """
    static let flagGroups: [FlagGroup] = [
        .http, .output,
        FlagGroup("Common Options", [
            FlagSpec("version", kind: .int, default: "0", usage: "If passed, the value at the version number will be returned."),
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
        var query: [(String, String)] = []
        if kv.isV2, let version = run.flags.int("version"), version > 0 { query.append(("version", String(version))) }
        let secret: VaultSecret?
        do {
            secret = try await client.read(path, query: query)
        } catch {
            return run.fail("Error reading \(path)", error)
        }
        guard let secret else {
            run.error("No value found at \(path)")
            return 2
        }
        if let field = run.flags.string("field"), !field.isEmpty {
            return printField(field, of: secret, isV2: kv.isV2, path: path, run: run)
        }
        if secret.wrapInfo != nil || run.format != .table {
            return SecretOutput.print(secret, run: run)
        }
        SecretOutput.printWarnings(secret, run: run)
        var data = secret.data
        if kv.isV2 {
            run.output(SectionHeader.path(path, title: "Secret Path"))
            if case .object(let metadata)? = secret.data?["metadata"] {
                run.output(SectionHeader.forTable("Metadata", keys: metadata.keys))
                SecretOutput.printMap(metadata, run: run)
                run.output("")
            }
            data = secret.data?["data"]?.objectValue
        }
        if let data {
            run.output(SectionHeader.forTable("Data", keys: data.keys))
            SecretOutput.printMap(data, run: run)
        }
        return 0
    }

    /// KV v2 looks the field up in the version's data; `-field=data` is the data map itself
    /// unless the data has a key named `data`.
    private static func printField(_ field: String, of secret: VaultSecret, isV2: Bool, path: String, run: CommandRun) -> Int32 {
        guard isV2 else { return SecretOutput.printField(field, of: secret, run: run) }
        guard let data = secret.data?["data"], data != .null else {
            run.error("No data found at \(path)")
            return 2
        }
        if field == "data" {
            return SecretOutput.printFieldValue(data["data"] ?? data, field: field, run: run)
        }
        return SecretOutput.printFieldValue(data[field], field: field, run: run)
    }
}
