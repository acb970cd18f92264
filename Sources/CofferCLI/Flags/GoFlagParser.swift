/// Parses flags the way Go's `flag` package (and so `vault`) does:
///
/// - flags come first; the first argument that is not a flag, a lone `-`, or anything after
///   `--` starts the positional arguments;
/// - `-name` and `--name` are the same; values are given as `-name=value` or `-name value`;
///   booleans take no separate value (`-force`, `-force=false`);
/// - `-h`, `-help`, `--help` ask for help;
/// - a repeated flag keeps its last value.
///
/// Flags written after the positional arguments are not parsed; like `vault` 1.15+, the
/// parser reports them so the caller can warn.
struct GoFlagParser {
    struct Result: Sendable {
        var flags: ParsedFlags
        var positionals: [String]
        /// Arguments after the first positional that look like known flags.
        var misplacedFlags: [String]
    }

    let specs: [FlagSpec]

    init(_ specs: [FlagSpec]) {
        self.specs = specs
    }

    init(groups: [FlagGroup]) {
        self.init(groups.flatMap(\.flags))
    }

    /// Throws ``CLIError`` with code `.usage` for unknown flags and bad values, `.helpRequested` for `-h`.
    func parse(_ arguments: [String]) throws(CLIError) -> Result {
        var flags = ParsedFlags()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                index += 1
                break
            }
            guard argument.count > 1, argument.hasPrefix("-") else { break }
            var body = Substring(argument.dropFirst())
            if body.hasPrefix("-") { body = body.dropFirst() }
            guard !body.isEmpty, !body.hasPrefix("-"), !body.hasPrefix("=") else {
                throw CLIError(.usage, "bad flag syntax: \(argument)")
            }
            let name: Substring
            let inlineValue: Substring?
            if let equals = body.firstIndex(of: "=") {
                name = body[..<equals]
                inlineValue = body[body.index(after: equals)...]
            } else {
                name = body
                inlineValue = nil
            }
            if name == "h" || name == "help" {
                throw CLIError(.helpRequested, "help requested")
            }
            guard let spec = lookup(String(name)) else {
                throw CLIError(.usage, "flag provided but not defined: -\(name)")
            }
            index += 1
            switch spec.kind {
            case .bool:
                if let inlineValue {
                    guard let value = GoFlagParser.parseBool(String(inlineValue)) else {
                        throw CLIError(.usage, "invalid boolean value \"\(inlineValue)\" for -\(name): parse error")
                    }
                    flags.set(spec.name, .bool(value))
                } else {
                    flags.set(spec.name, .bool(true))
                }
            case .string, .int:
                let text: String
                if let inlineValue {
                    text = String(inlineValue)
                } else {
                    guard index < arguments.count else {
                        throw CLIError(.usage, "flag needs an argument: -\(name)")
                    }
                    text = arguments[index]
                    index += 1
                }
                if spec.kind == .int {
                    guard let value = Int(text) else {
                        throw CLIError(.usage, "invalid value \"\(text)\" for flag -\(name): parse error")
                    }
                    flags.set(spec.name, .int(value))
                } else {
                    flags.set(spec.name, .string(text))
                }
            }
        }
        let positionals = Array(arguments[min(index, arguments.count)...])
        let misplaced = positionals.filter { argument in
            guard argument.count > 1, argument.hasPrefix("-"), argument != "--" else { return false }
            var body = Substring(argument.dropFirst())
            if body.hasPrefix("-") { body = body.dropFirst() }
            let name = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return name == "h" || name == "help" || lookup(String(name)) != nil
        }
        return Result(flags: flags, positionals: positionals, misplacedFlags: misplaced)
    }

    func lookup(_ name: String) -> FlagSpec? {
        specs.first { $0.spellings.contains(name) }
    }

    /// Go's `strconv.ParseBool`.
    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: return nil
        }
    }
}
