import CofferJSON
public import CofferLogical
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The key/value secrets engine, version 2: versioned secrets with check-and-set,
/// soft delete, undelete, destroy, per-key metadata and mount configuration, answering
/// Vault's `kv-v2` API (paths relative to the mount):
///
/// | path | operations |
/// | --- | --- |
/// | `config` | read, write |
/// | `data/<p>` | read (`?version=`), write (`options.cas`), patch (merge patch), delete (latest) |
/// | `metadata/<p>` | read, write, patch, delete (everything), list |
/// | `delete/<p>`, `undelete/<p>`, `destroy/<p>` | write `{"versions": [...]}` |
/// | `subkeys/<p>` | read (`?version=`, `?depth=`) |
///
/// Any other path answers 404 with Vault's "Invalid path for a versioned K/V secrets
/// engine" warning.
///
/// Storage layout inside the mount's view (every record JSON with `"format": 1`; a record
/// of another format, or damaged, fails the request with ``KVv2StorageError``):
///
/// ```
/// config              mount settings            {format, max_versions, cas_required, delete_version_after}
/// meta/<p>            one per secret path       {format, current_version, oldest_version, created_time,
///                                                updated_time, max_versions, cas_required,
///                                                delete_version_after, custom_metadata,
///                                                versions: {"<n>": {created_time, deletion_time, destroyed}}}
/// ver/<p>/<n>         data of version n of <p>  {format, data: {...}}
/// ```
///
/// `meta/` mirrors the secret tree, so listing `meta/<prefix>` is Vault's metadata LIST
/// (direct children, folders as `name/`). A version's data record exists exactly while
/// the version is listed in its metadata and not destroyed; pruning beyond `max_versions`,
/// destroy and metadata delete remove data and metadata in one atomic commit.
///
/// Concurrency: the backend is shared by all requests of its mount. Read-modify-write
/// sequences on one path run under that path's stripe of a ``KeyedLockTable``, so two
/// concurrent writes never both become version N+1; reads take no lock and re-read the
/// metadata when a version's data vanished under them. Core must keep one instance per
/// mount (not one per request) for the locks to mean anything.
public struct KVv2Backend: LogicalBackend {
    /// Vault's warning for a request outside the versioned path groups.
    public static let invalidPathWarning = "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, try using 'vault kv' for operations on K/V secrets engine mounts."

    let now: @Sendable () -> Date
    let locks: KeyedLockTable

    /// - Parameter now: the wall clock for `created_time`, `deletion_time` and
    ///   `delete_version_after` expiry; tests inject a manual one.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        self.locks = KeyedLockTable()
    }

    public func handle(_ request: Request, storage: any StorageView) async throws -> Response? {
        let store = KVv2Storage(view: storage)
        switch KVv2Route(path: request.path, operation: request.operation) {
        case .config: return try await handleConfig(request, store: store)
        case .data(let path): return try await handleData(request, path: path, store: store)
        case .metadata(let path): return try await handleMetadata(request, path: path, store: store)
        case .delete(let path): return try await handleVersions(request, path: path, action: .delete, store: store)
        case .undelete(let path): return try await handleVersions(request, path: path, action: .undelete, store: store)
        case .destroy(let path): return try await handleVersions(request, path: path, action: .destroy, store: store)
        case .subkeys(let path): return try await handleSubkeys(request, path: path, store: store)
        case .invalid: return Response(data: nil, warnings: [Self.invalidPathWarning], statusCode: 404)
        }
    }

    /// A write to `data/<p>` or `metadata/<p>` is a create when the path has no metadata
    /// yet (as Vault's existence check: a path whose versions are all deleted still
    /// exists). `config` always exists; other paths do not distinguish.
    public func exists(_ request: Request, storage: any StorageView) async throws -> Bool? {
        switch KVv2Route(path: request.path, operation: request.operation) {
        case .data(let path), .metadata(let path):
            guard KVv2Route.isSecretPath(path) else { return false }
            return try await KVv2Storage(view: storage).metadata(path) != nil
        case .config:
            return true
        default:
            return nil
        }
    }

    /// The injected clock's reading.
    var currentTime: Timestamp { Timestamp(now()) }

    /// What a lock-free read of one version found.
    enum VersionLookup {
        /// No such path or version: a plain 404.
        case absent
        /// The version exists but is deleted or destroyed: 404 with its metadata.
        case gone(summary: [String: JSONValue])
        case live(summary: [String: JSONValue], data: [String: JSONValue])
    }

    /// Reads version `requested` (0: the current one) of `path`. A data record that
    /// vanished between the metadata read and its own read (a concurrent prune, destroy
    /// or metadata delete) makes it look again; the last attempt holds the path's lock,
    /// so a busy writer cannot starve the read, and a record still missing then is
    /// corruption.
    func lookUpVersion(_ path: String, requested: Int64, store: KVv2Storage) async throws -> VersionLookup {
        guard KVv2Route.isSecretPath(path) else { return .absent }
        for _ in 0..<2 {
            if let found = try await attemptLookUp(path, requested: requested, store: store) { return found }
        }
        let found = try await locks.withLock(path) {
            try await attemptLookUp(path, requested: requested, store: store)
        }
        guard let found else {
            throw KVv2StorageError(
                .missingVersionData, key: KVv2Storage.metadataKey(path), detail: "a live version has no data record")
        }
        return found
    }

    /// One lookup; nil when the version's data record was missing.
    private func attemptLookUp(_ path: String, requested: Int64, store: KVv2Storage) async throws -> VersionLookup? {
        guard let metadata = try await store.metadata(path) else { return .absent }
        let number = requested == 0 ? metadata.currentVersion : requested
        guard let version = metadata.versions[number], let summary = metadata.versionSummary(number) else {
            return .absent
        }
        if version.isGone(at: currentTime) { return .gone(summary: summary) }
        guard let data = try await store.versionData(path, number) else { return nil }
        return .live(summary: summary, data: data)
    }

    /// Vault's answer for a deleted or destroyed version: 404 with the full envelope.
    static func goneResponse(dataKey: String, summary: [String: JSONValue]) -> Response {
        Response(data: [dataKey: .null, "metadata": .object(summary)], statusCode: 404)
    }
}
