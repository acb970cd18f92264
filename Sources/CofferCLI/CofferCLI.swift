/// Runs the `vault`-shaped command line for the process: arguments without the program name,
/// real environment, `$HOME`, standard streams and network. Returns the exit status.
///
/// The `coffer` executable dispatches `server` itself and hands everything else here:
///
/// ```swift
/// let arguments = Array(CommandLine.arguments.dropFirst())
/// if arguments.first == "server" { ... } else { exit(await runCofferCLI(arguments: arguments)) }
/// ```
public func runCofferCLI(arguments: [String]) async -> Int32 {
    await CofferCLI(context: .process()).run(arguments: arguments)
}

/// The command line with its outside world injected (see ``CLIContext``).
///
/// Exit statuses follow `vault`: 0 success; 1 usage or local errors (bad flags or arguments,
/// unreadable files, invalid output format, a missing `-field`); 2 errors from or reaching the
/// server (API errors, connection failures, "No value found"); `status` exits 2 when sealed;
/// 127 for an unknown command or none.
///
/// Flags are Go style (`-format=json`, `-format json`, `--format=json`, `-force`) and must
/// come before positional arguments, as in `vault`; ArgumentParser is not used because it
/// cannot parse single-dash long options with `=`.
public struct CofferCLI: Sendable {
    /// The version `coffer version` prints unless the context says otherwise.
    public static let defaultVersion = "0.1.0-dev"

    public var context: CLIContext

    public init(context: CLIContext) {
        self.context = context
    }

    /// Runs one command line (arguments after the program name) and returns its exit status.
    public func run(arguments: [String]) async -> Int32 {
        guard let first = arguments.first else {
            context.stderr.write(HelpText.topLevel() + "\n")
            return 127
        }
        switch first {
        case "-h", "-help", "--help", "help":
            context.stderr.write(HelpText.topLevel() + "\n")
            return 0
        case "-v", "-version", "--version":
            return await run(command: VersionCommand.self, arguments: [])
        default:
            break
        }
        if let external = CommandRegistry.external.first(where: { $0.name == first }) {
            context.stderr.write("The \"\(external.name)\" command is run by the coffer executable, not by the CLI library.\n")
            return 1
        }
        if let (command, length) = CommandRegistry.lookup(arguments) {
            return await run(command: command, arguments: Array(arguments.dropFirst(length)))
        }
        if CommandRegistry.groups[first] != nil {
            context.stderr.write(HelpText.group(first) + "\n")
            let wantsHelp = arguments.count == 2 && ["-h", "-help", "--help"].contains(arguments[1])
            return wantsHelp ? 0 : (arguments.count == 1 ? 1 : 127)
        }
        context.stderr.write("Unknown command: \(first)\n\n" + HelpText.topLevel() + "\n")
        return 127
    }

    private func run(command: any CLICommand.Type, arguments: [String]) async -> Int32 {
        let parsed: GoFlagParser.Result
        do {
            parsed = try GoFlagParser(groups: command.flagGroups).parse(arguments)
        } catch where error.code == .helpRequested {
            context.stderr.write(HelpText.command(command) + "\n")
            return 0
        } catch {
            context.stderr.write(error.message + "\n")
            return 1
        }
        if !parsed.misplacedFlags.isEmpty {
            context.stderr.write(
                "Command flags must be provided before positional arguments. The following arguments will not be "
                    + "parsed as flags: [\(parsed.misplacedFlags.joined(separator: ","))]\n")
        }
        var format = OutputFormat.table
        do {
            if command.flagGroups.contains(where: { $0.flags.contains { $0.name == "format" } }) {
                format = try OutputFormat.resolve(flags: parsed.flags, context: context)
            }
        } catch {
            context.stderr.write(error.message + "\n")
            return 1
        }
        let run = CommandRun(
            context: context, commandName: command.name, flags: parsed.flags, arguments: parsed.positionals, format: format)
        let status = await command.run(run)
        await run.shutdownClient()
        return status
    }
}
