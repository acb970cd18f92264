import CofferJSON
import CofferLogical

/// `role/<name>/secret-id`, `custom-secret-id`, and lookup and destroy by value or by
/// accessor.
extension AppRoleBackend {
    /// Generates (or registers a custom) secret ID. `ttl` and `num_uses` may narrow the
    /// role's settings, never widen them; `cidr_list` and `token_bound_cidrs` must lie
    /// within the role's. Answers `secret_id`, `secret_id_accessor`, `secret_id_ttl` and
    /// `secret_id_num_uses`.
    func createSecretID(_ request: Request, role name: String, custom: Bool, storage: any StorageView) async throws -> Response? {
        let fields = RequestFields(request.data)
        var secretID: String?
        if custom {
            guard let given = try Self.identifier(fields, "secret_id") else { throw LogicalError.invalidRequest("missing secret_id") }
            secretID = given
        }
        let metadata = try Self.secretIDMetadata(fields)
        let cidrList = try CIDRList.parse(try fields.stringList("cidr_list") ?? [], field: "cidr_list")
        let tokenCIDRs = try CIDRList.parse(try fields.stringList("token_bound_cidrs") ?? [], field: "token_bound_cidrs")
        let requestedUses = try fields.int("num_uses")
        let requestedTTL = try fields.duration("ttl")

        let store = try await AppRoleStorage.open(storage)
        return try await roleLocks.withLock(name) {
            guard let role = try await store.role(name) else { throw Self.noSuchRole(name) }
            guard role.bindSecretID else { throw LogicalError.invalidRequest("bind_secret_id is not set on the role") }
            var uses = role.secretIDNumUses
            if let requestedUses {
                guard requestedUses >= 0 else { throw LogicalError.invalidRequest("num_uses cannot be negative") }
                if role.secretIDNumUses > 0, requestedUses == 0 || requestedUses > role.secretIDNumUses {
                    throw LogicalError.invalidRequest("num_uses cannot be higher than the role's secret_id_num_uses")
                }
                uses = requestedUses
            }
            var ttl = role.secretIDTTL
            if let requestedTTL {
                if role.secretIDTTL > 0, requestedTTL == 0 || requestedTTL > role.secretIDTTL {
                    throw LogicalError.invalidRequest("ttl cannot be longer than the role's secret_id_ttl")
                }
                ttl = requestedTTL
            }
            try Self.checkSubset(cidrList, of: role.secretIDBoundCIDRs, what: "secret ID")
            try Self.checkSubset(tokenCIDRs, of: role.token.boundCIDRs, what: "token")

            let value: String
            let mac: String
            if let secretID {
                value = secretID
                mac = store.secretIDMAC(value)
                if try await store.secretID(name, mac: mac) != nil {
                    throw LogicalError.invalidRequest("SecretID is already registered")
                }
            } else {
                (value, mac) = try await freshSecretID(role: name, store: store)
            }
            var accessor = SecureRandom.uuid()
            while try await store.secretIDMAC(name, accessor: accessor) != nil { accessor = SecureRandom.uuid() }
            let entry = AppRoleSecretID(
                accessor: accessor, numUses: uses, ttl: ttl, now: currentTime, metadata: metadata,
                cidrList: cidrList, tokenBoundCIDRs: tokenCIDRs)
            try await storage.commit(store.putSecretID(name, mac: mac, entry))
            return Response(data: [
                "secret_id": .string(value), "secret_id_accessor": .string(accessor),
                "secret_id_ttl": .int(ttl), "secret_id_num_uses": .int(uses),
            ])
        }
    }

    /// A random secret ID not yet stored for the role, with its MAC.
    private func freshSecretID(role: String, store: AppRoleStorage) async throws -> (String, String) {
        while true {
            let value = SecureRandom.uuid()
            let mac = store.secretIDMAC(value)
            if try await store.secretID(role, mac: mac) == nil { return (value, mac) }
        }
    }

    /// `metadata`: a JSON object of strings, or (as Vault's clients send it) a string
    /// holding one. `role_name` is reserved for the login's own metadata.
    static func secretIDMetadata(_ fields: RequestFields) throws -> [String: String] {
        guard let value = fields.value("metadata") else { return [:] }
        var object = value
        if let text = value.stringValue {
            if Whitespace.trim(text).isEmpty { return [:] }
            guard let parsed = try? JSONParser.parse(Array(text.utf8)) else {
                throw LogicalError.invalidRequest("failed to parse metadata: it must be a JSON object of strings")
            }
            object = parsed
        }
        guard let metadata = try? RequestFields(["metadata": object]).stringMap("metadata") else {
            throw LogicalError.invalidRequest("failed to parse metadata: it must be a JSON object of strings")
        }
        return metadata
    }

    /// Every block of `blocks` must lie inside one of `bounds` (when there are bounds).
    static func checkSubset(_ blocks: [String], of bounds: [String], what: String) throws {
        guard !bounds.isEmpty else { return }
        let parsedBounds = bounds.compactMap(CIDRBlock.init)
        for text in blocks {
            guard let block = CIDRBlock(text), parsedBounds.contains(where: { $0.contains(block) }) else {
                throw LogicalError.invalidRequest(
                    "failed to verify the CIDR restrictions set on the \(what): \"\(text)\" is not within the role's bound CIDRs")
            }
        }
    }

    /// Accessors of the role's live secret IDs.
    func listSecretIDs(role name: String, storage: any StorageView) async throws -> Response? {
        let store = try await AppRoleStorage.open(storage)
        guard try await store.role(name) != nil else { throw Self.noSuchRole(name) }
        let now = currentTime
        var accessors: [String] = []
        for mac in try await storage.list(prefix: AppRoleStorage.secretIDPrefix(name)) where !mac.hasSuffix("/") {
            if let entry = try await store.secretID(name, mac: mac), !entry.isExpired(at: now) {
                accessors.append(entry.accessor)
            }
        }
        return accessors.isEmpty ? nil : Response(data: ["keys": JSONValue(accessors.sorted())])
    }

    func lookUpSecretID(_ request: Request, role name: String, storage: any StorageView) async throws -> Response? {
        guard let secretID = try Self.identifier(RequestFields(request.data), "secret_id") else {
            throw LogicalError.invalidRequest("missing secret_id")
        }
        let store = try await AppRoleStorage.open(storage)
        guard try await store.role(name) != nil else { throw Self.noSuchRole(name) }
        guard let entry = try await store.secretID(name, mac: store.secretIDMAC(secretID)), !entry.isExpired(at: currentTime) else {
            return nil
        }
        return Response(data: entry.apiRepresentation)
    }

    func destroySecretID(_ request: Request, role name: String, storage: any StorageView) async throws -> Response? {
        guard let secretID = try Self.identifier(RequestFields(request.data), "secret_id") else {
            throw LogicalError.invalidRequest("missing secret_id")
        }
        let store = try await AppRoleStorage.open(storage)
        let mac = store.secretIDMAC(secretID)
        try await roleLocks.withLock(name) {
            guard try await store.role(name) != nil else { throw Self.noSuchRole(name) }
            guard let entry = try await store.secretID(name, mac: mac) else { return }
            try await storage.commit(store.deleteSecretID(name, mac: mac, entry))
        }
        return nil
    }

    func lookUpAccessor(_ request: Request, role name: String, storage: any StorageView) async throws -> Response? {
        let accessor = try Self.accessorField(request)
        let store = try await AppRoleStorage.open(storage)
        guard try await store.role(name) != nil else { throw Self.noSuchRole(name) }
        guard let mac = try await store.secretIDMAC(name, accessor: accessor),
              let entry = try await store.secretID(name, mac: mac), !entry.isExpired(at: currentTime)
        else { throw Self.unknownAccessor(accessor) }
        return Response(data: entry.apiRepresentation)
    }

    func destroyAccessor(_ request: Request, role name: String, storage: any StorageView) async throws -> Response? {
        let accessor = try Self.accessorField(request)
        let store = try await AppRoleStorage.open(storage)
        try await roleLocks.withLock(name) {
            guard try await store.role(name) != nil else { throw Self.noSuchRole(name) }
            guard let mac = try await store.secretIDMAC(name, accessor: accessor) else { throw Self.unknownAccessor(accessor) }
            var operations: [ViewOperation] = [.delete(key: store.accessorKey(name, accessor))]
            if try await store.secretID(name, mac: mac) != nil {
                operations.append(.delete(key: AppRoleStorage.secretIDKey(name, mac: mac)))
            }
            try await storage.commit(operations)
        }
        return nil
    }

    private static func accessorField(_ request: Request) throws -> String {
        guard let accessor = try identifier(RequestFields(request.data), "secret_id_accessor") else {
            throw LogicalError.invalidRequest("missing secret_id_accessor")
        }
        return accessor
    }

    /// Vault's wording, without echoing the value (a client may have sent a secret ID by
    /// mistake).
    private static func unknownAccessor(_ accessor: String) -> LogicalError {
        LogicalError(.notFound, "failed to find accessor entry for secret_id_accessor")
    }
}
