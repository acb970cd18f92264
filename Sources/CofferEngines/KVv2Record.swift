import CofferJSON

/// Reads one stored KV v2 record: a JSON object whose `format` member says how to read
/// the rest. Every accessor fails closed with ``KVv2StorageError`` rather than defaulting,
/// so a record written by a newer version, or damaged, is never half-understood.
struct KVv2Record {
    /// The only record format this code writes and reads.
    static let currentFormat: Int64 = 1

    let key: String
    let members: [String: JSONValue]

    /// Parses `bytes` stored at `key` and checks the format.
    init(bytes: [UInt8], key: String) throws(KVv2StorageError) {
        self.key = key
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw KVv2StorageError(.corrupt, key: key, detail: "not JSON")
        }
        guard case .object(let members) = value else {
            throw KVv2StorageError(.corrupt, key: key, detail: "not a JSON object")
        }
        self.members = members
        guard let format = members["format"], case .int(let number) = format else {
            throw KVv2StorageError(.corrupt, key: key, detail: "no format member")
        }
        guard number == Self.currentFormat else {
            throw KVv2StorageError(.unsupportedFormat, key: key, detail: "format \(number)")
        }
    }

    /// A record's members with the current `format` stamped in.
    static func encode(_ members: [String: JSONValue]) -> [UInt8] {
        var members = members
        members["format"] = .int(currentFormat)
        return JSONWriter.bytes(.object(members))
    }

    func int(_ name: String) throws(KVv2StorageError) -> Int64 {
        guard case .int(let number)? = members[name] else { throw missing(name, "an integer") }
        return number
    }

    func bool(_ name: String) throws(KVv2StorageError) -> Bool {
        guard case .bool(let flag)? = members[name] else { throw missing(name, "a boolean") }
        return flag
    }

    func object(_ name: String) throws(KVv2StorageError) -> [String: JSONValue] {
        guard case .object(let object)? = members[name] else { throw missing(name, "an object") }
        return object
    }

    /// An integer member that may be `null`.
    func optionalInt(_ name: String) throws(KVv2StorageError) -> Int64? {
        switch members[name] {
        case .int(let number)?: return number
        case .null?: return nil
        default: throw missing(name, "an integer or null")
        }
    }

    func missing(_ name: String, _ expected: String) -> KVv2StorageError {
        KVv2StorageError(.corrupt, key: key, detail: "member \(name) is not \(expected)")
    }
}
