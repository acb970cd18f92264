/// Help screens: the top-level listing, group listings, and per-command help with its flags.
enum HelpText {
    /// `coffer -h`: commands in two sections, as `vault` shows them.
    static func topLevel() -> String {
        var common: [(String, String)] = []
        var other: [(String, String)] = []
        for command in CommandRegistry.commands where command.path.count == 1 {
            let entry = (command.path[0], command.synopsis)
            if command.listing == .common { common.append(entry) } else { other.append(entry) }
        }
        for (name, info) in CommandRegistry.groups {
            other.append((name, info.synopsis))
        }
        for external in CommandRegistry.external {
            let entry = (external.name, external.synopsis)
            if external.listing == .common { common.append(entry) } else { other.append(entry) }
        }
        let width = (common + other).map(\.0.count).max() ?? 0
        func section(_ title: String, _ entries: [(String, String)]) -> String {
            let lines = entries.sorted { $0.0 < $1.0 }.map { name, synopsis in
                "    " + name + String(repeating: " ", count: width - name.count) + "    " + synopsis
            }
            return title + ":\n" + lines.joined(separator: "\n")
        }
        return """
            Usage: coffer <command> [args]

            \(section("Common commands", common))

            \(section("Other commands", other))
            """
    }

    /// `coffer operator`: the group's description and its subcommands.
    static func group(_ name: String) -> String {
        let subcommands = CommandRegistry.subcommands(of: [name])
        let width = subcommands.map { $0.path.last!.count }.max() ?? 0
        let lines = subcommands.map { command in
            let sub = command.path.last!
            return "    " + sub + String(repeating: " ", count: width - sub.count) + "    " + command.synopsis
        }
        let description = CommandRegistry.groups[name]?.help ?? "Usage: coffer \(name) <subcommand> [options] [args]"
        return description + "\n\nSubcommands:\n" + lines.joined(separator: "\n")
    }

    /// A command's help: its text, then each flag group.
    static func command(_ command: any CLICommand.Type) -> String {
        var text = command.help
        for group in command.flagGroups where !group.flags.isEmpty {
            text += "\n\n" + group.title + ":\n"
            for flag in group.flags.sorted(by: { $0.name < $1.name }) {
                var usage = flag.usage
                if let defaultText = flag.defaultText, flag.kind != .bool {
                    usage += " The default is \(defaultText)."
                }
                let spelling: String
                switch flag.kind {
                case .bool: spelling = "-\(flag.name)"
                case .string: spelling = "-\(flag.name)=<string>"
                case .int: spelling = "-\(flag.name)=<int>"
                }
                let aliases = flag.aliases.map { ", -\($0)" }.joined()
                text += "\n  \(spelling)\(aliases)\n" + TextWrap.wrap(usage, padding: 6) + "\n"
            }
        }
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
