import CofferLogical

/// `login`.
extension AppRoleBackend {
    /// Checks the role ID and secret ID, consumes a use, and answers the `auth` block
    /// Core mints a token from.
    ///
    /// Order matters for what a failure reveals: the role and secret ID are checked
    /// first (every miss is the same 400, with the same storage reads), the CIDR
    /// restrictions only then (so they tell nothing to someone without a valid pair), and
    /// a use is consumed last (a refused client burns none).
    func login(_ request: Request, storage: any StorageView) async throws -> Response? {
        let fields = RequestFields(request.data)
        guard let roleID = try Self.identifier(fields, "role_id") else { throw LogicalError.invalidRequest("missing role_id") }
        let secretID = try Self.identifier(fields, "secret_id")
        let store = try await AppRoleStorage.open(storage)
        let secretMAC = store.secretIDMAC(secretID ?? "")

        // An unknown role ID does the same reads as a wrong secret ID: a role read and a
        // secret-ID read, at keys no role can have (names never hold NUL).
        let indexed = try await store.roleName(forRoleID: roleID)
        let role = try await store.role(indexed ?? Self.noRole)
        guard let name = indexed, let role, ConstantTime.equal(role.roleID, roleID) else {
            _ = try await storage.get(AppRoleStorage.secretIDKey(Self.noRole, mac: secretMAC))
            throw Self.invalidLogin
        }

        var entry: AppRoleSecretID?
        if role.bindSecretID {
            guard secretID != nil, let found = try await store.secretID(name, mac: secretMAC) else { throw Self.invalidLogin }
            if found.isExpired(at: currentTime) {
                try await deleteIfExpired(role: name, mac: secretMAC, store: store)
                throw Self.invalidLogin
            }
            entry = found
        }

        try Self.checkSource(request.remoteAddress, role.secretIDBoundCIDRs, what: "role")
        if let entry { try Self.checkSource(request.remoteAddress, entry.cidrList, what: "secret ID") }
        let tokenCIDRs = entry.map { $0.tokenBoundCIDRs.isEmpty ? role.token.boundCIDRs : $0.tokenBoundCIDRs } ?? role.token.boundCIDRs
        guard CIDRList.allows(request.remoteAddress, tokenCIDRs) else { throw LogicalError.permissionDenied }

        if let limited = entry, limited.numUses > 0 {
            entry = try await consumeUse(role: name, mac: secretMAC, store: store)
        }

        var metadata = entry?.metadata ?? [:]
        metadata["role_name"] = name
        let auth = role.token.authInfo(
            metadata: metadata,
            displayName: LoginDisplayName.make(mountPoint: request.mountPoint, defaultMount: "approle/", name: ""),
            boundCIDRs: tokenCIDRs
        )
        return Response(auth: auth)
    }

    static let invalidLogin = LogicalError.invalidRequest(invalidCredentials)
    private static let noRole = "\u{0}"

    /// Vault's answer when the client's address is outside a secret ID's or role's bound
    /// CIDRs; the address is the client's own, not a secret.
    private static func checkSource(_ remote: String?, _ blocks: [String], what: String) throws {
        guard !blocks.isEmpty else { return }
        guard let remote, !remote.isEmpty else {
            throw LogicalError(.internalError, "failed to get connection information")
        }
        guard CIDRList.allows(remote, blocks) else {
            throw LogicalError.invalidRequest("source address \"\(remote)\" unauthorized through CIDR restrictions on the \(what)")
        }
    }

    /// Takes one use of a limited secret ID under the role's lock, deleting it with its
    /// last use. Re-reads first: a concurrent login may have taken the last use, or a
    /// destroy removed it, in which case this login fails like any invalid secret ID.
    private func consumeUse(role name: String, mac: String, store: AppRoleStorage) async throws -> AppRoleSecretID {
        try await roleLocks.withLock(name) {
            guard var entry = try await store.secretID(name, mac: mac) else { throw Self.invalidLogin }
            let now = currentTime
            if entry.isExpired(at: now) {
                try await store.view.commit(store.deleteSecretID(name, mac: mac, entry))
                throw Self.invalidLogin
            }
            if entry.numUses == 1 {
                try await store.view.commit(store.deleteSecretID(name, mac: mac, entry))
                entry.numUses = 0
                return entry
            }
            entry.numUses -= 1
            entry.lastUpdatedTime = now
            try await store.view.commit([.put(key: AppRoleStorage.secretIDKey(name, mac: mac), value: entry.encoded())])
            return entry
        }
    }

    /// Deletes the secret ID if it is still there and still expired.
    func deleteIfExpired(role name: String, mac: String, store: AppRoleStorage) async throws {
        try await roleLocks.withLock(name) {
            guard let entry = try await store.secretID(name, mac: mac), entry.isExpired(at: currentTime) else { return }
            try await store.view.commit(store.deleteSecretID(name, mac: mac, entry))
        }
    }
}
