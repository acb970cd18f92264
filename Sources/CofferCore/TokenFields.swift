import CofferJSON
import CofferLogical

/// Typed access to a token endpoint's request members, accepting the loose forms Vault
/// accepts (numbers as strings, `"true"`, comma-separated lists), with Vault-style
/// messages that name the field, never its value.
struct TokenFields {
    let data: [String: JSONValue]

    init(_ data: [String: JSONValue]) { self.data = data }

    /// Whether the member is present and not null.
    func has(_ key: String) -> Bool {
        guard let value = data[key] else { return false }
        return !value.isNull
    }

    func string(_ key: String, maxLength: Int = 4096) throws -> String? {
        guard let value = data[key], !value.isNull else { return nil }
        let text: String
        switch value {
        case .string(let s): text = s
        case .int(let n): text = String(n)
        case .bool(let b): text = b ? "true" : "false"
        default: throw LogicalError.invalidRequest("\(key) must be a string")
        }
        guard text.utf8.count <= maxLength else {
            throw LogicalError.invalidRequest("\(key) is longer than \(maxLength) bytes")
        }
        return text
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = data[key], !value.isNull else { return nil }
        switch value {
        case .bool(let b): return b
        case .int(let n) where n == 0 || n == 1: return n == 1
        case .string(let s):
            switch s.lowercased() {
            case "true", "t", "1": return true
            case "false", "f", "0": return false
            case "": return nil
            default: break
            }
        default: break
        }
        throw LogicalError.invalidRequest("\(key) must be a boolean")
    }

    func int(_ key: String) throws -> Int64? {
        guard let value = data[key], !value.isNull else { return nil }
        if let n = value.intValue { return n }
        if let s = value.stringValue {
            if s.isEmpty { return nil }
            if let n = Int64(s) { return n }
        }
        throw LogicalError.invalidRequest("\(key) must be an integer")
    }

    /// Seconds, from an integer or a Go-style duration string; negative values are refused
    /// with Vault's "<name> must be positive".
    func duration(_ key: String) throws -> Int64? {
        guard let value = data[key], !value.isNull else { return nil }
        do {
            return try VaultDuration.seconds(value)
        } catch let error where error.code == .negative {
            throw LogicalError.invalidRequest("\(key) must be positive")
        } catch {
            throw LogicalError.invalidRequest("\(key): invalid duration")
        }
    }

    /// A list of strings: a JSON array of strings, or one comma-separated string.
    func stringList(_ key: String, maxCount: Int = TokenEntry.maxPolicies) throws -> [String]? {
        guard let value = data[key], !value.isNull else { return nil }
        let items: [String]
        if let list = value.stringArrayValue {
            items = list
        } else if let text = value.stringValue {
            items = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        } else {
            throw LogicalError.invalidRequest("\(key) must be a list of strings")
        }
        guard items.count <= maxCount else {
            throw LogicalError.invalidRequest("\(key) has more than \(maxCount) entries")
        }
        return items
    }

    /// A map of strings; scalar values are converted as Vault's weak decoding does.
    func stringMap(_ key: String, maxCount: Int, maxKeyLength: Int = 128, maxValueLength: Int = 1024) throws -> [String: String]? {
        guard let value = data[key], !value.isNull else { return nil }
        guard let object = value.objectValue else {
            throw LogicalError.invalidRequest("\(key) must be a map of strings")
        }
        guard object.count <= maxCount else {
            throw LogicalError.invalidRequest("\(key) has more than \(maxCount) entries")
        }
        var result: [String: String] = [:]
        for (name, member) in object {
            let text: String
            switch member {
            case .string(let s): text = s
            case .int(let n): text = String(n)
            case .bool(let b): text = b ? "true" : "false"
            case .null: text = ""
            default: throw LogicalError.invalidRequest("\(key) must be a map of strings")
            }
            guard name.utf8.count <= maxKeyLength, text.utf8.count <= maxValueLength else {
                throw LogicalError.invalidRequest(
                    "\(key) keys are limited to \(maxKeyLength) bytes and values to \(maxValueLength) bytes"
                )
            }
            result[name] = text
        }
        return result
    }
}
