/// How a command prints its result: `-format`, else `VAULT_FORMAT` (then `COFFER_FORMAT`),
/// else table. `vault`'s yaml and pretty formats are not offered.
enum OutputFormat: String, Sendable, CaseIterable {
    case table
    case json

    static func resolve(flags: ParsedFlags, context: CLIContext) throws(CLIError) -> OutputFormat {
        let text = flags.string("format").flatMap { $0.isEmpty ? nil : $0 } ?? context.setting("FORMAT") ?? "table"
        guard let format = OutputFormat(rawValue: text.lowercased()) else {
            throw CLIError(.usage, "Invalid output format: \(text)")
        }
        return format
    }
}
