/// Every command the CLI knows. To add one, write a type conforming to ``CLICommand`` in its
/// own file and list it here; help listings and dispatch follow from this table.
enum CommandRegistry {
    static let commands: [any CLICommand.Type] = [
        StatusCommand.self,
        ReadCommand.self,
        WriteCommand.self,
        ListCommand.self,
        DeleteCommand.self,
        OperatorInitCommand.self,
        OperatorUnsealCommand.self,
        OperatorSealCommand.self,
        VersionCommand.self,
    ]

    /// Commands that only group subcommands (`coffer operator ...`): synopsis and help text.
    static let groups: [String: (synopsis: String, help: String)] = [
        "operator": (
            "Perform operator-specific tasks",
            """
            Usage: coffer operator <subcommand> [options] [args]

              This command groups subcommands for operators interacting with Coffer. Most
              users will not need to interact with these commands. Here are a few examples
              of the operator commands:

              Initialize a new Coffer server:

                  $ coffer operator init

              Force a Coffer server to seal:

                  $ coffer operator seal

              Please see the individual subcommand help for detailed usage information.
            """
        ),
    ]

    /// Commands the `coffer` executable handles itself (before calling the CLI), listed in
    /// help so that users find them.
    static let external: [(name: String, synopsis: String, listing: CommandListing)] = [
        ("server", "Start a Coffer server", .common),
    ]

    /// The command whose path is the longest prefix of `words`, and how many words it used.
    static func lookup(_ words: [String]) -> (command: any CLICommand.Type, length: Int)? {
        var best: (command: any CLICommand.Type, length: Int)? = nil
        for command in commands {
            let path = command.path
            guard path.count <= words.count, Array(words.prefix(path.count)) == path else { continue }
            if best == nil || path.count > best!.length { best = (command, path.count) }
        }
        return best
    }

    /// Subcommands directly under `prefix`, sorted by name.
    static func subcommands(of prefix: [String]) -> [any CLICommand.Type] {
        commands
            .filter { $0.path.count == prefix.count + 1 && Array($0.path.prefix(prefix.count)) == prefix }
            .sorted { $0.path.last! < $1.path.last! }
    }
}
