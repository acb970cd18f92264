import CofferHCL
import Foundation

/// The server configuration file, in Vault's format (HCL or JSON).
///
/// ```hcl
/// storage "sqlite" { path = "/var/lib/coffer/coffer.db" }   # or "inmem"; `backend` is a synonym
/// listener "tcp" { address = "0.0.0.0:8200"  tls_disable = true }
/// api_addr          = "http://127.0.0.1:8200"
/// cluster_addr      = "https://127.0.0.1:8201"
/// cluster_name      = "coffer-1"
/// default_lease_ttl = "768h"        # Go durations or integer seconds
/// max_lease_ttl     = "8760h"
/// ui                = true
/// log_level         = "info"        # trace, debug, info, warn(ing), err(or)
/// disable_mlock     = true          # accepted, no effect
/// pid_file          = "/run/coffer.pid"
/// raw_storage_endpoint = true
/// replication { logshipper_buffer_length = 1000 }
/// ```
///
/// Parsing is strict: a key Coffer does not know is an error naming the key and its line,
/// so a typo never silently falls back to a default. JSON files use the same keys; blocks
/// may be written as objects or as arrays of objects (`"listener": [{"tcp": {...}}]`).
/// A scalar key given twice takes its last value (as HCL v1 decodes); `storage` and
/// `replication` may appear once; `listener` may repeat.
public struct ServerConfig: Sendable, Equatable {
    /// The `log_level` setting.
    public enum LogLevel: String, Sendable, Equatable, CaseIterable {
        case trace, debug, info, warn, error
    }

    /// Vault's default for both lease TTLs: 768h (32 days).
    public static let defaultLeaseTTLSeconds: Int64 = 768 * 3600

    public var storage: StorageConfig
    /// At least one.
    public var listeners: [ListenerConfig]
    /// `api_addr`: the address clients are told to use (redirects, replication).
    public var apiAddress: String?
    /// `cluster_addr`: the address other clusters use for cluster traffic.
    public var clusterAddress: String?
    public var clusterName: String?
    /// `default_lease_ttl` in seconds; 768h when unset or 0.
    public var defaultLeaseTTL: Int64
    /// `max_lease_ttl` in seconds; 768h when unset or 0. Never below ``defaultLeaseTTL``.
    public var maxLeaseTTL: Int64
    public var ui: Bool
    /// nil when the file does not set it (the command line or the default decides).
    public var logLevel: LogLevel?
    /// Accepted for compatibility; Coffer does not lock memory.
    public var disableMlock: Bool
    public var pidFile: String?
    /// Enables `sys/raw`.
    public var rawStorageEndpoint: Bool
    public var replication: ReplicationConfig?

    public init(
        storage: StorageConfig,
        listeners: [ListenerConfig],
        apiAddress: String? = nil,
        clusterAddress: String? = nil,
        clusterName: String? = nil,
        defaultLeaseTTL: Int64 = ServerConfig.defaultLeaseTTLSeconds,
        maxLeaseTTL: Int64 = ServerConfig.defaultLeaseTTLSeconds,
        ui: Bool = false,
        logLevel: LogLevel? = nil,
        disableMlock: Bool = false,
        pidFile: String? = nil,
        rawStorageEndpoint: Bool = false,
        replication: ReplicationConfig? = nil
    ) {
        self.storage = storage
        self.listeners = listeners
        self.apiAddress = apiAddress
        self.clusterAddress = clusterAddress
        self.clusterName = clusterName
        self.defaultLeaseTTL = defaultLeaseTTL
        self.maxLeaseTTL = maxLeaseTTL
        self.ui = ui
        self.logLevel = logLevel
        self.disableMlock = disableMlock
        self.pidFile = pidFile
        self.rawStorageEndpoint = rawStorageEndpoint
        self.replication = replication
    }

    /// Parses configuration text: JSON if its first non-blank character is `{`, HCL
    /// otherwise. `fileName` is only used in error messages.
    public static func parse(_ text: String, fileName: String) throws(ConfigError) -> ServerConfig {
        let document: HCLObject
        do throws(HCLError) {
            document = try HCL.parseAuto(text)
        } catch {
            throw ConfigError(code: .syntax, fileName: fileName, line: error.line == 0 ? nil : error.line, message: error.description)
        }
        return try ServerConfigDecoder(fileName: fileName).decode(document)
    }

    /// Reads and parses the configuration file at `path` (a single file; directories of
    /// configuration files are not supported).
    public static func load(path: String) throws(ConfigError) -> ServerConfig {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(code: .unreadable, fileName: path, message: "configuration file does not exist")
        }
        guard !isDirectory.boolValue else {
            throw ConfigError(code: .unsupported, fileName: path, message: "is a directory; give the path of one configuration file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(code: .unreadable, fileName: path, message: "configuration file cannot be read")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigError(code: .unreadable, fileName: path, message: "configuration file is not valid UTF-8")
        }
        return try parse(text, fileName: path)
    }
}
