/// The flags given on the command line, by canonical name. Absent flags are nil; defaults
/// are applied by the command, which knows them.
struct ParsedFlags: Sendable {
    enum Value: Sendable, Equatable {
        case bool(Bool)
        case string(String)
        case int(Int)
    }

    private(set) var values: [String: Value] = [:]

    init(_ values: [String: Value] = [:]) {
        self.values = values
    }

    mutating func set(_ name: String, _ value: Value) {
        values[name] = value
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
}
