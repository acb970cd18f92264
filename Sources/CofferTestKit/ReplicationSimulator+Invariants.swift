import CofferReplication
import CofferStorage

/// The invariants, checked after every step, and convergence.
///
/// **Paths filters.** A filter change takes effect at the primary at once, but a
/// secondary's data only follows the new filter after the Merkle sync the change forces.
/// So the oracle does not compare a secondary with "the filter now" nor with "the filter
/// its stream was started under" (right after a reconnect the stream is under the new
/// filter, the secondary is streaming and consistent, and the needSync has not arrived
/// yet: it still holds newly denied keys and lacks newly allowed ones). It compares with
/// the filter of the last Merkle sync the secondary *completed* (its data filter, tagged
/// by the generation of the connection the sync's answers came on), allowing for the
/// batches of a sync cut short under another filter. What must hold:
///
/// 1. A consistent streaming secondary at applied index `i` holds exactly the primary's
///    replicated data at `i` minus the keys its data filter excludes. A key that a sync
///    cut short under another filter covers (one of the two excludes it) may instead be
///    absent; a key both exclude must be absent.
/// 2. Records only reach a secondary under the filter its data follows: after a change,
///    no record is applied before the forced sync under the new filter has completed
///    (otherwise newly denied keys stay forever, since their records are withheld, and
///    newly allowed keys are never fetched).
/// 3. Once a secondary has completed a sync under its current filter, it holds no value
///    for a key that filter excludes, at every step, mid-sync or not.
/// 4. At the end each secondary converges to its filtered view of the primary.
///
/// Exclusion is the oracle's own (byte prefixes, as storage compares keys), not
/// ``ReplicationExclusion/excludes(_:)``.
///
/// **Failover.** At no moment are two logs in primary mode (outside a failover step the
/// primary's is). "Nothing acknowledged is lost" is scoped per primary term: the model
/// restarts from what the promoted secondary holds, and every write the new primary
/// acknowledges must stay. Members follow the new primary from index 0 with no claim of
/// consistency until their forced sync completes, and a consistent member is never at an
/// index from before the term began.
extension ReplicationSimulator {
    /// The per-step invariants.
    func checkInvariants() async throws {
        try checkSinglePrimary()
        if model.primaryDirty {
            // Every write the primary acknowledged in its term is still there.
            let keys = Set(model.replicatedKeys + ReplicationModel.primaryLocalKeys).union(model.primary.keys).sorted()
            let stored = try await read(keys, from: primary.backend)
            let expected = model.primary
            if stored != expected {
                throw failure("the primary lost acknowledged writes: \(Self.difference(stored, expected))")
            }
            model.primaryDirty = false
        }
        for number in secondaries.indices {
            try await checkSecondary(number)
        }
    }

    private func checkSecondary(_ number: Int) async throws {
        let node = secondaries[number]
        let replicator = node.replicator
        guard node.dirty else { return }
        let durable = try await node.backend.get(SecondaryNode.lastRemoteKey).map(ReplicationModel.decodeIndex) ?? 0
        let watermark = try await node.backend.get(SecondaryNode.consistentAtKey).map(ReplicationModel.decodeIndex) ?? 0
        guard durable == replicator.appliedIndex, watermark == replicator.consistentAtIndex else {
            throw failure("s\(number) mirrors applied \(replicator.appliedIndex)/watermark \(replicator.consistentAtIndex), storage holds \(durable)/\(watermark)")
        }
        guard durable <= model.lastIndex else {
            throw failure("s\(number) applied \(durable), beyond the primary's \(model.lastIndex)")
        }
        let locals = try await read(node.localKeys.keys.sorted(), from: node.backend)
        guard locals == node.localKeys else {
            throw failure("s\(number) lost local writes: \(Self.difference(locals, node.localKeys))")
        }
        let history = filters[number].history
        let dataFilter = history[node.dataGeneration]
        let stored = try await read(model.replicatedKeys, from: node.backend)
        if node.dataGeneration == filters[number].generation {
            // (3) Synced under the current filter: nothing it excludes is here.
            let leaked = stored.keys.filter { ReplicationModel.excludes(dataFilter, $0) }.sorted()
            guard leaked.isEmpty else {
                throw failure("s\(number) completed its sync under its filter \(dataFilter.prefixes) but holds excluded keys \(leaked)")
            }
        }
        guard replicator.isConsistent else { return }
        guard durable >= model.base else {
            throw failure("s\(number) is consistent at \(durable), before the current primary's term began at \(model.base)")
        }
        // (1) Exactly the primary at the applied index, minus what the data filter excludes.
        let expected = model.data(at: durable)
        let partial = node.partialGenerations.sorted().map { history[$0] }
        var wrong: [String] = []
        for key in model.replicatedKeys {
            let excludedByData = ReplicationModel.excludes(dataFilter, key)
            let excludedByPartial = partial.map { ReplicationModel.excludes($0, key) }
            let value = stored[key]
            if excludedByData && excludedByPartial.allSatisfy({ $0 }) {
                if value != nil { wrong.append("\(key) (held, but excluded)") }
            } else if excludedByData || excludedByPartial.contains(true) {
                if value != nil && value != expected[key] { wrong.append("\(key) (neither absent nor the value at \(durable))") }
            } else if value != expected[key] {
                wrong.append(Self.difference([key: value].compactMapValues { $0 }, [key: expected[key]].compactMapValues { $0 }))
            }
        }
        guard wrong.isEmpty else {
            throw failure("s\(number) is consistent at \(durable) under filter \(dataFilter.prefixes)\(partial.isEmpty ? "" : " (partly synced under \(partial.map(\.prefixes)))") but differs from the primary's data then: " + wrong.joined(separator: ", "))
        }
        report.consistencyChecks += 1
        if !dataFilter.isEmpty { report.filteredConsistencyChecks += 1 }
        secondaries[number].dirty = false
    }

    /// (2) Records applied at `number` were filtered under the filter its data follows.
    func checkRecordsFollowDataFilter(generation: Int, at number: Int) throws {
        let node = secondaries[number]
        let history = filters[number].history
        let streamed = Set(history[generation].prefixes)
        let involved = [node.dataGeneration] + node.partialGenerations.sorted()
        guard involved.allSatisfy({ Set(history[$0].prefixes) == streamed }) else {
            throw failure(
                "s\(number) applies records filtered under generation \(generation) \(streamed.sorted()), but its data was last synced "
                    + "under generation \(node.dataGeneration) \(history[node.dataGeneration].prefixes)"
                    + (node.partialGenerations.isEmpty ? "" : " (partly under \(node.partialGenerations.sorted()))")
                    + ": the primary streamed under a new paths filter without the Merkle sync that must come first"
            )
        }
    }

    /// At no moment do two nodes have a log in primary mode; outside a failover, the
    /// primary's is.
    func checkSinglePrimary(duringFailover: Bool = false) throws {
        let primaries = (primary.log.mode == .primary ? 1 : 0) + secondaries.filter { $0.log.mode == .primary }.count
        guard primaries <= 1, duringFailover || primary.log.mode == .primary else {
            throw failure("\(primaries) logs are in primary mode; the primary's is \(primary.log.mode)")
        }
    }

    /// The Merkle index a secondary under `exclusion` must reach: the primary's, filtered.
    func filteredIndex(excluding exclusion: ReplicationExclusion) -> MerkleIndex {
        let snapshot = primary.log.merkleSnapshot()
        return exclusion.isEmpty ? snapshot : snapshot.filtered(excluding: { ReplicationModel.excludes(exclusion, $0) })
    }

    /// Whether every secondary is streaming, consistent, at the primary's last index, with
    /// the primary's Merkle index filtered by its exclusion (roots are compared once, at the end).
    func converged() async throws -> Bool {
        let lastIndex = primary.log.lastIndex
        let caughtUp = secondaries.allSatisfy { node in
            node.replicator.state == .streamWALs && node.replicator.isConsistent && node.replicator.appliedIndex == lastIndex
                && node.applying == nil
        }
        guard caughtUp else {
            caughtUpWithOtherIndex = 0
            return false
        }
        if secondaries.indices.allSatisfy({ secondaries[$0].log.merkleSnapshot() == filteredIndex(excluding: filters[$0].exclusion) }) {
            return true
        }
        // Caught up yet different: a forced sync is at most a round trip away. If none
        // comes, the data tells which keys differ.
        caughtUpWithOtherIndex += 1
        if caughtUpWithOtherIndex > 100 { try await checkConvergedData() }
        return false
    }

    /// After convergence: full key scans agree with the model (filtered per secondary),
    /// each log's Merkle index is the index of the data it sits on, and each secondary's
    /// Merkle index (so its root) is the primary's filtered one.
    func checkConvergedData() async throws {
        let expected = model.data(at: model.lastIndex)
        let onPrimary = try await replicatedContents(of: primary.backend)
        guard onPrimary == expected else {
            throw failure("the primary's replicated data differs from the model: \(Self.difference(onPrimary, expected))")
        }
        guard primary.log.merkleSnapshot() == Self.index(of: expected) else {
            throw failure("the primary's Merkle index is not the index of its data")
        }
        for node in secondaries {
            let exclusion = filters[node.number].exclusion
            let wanted = ReplicationModel.filter(expected, excluding: exclusion)
            let contents = try await replicatedContents(of: node.backend)
            guard contents == wanted else {
                throw failure("s\(node.number) converged under filter \(exclusion.prefixes) to different data: \(Self.difference(contents, wanted))")
            }
            // Equal indexes have equal page hashes, hence equal roots (hashing 4096 pages
            // twice per secondary would cost as much as a Merkle sync).
            let index = node.log.merkleSnapshot()
            guard index == Self.index(of: wanted) else {
                throw failure("s\(node.number)'s Merkle index is not the index of its data")
            }
            guard index == filteredIndex(excluding: exclusion) else {
                throw failure("s\(node.number)'s Merkle index (so its root) is not the primary's filtered by \(exclusion.prefixes)")
            }
        }
    }

    static func index(of data: [String: [UInt8]]) -> MerkleIndex {
        var index = MerkleIndex()
        for (key, value) in data { index.put(key: key, value: value) }
        return index
    }

    func read(_ keys: [String], from backend: InMemoryBackend) async throws -> [String: [UInt8]] {
        var values: [String: [UInt8]] = [:]
        for key in keys {
            if let value = try await backend.get(key) { values[key] = value }
        }
        return values
    }

    /// Every key under `rep/`, found by listing (so a stray key cannot hide).
    func replicatedContents(of backend: InMemoryBackend) async throws -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        var folders = ["rep/"]
        while let folder = folders.popLast() {
            for name in try await backend.list(prefix: folder) {
                let key = folder + name
                if name.hasSuffix("/") {
                    folders.append(key)
                } else if let value = try await backend.get(key) {
                    contents[key] = value
                }
            }
        }
        return contents
    }

    /// Which keys differ, never the values.
    static func difference(_ actual: [String: [UInt8]], _ expected: [String: [UInt8]]) -> String {
        let keys = Set(actual.keys).union(expected.keys).sorted()
        let differing = keys.filter { actual[$0] != expected[$0] }.map { key in
            "\(key) (\(actual[key].map { "\($0.count) bytes" } ?? "absent") vs expected \(expected[key].map { "\($0.count) bytes" } ?? "absent"))"
        }
        return differing.isEmpty ? "no difference" : differing.joined(separator: ", ")
    }
}
