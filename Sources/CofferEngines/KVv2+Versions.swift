import CofferLogical

/// `delete/<path>`, `undelete/<path>`, `destroy/<path>` with `{"versions": [...]}`.
extension KVv2Backend {
    /// What a versions request does to each named version.
    enum VersionAction {
        /// Soft delete: set `deletion_time` to now (unless already deleted or destroyed).
        case delete
        /// Clear `deletion_time` (unless destroyed).
        case undelete
        /// Mark destroyed and remove the data for good.
        case destroy
    }

    /// Versions that do not exist, or cannot change, are skipped as Vault skips them;
    /// the answer is always 204 once the request is well-formed.
    func handleVersions(
        _ request: Request, path: String, action: VersionAction, store: KVv2Storage
    ) async throws -> Response? {
        guard request.operation == .create || request.operation == .update else {
            throw LogicalError.unsupportedOperation
        }
        let numbers = try KVv2Input.versions(request.data["versions"])
        guard KVv2Route.isSecretPath(path) else { return nil }
        try await locks.withLock(path) {
            guard var metadata = try await store.metadata(path) else { return }
            let now = currentTime
            var dataDeletes: [ViewOperation] = []
            var changed = false
            for number in numbers {
                guard var version = metadata.versions[number] else { continue }
                switch action {
                case .delete:
                    guard !version.isGone(at: now) else { continue }
                    version.deletionTime = now
                case .undelete:
                    guard !version.destroyed, version.deletionTime != nil else { continue }
                    version.deletionTime = nil
                case .destroy:
                    guard !version.destroyed else { continue }
                    version.destroyed = true
                    dataDeletes.append(KVv2Storage.deleteVersion(path, number))
                }
                metadata.versions[number] = version
                changed = true
            }
            guard changed else { return }
            try await store.commit([KVv2Storage.putMetadata(path, metadata)] + dataDeletes)
        }
        return nil
    }
}
