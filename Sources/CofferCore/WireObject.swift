import CofferJSON

/// Typed reads of one JSON object of a wire or storage record. A member that is absent
/// or `null` reads as nil; a member of the wrong type is a ``WireFormatError``, so a
/// record is either read exactly or refused.
struct WireObject {
    let members: [String: JSONValue]
    /// Names the object in error messages (`response`, `auth`).
    let name: String

    init(_ value: JSONValue?, _ name: String) throws(WireFormatError) {
        guard case .object(let members)? = value else { throw .malformed("\(name) is not a JSON object") }
        self.members = members
        self.name = name
    }

    /// Parses `bytes` (at most `limit` of them) as one JSON object and checks its
    /// `version` member against `version`.
    static func parse(_ bytes: [UInt8], limit: Int, version: Int64, _ name: String) throws(WireFormatError) -> WireObject {
        guard bytes.count <= limit else { throw WireFormatError(.tooLarge, "\(name) is over \(limit) bytes") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .malformed("\(name) is not valid JSON: \(error.message)")
        }
        let object = try WireObject(value, name)
        guard let found = try object.int("version") else { throw .malformed("\(name) has no version") }
        guard found == version else {
            throw WireFormatError(.unsupportedVersion, "\(name) has version \(found); this server reads \(version)")
        }
        return object
    }

    private func present(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    private func wrongType(_ key: String, _ expected: String) -> WireFormatError {
        .malformed("\(name).\(key) is not \(expected)")
    }

    func string(_ key: String) throws(WireFormatError) -> String? {
        guard let value = present(key) else { return nil }
        guard let text = value.stringValue else { throw wrongType(key, "a string") }
        return text
    }

    func requiredString(_ key: String) throws(WireFormatError) -> String {
        guard let text = try string(key) else { throw .malformed("\(name).\(key) is missing") }
        return text
    }

    func int(_ key: String) throws(WireFormatError) -> Int64? {
        guard let value = present(key) else { return nil }
        guard case .int(let number) = value else { throw wrongType(key, "an integer") }
        return number
    }

    func bool(_ key: String) throws(WireFormatError) -> Bool? {
        guard let value = present(key) else { return nil }
        guard let flag = value.boolValue else { throw wrongType(key, "a boolean") }
        return flag
    }

    func object(_ key: String) throws(WireFormatError) -> [String: JSONValue]? {
        guard let value = present(key) else { return nil }
        guard let members = value.objectValue else { throw wrongType(key, "an object") }
        return members
    }

    func strings(_ key: String) throws(WireFormatError) -> [String]? {
        guard let value = present(key) else { return nil }
        guard let list = value.stringArrayValue else { throw wrongType(key, "an array of strings") }
        return list
    }

    func stringMap(_ key: String) throws(WireFormatError) -> [String: String]? {
        guard let members = try object(key) else { return nil }
        var map: [String: String] = [:]
        for (member, value) in members {
            guard let text = value.stringValue else { throw wrongType(key, "an object of strings") }
            map[member] = text
        }
        return map
    }
}
