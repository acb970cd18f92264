import CofferReplication
import CofferStorage

/// The secondaries' storage applies: asynchronous (a few milliseconds, sometimes a slow
/// disk's hundreds), so links break and processes die while one is in flight; each
/// committed batch updates what the oracle knows about the node's data.
extension ReplicationSimulator {
    /// One storage batch on its way, and what the replicator hears when it lands.
    struct PendingApply {
        enum Kind {
            case records(newLastRemote: UInt64)
            case sync(SecondaryReplicator.SyncApply)
        }

        var kind: Kind
        /// Everything the batch commits, the index keys included.
        var batch: StorageBatch
        /// The filter generation of the link the records or answers came on.
        var generation: Int
        /// Storage will refuse it (nothing of it commits).
        var fails: Bool
        /// The configured sabotage changed the batch; it counts once committed.
        var sabotaged = false
    }

    /// Whether this apply fails (storage trouble), before committing anything.
    private func applyFails() -> Bool {
        guard !calm, applyFailurePercent > 0, random.next(below: 100) < applyFailurePercent else { return false }
        report.applyFailures += 1
        return true
    }

    func applyRecords(_ records: [WALRecord], newLastRemote: UInt64, at number: Int) async throws -> [SecondaryReplicator.Event] {
        let node = secondaries[number]
        let durable = try await node.backend.get(SecondaryNode.lastRemoteKey).map(ReplicationModel.decodeIndex) ?? 0
        // Exactly once, in order: the batch continues the durable index without a gap.
        for (offset, record) in records.enumerated() where record.index != durable + 1 + UInt64(offset) {
            throw failure("s\(number) applies record \(record.index) at position \(offset) after durable index \(durable)")
        }
        guard let last = records.last, last.index == newLastRemote else {
            throw failure("s\(number) applies records ending at \(records.last?.index ?? 0) but records \(newLastRemote)")
        }
        var recordOperations = records.map(\.operation)
        var damaged = false
        if configuration.sabotage == .dropOneRecordOperation, !sabotaged, step > configuration.steps / 4,
           let put = recordOperations.firstIndex(where: { if case .put = $0 { true } else { false } }) {
            damaged = true
            recordOperations.remove(at: put)
        }
        let operations = recordOperations + [.put(key: SecondaryNode.lastRemoteKey, value: ReplicationModel.encodeIndex(newLastRemote))]
        try beginApply(PendingApply(
            kind: .records(newLastRemote: newLastRemote), batch: StorageBatch(operations, origin: .replication),
            generation: links[number].generation, fails: applyFails(), sabotaged: damaged
        ), at: number)
        return []
    }

    func applySync(_ apply: SecondaryReplicator.SyncApply, at number: Int) async throws -> [SecondaryReplicator.Event] {
        var operations = apply.operations
        var damaged = false
        if configuration.sabotage == .skipSyncDeletes, !sabotaged, operations.contains(where: { if case .delete = $0 { true } else { false } }) {
            damaged = true
            operations.removeAll { if case .delete = $0 { true } else { false } }
        }
        operations.append(.put(key: SecondaryNode.consistentAtKey, value: ReplicationModel.encodeIndex(apply.consistentAtIndex)))
        if let reached = apply.reachedIndex {
            operations.append(.put(key: SecondaryNode.lastRemoteKey, value: ReplicationModel.encodeIndex(reached)))
        }
        try beginApply(PendingApply(
            kind: .sync(apply), batch: StorageBatch(operations, origin: .replication),
            generation: links[number].generation, fails: applyFails(), sabotaged: damaged
        ), at: number)
        return []
    }

    /// Hands a batch to storage: it lands after a few milliseconds, sometimes after a
    /// slow disk's hundreds. The replicator keeps receiving meanwhile.
    private func beginApply(_ apply: PendingApply, at number: Int) throws {
        guard secondaries[number].applying == nil else {
            throw failure("s\(number)'s replicator started an apply while one was in flight")
        }
        secondaries[number].applying = apply
        var latency = random.next(below: 6) == 0 ? Int64(random.next(below: 400)) + 30 : Int64(random.next(below: 6))
        if restartArmed, case .records = apply.kind {
            restartArmed = false
            latency = max(latency, Int64(random.next(below: 40)) + 1)
            enqueue(.restartDuringApply, link: number, atMillis: nowMillis + Int64(random.next(below: UInt64(latency))))
        }
        enqueue(.applyDone, link: number, atMillis: nowMillis + latency)
    }

    /// Storage finished the apply in flight: commit it (or fail it) and tell the replicator,
    /// whatever happened to the link meanwhile.
    func finishApply(at number: Int) async throws {
        guard let apply = secondaries[number].applying else { return }
        secondaries[number].applying = nil
        if apply.fails {
            note("s\(number) apply fails")
            try await feedSecondary(number, .applyFailed)
            return
        }
        try await commit(apply, at: number)
        switch apply.kind {
        case .records(let newLastRemote):
            try await feedSecondary(number, .applied(index: newLastRemote))
        case .sync(let sync):
            note("s\(number) applies \(sync.operations.count) sync operations, reached \(sync.reachedIndex.map(String.init) ?? "-")")
            try await feedSecondary(number, .applied(index: sync.reachedIndex ?? secondaries[number].replicator.appliedIndex))
        }
    }

    /// Commits a batch and updates what the oracle knows about the node's data.
    private func commit(_ apply: PendingApply, at number: Int) async throws {
        if case .records = apply.kind { try checkRecordsFollowDataFilter(generation: apply.generation, at: number) }
        do {
            try await secondaries[number].backend.commit(apply.batch)
        } catch {
            throw failure("s\(number) storage refused a replication batch: \(error)")
        }
        secondaries[number].dirty = true
        if apply.sabotaged { sabotaged = true }
        if configuration.sabotage == .forgetToWithhold, !sabotaged, case .records = apply.kind {
            let exclusion = filters[number].history[apply.generation]
            sabotaged = apply.batch.operations.contains { if case .put(let key, _) = $0 { exclusion.excludes(key) } else { false } }
        }
        guard case .sync(let sync) = apply.kind else { return }
        if sync.reachedIndex != nil {
            // A complete sync: every key was checked against the filtered view of generation `g`.
            let history = filters[number].history
            if Set(history[apply.generation].prefixes) != Set(history[secondaries[number].dataGeneration].prefixes) {
                report.filterSyncs += 1
            }
            secondaries[number].dataGeneration = apply.generation
            secondaries[number].partialGenerations = []
        } else {
            secondaries[number].partialGenerations.insert(apply.generation)
        }
    }

    /// Why an apply in flight is being settled.
    enum ApplyInterruption { case restart, failover }

    /// The process dies: an apply in flight dies with it, before or after its (atomic)
    /// storage commit. Returns a note for the trace.
    func settleApply(at number: Int, countingAs interruption: ApplyInterruption) async throws -> String {
        deliveries.removeAll { $0.link == number && $0.payload.isLocalToSecondary }
        guard let apply = secondaries[number].applying else { return "" }
        secondaries[number].applying = nil
        let committed = !apply.fails && random.next(below: 2) == 0
        if interruption == .restart {
            switch apply.kind {
            case .records: report.restartsMidApply += 1
            case .sync: report.restartsMidSyncApply += 1
            }
            if committed { report.restartsAfterCommit += 1 }
        }
        if committed { try await commit(apply, at: number) }
        let kind = if case .records = apply.kind { "record" } else { "sync" }
        return " with a \(kind) apply in flight, \(committed ? "after" : "before") its commit"
    }
}
