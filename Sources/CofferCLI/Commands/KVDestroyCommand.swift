import CofferClient
import CofferJSON

/// `coffer kv destroy -versions=N,... [-mount=M] KEY`: permanently removes KV v2 versions
/// (`<mount>/destroy/<key>`).
enum KVDestroyCommand: CLICommand {
    static let path = ["kv", "destroy"]
    static let synopsis = "Permanently removes one or more versions in the KV store"
    static let help = """
        Usage: coffer kv destroy [options] KEY

          Permanently removes the specified versions' data from the key-value store. If
          no key exists at the path, no action is taken.

          To destroy version 3 of key foo:

              $ coffer kv destroy -mount=secret -versions=3 foo

          The deprecated path-like syntax can also be used, but this should be avoided
          for KV v2, as the fact that it is not actually the full API path to
          the secret (secret/data/foo) can cause confusion:

              $ coffer kv destroy -versions=3 secret/foo
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Common Options", [
            FlagSpec("versions", kind: .string, usage: "Specifies the version numbers to destroy."),
            KVOutput.mountFlag("destroy"),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        await KVVersionsCommand.run(run, prefix: "destroy", verb: "destroy", refusal: "Destroy not supported on KV Version 1")
    }
}
