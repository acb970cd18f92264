import CofferJSON
import CofferLogical

/// `metadata/<path>`: read, write and patch the per-key settings, delete a path with all
/// its versions, list paths.
extension KVv2Backend {
    func handleMetadata(_ request: Request, path: String, store: KVv2Storage) async throws -> Response? {
        switch request.operation {
        case .read:
            guard KVv2Route.isSecretPath(path), let metadata = try await store.metadata(path) else { return nil }
            return Response(data: metadata.apiRepresentation)
        case .list:
            return try await listMetadata(prefix: path, store: store)
        case .create, .update:
            return try await writeMetadata(request, path: path, store: store)
        case .patch:
            return try await patchMetadata(request, path: path, store: store)
        case .delete:
            return try await deleteMetadata(path: path, store: store)
        }
    }

    /// `{"keys": [...]}`, direct children with folders as `name/`; nil when there are none.
    private func listMetadata(prefix: String, store: KVv2Storage) async throws -> Response? {
        guard prefix.isEmpty || (KVv2Route.isSecretPath(String(prefix.dropLast())) && prefix.hasSuffix("/")) else {
            return nil
        }
        let keys = try await store.list(prefix)
        guard !keys.isEmpty else { return nil }
        return Response(data: ["keys": JSONValue(keys)])
    }

    /// The settings a metadata write or patch may carry; nil members are left alone.
    struct MetadataSettings {
        var maxVersions: Int64?
        var casRequired: Bool?
        var deleteVersionAfter: Int64?
        var customMetadata: [String: String]?

        /// Parses and validates before any lock is taken.
        init(_ fields: [String: JSONValue]) throws(LogicalError) {
            maxVersions = try KVv2Input.count(fields["max_versions"], field: "max_versions")
            if let value = fields["cas_required"] { casRequired = try KVv2Input.bool(value, field: "cas_required") }
            if let value = fields["delete_version_after"] {
                deleteVersionAfter = try KVv2Input.duration(value, field: "delete_version_after")
            }
            if let value = fields["custom_metadata"] { customMetadata = try KVv2Input.customMetadata(value) }
        }

        func apply(to metadata: inout KVv2KeyMetadata) {
            if let maxVersions { metadata.maxVersions = maxVersions }
            if let casRequired { metadata.casRequired = casRequired }
            if let deleteVersionAfter { metadata.deleteVersionAfter = deleteVersionAfter }
            if let customMetadata { metadata.customMetadata = customMetadata }
        }
    }

    /// Sets the given settings, creating the path's metadata (with no versions) when
    /// absent. Like Vault, `updated_time` moves only with new versions.
    private func writeMetadata(_ request: Request, path: String, store: KVv2Storage) async throws -> Response? {
        let path = try KVv2Route.secretPath(path)
        let settings = try MetadataSettings(request.data)
        try await locks.withLock(path) {
            var metadata = try await store.metadata(path) ?? KVv2KeyMetadata(now: currentTime)
            settings.apply(to: &metadata)
            try await store.commit([KVv2Storage.putMetadata(path, metadata)])
        }
        return nil
    }

    /// JSON merge patch over the four settings (a `null` resets one to its default,
    /// and removes a single `custom_metadata` key). The path must exist.
    private func patchMetadata(_ request: Request, path: String, store: KVv2Storage) async throws -> Response? {
        guard KVv2Route.isSecretPath(path) else { throw LogicalError(.notFound, []) }
        let patchable: Set<String> = ["max_versions", "cas_required", "delete_version_after", "custom_metadata"]
        let patch = request.data.filter { patchable.contains($0.key) }
        // Validate the patch on its own first, so bad input is a 400 even for a missing path.
        _ = try MetadataSettings(patch.filter { $0.key != "custom_metadata" && $0.value != .null })
        if let custom = patch["custom_metadata"], custom != .null, custom.objectValue == nil {
            throw LogicalError.invalidRequest("invalid value for \"custom_metadata\": expected an object of string values")
        }
        try await locks.withLock(path) {
            guard var metadata = try await store.metadata(path) else { throw LogicalError(.notFound, []) }
            let current: [String: JSONValue] = [
                "max_versions": .int(metadata.maxVersions),
                "cas_required": .bool(metadata.casRequired),
                "delete_version_after": .int(metadata.deleteVersionAfter),
                "custom_metadata": JSONValue(metadata.customMetadata),
            ]
            let merged = KVv2MergePatch.apply(patch, to: current)
            metadata.maxVersions = 0
            metadata.casRequired = false
            metadata.deleteVersionAfter = 0
            metadata.customMetadata = [:]
            try MetadataSettings(merged).apply(to: &metadata)
            try await store.commit([KVv2Storage.putMetadata(path, metadata)])
        }
        return nil
    }

    /// Removes the metadata and every version's data in one commit.
    private func deleteMetadata(path: String, store: KVv2Storage) async throws -> Response? {
        guard KVv2Route.isSecretPath(path) else { return nil }
        try await locks.withLock(path) {
            guard let metadata = try await store.metadata(path) else { return }
            var operations: [ViewOperation] = [.delete(key: KVv2Storage.metadataKey(path))]
            for (number, version) in metadata.versions.sorted(by: { $0.key < $1.key }) where !version.destroyed {
                operations.append(KVv2Storage.deleteVersion(path, number))
            }
            try await store.commit(operations)
        }
        return nil
    }
}
