import CofferBarrier
import CofferLogical
import CofferStorage

/// Everything a new token is made of, once the token backend has applied the creation
/// rules (policies, parent, TTLs). The store only validates shape and persists.
struct TokenSpec: Sendable {
    var policies: [String]
    /// The parent's salted id; empty for an orphan.
    var parentID: String = ""
    var path: String
    var displayName: String
    var metadata: [String: String] = [:]
    var numUses: Int = 0
    var creationTime: Int64
    /// 0 = never expires (root tokens only).
    var ttl: Int64 = 0
    var explicitMaxTTL: Int64 = 0
    var period: Int64 = 0
    var renewable: Bool = false
    var type: String = TokenEntry.serviceType
    var role: String = ""
    /// A caller-chosen token value (root or sudo only); nil to generate one.
    var customID: String?
}

extension TokenSpec: CustomStringConvertible {
    /// Leaves out the custom id: it is a token value.
    var description: String {
        "TokenSpec(type: \(type), policies: \(policies), orphan: \(parentID.isEmpty), ttl: \(ttl), customID: \(customID == nil ? "none" : "redacted"))"
    }
}

extension TokenStore {
    /// Creates a root token (policy `root`, no expiry, orphan). `id` fixes the token's value
    /// (dev mode's `-dev-root-token-id`, generate-root); otherwise one is generated.
    /// - Throws: ``LogicalError`` `invalidRequest` for an unusable or duplicate `id`.
    func createRootToken(id: String? = nil, displayName: String = "root") async throws -> (token: String, entry: TokenEntry) {
        try await create(TokenSpec(
            policies: [TokenPolicies.root], path: "auth/token/root", displayName: displayName,
            creationTime: now(), customID: id
        ))
    }

    /// Persists a new token and returns its value with its entry.
    ///
    /// A service token is written in one batch: its entry, its accessor record and, when
    /// it has a parent, its parent-index entry; so no index ever points at a token that was
    /// never written. A batch token is sealed into its own value and nothing is written.
    /// - Throws: ``LogicalError`` `invalidRequest` for a malformed custom id, a duplicate
    ///   id, or a batch token too large to carry.
    func create(_ spec: TokenSpec) async throws -> (token: String, entry: TokenEntry) {
        var entry = TokenEntry(
            id: "", accessor: "", policies: spec.policies, parent: spec.parentID, path: spec.path,
            displayName: spec.displayName, metadata: spec.metadata, numUses: spec.numUses,
            creationTime: spec.creationTime, ttl: spec.ttl, explicitMaxTTL: spec.explicitMaxTTL, period: spec.period,
            type: spec.type, expireTime: spec.ttl > 0 ? spec.creationTime + spec.ttl : 0,
            renewable: spec.renewable && spec.ttl > 0 && spec.type == TokenEntry.serviceType, role: spec.role
        )
        if spec.type == TokenEntry.batchType {
            guard spec.customID == nil else {
                throw LogicalError.invalidRequest("batch tokens cannot have a custom ID")
            }
            let token = try TokenBatchCodec.encode(entry, barrier: barrier)
            entry.id = saltedID(token)
            return (token, entry)
        }
        guard spec.type == TokenEntry.serviceType else {
            throw LogicalError.invalidRequest("invalid 'token_type' value")
        }

        let token: String
        if let custom = spec.customID {
            guard Self.isWellFormed(custom), !custom.hasPrefix(Self.batchPrefix) else {
                throw LogicalError.invalidRequest(
                    "custom token ID must be 1 to \(Self.maxServiceTokenLength) printable ASCII characters without spaces"
                )
            }
            token = custom
        } else {
            token = TokenGenerator.serviceToken()
        }
        entry.id = saltedID(token)
        entry.accessor = TokenGenerator.accessor()

        var operations: [StorageOperation] = [
            .put(key: Self.idKey(entry.id), value: entry.storageBytes),
            .put(key: accessorKey(entry.accessor),
                 value: TokenAccessorRecord(tokenID: entry.id, accessor: entry.accessor).storageBytes),
        ]
        if !entry.parent.isEmpty {
            operations.append(.put(key: Self.parentKey(parent: entry.parent, child: entry.id), value: []))
        }
        let created = entry
        if spec.customID != nil {
            // A chosen id can collide; check and write under its lock so two creations
            // with the same id cannot both pass the check.
            try await locks.withLock(created.id) {
                if try await storedEntry(id: created.id) != nil {
                    throw LogicalError.invalidRequest("cannot create a token with a duplicate ID")
                }
                try await barrier.commit(StorageBatch(operations))
                cache.insertNew(created)
            }
        } else {
            try await barrier.commit(StorageBatch(operations))
            cache.insertNew(created)
        }
        try await onStore(created)
        return (token, created)
    }
}
