import CofferJSON
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads one stored auth-method record: a JSON object whose `format` member says how to
/// read the rest. Every accessor fails closed with ``AuthMethodError`` instead of
/// defaulting, so a record written by a newer version, or damaged, is never
/// half-understood. Error details name members, never their values.
struct AuthRecord {
    /// The only record format this code writes and reads.
    static let currentFormat: Int64 = 1

    let key: String
    let members: [String: JSONValue]

    /// Parses `bytes` stored at `key` and checks the format.
    init(bytes: [UInt8], key: String) throws(AuthMethodError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw AuthMethodError(.corrupt, key: key, detail: "not JSON")
        }
        try self.init(value: value, key: key)
    }

    /// Checks an already parsed record.
    init(value: JSONValue, key: String) throws(AuthMethodError) {
        self.key = key
        guard case .object(let members) = value else {
            throw AuthMethodError(.corrupt, key: key, detail: "not a JSON object")
        }
        self.members = members
        guard case .int(let number)? = members["format"] else {
            throw AuthMethodError(.corrupt, key: key, detail: "no format member")
        }
        guard number == Self.currentFormat else {
            throw AuthMethodError(.unsupportedFormat, key: key, detail: "format \(number)")
        }
    }

    /// A record's members with the current `format` stamped in.
    static func encode(_ members: [String: JSONValue]) -> [UInt8] {
        JSONWriter.bytes(object(members))
    }

    /// The same, as a value to nest or to write.
    static func object(_ members: [String: JSONValue]) -> JSONValue {
        var members = members
        members["format"] = .int(currentFormat)
        return .object(members)
    }

    func int(_ name: String) throws(AuthMethodError) -> Int64 {
        guard case .int(let number)? = members[name] else { throw missing(name, "an integer") }
        return number
    }

    func bool(_ name: String) throws(AuthMethodError) -> Bool {
        guard case .bool(let flag)? = members[name] else { throw missing(name, "a boolean") }
        return flag
    }

    func string(_ name: String) throws(AuthMethodError) -> String {
        guard case .string(let text)? = members[name] else { throw missing(name, "a string") }
        return text
    }

    func strings(_ name: String) throws(AuthMethodError) -> [String] {
        guard let list = members[name]?.stringArrayValue else { throw missing(name, "a list of strings") }
        return list
    }

    func object(_ name: String) throws(AuthMethodError) -> [String: JSONValue] {
        guard case .object(let object)? = members[name] else { throw missing(name, "an object") }
        return object
    }

    func stringMap(_ name: String) throws(AuthMethodError) -> [String: String] {
        var map: [String: String] = [:]
        for (key, value) in try object(name) {
            guard case .string(let text) = value else { throw missing(name, "a map of strings") }
            map[key] = text
        }
        return map
    }

    /// Base64 bytes whose length lies in `bounds`.
    func bytes(_ name: String, count bounds: ClosedRange<Int>) throws(AuthMethodError) -> [UInt8] {
        guard case .string(let text)? = members[name], let data = Data(base64Encoded: text), bounds.contains(data.count) else {
            throw missing(name, "base64 of \(bounds.lowerBound)...\(bounds.upperBound) bytes")
        }
        return Array(data)
    }

    /// A nested record (itself with a `format`) under `name`.
    func record(_ name: String) throws(AuthMethodError) -> AuthRecord {
        guard let value = members[name] else { throw missing(name, "a record") }
        return try AuthRecord(value: value, key: key + "#" + name)
    }

    func missing(_ name: String, _ expected: String) -> AuthMethodError {
        AuthMethodError(.corrupt, key: key, detail: "member \(name) is not \(expected)")
    }

    static func base64(_ bytes: [UInt8]) -> JSONValue {
        .string(Data(bytes).base64EncodedString())
    }
}

extension AuthRecord {
    /// A nested object that has no `format` of its own (it is versioned by its parent).
    init(unchecked members: [String: JSONValue], key: String) {
        self.key = key
        self.members = members
    }
}
