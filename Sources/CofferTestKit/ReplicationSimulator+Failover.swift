import CofferReplication
import CofferStorage

/// Failover, as an operator runs it: `primary/demote` on the primary, `secondary/promote`
/// on one secondary, `secondary/update-primary` on every other member (the old primary
/// included), which then follow the new primary from index 0 without a wipe.
///
/// Replication is asynchronous: what the old primary acknowledged but the promoted
/// secondary had not applied is lost, so "nothing acknowledged is lost" holds per term. The
/// model begins a new term with what the promoted secondary holds; from then on every write
/// the new primary acknowledges must stay, and every member converges to it.
extension ReplicationSimulator {
    func failover(to promoted: Int) async throws {
        guard !calm else { return }
        report.failovers += 1
        let demoted = primary!
        note("failover: demote the primary (log at \(demoted.log.lastIndex)), promote s\(promoted)")

        if configuration.sabotage == .promoteBeforeDemoting {
            sabotaged = true
            secondaries[promoted].log.setMode(.primary)
            try checkSinglePrimary(duringFailover: true)
        }
        // Demote: the log refuses client writes to replicated keys at once; the listener
        // and every stream close.
        demoted.log.setMode(.secondary)
        for number in links.indices { try await cut(number, notifySecondary: true) }
        try await expectReadOnly(demoted.backend, "the demoted primary", alongside: "local/0")
        try checkSinglePrimary(duringFailover: true)

        // Promote: the replicator stops (an apply in flight lands or not), the same log
        // switches to primary mode over the same data.
        let settled = try await settleApply(at: promoted, countingAs: .failover)
        _ = secondaries[promoted].replicator.handle(.stop)
        let node = secondaries[promoted]
        let applied = try await node.backend.get(SecondaryNode.lastRemoteKey).map(ReplicationModel.decodeIndex) ?? 0
        let shipped = max(applied, model.base)
        if shipped < model.lastIndex { report.recordsLostInFailovers += Int(model.lastIndex - shipped) }
        node.log.setMode(.primary)
        try checkSinglePrimary(duringFailover: true)
        primary = PrimaryNode(backend: node.backend, log: node.log)
        let replicated = try await replicatedContents(of: node.backend)
        guard node.log.merkleSnapshot() == Self.index(of: replicated) else {
            throw failure("the promoted s\(promoted)'s Merkle index is not the index of its data")
        }
        var contents = replicated
        for (key, value) in try await read(ReplicationModel.primaryLocalKeys, from: node.backend) { contents[key] = value }
        for (key, value) in node.localKeys { contents[key] = value }
        // The demoted primary's local data stays with it, as a member's local keys.
        let demotedLocals = model.primary.filter { !ReplicationModel.isReplicated($0.key) }
        model.beginTerm(at: node.log.lastIndex, contents: contents)
        note("s\(promoted) is the primary\(settled) (log at \(node.log.lastIndex), \(replicated.count) replicated keys); the old primary takes its place")

        // The old primary takes the promoted secondary's slot; every member follows the
        // new primary from index 0 (update-primary) with no filter.
        secondaries[promoted] = try await SecondaryNode.start(
            number: promoted, backend: demoted.backend, retention: retention, clockOffsetMillis: node.clockOffsetMillis,
            configuration: replicatorConfiguration, seed: random.next()
        )
        secondaries[promoted].localKeys = demotedLocals
        for number in secondaries.indices {
            if number != promoted {
                let settled = try await settleApply(at: number, countingAs: .failover)
                note("s\(number) follows s\(promoted)\(settled)")
            }
            try await followFromZero(number)
        }
    }

    /// `update-primary`: `last_remote_wal` back to 0 and no consistency claim until a sync
    /// completes (the new primary's history is another), then a fresh replicator.
    private func followFromZero(_ number: Int) async throws {
        do {
            try await secondaries[number].backend.commit(StorageBatch([
                .put(key: SecondaryNode.lastRemoteKey, value: ReplicationModel.encodeIndex(0)),
                .put(key: SecondaryNode.consistentAtKey, value: ReplicationModel.encodeIndex(.max)),
            ], origin: .replication))
        } catch {
            throw failure("s\(number) refused to reset its replication indexes: \(error)")
        }
        // The new primary has no filters; the data follows none of this term's filters yet.
        filters[number].history.append(ReplicationExclusion(prefixes: []))
        filters[number].resyncMarked = false
        secondaries[number].dataGeneration = filters[number].generation - 1
        secondaries[number].partialGenerations = []
        secondaries[number].dirty = true
        try await rebuildSecondary(number)
    }
}
