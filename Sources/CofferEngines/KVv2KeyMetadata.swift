import CofferLogical
import CofferJSON

/// Everything KV v2 knows about one secret path except the data of its versions: the
/// version list with their timestamps and flags, and the per-key settings.
///
/// Stored record (at `meta/<path>`, see ``KVv2Backend``), timestamps as integer
/// nanoseconds since the Unix epoch, `deletion_time` null when unset:
///
/// ```
/// {"format": 1, "current_version": 5, "oldest_version": 3,
///  "created_time": 1700000000000000000, "updated_time": 1700000000500000000,
///  "max_versions": 0, "cas_required": false, "delete_version_after": 0,
///  "custom_metadata": {"owner": "ops"},
///  "versions": {"3": {"created_time": ..., "deletion_time": null, "destroyed": false}, ...}}
/// ```
struct KVv2KeyMetadata: Sendable, Equatable {
    /// What is known about one version; its data lives in its own record.
    struct Version: Sendable, Equatable {
        var createdTime: Timestamp
        /// When the version was (or will be, through `delete_version_after`) soft-deleted.
        var deletionTime: Timestamp?
        var destroyed: Bool

        /// Whether a read at `now` must refuse the data: destroyed, or deleted by now.
        func isGone(at now: Timestamp) -> Bool {
            destroyed || isDeleted(at: now)
        }

        func isDeleted(at now: Timestamp) -> Bool {
            deletionTime.map { $0 <= now } ?? false
        }
    }

    /// The newest version number; 0 before the first write. Never reset by deletes, so
    /// it is what `options.cas` compares against.
    var currentVersion: Int64 = 0
    /// Vault's `oldest_version`: 0 until pruning first happens, then the oldest kept version.
    var oldestVersion: Int64 = 0
    var createdTime: Timestamp
    var updatedTime: Timestamp
    /// 0 means the mount's setting (and that one's 0 means 10).
    var maxVersions: Int64 = 0
    var casRequired = false
    /// Seconds; 0 means the mount's setting alone applies.
    var deleteVersionAfter: Int64 = 0
    var customMetadata: [String: String] = [:]
    var versions: [Int64: Version] = [:]

    init(now: Timestamp) {
        createdTime = now
        updatedTime = now
    }

    /// How many versions to keep: the key's setting, else the mount's, else 10.
    static func effectiveMaxVersions(key: Int64, mount: Int64) -> Int64 {
        if key > 0 { return key }
        if mount > 0 { return mount }
        return 10
    }

    /// When a version created at `created` is to be deleted: created plus the shorter of
    /// the mount's and the key's positive `delete_version_after`; nil when neither is set.
    static func scheduledDeletion(created: Timestamp, mount: Int64, key: Int64) -> Timestamp? {
        let delays = [mount, key].filter { $0 > 0 }
        guard let delay = delays.min() else { return nil }
        return created.adding(seconds: delay)
    }

    /// Records a new version and prunes the oldest ones beyond the limit, as Vault does:
    /// once `current - oldest >= max`, every version below `current - max + 1` goes.
    /// Returns the new version's number and the numbers of the pruned versions whose
    /// data records (destroyed ones have none) must be deleted in the same commit.
    mutating func addVersion(
        created: Timestamp, deletion: Timestamp?, mountMaxVersions: Int64
    ) -> (version: Int64, pruned: [Int64]) {
        currentVersion += 1
        versions[currentVersion] = Version(createdTime: created, deletionTime: deletion, destroyed: false)
        updatedTime = created
        let limit = Self.effectiveMaxVersions(key: maxVersions, mount: mountMaxVersions)
        guard currentVersion - oldestVersion >= limit else { return (currentVersion, []) }
        let newOldest = currentVersion - limit + 1
        let pruned = versions.filter { $0.key < newOldest }
        for number in pruned.keys { versions.removeValue(forKey: number) }
        oldestVersion = newOldest
        // Destroyed versions have no data record left to delete.
        return (currentVersion, pruned.filter { !$0.value.destroyed }.keys.sorted())
    }

    /// The custom metadata as Vault renders it: `null` when there is none.
    var customMetadataJSON: JSONValue {
        customMetadata.isEmpty ? .null : JSONValue(customMetadata)
    }

    /// The `metadata` object of a data read, a subkeys read and a data write's answer.
    func versionSummary(_ number: Int64) -> [String: JSONValue]? {
        guard let version = versions[number] else { return nil }
        return [
            "version": .int(number),
            "created_time": .string(version.createdTime.rfc3339),
            "deletion_time": .string(version.deletionTime?.rfc3339 ?? ""),
            "destroyed": .bool(version.destroyed),
            "custom_metadata": customMetadataJSON,
        ]
    }

    /// The answer to a `metadata/<path>` read.
    var apiRepresentation: [String: JSONValue] {
        var list: [String: JSONValue] = [:]
        for (number, version) in versions {
            list[String(number)] = [
                "created_time": .string(version.createdTime.rfc3339),
                "deletion_time": .string(version.deletionTime?.rfc3339 ?? ""),
                "destroyed": .bool(version.destroyed),
            ]
        }
        return [
            "cas_required": .bool(casRequired),
            "created_time": .string(createdTime.rfc3339),
            "current_version": .int(currentVersion),
            "custom_metadata": customMetadataJSON,
            "delete_version_after": .string(VaultDuration.goString(seconds: deleteVersionAfter)),
            "max_versions": .int(maxVersions),
            "oldest_version": .int(oldestVersion),
            "updated_time": .string(updatedTime.rfc3339),
            "versions": .object(list),
        ]
    }
}

extension KVv2KeyMetadata {
    /// The stored record (see the type's doc comment).
    func encoded() -> [UInt8] {
        var list: [String: JSONValue] = [:]
        for (number, version) in versions {
            list[String(number)] = [
                "created_time": .int(version.createdTime.nanoseconds),
                "deletion_time": version.deletionTime.map { .int($0.nanoseconds) } ?? .null,
                "destroyed": .bool(version.destroyed),
            ]
        }
        return KVv2Record.encode([
            "current_version": .int(currentVersion),
            "oldest_version": .int(oldestVersion),
            "created_time": .int(createdTime.nanoseconds),
            "updated_time": .int(updatedTime.nanoseconds),
            "max_versions": .int(maxVersions),
            "cas_required": .bool(casRequired),
            "delete_version_after": .int(deleteVersionAfter),
            "custom_metadata": JSONValue(customMetadata),
            "versions": .object(list),
        ])
    }

    /// Reads a record written by ``encoded()``; throws for anything else.
    init(record bytes: [UInt8], key: String) throws(KVv2StorageError) {
        let record = try KVv2Record(bytes: bytes, key: key)
        self.init(now: Timestamp(nanoseconds: try record.int("created_time")))
        updatedTime = Timestamp(nanoseconds: try record.int("updated_time"))
        currentVersion = try record.int("current_version")
        oldestVersion = try record.int("oldest_version")
        maxVersions = try record.int("max_versions")
        casRequired = try record.bool("cas_required")
        deleteVersionAfter = try record.int("delete_version_after")
        for (name, value) in try record.object("custom_metadata") {
            guard case .string(let text) = value else { throw record.missing("custom_metadata", "string-valued") }
            customMetadata[name] = text
        }
        for (name, value) in try record.object("versions") {
            guard let number = Int64(name), number > 0, number <= currentVersion, case .object(let members) = value else {
                throw record.missing("versions", "keyed by version numbers")
            }
            let entry = KVv2Record(key: key, members: members)
            versions[number] = Version(
                createdTime: Timestamp(nanoseconds: try entry.int("created_time")),
                deletionTime: try entry.optionalInt("deletion_time").map(Timestamp.init(nanoseconds:)),
                destroyed: try entry.bool("destroyed")
            )
        }
    }
}

extension KVv2Record {
    /// A nested object of a record that was already format-checked.
    init(key: String, members: [String: JSONValue]) {
        self.key = key
        self.members = members
    }
}
