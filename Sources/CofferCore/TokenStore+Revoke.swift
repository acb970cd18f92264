import CofferBarrier
import CofferLogical
import CofferStorage

/// Revocation and limited-use tokens.
///
/// Order of a tree revocation, and why a crash at any point is safe:
/// 1. The top token is marked `revocationPending` (one write). From then on neither it nor
///    any descendant authenticates: liveness requires every ancestor to be live.
/// 2. The subtree is walked top-down through the parent index, iteratively (no recursion).
/// 3. Tokens are deleted bottom-up (children before their parent), in small groups: the
///    ``TokenStore/onRevoke`` hook sees a group first, then each token goes in one batch
///    that deletes its entry, its accessor record and its parent-index entry together.
///
/// So an accessor never outlives its entry, a parent-index entry never names a deleted
/// child, and whatever a crash leaves is still hanging below the pending top token, where
/// it cannot authenticate; revoking the top token again, or ``tidy()``, finishes. The hook
/// may run twice for a token and must be idempotent.
extension TokenStore {
    /// How many tokens the hook sees at once.
    static let revocationGroupSize = 32

    /// Revokes the stored token with salted id `id` and all its descendants. Revoking a
    /// token that does not exist does nothing; revoking one already pending resumes.
    func revokeTree(id: String) async throws {
        let marked = try await locks.withLock(id) { () -> Bool in
            guard var entry = try await storedEntry(id: id) else { return false }
            if !entry.revocationPending {
                entry.revocationPending = true
                try await barrier.put(Self.idKey(id), entry.storageBytes)
                cache.store(entry)
            }
            return true
        }
        guard marked else { return }

        // Top-down walk; `order` lists every token after its parent.
        var order: [String] = [id]
        var seen: Set<String> = [id]
        var next = 0
        while next < order.count {
            let parent = order[next]
            next += 1
            try await forEachKey(under: Self.parentPrefix + parent + "/") { child in
                guard !seen.contains(child) else { return }
                guard let entry = try await storedEntry(id: child), entry.parent == parent else {
                    // The index names a token that is gone or no longer this parent's.
                    try await barrier.delete(Self.parentKey(parent: parent, child: child))
                    return
                }
                seen.insert(child)
                order.append(entry.id)
            }
        }

        var index = order.count
        while index > 0 {
            let start = max(0, index - Self.revocationGroupSize)
            try await revokeGroup(Array(order[start..<index].reversed()))
            index = start
        }
    }

    /// Revokes the token with salted id `id` alone: its children become orphans (each in one
    /// batch that clears its parent and its parent-index entry), then the token goes. A
    /// crash in between leaves the token live with some children orphaned; repeating
    /// finishes.
    func revokeOrphan(id: String) async throws {
        try await forEachKey(under: Self.parentPrefix + id + "/") { child in
            try await locks.withLock(child) {
                let indexKey = Self.parentKey(parent: id, child: child)
                guard var entry = try await storedEntry(id: child), entry.parent == id else {
                    try await barrier.delete(indexKey)
                    return
                }
                entry.parent = ""
                try await barrier.commit(StorageBatch([
                    .put(key: Self.idKey(child), value: entry.storageBytes), .delete(key: indexKey),
                ]))
                cache.store(entry)
            }
        }
        try await revokeGroup([id])
    }

    /// Calls the hook for the tokens of `ids` still stored, then deletes each.
    private func revokeGroup(_ ids: [String]) async throws {
        var entries: [TokenEntry] = []
        for id in ids {
            if let entry = try await storedEntry(id: id) { entries.append(entry) }
        }
        guard !entries.isEmpty else { return }
        try await onRevoke(entries)
        for entry in entries { try await delete(id: entry.id) }
    }

    /// Deletes one token's entry, accessor record and parent-index entry in one batch.
    private func delete(id: String) async throws {
        try await locks.withLock(id) {
            guard let entry = try await storedEntry(id: id) else { return }
            var operations: [StorageOperation] = [.delete(key: Self.idKey(id))]
            if !entry.accessor.isEmpty { operations.append(.delete(key: accessorKey(entry.accessor))) }
            if !entry.parent.isEmpty {
                operations.append(.delete(key: Self.parentKey(parent: entry.parent, child: id)))
            }
            try await barrier.commit(StorageBatch(operations))
            cache.remove(id)
        }
    }

    // MARK: Limited-use tokens

    /// Spends one use of a limited-use token (`num_uses > 0`); Core calls it once per
    /// request the token authenticates, before serving it. Returns the updated entry, or
    /// nil when the token has no use left, is pending revocation or is gone: refuse the
    /// request then.
    ///
    /// Spending the last use marks the token pending revocation in the same write, so no
    /// other request can use it; the request being served still can (its per-token data,
    /// e.g. a response-wrapping cubbyhole, is still there). Afterwards, call
    /// ``finishUse(_:)`` with the returned entry to revoke it. An entry without a use
    /// limit, or a batch token, is returned unchanged.
    func recordUse(_ entry: TokenEntry) async throws -> TokenEntry? {
        if entry.revocationPending { return nil }
        guard entry.numUses > 0, !entry.isBatch else { return entry }
        return try await locks.withLock(entry.id) { () -> TokenEntry? in
            guard var current = try await storedEntry(id: entry.id), !current.revocationPending,
                current.numUses > 0, !current.isExpired(at: now())
            else { return nil }
            current.numUses -= 1
            if current.numUses == 0 { current.revocationPending = true }
            try await barrier.put(Self.idKey(current.id), current.storageBytes)
            cache.store(current)
            return current
        }
    }

    /// After the request a limited-use token served: revokes the token (and its subtree)
    /// when ``recordUse(_:)`` spent its last use. Safe to call for any entry.
    func finishUse(_ entry: TokenEntry) async throws {
        guard entry.revocationPending, !entry.isBatch else { return }
        try await revokeTree(id: entry.id)
    }
}
