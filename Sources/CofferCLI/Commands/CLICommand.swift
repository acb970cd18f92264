/// One `coffer` command. Adding a command is one new file with a type conforming to this
/// protocol, plus its name in ``CommandRegistry/commands``.
///
/// The runner parses the command's flags (``flagGroups``), handles `-h`, resolves the output
/// format when the command has `-format`, then calls ``run(_:)`` and shuts the API client
/// down afterwards.
protocol CLICommand: Sendable {
    /// The words after `coffer`: `["read"]`, `["operator", "init"]`.
    static var path: [String] { get }
    /// One line for command listings.
    static var synopsis: String { get }
    /// `Usage: ...` line and description; the flag sections are appended by the runner.
    static var help: String { get }
    /// Flags, grouped for help. Include ``FlagGroup/http`` for commands that call the server.
    static var flagGroups: [FlagGroup] { get }
    /// Where a top-level command is listed in `coffer -h`.
    static var listing: CommandListing { get }
    /// Runs the command; returns the exit status (0 ok, 1 local or usage error, 2 server error).
    static func run(_ run: CommandRun) async -> Int32
}

extension CLICommand {
    static var name: String { path.joined(separator: " ") }
    static var listing: CommandListing { .other }
}

/// The section of the top-level help a command appears in.
enum CommandListing: Sendable {
    case common
    case other
}
