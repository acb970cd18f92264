import CofferLogical

/// `users/<name>`, `users/<name>/password`, `users/<name>/policies`.
extension UserpassBackend {
    func handleUser(_ request: Request, name: String, storage: any StorageView) async throws -> Response? {
        switch request.operation {
        case .read:
            guard let user = try await loadUser(name, storage: storage) else { return nil }
            return Response(data: user.apiRepresentation)
        case .create, .update:
            return try await writeUser(request, name: name, storage: storage)
        case .delete:
            try await locks.withLock(name) {
                try await storage.delete(UserpassUser.key(name))
            }
            return nil
        case .list, .patch:
            throw LogicalError.unsupportedOperation
        }
    }

    /// Creates or updates a user: members given replace stored ones, others stay. A new
    /// user needs a password. Input is validated and the password hashed before the
    /// user's lock is taken; under it the record is re-read so a concurrent change is
    /// kept.
    private func writeUser(_ request: Request, name: String, storage: any StorageView) async throws -> Response? {
        let fields = RequestFields(request.data)
        if fields.value("password_hash") != nil {
            throw LogicalError.invalidRequest("password_hash is not supported by this server; send password")
        }
        let password = try Self.password(fields)
        if let password, password.count > Self.maxPasswordBytes {
            throw LogicalError.invalidRequest("password is longer than \(Self.maxPasswordBytes) bytes")
        }
        // Validate against what is stored now, so bad input costs no hash.
        let current = try await loadUser(name, storage: storage)
        if current == nil, password == nil { throw LogicalError.invalidRequest("missing password") }
        var preview = current?.token ?? TokenSettings()
        try preview.apply(fields, aliases: TokenSettings.userpassAliases)

        var newHash: PasswordHash?
        if let password { newHash = try await hashing.hash(password) }
        try await locks.withLock(name) {
            let stored = try await loadUser(name, storage: storage)
            var token = stored?.token ?? TokenSettings()
            try token.apply(fields, aliases: TokenSettings.userpassAliases)
            guard let hash = newHash ?? stored?.password else { throw LogicalError.invalidRequest("missing password") }
            try await storage.put(UserpassUser.key(name), UserpassUser(password: hash, token: token).encoded())
        }
        return nil
    }

    func updatePassword(_ request: Request, name: String, storage: any StorageView) async throws -> Response? {
        guard let password = try Self.password(RequestFields(request.data)) else {
            throw LogicalError.invalidRequest("missing password")
        }
        guard password.count <= Self.maxPasswordBytes else {
            throw LogicalError.invalidRequest("password is longer than \(Self.maxPasswordBytes) bytes")
        }
        guard try await loadUser(name, storage: storage) != nil else { throw Self.noSuchUser }
        let hash = try await hashing.hash(password)
        try await locks.withLock(name) {
            guard var user = try await loadUser(name, storage: storage) else { throw Self.noSuchUser }
            user.password = hash
            try await storage.put(UserpassUser.key(name), user.encoded())
        }
        return nil
    }

    func updatePolicies(_ request: Request, name: String, storage: any StorageView) async throws -> Response? {
        // Only the policy members: this path changes nothing else.
        let policyFields = RequestFields(request.data.filter { $0.key == "token_policies" || $0.key == "policies" })
        guard policyFields.value("token_policies") != nil || policyFields.value("policies") != nil else {
            throw LogicalError.invalidRequest("missing token_policies")
        }
        try await locks.withLock(name) {
            guard var user = try await loadUser(name, storage: storage) else { throw Self.noSuchUser }
            try user.token.apply(policyFields, aliases: TokenSettings.userpassAliases)
            try await storage.put(UserpassUser.key(name), user.encoded())
        }
        return nil
    }

    static let noSuchUser = LogicalError.invalidRequest("username does not exist")
}
