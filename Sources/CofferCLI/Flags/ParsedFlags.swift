/// The flags given on the command line, by canonical name. Absent flags are nil; defaults
/// are applied by the command, which knows them.
///
/// A flag given more than once keeps its last value for ``string(_:)``, ``bool(_:)`` and
/// ``int(_:)`` (Go's `flag` behaviour); ``strings(_:)`` returns every occurrence in order, for
/// the repeatable flags `vault` has (`-policy=a -policy=b`, `-metadata k=v`).
struct ParsedFlags: Sendable {
    enum Value: Sendable, Equatable {
        case bool(Bool)
        case string(String)
        case int(Int)
    }

    private(set) var values: [String: Value] = [:]
    /// Every value each flag was given, in command-line order.
    private(set) var occurrences: [String: [Value]] = [:]

    init(_ values: [String: Value] = [:]) {
        self.values = values
        self.occurrences = values.mapValues { [$0] }
    }

    mutating func set(_ name: String, _ value: Value) {
        values[name] = value
        occurrences[name, default: []].append(value)
    }

    func isSet(_ name: String) -> Bool { values[name] != nil }

    func string(_ name: String) -> String? {
        if case .string(let value)? = values[name] { return value }
        return nil
    }

    func bool(_ name: String) -> Bool? {
        if case .bool(let value)? = values[name] { return value }
        return nil
    }

    func int(_ name: String) -> Int? {
        if case .int(let value)? = values[name] { return value }
        return nil
    }

    /// Every string value the flag was given, in order; empty when absent.
    func strings(_ name: String) -> [String] {
        (occurrences[name] ?? []).compactMap { value in
            if case .string(let text) = value { return text }
            return nil
        }
    }
}
