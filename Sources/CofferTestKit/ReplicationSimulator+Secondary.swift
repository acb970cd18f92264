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
        /// The apply handed to storage and not finished yet (the replicator keeps one in flight).
        var applying: PendingApply?
        /// The oracle: the filter generation of the last Merkle sync this node completed
        /// (its replicated data follows that filter) ...
        var dataGeneration = 0
        /// ... and those of the sync batches it applied since (a sync cut short).
        var partialGenerations: Set<Int> = []

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
            if cutArmed, to == .merkleDiff || to == .merkleSync, links[number].state == .up {
                cutArmed = false
                transmit(.cutDuringSync, link: number)
            }
        }
        return []
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
        try await cut(number, notifySecondary: false)
        let settled = try await settleApply(at: number, countingAs: .restart)
        note("restart s\(number)\(settled)")
        try await rebuildSecondary(number)
    }

    /// A fresh process over the slot's storage: log and replicator from what is persisted,
    /// started; what the oracle knows about the storage carries over.
    func rebuildSecondary(_ number: Int) async throws {
        let old = secondaries[number]
        var node = try await SecondaryNode.start(
            number: number, backend: old.backend, retention: retention, clockOffsetMillis: old.clockOffsetMillis,
            configuration: replicatorConfiguration, seed: random.next()
        )
        node.localKeys = old.localKeys
        node.dataGeneration = old.dataGeneration
        node.partialGenerations = old.partialGenerations
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
        try await expectReadOnly(backend, "s\(number)", alongside: key)
        secondaries[number].dirty = true
    }

    /// A client batch that writes a replicated key (and `alongside`, a local key) is
    /// refused whole, as read-only (the real server forwards it to the primary).
    func expectReadOnly(_ backend: InMemoryBackend, _ node: String, alongside key: String) async throws {
        let refused = StorageBatch([.put(key: key, value: [0]), .put(key: "rep/a/0", value: [0])])
        do {
            try await backend.commit(refused)
            throw failure("\(node) accepted a client write to a replicated key")
        } catch let error as StorageError where error.code == .readOnly {
            // Expected.
        } catch let error as ReplicationSimulationFailure {
            throw error
        } catch {
            throw failure("\(node) refused a replicated write with \(error), not read-only")
        }
    }
}
