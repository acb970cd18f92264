import CofferLogical

/// `tidy/secret-id`.
extension AppRoleBackend {
    /// Removes expired secret IDs, accessor entries whose secret ID is gone, and secret
    /// IDs of roles that no longer exist. Runs to completion before answering (Vault
    /// starts it in the background and answers 202; so does this, with a summary).
    func tidySecretIDs(storage: any StorageView) async throws -> Response? {
        let store = try await AppRoleStorage.open(storage)
        var removed = 0
        var roles = Set<String>()
        for prefix in ["secret_id/", "accessor/"] {
            for child in try await storage.list(prefix: prefix) where child.hasSuffix("/") {
                roles.insert(String(child.dropLast()))
            }
        }
        for name in roles.sorted() {
            removed += try await roleLocks.withLock(name) {
                try await tidy(role: name, store: store)
            }
        }
        return Response(
            warnings: ["Tidy operation completed: removed \(removed) expired or dangling secret ID entries."],
            statusCode: 202)
    }

    /// One role's pass, under its lock; the number of entries removed.
    private func tidy(role name: String, store: AppRoleStorage) async throws -> Int {
        let roleExists = try await store.role(name) != nil
        let now = currentTime
        var operations: [ViewOperation] = []
        var liveMACs = Set<String>()
        let secretPrefix = AppRoleStorage.secretIDPrefix(name)
        for mac in try await store.view.list(prefix: secretPrefix) where !mac.hasSuffix("/") {
            guard roleExists, let entry = try await store.secretID(name, mac: mac) else {
                operations.append(.delete(key: secretPrefix + mac))
                continue
            }
            if entry.isExpired(at: now) {
                operations += store.deleteSecretID(name, mac: mac, entry)
            } else {
                liveMACs.insert(mac)
            }
        }
        let accessorPrefix = AppRoleStorage.accessorPrefix(name)
        let deleted = Set(operations.compactMap { operation -> String? in
            if case .delete(let key) = operation { return key } else { return nil }
        })
        for child in try await store.view.list(prefix: accessorPrefix) where !child.hasSuffix("/") {
            let key = accessorPrefix + child
            guard !deleted.contains(key) else { continue }
            let bytes = try await store.view.get(key)
            let mac = try bytes.map { try AuthRecord(bytes: $0, key: key).string("secret_id_mac") }
            if mac.map({ !liveMACs.contains($0) }) ?? true { operations.append(.delete(key: key)) }
        }
        guard !operations.isEmpty else { return 0 }
        try await store.view.commit(operations)
        return operations.count { operation in
            if case .delete(let key) = operation { return key.hasPrefix(secretPrefix) }
            return false
        }
    }
}
