/// A parsed HCL (or JSON) document: a tree of ordered objects.
///
/// The model follows HCL v1, which Vault uses for server configuration and ACL policies.
/// A block is sugar for a nested object: each label opens one more level, so
///
/// ```hcl
/// path "secret/*" { capabilities = ["read"] }
/// ```
///
/// is the entry `path = { "secret/*" = { capabilities = ["read"] } }`, exactly what the
/// JSON form `{"path": {"secret/*": {"capabilities": ["read"]}}}` gives. Repeated keys and
/// repeated blocks are kept, in source order, as separate entries; decoders decide
/// whether they accumulate (blocks) or the last one wins (scalars). JSON documents may
/// also write a repeated block as an array of objects (`"listener": [{"tcp": {...}}]`);
/// ``HCLValue/objectList`` and ``HCLObject/blocks(named:)`` flatten both shapes.
public struct HCLObject: Sendable, Equatable {
    /// The entries in source order, duplicates included.
    public var entries: [HCLEntry]

    public init(_ entries: [HCLEntry] = []) {
        self.entries = entries
    }
}

/// One `key = value` (or one block) of an ``HCLObject``, with where its key was written.
public struct HCLEntry: Sendable, Equatable {
    public var key: String
    public var value: HCLValue
    /// 1-based line of the key in the source text (0 if built in code).
    public var line: Int
    /// 1-based column (in Unicode scalars) of the key in the source text (0 if built in code).
    public var column: Int

    public init(key: String, value: HCLValue, line: Int = 0, column: Int = 0) {
        self.key = key
        self.value = value
        self.line = line
        self.column = column
    }
}

/// A value in an HCL tree. `null` only comes from JSON input; HCL syntax has no null.
public enum HCLValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case list([HCLValue])
    case object(HCLObject)
    case null
}

extension HCLObject {
    /// The same tree with every position set to 0, for comparing documents by content
    /// (an HCL file and its JSON equivalent differ only in positions).
    public func strippingPositions() -> HCLObject {
        HCLObject(entries.map { HCLEntry(key: $0.key, value: $0.value.strippingPositions()) })
    }
}

extension HCLValue {
    /// The same value with every position in nested objects set to 0.
    public func strippingPositions() -> HCLValue {
        switch self {
        case .object(let object): return .object(object.strippingPositions())
        case .list(let items): return .list(items.map { $0.strippingPositions() })
        default: return self
        }
    }
}
