import CofferJSON

/// The mount-wide settings of a KV v2 engine (`<mount>/config`).
///
/// Stored record at `config`: `{"format": 1, "max_versions": 0, "cas_required": false,
/// "delete_version_after": 0}` (seconds). Absent means all defaults.
struct KVv2MountConfig: Sendable, Equatable {
    /// Versions kept per key; 0 means 10.
    var maxVersions: Int64 = 0
    /// Whether every data write must carry `options.cas`.
    var casRequired = false
    /// Seconds after which a new version is soft-deleted; 0 means never.
    var deleteVersionAfter: Int64 = 0

    init() {}

    func encoded() -> [UInt8] {
        KVv2Record.encode([
            "max_versions": .int(maxVersions),
            "cas_required": .bool(casRequired),
            "delete_version_after": .int(deleteVersionAfter),
        ])
    }

    init(record bytes: [UInt8], key: String) throws(KVv2StorageError) {
        let record = try KVv2Record(bytes: bytes, key: key)
        maxVersions = try record.int("max_versions")
        casRequired = try record.bool("cas_required")
        deleteVersionAfter = try record.int("delete_version_after")
    }

    /// The answer to a `config` read, durations Go-style as Vault renders them.
    var apiRepresentation: [String: JSONValue] {
        [
            "max_versions": .int(maxVersions),
            "cas_required": .bool(casRequired),
            "delete_version_after": .string(VaultDuration.goString(seconds: deleteVersionAfter)),
        ]
    }
}
