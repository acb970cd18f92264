import CofferReplication
import CofferStorage

/// A secondary: its storage and log, and the shell around its ``SecondaryReplicator``.
extension ReplicationSimulator {
    struct SecondaryNode {
        let number: Int
        let backend: InMemoryBackend
        var log: ReplicationLog
        var replicator: SecondaryReplicator
        /// This node's clock minus the primary's.
        let clockOffsetMillis: Int64
        /// Local keys this secondary's own clients wrote.
        var localKeys: [String: [UInt8]] = [:]
        /// Storage changed since the last consistency check.
        var dirty = true

        /// `last_remote_wal` and the consistency watermark, local keys next to the data.
        static let lastRemoteKey = "core/replication/last-remote-wal"
        static let consistentAtKey = "core/replication/consistent-at"

        /// Opens (or reopens) the node over `backend`: the log in secondary mode and a
        /// fresh replicator from the persisted indexes. Nothing is started.
        static func start(
            number: Int, backend: InMemoryBackend, retention: Int, clockOffsetMillis: Int64,
            configuration: SecondaryReplicator.Configuration, seed: UInt64
        ) async throws -> SecondaryNode {
            backend.setCommitInterceptor(nil)
            let log = ReplicationLog(storage: backend, retention: retention, isReplicated: ReplicationModel.isReplicated, logger: ReplicationSimulator.logger)
            try await log.load()
            log.setMode(.secondary)
            backend.setCommitInterceptor(log)
            let applied = try await backend.get(lastRemoteKey).map(ReplicationModel.decodeIndex) ?? 0
            let consistentAt = try await backend.get(consistentAtKey).map(ReplicationModel.decodeIndex) ?? 0
            let replicator = SecondaryReplicator(configuration: configuration, appliedIndex: applied, consistentAtIndex: consistentAt, seed: seed)
            return SecondaryNode(number: number, backend: backend, log: log, replicator: replicator, clockOffsetMillis: clockOffsetMillis)
        }
    }

    /// Feeds an event and performs the actions; events the actions produce follow in order.
    func feedSecondary(_ number: Int, _ event: SecondaryReplicator.Event) async throws {
        var queue = [event]
        while !queue.isEmpty {
            let next = queue.removeFirst()
            let actions = secondaries[number].replicator.handle(next)
            for action in actions {
                queue += try await perform(action, at: number)
            }
        }
    }

    private func perform(_ action: SecondaryReplicator.Action, at number: Int) async throws -> [SecondaryReplicator.Event] {
        switch action {
        case .connect:
            connect(number)
        case .disconnect(let reason):
            note("s\(number) disconnects: \(reason)")
            try await cut(number, notifySecondary: false)
        case .send(let message):
            if case .startStream(let afterIndex) = message { note("s\(number) asks for the stream after \(afterIndex)") }
            transmit(.toPrimary(message), link: number)
        case .requestPageHashes:
            transmit(.syncRequest(.pageHashes), link: number)
        case .requestPageEntries(let pages):
            transmit(.syncRequest(.pageEntries(pages: pages)), link: number)
        case .fetchKeys(let keys):
            transmit(.syncRequest(.fetchKeys(keys)), link: number)
        case let .applyRecords(records, newLastRemote):
            return try await applyRecords(records, newLastRemote: newLastRemote, at: number)
        case .applySync(let apply):
            return try await applySync(apply, at: number)
        case .scheduleReconnect(let afterMillis):
            note("s\(number) reconnects in \(afterMillis) ms")
        case let .logTransition(from, to):
            note("s\(number) transitioning state: state=\(to.statusName)")
            if to == .merkleDiff { report.merkleDiffs += 1 }
            if to == .merkleSync { report.merkleSyncs += 1 }
            if from == .merkleDiff && to == .streamWALs { report.emptyDiffs += 1 }
        }
        return []
    }

    /// Whether this apply fails (storage trouble), before committing anything.
    private func applyFails() -> Bool {
        guard !calm, applyFailurePercent > 0, random.next(below: 100) < applyFailurePercent else { return false }
        report.applyFailures += 1
        return true
    }

    private func applyRecords(_ records: [WALRecord], newLastRemote: UInt64, at number: Int) async throws -> [SecondaryReplicator.Event] {
        let node = secondaries[number]
        let durable = try await node.backend.get(SecondaryNode.lastRemoteKey).map(ReplicationModel.decodeIndex) ?? 0
        // Exactly once, in order: the batch continues the durable index without a gap.
        for (offset, record) in records.enumerated() where record.index != durable + 1 + UInt64(offset) {
            throw failure("s\(number) applies record \(record.index) at position \(offset) after durable index \(durable)")
        }
        guard let last = records.last, last.index == newLastRemote else {
            throw failure("s\(number) applies records ending at \(records.last?.index ?? 0) but records \(newLastRemote)")
        }
        if applyFails() {
            note("s\(number) apply of \(records.count) records fails")
            return [.applyFailed]
        }
        var recordOperations = records.map(\.operation)
        if configuration.sabotage == .dropOneRecordOperation, !sabotaged, step > configuration.steps / 4,
           let put = recordOperations.firstIndex(where: { if case .put = $0 { true } else { false } }) {
            sabotaged = true
            recordOperations.remove(at: put)
        }
        let operations = recordOperations + [.put(key: SecondaryNode.lastRemoteKey, value: ReplicationModel.encodeIndex(newLastRemote))]
        do {
            try await node.backend.commit(StorageBatch(operations, origin: .replication))
        } catch {
            throw failure("s\(number) storage refused a replication batch: \(error)")
        }
        secondaries[number].dirty = true
        return [.applied(index: newLastRemote)]
    }

    private func applySync(_ apply: SecondaryReplicator.SyncApply, at number: Int) async throws -> [SecondaryReplicator.Event] {
        if applyFails() {
            note("s\(number) sync apply fails")
            return [.applyFailed]
        }
        var operations = apply.operations
        if configuration.sabotage == .skipSyncDeletes, !sabotaged, operations.contains(where: { if case .delete = $0 { true } else { false } }) {
            sabotaged = true
            operations.removeAll { if case .delete = $0 { true } else { false } }
        }
        operations.append(.put(key: SecondaryNode.consistentAtKey, value: ReplicationModel.encodeIndex(apply.consistentAtIndex)))
        if let reached = apply.reachedIndex {
            operations.append(.put(key: SecondaryNode.lastRemoteKey, value: ReplicationModel.encodeIndex(reached)))
        }
        do {
            try await secondaries[number].backend.commit(StorageBatch(operations, origin: .replication))
        } catch {
            throw failure("s\(number) storage refused a sync batch: \(error)")
        }
        secondaries[number].dirty = true
        note("s\(number) applies \(apply.operations.count) sync operations, reached \(apply.reachedIndex.map(String.init) ?? "-")")
        return [.applied(index: apply.reachedIndex ?? secondaries[number].replicator.appliedIndex)]
    }

    /// The secondary's shell turning a Merkle answer into an event, with its own Merkle data now.
    func secondaryReceived(_ response: MerkleSyncResponse, for request: MerkleSyncRequest, at number: Int) async throws {
        let local = secondaries[number].log.merkleSnapshot()
        switch (request, response) {
        case (_, .pageHashes(let hashes)):
            try await feedSecondary(number, .pageHashesArrived(hashes, local: local.pageHashes()))
        case (.pageEntries(let pages), .pageEntries(let entries)):
            let mine = pages.map { MerkleSyncResponder.page($0, of: local) }
            try await feedSecondary(number, .pageEntriesArrived(entries, local: mine))
        case (_, .values(let values)):
            try await feedSecondary(number, .valuesArrived(values))
        default:
            throw failure("s\(number) got an answer of the wrong kind")
        }
    }

    /// Restarts a secondary process: its state machine and log are rebuilt from storage.
    func restartSecondary(_ number: Int) async throws {
        report.secondaryRestarts += 1
        note("restart s\(number)")
        try await cut(number, notifySecondary: false)
        let old = secondaries[number]
        var node = try await SecondaryNode.start(
            number: number, backend: old.backend, retention: retention, clockOffsetMillis: old.clockOffsetMillis,
            configuration: replicatorConfiguration, seed: random.next()
        )
        node.localKeys = old.localKeys
        secondaries[number] = node
        try await feedSecondary(number, .start(nowMillis: secondaryNow(number)))
    }

    /// A client of the secondary writes a local key (allowed), then tries a batch that
    /// also writes a replicated key (refused whole, as read-only).
    func writeSecondaryLocalKeys(_ number: Int) async throws {
        let backend = secondaries[number].backend
        let key = "local/s\(number)/\(random.next(below: 4))"
        let value = random.bytes(Int(random.next(below: 8)) + 1)
        do {
            try await backend.commit(StorageBatch([.put(key: key, value: value)]))
        } catch {
            throw failure("s\(number) refused a local write: \(error)")
        }
        secondaries[number].localKeys[key] = value
        let refused = StorageBatch([.put(key: key, value: [0]), .put(key: "rep/a/0", value: [0])])
        do {
            try await backend.commit(refused)
            throw failure("s\(number) accepted a client write to a replicated key")
        } catch let error as StorageError where error.code == .readOnly {
            // Expected: forwarded to the primary in the real server.
        } catch let error as ReplicationSimulationFailure {
            throw error
        } catch {
            throw failure("s\(number) refused a replicated write with \(error), not read-only")
        }
        secondaries[number].dirty = true
    }
}
