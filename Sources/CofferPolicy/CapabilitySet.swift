public import CofferLogical

/// The capabilities a path rule grants, as a bit set.
///
/// `deny` is exclusive: a rule that holds it holds nothing else (the parser and the
/// merge both enforce that), and it beats every other capability, `sudo` included.
/// `subscribe` and `recover` are accepted so that policies written for newer Vault
/// versions load, but no ``Operation`` needs them.
public struct CapabilitySet: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let deny = CapabilitySet(rawValue: 1 << 0)
    public static let create = CapabilitySet(rawValue: 1 << 1)
    public static let read = CapabilitySet(rawValue: 1 << 2)
    public static let update = CapabilitySet(rawValue: 1 << 3)
    public static let delete = CapabilitySet(rawValue: 1 << 4)
    public static let list = CapabilitySet(rawValue: 1 << 5)
    public static let sudo = CapabilitySet(rawValue: 1 << 6)
    public static let patch = CapabilitySet(rawValue: 1 << 7)
    public static let subscribe = CapabilitySet(rawValue: 1 << 8)
    public static let recover = CapabilitySet(rawValue: 1 << 9)

    /// Every capability name and its bit, in the order `sys/capabilities*` reports them
    /// (Vault's `ACL.Capabilities`): `sudo, read, list, update, delete, create, patch`,
    /// then the newer ones. `deny` is last because it is reported alone.
    static let ordered: [(name: String, bit: CapabilitySet)] = [
        ("sudo", .sudo), ("read", .read), ("list", .list), ("update", .update),
        ("delete", .delete), ("create", .create), ("patch", .patch),
        ("subscribe", .subscribe), ("recover", .recover), ("deny", .deny),
    ]

    /// The capability spelled `name` in a policy (`"read"`), or nil if there is none.
    /// Names are case-sensitive, as in Vault.
    public init?(name: String) {
        guard let entry = Self.ordered.first(where: { $0.name == name }) else { return nil }
        self = entry.bit
    }

    /// The capability an operation needs on its path: read → `read`, list → `list`,
    /// create → `create`, update → `update`, delete → `delete`, patch → `patch`.
    /// (Vault maps renew, revoke and rollback to `update`; callers pass `.update` for them.)
    public static func required(for operation: Operation) -> CapabilitySet {
        switch operation {
        case .read: return .read
        case .list: return .list
        case .create: return .create
        case .update: return .update
        case .delete: return .delete
        case .patch: return .patch
        }
    }

    /// The names of the capabilities held, in ``ordered`` order. A set holding `deny`
    /// gives `["deny"]`.
    public var names: [String] {
        if contains(.deny) { return ["deny"] }
        return Self.ordered.compactMap { contains($0.bit) ? $0.name : nil }
    }

    public var description: String { "[" + names.joined(separator: ", ") + "]" }
}
