import CofferClient
import CofferJSON

/// `coffer kv undelete -versions=N,... [-mount=M] KEY`: restores soft-deleted KV v2 versions
/// (`<mount>/undelete/<key>`).
enum KVUndeleteCommand: CLICommand {
    static let path = ["kv", "undelete"]
    static let synopsis = "Undeletes versions in the KV store"
    static let help = """
        Usage: coffer kv undelete [options] KEY

          Undeletes the data for the provided version and path in the key-value store.
          This restores the data, allowing it to be returned on get requests.

          To undelete version 3 of key "foo":

              $ coffer kv undelete -mount=secret -versions=3 foo

          The deprecated path-like syntax can also be used, but this should be avoided
          for KV v2, as the fact that it is not actually the full API path to
          the secret (secret/data/foo) can cause confusion:

              $ coffer kv undelete -versions=3 secret/foo
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Common Options", [
            FlagSpec("versions", kind: .string, usage: "Specifies the version numbers to undelete."),
            KVOutput.mountFlag("undelete"),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        await KVVersionsCommand.run(run, prefix: "undelete", verb: "undelete", refusal: "Undelete not supported on KV Version 1")
    }
}
