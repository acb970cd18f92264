import CofferBarrier
import CofferJSON
import CofferLogical

/// What one ``ExpirationManager/tidy()`` pass did.
struct LeaseTidyReport: Sendable, Hashable {
    var leasesScanned = 0
    /// Leases whose owning token no longer exists: token leases deleted, secret leases
    /// brought forward so expiry revokes them.
    var leasesRevoked = 0
    /// Leases stored but not scheduled (a crash between write and schedule), now scheduled.
    var leasesScheduled = 0
    /// Missing token-index entries written back.
    var indexEntriesRestored = 0
    var indexEntriesScanned = 0
    /// Index entries naming a lease that is gone or owned by another token.
    var indexEntriesDeleted = 0
    /// Records that could not be read; left in place for an operator (force revocation
    /// deletes them).
    var unreadableRecords = 0

    var apiValue: [String: JSONValue] {
        [
            "leases_scanned": .int(Int64(leasesScanned)), "leases_revoked": .int(Int64(leasesRevoked)),
            "leases_scheduled": .int(Int64(leasesScheduled)),
            "index_entries_restored": .int(Int64(indexEntriesRestored)),
            "index_entries_scanned": .int(Int64(indexEntriesScanned)),
            "index_entries_deleted": .int(Int64(indexEntriesDeleted)),
            "unreadable_records": .int(Int64(unreadableRecords)),
        ]
    }
}

extension ExpirationManager {
    /// `sys/leases/tidy`: revokes leases whose owning token is gone (when
    /// ``tokenExists`` is set), schedules stored leases the state machine does not know,
    /// writes back missing index entries and deletes index entries that point nowhere.
    /// Runs to completion in the caller's task; nil when another pass is running.
    func tidy() async throws -> LeaseTidyReport? {
        let started = tidyRunning.withLock { running -> Bool in
            guard !running else { return false }
            running = true
            return true
        }
        guard started else { return nil }
        defer { tidyRunning.withLock { $0 = false } }

        var report = LeaseTidyReport()
        var knownOwners: [String: Bool] = [:]
        try await forEachLeaseID(under: "") { id in
            guard let record = try await readable({ try await lookup(id: id) }, &report) ?? nil else { return }
            report.leasesScanned += 1
            let owner = record.owningTokenID
            if !owner.isEmpty, let tokenExists {
                let exists: Bool
                if let known = knownOwners[owner] {
                    exists = known
                } else {
                    exists = try await tokenExists(owner)
                    if knownOwners.count < 10_000 { knownOwners[owner] = exists }
                }
                if !exists {
                    if record.isTokenLease {
                        try await delete(record)
                        await forget(record.id)
                    } else {
                        try await revokeLater(id: record.id)
                    }
                    report.leasesRevoked += 1
                    return
                }
            }
            if !owner.isEmpty {
                let indexKey = Self.indexKey(tokenID: owner, leaseID: record.id)
                if try await barrier.get(indexKey) == nil {
                    try await barrier.put(indexKey, LeaseIndexEntry.bytes(leaseID: record.id))
                    report.indexEntriesRestored += 1
                }
            }
            let unknown = machine.withLock { $0.phase(of: record.id) == nil }
            if unknown && (record.expireTime > 0 || record.isIrrevocable) {
                await handle(machine.withLock { $0.restore([record.times]) })
                report.leasesScheduled += 1
            }
        }

        try await forEachName(under: Self.tokenIndexPrefix) { tokenDirectory in
            guard tokenDirectory.hasSuffix("/") else { return }
            let tokenID = String(tokenDirectory.dropLast())
            let directory = Self.tokenIndexPrefix + tokenDirectory
            try await forEachName(under: directory) { name in
                report.indexEntriesScanned += 1
                let indexKey = directory + name
                guard let bytes = try await barrier.get(indexKey) else { return }
                var keep = false
                if let leaseID = LeaseIndexEntry.leaseID(from: bytes), name == LeaseRecord.indexName(leaseID: leaseID) {
                    var counted = LeaseTidyReport()  // the lease walk already counted unreadable records
                    switch try await readable({ try await lookup(id: leaseID) }, &counted) {
                    case .none: keep = true  // unreadable record: the entry may be all that names its owner
                    case .some(.none): keep = false
                    case .some(.some(let record)): keep = record.owningTokenID == tokenID
                    }
                }
                if !keep {
                    try await barrier.delete(indexKey)
                    report.indexEntriesDeleted += 1
                }
            }
        }
        return report
    }

    /// Runs `read`, counting a corrupt record instead of failing the whole pass; storage
    /// and seal errors still propagate. Returns nil for a corrupt record.
    private func readable<T>(_ read: () async throws -> T, _ report: inout LeaseTidyReport) async throws -> T? {
        do {
            return try await read()
        } catch where Self.isUnreadable(error) {
            report.unreadableRecords += 1
            return nil
        }
    }
}
