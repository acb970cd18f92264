/// `coffer version`: the CLI's version.
enum VersionCommand: CLICommand {
    static let path = ["version"]
    static let synopsis = "Prints the Coffer CLI version"
    static let help = """
        Usage: coffer version

          Prints the version of this Coffer CLI. This does not print the target Coffer
          server version; use "coffer status" for that.
        """
    static let flagGroups: [FlagGroup] = []

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...0) { return status }
        run.output("Coffer v\(run.context.version)")
        return 0
    }
}
