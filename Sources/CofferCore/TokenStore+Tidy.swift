import CofferBarrier
import CofferJSON
import CofferLogical

/// What one ``TokenStore/tidy()`` pass did.
struct TokenTidyReport: Sendable, Hashable {
    var tokensScanned = 0
    /// Tokens revoked (each with its subtree) because they could no longer authenticate:
    /// expired, pending revocation, or below a missing or dead ancestor.
    var tokensRevoked = 0
    var accessorsScanned = 0
    var accessorsDeleted = 0
    var parentIndexEntriesDeleted = 0
    /// Records that could not be read; left in place for an operator to look at.
    var unreadableRecords = 0

    var apiValue: [String: JSONValue] {
        [
            "tokens_scanned": .int(Int64(tokensScanned)), "tokens_revoked": .int(Int64(tokensRevoked)),
            "accessors_scanned": .int(Int64(accessorsScanned)), "accessors_deleted": .int(Int64(accessorsDeleted)),
            "parent_index_entries_deleted": .int(Int64(parentIndexEntriesDeleted)),
            "unreadable_records": .int(Int64(unreadableRecords)),
        ]
    }
}

extension TokenStore {
    /// `auth/token/tidy`: finishes interrupted revocations, revokes tokens that can no
    /// longer authenticate (expired ones included, so their storage and per-token data go),
    /// and deletes accessor records and parent-index entries that point at nothing.
    /// Runs to completion in the caller's task; returns nil when another pass is running.
    func tidy() async throws -> TokenTidyReport? {
        let started = tidyRunning.withLock { running -> Bool in
            guard !running else { return false }
            running = true
            return true
        }
        guard started else { return nil }
        defer { tidyRunning.withLock { $0 = false } }

        var report = TokenTidyReport()
        let now = now()
        try await forEachKey(under: Self.idPrefix) { id in
            guard let entry = try await readable({ try await storedEntry(id: id) }, &report) ?? nil else { return }
            report.tokensScanned += 1
            var dead = entry.revocationPending || entry.isExpired(at: now)
            if !dead { dead = try await ancestorCount(of: entry, now: now) == nil }
            if dead {
                try await revokeTree(id: id)
                report.tokensRevoked += 1
            }
        }

        try await forEachKey(under: Self.accessorPrefix) { name in
            report.accessorsScanned += 1
            let key = Self.accessorPrefix + name
            guard let bytes = try await barrier.get(key),
                let record = try await readable({ try TokenAccessorRecord(storageBytes: bytes) }, &report)
            else { return }
            let entry = try await readable({ try await storedEntry(id: record.tokenID) }, &report)
            if case .some(.none) = entry {
                try await barrier.delete(key)
                report.accessorsDeleted += 1
            } else if case .some(.some(let found)) = entry, !record.accessor.isEmpty, found.accessor != record.accessor {
                try await barrier.delete(key)
                report.accessorsDeleted += 1
            }
        }

        try await forEachKey(under: Self.parentPrefix) { parentName in
            guard parentName.hasSuffix("/") else { return }
            let parentID = String(parentName.dropLast())
            let parent = try await readable({ try await storedEntry(id: parentID) }, &report)
            try await forEachKey(under: Self.parentPrefix + parentName) { child in
                let indexKey = Self.parentKey(parent: parentID, child: child)
                guard let found = try await readable({ try await storedEntry(id: child) }, &report) else { return }
                guard let entry = found, entry.parent == parentID else {
                    try await barrier.delete(indexKey)
                    report.parentIndexEntriesDeleted += 1
                    return
                }
                if case .some(.none) = parent {
                    // Below a parent that is gone: it cannot authenticate; remove it and its subtree.
                    try await revokeTree(id: child)
                    report.tokensRevoked += 1
                }
            }
        }
        return report
    }

    /// Runs `read`, counting a corrupt record instead of failing the whole pass; storage
    /// and seal errors still propagate. Returns nil for a corrupt record.
    private func readable<T>(_ read: () async throws -> T, _ report: inout TokenTidyReport) async throws -> T? {
        do {
            return try await read()
        } catch let error as LogicalError where error.cause is CorruptState {
            report.unreadableRecords += 1
            return nil
        } catch let error as BarrierError where error.code == .integrity {
            report.unreadableRecords += 1
            return nil
        }
    }
}
