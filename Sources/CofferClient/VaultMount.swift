public import CofferJSON

/// One enabled secrets engine as `GET sys/mounts` lists it (the Go client's `MountOutput`).
///
/// Absent fields read as their zero value; ``raw`` keeps the entry as the server sent it.
public struct VaultMount: Sendable, Equatable {
    /// Engine type, e.g. `kv`, `cubbyhole`, `system`.
    public var type: String
    /// The human-friendly description given when the engine was enabled.
    public var description: String
    /// The mount accessor (`kv_1a2b3c4d`).
    public var accessor: String
    public var uuid: String
    /// Local-only (not replicated).
    public var local: Bool
    public var sealWrap: Bool
    public var externalEntropyAccess: Bool
    /// `options` (`{"version": "2"}` for KV v2); nil when the server sent none or null.
    public var options: [String: JSONValue]?
    /// `config.default_lease_ttl` in seconds; 0 means the system default.
    public var defaultLeaseTTL: Int64
    /// `config.max_lease_ttl` in seconds; 0 means the system default.
    public var maxLeaseTTL: Int64
    /// `config.force_no_cache`.
    public var forceNoCache: Bool
    /// `config.plugin_name`, set for `type: plugin` mounts.
    public var pluginName: String
    /// Plugin version details (`plugin_version`, `running_plugin_version`, `running_sha256`,
    /// `deprecation_status`); "" when the server reports none.
    public var pluginVersion: String
    public var runningPluginVersion: String
    public var runningSHA256: String
    public var deprecationStatus: String
    /// The entry as the server sent it.
    public var raw: JSONValue

    /// Reads one entry of the listing; absent fields are zero values.
    public init(json: JSONValue) {
        raw = json
        type = json["type"]?.stringValue ?? ""
        description = json["description"]?.stringValue ?? ""
        accessor = json["accessor"]?.stringValue ?? ""
        uuid = json["uuid"]?.stringValue ?? ""
        local = json["local"]?.boolValue ?? false
        sealWrap = json["seal_wrap"]?.boolValue ?? false
        externalEntropyAccess = json["external_entropy_access"]?.boolValue ?? false
        options = json["options"]?.objectValue
        let config = json["config"]
        defaultLeaseTTL = config?["default_lease_ttl"]?.intValue ?? 0
        maxLeaseTTL = config?["max_lease_ttl"]?.intValue ?? 0
        forceNoCache = config?["force_no_cache"]?.boolValue ?? false
        pluginName = config?["plugin_name"]?.stringValue ?? ""
        pluginVersion = json["plugin_version"]?.stringValue ?? ""
        runningPluginVersion = json["running_plugin_version"]?.stringValue ?? ""
        runningSHA256 = json["running_sha256"]?.stringValue ?? ""
        deprecationStatus = json["deprecation_status"]?.stringValue ?? ""
    }
}

/// The body of `POST sys/mounts/<path>` (the Go client's `MountInput`):
///
/// ```
/// {"type": "kv", "description": "", "local": false, "seal_wrap": false,
///  "external_entropy_access": false,
///  "config": {"default_lease_ttl": "1h0m0s", "max_lease_ttl": "0s", "force_no_cache": false},
///  "options": {"version": "2"}}
/// ```
///
/// TTLs are Go duration strings (or `system`); `options` is left out when there are none.
public struct VaultMountInput: Sendable, Equatable {
    /// Engine type (`kv`, `transit`, ...).
    public var type: String
    public var description: String
    /// `config.default_lease_ttl`; nil leaves it out (the server's default applies).
    public var defaultLeaseTTL: String?
    /// `config.max_lease_ttl`; nil leaves it out.
    public var maxLeaseTTL: String?
    /// `config.force_no_cache`.
    public var forceNoCache: Bool
    /// Option values are strings, as Vault stores them.
    public var options: [String: String]
    /// Local-only (not replicated).
    public var local: Bool
    public var sealWrap: Bool
    public var externalEntropyAccess: Bool

    /// An input with the Go client's defaults for everything not given.
    public init(
        type: String, description: String = "", defaultLeaseTTL: String? = nil, maxLeaseTTL: String? = nil,
        forceNoCache: Bool = false, options: [String: String] = [:], local: Bool = false, sealWrap: Bool = false,
        externalEntropyAccess: Bool = false
    ) {
        self.type = type
        self.description = description
        self.defaultLeaseTTL = defaultLeaseTTL
        self.maxLeaseTTL = maxLeaseTTL
        self.forceNoCache = forceNoCache
        self.options = options
        self.local = local
        self.sealWrap = sealWrap
        self.externalEntropyAccess = externalEntropyAccess
    }

    /// The JSON request body.
    public var json: JSONValue {
        var config: [String: JSONValue] = ["force_no_cache": .bool(forceNoCache)]
        if let defaultLeaseTTL { config["default_lease_ttl"] = .string(defaultLeaseTTL) }
        if let maxLeaseTTL { config["max_lease_ttl"] = .string(maxLeaseTTL) }
        var body: [String: JSONValue] = [
            "type": .string(type),
            "description": .string(description),
            "config": .object(config),
            "local": .bool(local),
            "seal_wrap": .bool(sealWrap),
            "external_entropy_access": .bool(externalEntropyAccess),
        ]
        if !options.isEmpty { body["options"] = JSONValue(options) }
        return .object(body)
    }
}

/// `GET sys/remount/status/<id>`: how a mount move (Vault 1.10+) is going.
public struct VaultRemountStatus: Sendable, Equatable {
    /// `in-progress`, `success` or `failure`.
    public var status: String
    /// `migration_info.source_mount` and `target_mount`.
    public var sourceMount: String
    public var targetMount: String
    /// The status object as the server sent it.
    public var raw: JSONValue

    /// The terminal states; anything else means "poll again".
    public static let success = "success"
    public static let failure = "failure"

    /// Reads the `data` of the status answer.
    public init(json: JSONValue) {
        raw = json
        let info = json["migration_info"]
        status = info?["status"]?.stringValue ?? ""
        sourceMount = info?["source_mount"]?.stringValue ?? ""
        targetMount = info?["target_mount"]?.stringValue ?? ""
    }
}
