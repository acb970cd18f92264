import CofferBarrier
import CofferJSON
public import CofferLogical
import CofferStorage

/// The two mount tables: secrets engines (`sys/mounts`) and auth methods (`sys/auth`,
/// served under `auth/`). One set of operations serves both.
public enum MountKind: Sendable {
    case secrets
    case auth

    func tableKey(local: Bool) -> String {
        switch self {
        case .secrets: return local ? StorageKeys.localMounts : StorageKeys.mounts
        case .auth: return local ? StorageKeys.localAuth : StorageKeys.auth
        }
    }

    var supportedTypes: Set<String> {
        switch self {
        case .secrets: return ["kv", "generic"]
        case .auth: return ["userpass", "approle"]
        }
    }

    var reservedPaths: [String] {
        switch self {
        case .secrets: return ["sys/", "auth/", "cubbyhole/", "identity/"]
        case .auth: return ["token/"]
        }
    }

    /// Where a mount's data lives.
    func storagePrefix(_ entry: MountEntry) -> String {
        StorageKeys.mountData(uuid: entry.uuid, isAuth: self == .auth)
    }

    func entries(_ active: ActiveState) -> [MountEntry] {
        self == .secrets ? active.mounts : active.authMounts
    }

    var noun: String { self == .secrets ? "secrets engine" : "auth method" }
}

/// Enabling, disabling, tuning and moving mounts.
extension Core {
    static let supportedKVVersions: Set<String> = ["1", "2"]

    /// Adds a mount and publishes the new routing snapshot. The table and nothing else is
    /// written, in one batch; a `local` mount goes to the local table.
    ///
    /// On a performance replication secondary only `local` mounts can be created (400
    /// otherwise): replicated mounts come from the primary. Disabling, tuning or moving a
    /// replicated mount there is forwarded to the primary like any replicated write.
    public func enableMount(
        _ kind: MountKind = .secrets,
        path rawPath: String, type: String, description: String, local: Bool, options: [String: String],
        defaultLeaseTTL: Int64, maxLeaseTTL: Int64
    ) async throws {
        let path = try Self.normalizeMountPath(rawPath, kind: kind)
        guard kind.supportedTypes.contains(type) else {
            throw LogicalError.invalidRequest("plugin not found in the catalog: \(type)")
        }
        if type == "kv", let version = options["version"], !Self.supportedKVVersions.contains(version) {
            throw LogicalError.invalidRequest("invalid kv version \"\(version)\": must be 1 or 2")
        }
        if !local, replicationMode == .secondary {
            throw LogicalError.invalidRequest("cannot create a non-local mount on a replication secondary")
        }
        try await lifecycle.run {
            guard let active else { throw LogicalError.sealed }
            for existing in kind.entries(active) {
                if path.hasPrefix(existing.path) || existing.path.hasPrefix(path) {
                    throw LogicalError.invalidRequest("path is already in use at \(existing.path)")
                }
            }
            let entry = MountEntry(
                path: path, type: type, description: description, uuid: TokenGenerator.uuid(),
                accessor: "\(type)_" + String(TokenGenerator.uuid().prefix(8)), local: local,
                options: options, defaultLeaseTTL: defaultLeaseTTL, maxLeaseTTL: maxLeaseTTL
            )
            let tableKey = kind.tableKey(local: local)
            let table = try await loadTable(tableKey) + [entry]
            try await barrier.commit(StorageBatch([
                .put(key: tableKey, value: JSONWriter.bytes(MountTableRecord(entries: table).storageValue)),
            ]))
            try await activate()
            logger.info("core: \(kind.noun) enabled", metadata: ["path": "\(path)", "type": "\(type)"])
        }
    }

    /// Removes a mount and all of its data in one batch. (Disabling an auth method will
    /// also revoke its tokens once leases track them.)
    public func disableMount(_ kind: MountKind = .secrets, path rawPath: String) async throws {
        let path = try Self.normalizeMountPath(rawPath, kind: kind)
        try await lifecycle.run {
            guard let active else { throw LogicalError.sealed }
            guard let entry = kind.entries(active).first(where: { $0.path == path }) else { return }
            guard entry.type != "system" else { throw LogicalError.invalidRequest("cannot unmount \"\(path)\"") }
            // As Vault does: the mount's leases go first — for an auth method these are the
            // leases of the tokens it issued, so its tokens are revoked with it. A failure
            // leaves the mount in place.
            let leasePrefix = (kind == .auth ? "auth/" : "") + path
            let revoked = try await active.expiration.revokePrefix(leasePrefix)
            let tableKey = kind.tableKey(local: entry.local)
            let table = try await loadTable(tableKey).filter { $0.path != path }
            try await barrier.commit(StorageBatch([
                .put(key: tableKey, value: JSONWriter.bytes(MountTableRecord(entries: table).storageValue)),
                .deletePrefix(kind.storagePrefix(entry)),
            ]))
            engines.withLock { $0 = $0.filter { !$0.key.hasPrefix(entry.uuid + "|") } }
            try await activate()
            logger.info("core: \(kind.noun) disabled", metadata: ["path": "\(path)", "leases_revoked": "\(revoked)"])
        }
    }

    /// `sys/mounts/:path/tune`: description, TTLs and options of an existing mount.
    /// Changing a KV mount's version is refused (an upgrade rewrites its data).
    public func tuneMount(
        _ kind: MountKind = .secrets,
        path: String, description: String?, defaultLeaseTTL: Int64?, maxLeaseTTL: Int64?, options: [String: String]?
    ) async throws {
        try await lifecycle.run {
            guard let active else { throw LogicalError.sealed }
            guard var entry = kind.entries(active).first(where: { $0.path == path }) else {
                throw LogicalError.invalidRequest("cannot tune \"\(path)\": no mount there")
            }
            if let description { entry.description = description }
            if let defaultLeaseTTL { entry.defaultLeaseTTL = defaultLeaseTTL }
            if let maxLeaseTTL { entry.maxLeaseTTL = maxLeaseTTL }
            let effectiveMax = entry.maxLeaseTTL > 0 ? entry.maxLeaseTTL : config.maxLeaseTTL
            if entry.defaultLeaseTTL > effectiveMax {
                throw LogicalError.invalidRequest("default_lease_ttl cannot be greater than max_lease_ttl")
            }
            if let options {
                if let version = options["version"], version != (entry.options["version"] ?? "1") {
                    throw LogicalError.invalidRequest("changing the kv version of a mount is not supported")
                }
                for (key, value) in options { entry.options[key] = value }
            }
            try await replaceMountEntry(entry, kind: kind)
        }
    }

    /// `sys/remount`: moves a mount to a new path. Its data stays where it is (storage is
    /// keyed by the mount's UUID), so the move is one table write. Returns a migration id,
    /// as Vault 1.10+ does; the migration is complete when this returns.
    public func remount(from rawFrom: String, to rawTo: String) async throws -> String {
        let from = try Self.normalizeMountPath(rawFrom)
        let to = try Self.normalizeMountPath(rawTo)
        let id = TokenGenerator.uuid()
        try await lifecycle.run {
            guard let active else { throw LogicalError.sealed }
            guard var entry = active.mounts.first(where: { $0.path == from }) else {
                throw LogicalError.invalidRequest("no secrets engine is mounted at \"\(from)\"")
            }
            for existing in active.mounts where existing.path != from {
                if to.hasPrefix(existing.path) || existing.path.hasPrefix(to) {
                    throw LogicalError.invalidRequest("path is already in use at \(existing.path)")
                }
            }
            entry.path = to
            try await replaceMountEntry(entry, kind: .secrets, oldPath: from)
        }
        migrations.withLock {
            $0[id] = ["source_mount": .string(from), "target_mount": .string(to), "status": "success"]
        }
        logger.info("core: mount moved", metadata: ["from": "\(from)", "to": "\(to)"])
        return id
    }

    /// Writes `entry` over the row at `oldPath` (default: its own path) in its table, then
    /// republishes the routing snapshot. Call inside `lifecycle`.
    private func replaceMountEntry(_ entry: MountEntry, kind: MountKind, oldPath: String? = nil) async throws {
        let tableKey = kind.tableKey(local: entry.local)
        let table = try await loadTable(tableKey).map { $0.path == (oldPath ?? entry.path) ? entry : $0 }
        try await barrier.commit(StorageBatch([
            .put(key: tableKey, value: JSONWriter.bytes(MountTableRecord(entries: table).storageValue)),
        ]))
        try await activate()
    }

    /// The tune view of a mount: effective TTLs (the system's when the mount sets none).
    func tuneValue(_ mount: MountEntry) -> [String: JSONValue] {
        [
            "description": .string(mount.description),
            "default_lease_ttl": .int(mount.defaultLeaseTTL > 0 ? mount.defaultLeaseTTL : config.defaultLeaseTTL),
            "max_lease_ttl": .int(mount.maxLeaseTTL > 0 ? mount.maxLeaseTTL : config.maxLeaseTTL),
            "force_no_cache": false,
            "options": mount.options.isEmpty ? .null : .object(mount.options.mapValues { .string($0) }),
        ]
    }

    static func normalizeMountPath(_ raw: String, kind: MountKind = .secrets, checkReserved: Bool = true) throws -> String {
        var path = raw
        while path.hasPrefix("/") { path.removeFirst() }
        if !path.hasSuffix("/") { path += "/" }
        guard path.count > 1, !path.contains("//"), !path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." })
        else { throw LogicalError.invalidRequest("invalid mount path \"\(raw)\"") }
        if checkReserved, kind.reservedPaths.contains(where: { path.hasPrefix($0) }) {
            throw LogicalError.invalidRequest("cannot mount at \"\(path)\": the path is reserved")
        }
        return path
    }
}
