public import CofferJSON

/// One row of a mount table (`core/mounts`, `core/local-mounts`).
///
/// Stored as JSON through the barrier, with a `version` so a later format can be told
/// apart. Fields mirror what `sys/mounts` reports.
public struct MountEntry: Sendable, Hashable {
    /// Mount path with a trailing slash: `secret/`, `sys/`.
    public var path: String
    public var type: String
    public var description: String
    public var uuid: String
    public var accessor: String
    public var local: Bool
    public var sealWrap: Bool
    public var options: [String: String]
    /// 0 means "use the system default".
    public var defaultLeaseTTL: Int64
    public var maxLeaseTTL: Int64

    public init(
        path: String, type: String, description: String = "", uuid: String, accessor: String,
        local: Bool = false, sealWrap: Bool = false, options: [String: String] = [:],
        defaultLeaseTTL: Int64 = 0, maxLeaseTTL: Int64 = 0
    ) {
        self.path = path
        self.type = type
        self.description = description
        self.uuid = uuid
        self.accessor = accessor
        self.local = local
        self.sealWrap = sealWrap
        self.options = options
        self.defaultLeaseTTL = defaultLeaseTTL
        self.maxLeaseTTL = maxLeaseTTL
    }

    /// The storage prefix this mount's data lives under.
    public var storagePrefix: String { StorageKeys.mountData(uuid: uuid) }

    /// As `sys/mounts` reports it.
    public var apiValue: JSONValue {
        .object([
            "type": .string(type),
            "description": .string(description),
            "accessor": .string(accessor),
            "uuid": .string(uuid),
            "local": .bool(local),
            "seal_wrap": .bool(sealWrap),
            "external_entropy_access": .bool(false),
            "options": options.isEmpty ? .null : .object(options.mapValues { .string($0) }),
            "plugin_version": "",
            "running_plugin_version": "",
            "running_sha256": "",
            "config": .object([
                "default_lease_ttl": .int(defaultLeaseTTL),
                "max_lease_ttl": .int(maxLeaseTTL),
                "force_no_cache": .bool(false),
            ]),
        ])
    }
}

extension MountEntry {
    static let storageVersion: Int64 = 1

    var storageValue: JSONValue {
        .object([
            "path": .string(path), "type": .string(type), "description": .string(description),
            "uuid": .string(uuid), "accessor": .string(accessor), "local": .bool(local),
            "seal_wrap": .bool(sealWrap), "options": .object(options.mapValues { .string($0) }),
            "default_lease_ttl": .int(defaultLeaseTTL), "max_lease_ttl": .int(maxLeaseTTL),
        ])
    }

    init(storageValue v: JSONValue) throws {
        guard let path = v["path"]?.stringValue, let type = v["type"]?.stringValue,
            let uuid = v["uuid"]?.stringValue, let accessor = v["accessor"]?.stringValue
        else { throw CoreError.corrupt("mount table entry is missing a field") }
        self.init(
            path: path, type: type, description: v["description"]?.stringValue ?? "", uuid: uuid,
            accessor: accessor, local: v["local"]?.boolValue ?? false, sealWrap: v["seal_wrap"]?.boolValue ?? false,
            options: (v["options"]?.objectValue ?? [:]).compactMapValues { $0.stringValue },
            defaultLeaseTTL: v["default_lease_ttl"]?.intValue ?? 0, maxLeaseTTL: v["max_lease_ttl"]?.intValue ?? 0
        )
    }
}

/// A mount table as persisted: `{"version":1,"entries":[...]}`.
struct MountTableRecord {
    var entries: [MountEntry]

    var storageValue: JSONValue {
        .object(["version": .int(MountEntry.storageVersion), "entries": .array(entries.map(\.storageValue))])
    }

    init(entries: [MountEntry]) { self.entries = entries }

    init(storageValue v: JSONValue) throws {
        guard let version = v["version"]?.intValue, version == MountEntry.storageVersion else {
            throw CoreError.corrupt("mount table has an unknown format version")
        }
        entries = try (v["entries"]?.arrayValue ?? []).map(MountEntry.init(storageValue:))
    }
}
