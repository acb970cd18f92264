import CofferJSON

/// The value of a duration flag (`-ttl=1h`, `-default-lease-ttl=30m`, `-increment=3600`),
/// read as `vault` reads them: a Go duration, a whole number of seconds, or a number of days
/// (`7d`); `system` asks for the server's default.
enum DurationFlag: Sendable, Equatable {
    /// The flag was not given.
    case unset
    /// `-flag=system`.
    case system
    case seconds(Int64)

    /// Reads flag `name` from `flags`. Throws a usage error worded like Go's `flag` package.
    init(_ name: String, in flags: ParsedFlags) throws(CLIError) {
        guard let text = flags.string(name) else {
            self = .unset
            return
        }
        if text == "system" {
            self = .system
            return
        }
        guard let seconds = VaultDuration.parseSeconds(text) else {
            throw CLIError(.usage, "invalid value \"\(text)\" for flag -\(name): time: invalid duration \"\(text)\"")
        }
        self = .seconds(seconds)
    }

    /// The value as the API takes it: Go's `Duration.String()` (`1h0m0s`), `system`, or nil
    /// when unset.
    var apiValue: String? {
        switch self {
        case .unset: return nil
        case .system: return "system"
        case .seconds(let seconds): return VaultDuration.goString(seconds: seconds)
        }
    }

    /// Whole seconds; 0 when unset or `system`.
    var seconds: Int64 {
        if case .seconds(let seconds) = self { return seconds }
        return 0
    }
}

extension ParsedFlags {
    /// A repeatable list flag (`-policy=a -policy=b`): every occurrence, trimmed, as `vault`'s
    /// string-slice flags keep them (no splitting on commas).
    func list(_ name: String) -> [String] {
        strings(name).map { $0.trimmingWhitespace() }
    }

    /// A repeatable `key=value` flag (`-metadata k=v`, `-options version=2`); a repeated key
    /// keeps its last value. Throws a usage error for an occurrence without `=`.
    func keyValues(_ name: String) throws(CLIError) -> [String: String] {
        var result: [String: String] = [:]
        for entry in strings(name) {
            guard let equals = entry.firstIndex(of: "=") else {
                throw CLIError(
                    .usage,
                    "invalid value \"\(entry)\" for flag -\(name): missing = in KV pair: \"\(entry)\"")
            }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }
}
