public import CofferJSON

/// One block read by ``HCLObject/blocks(named:)``: `listener "tcp" { ... }` has the label
/// `"tcp"`; `replication { ... }` has none.
public struct HCLBlock: Sendable, Equatable {
    public var label: String?
    public var body: HCLObject
    /// Line of the block's label (or of its keyword when it has no label).
    public var line: Int

    public init(label: String?, body: HCLObject, line: Int) {
        self.label = label
        self.body = body
        self.line = line
    }
}

extension HCLObject {
    /// The keys in source order, with duplicates.
    public var keys: [String] { entries.map(\.key) }

    /// Every entry whose key is `key`, in source order.
    public func entries(named key: String) -> [HCLEntry] {
        entries.filter { $0.key == key }
    }

    /// The last entry named `key` (the one that wins for scalar settings, as in HCL v1).
    public func entry(named key: String) -> HCLEntry? {
        entries.last { $0.key == key }
    }

    /// The value of the last entry named `key`.
    public subscript(key: String) -> HCLValue? {
        entry(named: key)?.value
    }

    /// The first entry whose key is not in `allowed`, for "unknown key" errors.
    public func firstUnknownEntry(allowed: Set<String>) -> HCLEntry? {
        entries.first { !allowed.contains($0.key) }
    }

    /// The labelled blocks named `key`, flattened across every shape Vault accepts:
    /// repeated HCL blocks (`listener "tcp" {}` twice), one JSON object with several
    /// labels (`"listener": {"tcp": {}, "unix": {}}`), and a JSON array of such objects
    /// (`"listener": [{"tcp": {}}]`). Each label's body may itself be an object or a list
    /// of objects (one block each).
    ///
    /// Throws a `.shape` error naming `key` and the line when a value is not an object.
    public func blocks(named key: String) throws(HCLError) -> [HCLBlock] {
        var blocks: [HCLBlock] = []
        for entry in entries(named: key) {
            guard let objects = entry.value.objectList else {
                throw HCLError(
                    code: .shape, line: entry.line, column: entry.column,
                    message: "\"\(key)\" must be a block, found \(entry.value.kindDescription)")
            }
            for object in objects {
                for labelled in object.entries {
                    guard let bodies = labelled.value.objectList else {
                        throw HCLError(
                            code: .shape, line: labelled.line, column: labelled.column,
                            message: "\"\(key)\" block \"\(labelled.key)\" must have a body, found \(labelled.value.kindDescription)")
                    }
                    for body in bodies {
                        blocks.append(HCLBlock(label: labelled.key, body: body, line: labelled.line))
                    }
                }
            }
        }
        return blocks
    }

    /// The unlabelled blocks named `key` (`replication { ... }`, or in JSON an object or
    /// an array of objects). Throws a `.shape` error when a value is not an object.
    public func unlabelledBlocks(named key: String) throws(HCLError) -> [HCLBlock] {
        var blocks: [HCLBlock] = []
        for entry in entries(named: key) {
            guard let objects = entry.value.objectList else {
                throw HCLError(
                    code: .shape, line: entry.line, column: entry.column,
                    message: "\"\(key)\" must be a block, found \(entry.value.kindDescription)")
            }
            blocks.append(contentsOf: objects.map { HCLBlock(label: nil, body: $0, line: entry.line) })
        }
        return blocks
    }

    /// The object as JSON; a key that occurs more than once becomes an array of its
    /// values in source order.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [:]
        var repeated: [String: [JSONValue]] = [:]
        for entry in entries {
            let value = entry.value.jsonValue
            if let existing = repeated[entry.key] {
                repeated[entry.key] = existing + [value]
            } else if let first = members[entry.key] {
                repeated[entry.key] = [first, value]
            } else {
                members[entry.key] = value
            }
        }
        for (key, values) in repeated { members[key] = .array(values) }
        return .object(members)
    }
}
