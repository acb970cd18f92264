import CofferJSON
import CofferLogical

/// `data/<path>`: read a version, write a new one (check-and-set), merge-patch the latest,
/// soft-delete the latest.
extension KVv2Backend {
    func handleData(_ request: Request, path: String, store: KVv2Storage) async throws -> Response? {
        switch request.operation {
        case .read: return try await readData(request, path: path, store: store)
        case .create, .update: return try await writeData(request, path: path, store: store)
        case .patch: return try await patchData(request, path: path, store: store)
        case .delete: return try await deleteLatest(path: path, store: store)
        case .list: throw LogicalError.unsupportedOperation
        }
    }

    /// `{"data": {...}, "metadata": {...}}`; 404 with metadata for a deleted or destroyed
    /// version; nil for a path or version that does not exist.
    private func readData(_ request: Request, path: String, store: KVv2Storage) async throws -> Response? {
        let requested = try KVv2Input.count(request.data["version"], field: "version") ?? 0
        switch try await lookUpVersion(path, requested: requested, store: store) {
        case .absent: return nil
        case .gone(let summary): return Self.goneResponse(dataKey: "data", summary: summary)
        case .live(let summary, let data): return Response(data: ["data": .object(data), "metadata": .object(summary)])
        }
    }

    /// Writes a new version; answers with its metadata.
    private func writeData(_ request: Request, path: String, store: KVv2Storage) async throws -> Response? {
        let path = try KVv2Route.secretPath(path)
        let data = try Self.secretData(request.data)
        let cas = try Self.checkAndSet(request.data)
        return try await locks.withLock(path) {
            let config = try await store.config()
            let existing = try await store.metadata(path)
            try Self.enforceCheckAndSet(cas, metadata: existing, config: config)
            let (metadata, version, operations) = newVersion(path, data: data, metadata: existing, config: config)
            try await store.commit(operations)
            return Response(data: metadata.versionSummary(version))
        }
    }

    /// Applies a JSON merge patch to the latest version's data and writes the result as a
    /// new version. The latest version must exist and be readable.
    private func patchData(_ request: Request, path: String, store: KVv2Storage) async throws -> Response? {
        guard KVv2Route.isSecretPath(path) else { throw LogicalError(.notFound, []) }
        let patch = try Self.secretData(request.data)
        let cas = try Self.checkAndSet(request.data)
        return try await locks.withLock(path) {
            let config = try await store.config()
            guard let existing = try await store.metadata(path) else { throw LogicalError(.notFound, []) }
            try Self.enforceCheckAndSet(cas, metadata: existing, config: config)
            let current = existing.currentVersion
            guard let version = existing.versions[current], let summary = existing.versionSummary(current) else {
                throw LogicalError(.notFound, [])
            }
            if version.isGone(at: currentTime) { return Self.goneResponse(dataKey: "data", summary: summary) }
            guard let data = try await store.versionData(path, current) else {
                throw KVv2StorageError(.missingVersionData, key: KVv2Storage.versionKey(path, current), detail: "absent")
            }
            let merged = KVv2MergePatch.apply(patch, to: data)
            let (metadata, newNumber, operations) = newVersion(path, data: merged, metadata: existing, config: config)
            try await store.commit(operations)
            return Response(data: metadata.versionSummary(newNumber))
        }
    }

    /// Soft-deletes the latest version; nothing to do (still 204) when there is none or
    /// it is already deleted or destroyed.
    private func deleteLatest(path: String, store: KVv2Storage) async throws -> Response? {
        guard KVv2Route.isSecretPath(path) else { return nil }
        try await locks.withLock(path) {
            guard var metadata = try await store.metadata(path) else { return }
            let now = currentTime
            guard var latest = metadata.versions[metadata.currentVersion], !latest.isGone(at: now) else { return }
            latest.deletionTime = now
            metadata.versions[metadata.currentVersion] = latest
            try await store.commit([KVv2Storage.putMetadata(path, metadata)])
        }
        return nil
    }

    /// The metadata after adding a version of `data`, its number, and the one batch that
    /// stores it: the data record, the metadata, and deletes of pruned versions' data.
    /// Call holding the path's lock.
    func newVersion(
        _ path: String, data: [String: JSONValue], metadata existing: KVv2KeyMetadata?, config: KVv2MountConfig
    ) -> (KVv2KeyMetadata, Int64, [ViewOperation]) {
        let created = currentTime
        var metadata = existing ?? KVv2KeyMetadata(now: created)
        let deletion = KVv2KeyMetadata.scheduledDeletion(
            created: created, mount: config.deleteVersionAfter, key: metadata.deleteVersionAfter)
        let (version, pruned) = metadata.addVersion(
            created: created, deletion: deletion, mountMaxVersions: config.maxVersions)
        var operations: [ViewOperation] = [
            KVv2Storage.putVersion(path, version, data: data),
            KVv2Storage.putMetadata(path, metadata),
        ]
        operations += pruned.map { KVv2Storage.deleteVersion(path, $0) }
        return (metadata, version, operations)
    }

    /// The `data` member: required, a JSON object.
    static func secretData(_ body: [String: JSONValue]) throws(LogicalError) -> [String: JSONValue] {
        switch body["data"] {
        case nil, .null?: throw LogicalError.invalidRequest("no data provided")
        case .object(let members)?: return members
        default: throw LogicalError.invalidRequest("invalid value for \"data\": expected a JSON object")
        }
    }

    /// `options.cas`, nil when not given.
    static func checkAndSet(_ body: [String: JSONValue]) throws(LogicalError) -> Int64? {
        switch body["options"] {
        case nil, .null?:
            return nil
        case .object(let options)?:
            guard let cas = options["cas"], cas != .null else { return nil }
            do {
                return try KVv2Input.int(cas, field: "cas")
            } catch {
                throw LogicalError.invalidRequest("error parsing check-and-set parameter")
            }
        default:
            throw LogicalError.invalidRequest("invalid value for \"options\": expected a JSON object")
        }
    }

    /// Vault's rule: a given `cas` must equal the current version (0 for a new path);
    /// without one, the write is refused when the mount or the path requires it.
    static func enforceCheckAndSet(
        _ cas: Int64?, metadata: KVv2KeyMetadata?, config: KVv2MountConfig
    ) throws(LogicalError) {
        if let cas {
            guard cas == metadata?.currentVersion ?? 0 else {
                throw LogicalError.invalidRequest("check-and-set parameter did not match the current version")
            }
        } else if config.casRequired || metadata?.casRequired == true {
            throw LogicalError.invalidRequest("check-and-set parameter required for this call")
        }
    }
}
