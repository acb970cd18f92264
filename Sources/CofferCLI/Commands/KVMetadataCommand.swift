/// `coffer kv metadata`: the group of KV v2 metadata subcommands. Run alone, it lists them.
enum KVMetadataCommand: CLICommand {
    static let path = ["kv", "metadata"]
    static let synopsis = "Interact with Coffer's Key-Value storage metadata"
    static let help = """
        Usage: coffer kv metadata <subcommand> [options] [args]

          This command has subcommands for interacting with the metadata endpoint in
          Coffer's key-value store. Here are some simple examples, and more detailed
          examples are available in the subcommands or the documentation.

          Create or update a metadata entry for a key:

              $ coffer kv metadata put -mount=secret -max-versions=5 -delete-version-after=3h25m19s foo

          Get the metadata for a key, this provides information about each existing
          version:

              $ coffer kv metadata get -mount=secret foo

          Delete a key and all existing versions:

              $ coffer kv metadata delete -mount=secret foo

          Please see the individual subcommand help for detailed usage information.
        """
    static let flagGroups: [FlagGroup] = []

    static func run(_ run: CommandRun) async -> Int32 {
        let subcommands = CommandRegistry.subcommands(of: path)
        let width = subcommands.map { $0.path.last!.count }.max() ?? 0
        let lines = subcommands.map { command in
            let name = command.path.last!
            return "    " + name + String(repeating: " ", count: width - name.count) + "    " + command.synopsis
        }
        run.error(help + "\n\nSubcommands:\n" + lines.joined(separator: "\n"))
        return run.arguments.isEmpty ? 1 : 127
    }
}
