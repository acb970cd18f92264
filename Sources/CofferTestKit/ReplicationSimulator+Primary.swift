import CofferReplication
import CofferStorage

/// The primary: its storage and log, the workload, its log shippers and its Merkle answers.
extension ReplicationSimulator {
    struct PrimaryNode {
        let backend: InMemoryBackend
        var log: ReplicationLog

        /// Opens (or reopens) the log over `backend` in primary mode.
        static func start(backend: InMemoryBackend, retention: Int) async throws -> PrimaryNode {
            backend.setCommitInterceptor(nil)
            let log = ReplicationLog(storage: backend, retention: retention, isReplicated: ReplicationModel.isReplicated, logger: ReplicationSimulator.logger)
            try await log.load()
            log.setMode(.primary)
            backend.setCommitInterceptor(log)
            return PrimaryNode(backend: backend, log: log)
        }
    }

    /// Commits one random client batch on the primary and records it in the model.
    func commitRandomBatch() async throws {
        guard !calm else { return }
        try await commit((0...random.next(below: 4)).map { _ in randomOperation() })
    }

    private func commit(_ operations: [StorageOperation]) async throws {
        do {
            try await primary.backend.commit(StorageBatch(operations))
        } catch {
            throw failure("the primary refused a client batch: \(error)")
        }
        report.commits += 1
        model.acknowledge(operations)
        model.primaryDirty = true
        let lastIndex = primary.log.lastIndex
        guard lastIndex == model.lastIndex else {
            throw failure("the primary's log is at \(lastIndex) after a batch, the model at \(model.lastIndex) (one record per replicated operation)")
        }
        note("primary commits \(operations.count) operations, log at \(lastIndex)")
        for number in links.indices where links[number].shipper != nil {
            try await feedShipper(number, .logAdvanced(lastIndex: lastIndex))
        }
    }

    /// Commits more no-op records than the log retains, one batch each.
    func commitNoOpBurst() async throws {
        guard !calm else { return }
        for _ in 0..<(retention + retention / 16 + 2) {
            try await commit([.delete(key: "rep/z/\(random.next(below: 4))")])
        }
    }

    private func randomOperation() -> StorageOperation {
        let group = ReplicationModel.groups[Int(random.next(below: UInt64(ReplicationModel.groups.count)))]
        let replicatedKey = "rep/\(group)/\(model.keyNames[Int(random.next(below: UInt64(model.keyNames.count)))])"
        let localKey = "local/\(random.next(below: UInt64(ReplicationModel.localKeys)))"
        switch random.next(below: 100) {
        case 0..<58: return .put(key: replicatedKey, value: random.bytes(Int(random.next(below: 24)) + 1))
        case 58..<70: return .put(key: localKey, value: random.bytes(Int(random.next(below: 8)) + 1))
        case 70..<86: return .delete(key: replicatedKey)
        case 86..<90: return .delete(key: localKey)
        case 90..<97: return .deletePrefix("rep/\(group)/")
        default: return .deletePrefix("local/")
        }
    }

    /// Restarts the primary process: connections reset, the log is reloaded from storage.
    func restartPrimary() async throws {
        report.primaryRestarts += 1
        note("restart primary")
        for number in links.indices {
            try await cut(number, notifySecondary: true)
        }
        primary = try await PrimaryNode.start(backend: primary.backend, retention: retention)
        guard primary.log.lastIndex == model.lastIndex else {
            throw failure("the primary's log reloaded at \(primary.log.lastIndex), but \(model.lastIndex) records were acknowledged")
        }
    }

    /// Feeds the link's shipper and performs its actions; `forcedStart` when `event` is a
    /// start the shell forced (so its `needSync` is not a lost WAL tail).
    func feedShipper(_ number: Int, _ event: LogShipper.Event, forcedStart: Bool = false) async throws {
        guard var shipper = links[number].shipper else { return }
        let actions = shipper.handle(event)
        links[number].shipper = shipper
        for action in actions {
            switch action {
            case let .read(afterIndex, limit):
                // The shell's read is asynchronous: it lands a little later.
                enqueue(.logRead(afterIndex: afterIndex, limit: limit), link: number, atMillis: nowMillis + Int64(random.next(below: 4)))
            case .send(let message):
                if case .needSync = message {
                    if forcedStart {
                        report.forcedSyncs += 1
                        note("primary forces s\(number) to sync (filter generation \(filters[number].generation))")
                    } else {
                        report.walTailLosses += 1
                        note("primary no longer holds the records s\(number) needs (oldest \(primary.log.oldestIndex))")
                    }
                }
                transmit(.toSecondary(message), link: number)
            case .close(let reason):
                note("primary closes s\(number): \(reason)")
                try await cut(number, notifySecondary: true)
            }
        }
    }

    /// `PrimaryService.streamWAL`: every `startStream` goes in as a start with fresh
    /// bounds, forced as ``startForcesSync(afterIndex:link:)`` decides.
    func primaryReceived(_ message: SecondaryMessage, from number: Int) async throws {
        guard case .startStream(let afterIndex) = message else {
            try await feedShipper(number, .received(message, nowMillis: nowMillis))
            return
        }
        let force = startForcesSync(afterIndex: afterIndex, link: number)
        // The shipper forces only the first start of a stream.
        let forcing = force && links[number].shipper?.phase == .notStarted
        if forcing { links[number].forcedGeneration = filters[number].generation }
        note("primary ← s\(number) startStream after \(afterIndex)\(force ? " (forced)" : "")")
        try await feedShipper(number, .start(
            afterIndex: afterIndex, oldestIndex: force ? .max : primary.log.oldestIndex,
            lastIndex: primary.log.lastIndex, nowMillis: nowMillis
        ), forcedStart: forcing)
    }

    /// The shell's log read for a shipper, through the secondary's exclusion.
    func readLog(afterIndex: UInt64, limit: Int, for number: Int) async throws {
        var read: WALRead
        do {
            read = try await primary.log.records(after: afterIndex, limit: limit)
        } catch {
            throw failure("the primary's log failed a read after \(afterIndex): \(error)")
        }
        try requireServedUnderLinkGeneration(number)
        let exclusion = filters[number].exclusion
        var withheld = exclusion.withholding(read)
        if case .records(let original) = read, case .records(var shipped) = withheld {
            report.withheldRecords += zip(original, shipped).filter { $0 != $1 }.count
            // Until a secondary applies one of the leaked puts (see `commit(_:at:)`).
            if configuration.sabotage == .forgetToWithhold, !sabotaged, step > configuration.steps / 4,
               let leak = original.firstIndex(where: { if case .put(let key, _) = $0.operation { exclusion.excludes(key) } else { false } }) {
                shipped[leak] = original[leak]
                withheld = .records(shipped)
            }
        }
        try await feedShipper(number, .readCompleted(withheld))
    }

    /// The filter changes only with the connection (a change closes the stream), so the
    /// oracle may tag what a link carries with the generation it connected under.
    func requireServedUnderLinkGeneration(_ number: Int) throws {
        guard links[number].generation == filters[number].generation else {
            throw failure("the primary served s\(number) under filter generation \(filters[number].generation) on a link opened under \(links[number].generation)")
        }
    }

    /// The primary's shell answering a Merkle call from the secondary's filtered view, as
    /// `PrimaryService` does. A correct secondary never asks for anything the responder
    /// refuses, so a refusal fails the run.
    func answer(_ request: MerkleSyncRequest, from number: Int) async throws -> MerkleSyncResponse {
        try requireServedUnderLinkGeneration(number)
        let log = primary.log
        let backend = primary.backend
        let exclusion = filters[number].exclusion
        do {
            switch request {
            case .pageHashes:
                return .pageHashes(try MerkleSyncResponder.pageHashes(of: log, excluding: exclusion))
            case .pageEntries(let pages):
                note("primary serves s\(number) \(pages.count) pages")
                var snapshot = log.merkleSnapshot()
                if !exclusion.isEmpty { snapshot = snapshot.filtered(excluding: exclusion.excludes) }
                return .pageEntries(try MerkleSyncResponder.pageEntries(of: snapshot, pages: pages, lastIndex: log.lastIndex))
            case .fetchKeys(let keys):
                note("primary serves s\(number) \(keys.count) keys")
                // A filtered key reads as absent: the secondary deletes what it must not hold.
                return .values(try await MerkleSyncResponder.values(
                    of: keys, isReplicated: ReplicationModel.isReplicated,
                    read: { exclusion.excludes($0) ? nil : try await backend.get($0) }, lastIndex: { log.lastIndex },
                    // A tiny budget: answers are often a prefix of the keys asked, as large
                    // values make them in production.
                    budgetBytes: 24
                ))
            }
        } catch let error as ReplicationSimulationFailure {
            throw error
        } catch {
            throw failure("the primary refused s\(number)'s sync request: \(error)")
        }
    }
}
