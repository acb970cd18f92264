import CofferJSON
import CofferLogical

/// `role/<name>` and `role/<name>/role-id`.
extension AppRoleBackend {
    func handleRole(_ request: Request, name: String, storage: any StorageView) async throws -> Response? {
        switch request.operation {
        case .read:
            guard let role = try await AppRoleStorage.open(storage).role(name) else { return nil }
            return Response(data: role.apiRepresentation)
        case .create, .update:
            try await writeRole(request, name: name, storage: storage)
            return nil
        case .delete:
            try await deleteRole(name, storage: storage)
            return nil
        case .list, .patch:
            throw LogicalError.unsupportedOperation
        }
    }

    func handleRoleID(_ request: Request, name: String, storage: any StorageView) async throws -> Response? {
        switch request.operation {
        case .read:
            guard let role = try await AppRoleStorage.open(storage).role(name) else { return nil }
            return Response(data: ["role_id": .string(role.roleID)])
        case .create, .update:
            guard let roleID = try Self.identifier(RequestFields(request.data), "role_id") else {
                throw LogicalError.invalidRequest("missing role_id")
            }
            let store = try await AppRoleStorage.openCreating(storage, lock: saltLock)
            try await withRoleLocks(name) {
                guard var role = try await store.role(name) else { throw Self.noSuchRole(name) }
                var operations = try await reindex(&role, name: name, newRoleID: roleID, store: store)
                operations.append(.put(key: AppRoleStorage.roleKey(name), value: role.encoded()))
                try await storage.commit(operations)
            }
            return nil
        case .list, .delete, .patch:
            throw LogicalError.unsupportedOperation
        }
    }

    /// Creates or updates a role: members given replace stored ones, others keep their
    /// value (or Vault's default on create). A new role gets a random role ID unless
    /// `role_id` names one.
    private func writeRole(_ request: Request, name: String, storage: any StorageView) async throws {
        let fields = RequestFields(request.data)
        if try fields.bool("local_secret_ids") == true {
            throw LogicalError.invalidRequest("local_secret_ids is not supported by this server")
        }
        if fields.value("bound_cidr_list") != nil, fields.value("secret_id_bound_cidrs") != nil {
            throw LogicalError.invalidRequest("cannot specify both \"secret_id_bound_cidrs\" and \"bound_cidr_list\"")
        }
        let customRoleID = try Self.identifier(fields, "role_id")
        let store = try await AppRoleStorage.openCreating(storage, lock: saltLock)
        try await withRoleLocks(name) {
            let existing = try await store.role(name)
            var role = existing ?? AppRoleRole(roleID: "")
            try Self.apply(fields, to: &role)
            let roleID = customRoleID ?? existing?.roleID ?? SecureRandom.uuid()
            var operations = try await reindex(&role, name: name, newRoleID: roleID, store: store, isNew: existing == nil)
            operations.append(.put(key: AppRoleStorage.roleKey(name), value: role.encoded()))
            try await storage.commit(operations)
        }
    }

    /// Applies the role members of `fields` and checks the result.
    static func apply(_ fields: RequestFields, to role: inout AppRoleRole) throws {
        if let bind = try fields.bool("bind_secret_id") { role.bindSecretID = bind }
        for name in ["secret_id_bound_cidrs", "bound_cidr_list"] {
            if let list = try fields.stringList(name) { role.secretIDBoundCIDRs = try CIDRList.parse(list, field: name) }
        }
        if let uses = try fields.int("secret_id_num_uses") {
            guard uses >= 0 else { throw LogicalError.invalidRequest("secret_id_num_uses cannot be negative") }
            role.secretIDNumUses = uses
        }
        if let ttl = try fields.duration("secret_id_ttl") { role.secretIDTTL = ttl }
        try role.token.apply(fields, aliases: TokenSettings.appRoleAliases)
        if !role.bindSecretID, role.secretIDBoundCIDRs.isEmpty, role.token.boundCIDRs.isEmpty {
            throw LogicalError.invalidRequest("at least one constraint should be enabled on the role")
        }
    }

    /// Points the role-ID index at `name` for `newRoleID` (dropping the old entry) and
    /// sets it on `role`; the operations to commit with the role record. Refuses a role
    /// ID another role holds. Call holding ``indexLock``.
    func reindex(
        _ role: inout AppRoleRole, name: String, newRoleID: String, store: AppRoleStorage, isNew: Bool = false
    ) async throws -> [ViewOperation] {
        if !isNew, role.roleID == newRoleID { return [] }
        if let holder = try await store.roleName(forRoleID: newRoleID), holder != name {
            throw LogicalError.invalidRequest("role_id already in use")
        }
        var operations: [ViewOperation] = []
        if !isNew, !role.roleID.isEmpty, try await store.roleName(forRoleID: role.roleID) == name {
            operations.append(.delete(key: store.roleIDKey(role.roleID)))
        }
        role.roleID = newRoleID
        operations.append(store.putRoleIndex(newRoleID, role: name))
        return operations
    }

    /// Deletes the role, its index entry and every secret ID of it, in one commit.
    private func deleteRole(_ name: String, storage: any StorageView) async throws {
        let store = try await AppRoleStorage.open(storage)
        try await withRoleLocks(name) {
            guard let role = try await store.role(name) else { return }
            var operations: [ViewOperation] = [.delete(key: AppRoleStorage.roleKey(name))]
            if try await store.roleName(forRoleID: role.roleID) == name {
                operations.append(.delete(key: store.roleIDKey(role.roleID)))
            }
            for prefix in [AppRoleStorage.secretIDPrefix(name), AppRoleStorage.accessorPrefix(name)] {
                for child in try await storage.list(prefix: prefix) where !child.hasSuffix("/") {
                    operations.append(.delete(key: prefix + child))
                }
            }
            try await storage.commit(operations)
        }
    }

    /// Runs `body` holding the index lock and then the role's lock (the one order).
    func withRoleLocks<Result>(
        _ name: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async throws -> Result {
        try await indexLock.withLock("index") {
            try await roleLocks.withLock(name) { try await body() }
        }
    }
}
