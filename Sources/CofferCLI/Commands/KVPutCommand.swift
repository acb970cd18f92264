import CofferClient
import CofferJSON

/// `coffer kv put [-mount=M] [-cas=N] KEY K=V...`: writes a secret. KV v2 wraps the data as
/// `{"data": {...}, "options": {"cas": N}}` at `<mount>/data/<key>` and prints the new
/// version's metadata; KV v1 writes the data itself.
enum KVPutCommand: CLICommand {
    static let path = ["kv", "put"]
    static let synopsis = "Sets or updates data in the KV store"
    static let help = """
        Usage: coffer kv put [options] KEY [DATA]

          Writes the data to the given path in the key-value store. The data can be of
          any type.

              $ coffer kv put -mount=secret foo bar=baz

          The deprecated path-like syntax can also be used, but this should be avoided
          for KV v2, as the fact that it is not actually the full API path to
          the secret (secret/data/foo) can cause confusion:

              $ coffer kv put secret/foo bar=baz

          The data can also be consumed from a file on disk by prefixing with the "@"
          symbol. For example:

              $ coffer kv put -mount=secret foo @data.json

          Or it can be read from stdin using the "-" symbol:

              $ echo "abcd1234" | coffer kv put -mount=secret foo bar=-

          To perform a Check-And-Set operation, specify the -cas flag with the
          appropriate version number corresponding to the key you want to perform
          the CAS operation on:

              $ coffer kv put -mount=secret -cas=1 foo bar=baz
        """
    static let flagGroups: [FlagGroup] = [
        .http, .output,
        FlagGroup("Common Options", [
            FlagSpec(
                "cas", kind: .int, default: "-1",
                usage: "Specifies to use a Check-And-Set operation. If not set the write will be allowed. If set to 0 "
                    + "a write will only be allowed if the key doesn't exist. If the index is non-zero the write will "
                    + "only be allowed if the key's current version matches the version specified in the cas parameter."),
            KVOutput.mountFlag("data"),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        switch run.arguments.count {
        case 0:
            run.error("Not enough arguments (expected >1, got 0)")
            return 1
        case 1:
            run.error("Must supply data")
            return 1
        default:
            break
        }
        guard let data = run.keyValueData(run.arguments.dropFirst()) else { return 1 }
        let (client, kv): (VaultClient, KVPath)
        switch await KVPath.target(run) {
        case .success(let resolved): (client, kv) = resolved
        case .failure(let exit): return exit.code
        }
        let path = kv.apiPath("data")
        var body = data
        if kv.isV2 {
            var options: [String: JSONValue] = [:]
            if let cas = run.flags.int("cas"), cas > -1 { options["cas"] = .int(Int64(cas)) }
            body = ["data": .object(data), "options": .object(options)]
        }
        let secret: VaultSecret?
        do {
            secret = try await client.write(path, data: body)
        } catch {
            return run.failPrintingPartial("Error writing data to \(path)", error)
        }
        guard let secret else {
            if run.format == .table { run.output("Success! Data written to: \(path)") }
            return 0
        }
        return KVOutput.printWritten(secret, path: path, run: run)
    }
}
