import CofferJSON

/// The `k=v` data arguments of `write` (and the parameters of `read`/`delete`), with
/// `vault`'s conventions:
///
/// | argument | meaning |
/// |---|---|
/// | `key=value` | the string `value` |
/// | `key=@path` | the contents of the file at `path`, unchanged |
/// | `key=\@text` | the literal string `@text` |
/// | `key=-` | all of standard input, as a string |
/// | `-` | standard input is a JSON object, merged into the data |
/// | `key=a key=b` | a repeated key collects its values into a list `["a", "b"]` |
/// | `""` | ignored |
///
/// Standard input can be used once. Values are strings; only the JSON read from `-` keeps
/// its types.
struct KeyValueArguments {
    let stdin: any CLIInput
    var readFile: (String) throws(CLIError) -> [UInt8] = { path throws(CLIError) in try FileReader.read(path) }

    init(stdin: any CLIInput) {
        self.stdin = stdin
    }

    /// The data map; errors name the offending argument (never a value read from a file or stdin).
    func parse(_ arguments: [String]) throws(CLIError) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        var stdinUsed = false
        for argument in arguments {
            do throws(CLIError) {
                try add(argument, to: &result, stdinUsed: &stdinUsed)
            } catch {
                throw CLIError(error.code, "invalid key/value pair \"\(KeyValueArguments.redacted(argument))\": \(error.message)")
            }
        }
        return result
    }

    /// The arguments as request parameters for `read`/`delete`: list values become repeated
    /// parameters, other values their `%v` text.
    func parseQuery(_ arguments: [String]) throws(CLIError) -> [(String, String)] {
        let data = try parse(arguments)
        var query: [(String, String)] = []
        for key in data.keys.sorted() {
            switch data[key]! {
            case .array(let elements): query += elements.map { (key, GoValueFormatter.format($0)) }
            case let value: query.append((key, GoValueFormatter.format(value)))
            }
        }
        return query
    }

    private func add(_ argument: String, to result: inout [String: JSONValue], stdinUsed: inout Bool) throws(CLIError) {
        if argument.isEmpty { return }
        guard let equals = argument.firstIndex(of: "=") else {
            guard argument == "-" else { throw CLIError(.invalidInput, "format must be key=value") }
            let bytes = try readStdin(&stdinUsed)
            let parsed: JSONValue
            do {
                parsed = try JSONParser.parse(bytes)
            } catch {
                throw CLIError(.invalidInput, "invalid JSON on standard input: \(error)")
            }
            guard case .object(let members) = parsed else {
                throw CLIError(.invalidInput, "the JSON on standard input must be an object")
            }
            result.merge(members) { _, new in new }
            return
        }
        let key = String(argument[..<equals])
        var value = String(argument[argument.index(after: equals)...])
        if value.hasPrefix("@") {
            let path = String(value.dropFirst())
            do {
                value = String(decoding: try readFile(path), as: UTF8.self)
            } catch {
                throw CLIError(error.code, "error reading file: \(error.message)")
            }
        } else if value.hasPrefix("\\@") {
            value.removeFirst()
        } else if value == "-" {
            value = String(decoding: try readStdin(&stdinUsed), as: UTF8.self)
        }
        if let existing = result[key] {
            if case .array(var list) = existing {
                list.append(.string(value))
                result[key] = .array(list)
            } else {
                result[key] = .array([existing, .string(value)])
            }
        } else {
            result[key] = .string(value)
        }
    }

    private func readStdin(_ used: inout Bool) throws(CLIError) -> [UInt8] {
        guard !used else { throw CLIError(.invalidInput, "stdin already consumed") }
        used = true
        do {
            return try stdin.readAll()
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(.io, "error reading standard input: \(error)")
        }
    }

    /// The argument with its value hidden (values are often secrets).
    static func redacted(_ argument: String) -> String {
        guard let equals = argument.firstIndex(of: "=") else { return argument }
        let value = argument[argument.index(after: equals)...]
        if value.hasPrefix("@") || value == "-" { return argument }
        return String(argument[...equals]) + "<redacted>"
    }
}
