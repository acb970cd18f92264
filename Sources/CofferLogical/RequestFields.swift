public import CofferJSON

/// Typed access to request data with Vault's leniency (numbers sent as strings, lists
/// as comma-separated strings, `null` as absent) and one wording for type errors (400).
public struct RequestFields: Sendable {
    public let data: [String: JSONValue]

    public init(_ data: [String: JSONValue]) {
        self.data = data
    }

    /// The member unless absent or `null`.
    public func value(_ name: String) -> JSONValue? {
        guard let v = data[name], !v.isNull else { return nil }
        return v
    }

    public func string(_ name: String) throws -> String? {
        guard let v = value(name) else { return nil }
        if let s = v.stringValue { return s }
        if let n = v.intValue { return String(n) }
        throw LogicalError.invalidRequest("\(name) must be a string")
    }

    public func bool(_ name: String) throws -> Bool? {
        guard let v = value(name) else { return nil }
        if let b = v.boolValue { return b }
        if let s = v.stringValue {
            switch s.lowercased() {
            case "true", "1", "t": return true
            case "false", "0", "f", "": return false
            default: break
            }
        }
        if let n = v.intValue { return n != 0 }
        throw LogicalError.invalidRequest("\(name) must be a boolean")
    }

    public func int(_ name: String) throws -> Int64? {
        guard let v = value(name) else { return nil }
        if let n = v.intValue { return n }
        if let s = v.stringValue, let n = Int64(s) { return n }
        throw LogicalError.invalidRequest("\(name) must be an integer")
    }

    /// A TTL in seconds: integer seconds, or a duration string (`"30m"`, `"768h"`).
    /// `""` and `"system"` mean 0 (the default).
    public func duration(_ name: String) throws -> Int64? {
        guard let v = value(name) else { return nil }
        if let s = v.stringValue, s.isEmpty || s == "system" { return 0 }
        guard let seconds = VaultDuration.parseSeconds(v), seconds >= 0 else {
            throw LogicalError.invalidRequest("invalid \(name): it must be a number of seconds or a duration such as \"30m\"")
        }
        return seconds
    }

    /// A list of strings: a JSON array, or a comma-separated string (Vault accepts both).
    public func stringList(_ name: String) throws -> [String]? {
        guard let v = value(name) else { return nil }
        if let s = v.stringValue {
            return s.split(separator: ",").map { Whitespace.trim($0) }.filter { !$0.isEmpty }
        }
        guard let items = v.arrayValue else { throw LogicalError.invalidRequest("\(name) must be a list of strings") }
        return try items.map {
            guard let s = $0.stringValue else { throw LogicalError.invalidRequest("\(name) must be a list of strings") }
            return s
        }
    }

    /// A string-to-string map (metadata, options).
    public func stringMap(_ name: String) throws -> [String: String]? {
        guard let v = value(name) else { return nil }
        guard let object = v.objectValue else { throw LogicalError.invalidRequest("\(name) must be an object") }
        var out: [String: String] = [:]
        for (key, member) in object {
            if let s = member.stringValue { out[key] = s }
            else if let n = member.intValue { out[key] = String(n) }
            else if let b = member.boolValue { out[key] = String(b) }
            else { throw LogicalError.invalidRequest("\(name).\(key) must be a string") }
        }
        return out
    }
}
