import CofferBarrier
import CofferJSON
public import CofferLogical
import CofferStorage

/// Enabling and disabling secrets engines (`sys/mounts/:path`).
extension Core {
    static let reservedMountPaths = ["sys/", "auth/", "cubbyhole/", "identity/"]
    static let supportedMountTypes: Set<String> = ["kv", "generic"]

    /// Adds a mount and publishes the new routing snapshot. The table and nothing else is
    /// written, in one batch; a `local` mount goes to the local table.
    public func enableMount(
        path rawPath: String, type: String, description: String, local: Bool, options: [String: String],
        defaultLeaseTTL: Int64, maxLeaseTTL: Int64
    ) async throws {
        let path = try Self.normalizeMountPath(rawPath)
        guard Self.supportedMountTypes.contains(type) else {
            throw LogicalError.invalidRequest("plugin not found in the catalog: \(type)")
        }
        if let version = options["version"], version != "1" {
            throw LogicalError.invalidRequest("kv version \(version) is not supported by this server yet")
        }
        try await lifecycle.run {
            guard let active else { throw LogicalError.sealed }
            for existing in active.mounts {
                if path.hasPrefix(existing.path) || existing.path.hasPrefix(path) {
                    throw LogicalError.invalidRequest("path is already in use at \(existing.path)")
                }
            }
            let entry = MountEntry(
                path: path, type: type, description: description, uuid: TokenGenerator.uuid(),
                accessor: "\(type)_" + String(TokenGenerator.uuid().prefix(8)), local: local,
                options: options, defaultLeaseTTL: defaultLeaseTTL, maxLeaseTTL: maxLeaseTTL
            )
            let tableKey = local ? StorageKeys.localMounts : StorageKeys.mounts
            let table = try await loadTable(tableKey) + [entry]
            try await barrier.commit(StorageBatch([
                .put(key: tableKey, value: JSONWriter.bytes(MountTableRecord(entries: table).storageValue)),
            ]))
            try await activate()
            logger.info("core: mount enabled", metadata: ["path": "\(path)", "type": "\(type)"])
        }
    }

    /// Removes a mount and all of its data in one batch.
    public func disableMount(path rawPath: String) async throws {
        let path = try Self.normalizeMountPath(rawPath)
        try await lifecycle.run {
            guard let active else { throw LogicalError.sealed }
            guard let entry = active.mounts.first(where: { $0.path == path }) else { return }
            guard entry.type != "system" else { throw LogicalError.invalidRequest("cannot unmount \"\(path)\"") }
            let tableKey = entry.local ? StorageKeys.localMounts : StorageKeys.mounts
            let table = try await loadTable(tableKey).filter { $0.path != path }
            try await barrier.commit(StorageBatch([
                .put(key: tableKey, value: JSONWriter.bytes(MountTableRecord(entries: table).storageValue)),
                .deletePrefix(entry.storagePrefix),
            ]))
            try await activate()
            logger.info("core: mount disabled", metadata: ["path": "\(path)"])
        }
    }

    static func normalizeMountPath(_ raw: String) throws -> String {
        var path = raw
        while path.hasPrefix("/") { path.removeFirst() }
        if !path.hasSuffix("/") { path += "/" }
        guard path.count > 1, !path.contains("//"), !path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." })
        else { throw LogicalError.invalidRequest("invalid mount path \"\(raw)\"") }
        if reservedMountPaths.contains(where: { path.hasPrefix($0) }) {
            throw LogicalError.invalidRequest("cannot mount at \"\(path)\": the path is reserved")
        }
        return path
    }
}
