import CofferClient
import CofferJSON

/// Printing plain maps (a KV v2 version's `data`, its `metadata`) the way `vault`'s
/// `OutputData` and `PrintRawField` print a `map[string]interface{}`.
extension SecretOutput {
    /// Table: a Key/Value table sorted by key, durations humanised, nothing at all for an
    /// empty map. JSON: the map, indented.
    static func printMap(_ map: [String: JSONValue], run: CommandRun) {
        switch run.format {
        case .json:
            run.printJSON(.object(map))
        case .table:
            guard !map.isEmpty else { return }
            let rows = map.keys.sorted().map { key in (key, GoValueFormatter.cell(key: key, value: map[key]!)) }
            run.output(TableFormatter.keyValueTable(rows))
        }
    }

    /// `-field` output of one value: bare (`%v`) in table format, indented JSON otherwise,
    /// without a trailing newline when piped. Exit 1 with `Field "x" not present in secret`
    /// when the value is absent or null.
    static func printFieldValue(_ value: JSONValue?, field: String, run: CommandRun) -> Int32 {
        guard let value, value != .null else {
            run.error("Field \"\(field)\" not present in secret")
            return 1
        }
        switch run.format {
        case .json: run.printRaw(JSONWriter.string(value, pretty: true))
        case .table: run.printRaw(GoValueFormatter.format(value))
        }
        return 0
    }
}
