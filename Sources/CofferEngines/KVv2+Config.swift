import CofferLogical

/// `config`: the mount-wide `max_versions`, `cas_required` and `delete_version_after`.
extension KVv2Backend {
    /// The lock key for config writes; a NUL byte keeps it apart from every secret path.
    static let configLockKey = "\u{0}config"

    func handleConfig(_ request: Request, store: KVv2Storage) async throws -> Response? {
        switch request.operation {
        case .read:
            return Response(data: try await store.config().apiRepresentation)
        case .create, .update:
            let maxVersions = try KVv2Input.count(request.data["max_versions"], field: "max_versions")
            let casRequired = try request.data["cas_required"].map { value throws(LogicalError) in
                try KVv2Input.bool(value, field: "cas_required")
            }
            let deleteAfter = try request.data["delete_version_after"].map { value throws(LogicalError) in
                try KVv2Input.duration(value, field: "delete_version_after")
            }
            // Vault writes nothing when no setting is given.
            guard maxVersions != nil || casRequired != nil || deleteAfter != nil else { return nil }
            try await locks.withLock(Self.configLockKey) {
                var config = try await store.config()
                if let maxVersions { config.maxVersions = maxVersions }
                if let casRequired { config.casRequired = casRequired }
                if let deleteAfter { config.deleteVersionAfter = deleteAfter }
                try await store.commit([KVv2Storage.putConfig(config)])
            }
            return nil
        case .list, .delete, .patch:
            throw LogicalError.unsupportedOperation
        }
    }
}
