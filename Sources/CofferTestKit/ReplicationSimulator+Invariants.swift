import CofferReplication
import CofferStorage

/// What the primary acknowledged, and its replicated data after every WAL index.
struct ReplicationModel {
    static let groups = ["a", "b", "c"]
    static let keysPerGroup = 6
    static let localKeys = 5
    static let isReplicated: @Sendable (String) -> Bool = { $0.utf8.starts(with: "rep/".utf8) }

    /// Every replicated key the workload can write.
    static let replicatedKeys: [String] = groups.flatMap { group in (0..<keysPerGroup).map { "rep/\(group)/\($0)" } }
    static let primaryLocalKeys: [String] = (0..<localKeys).map { "local/\($0)" }

    /// The primary's acknowledged contents, replicated and local.
    var primary: [String: [UInt8]] = [:]
    /// `history[i]`: the replicated data once record `i` committed (`history[0]` is empty).
    var history: [[String: [UInt8]]] = [[:]]
    var primaryDirty = true

    var lastIndex: UInt64 { UInt64(history.count - 1) }

    /// Records an acknowledged batch; each replicated operation is the next index.
    mutating func acknowledge(_ operations: [StorageOperation]) {
        for operation in operations {
            Self.apply(operation, to: &primary)
            if Self.isReplicated(Self.key(of: operation)) {
                var state = history[history.count - 1]
                Self.apply(operation, to: &state)
                history.append(state)
            }
        }
    }

    static func key(of operation: StorageOperation) -> String {
        switch operation {
        case .put(let key, _), .delete(let key), .deletePrefix(let key): key
        }
    }

    static func apply(_ operation: StorageOperation, to state: inout [String: [UInt8]]) {
        switch operation {
        case .put(let key, let value): state[key] = value
        case .delete(let key): state[key] = nil
        case .deletePrefix(let prefix): state = state.filter { !$0.key.utf8.starts(with: prefix.utf8) }
        }
    }

    static func encodeIndex(_ index: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: index >> (56 - 8 * UInt64($0))) }
    }

    static func decodeIndex(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension ReplicationSimulator {
    /// The per-step invariants.
    func checkInvariants() async throws {
        if model.primaryDirty {
            // Every write the primary acknowledged is still there.
            let keys = ReplicationModel.replicatedKeys + ReplicationModel.primaryLocalKeys
            let stored = try await read(keys, from: primary.backend)
            let expected = model.primary.filter { keys.contains($0.key) }
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
        if replicator.isConsistent {
            // A consistent streaming secondary is exactly the primary at its applied index.
            let stored = try await read(ReplicationModel.replicatedKeys, from: node.backend)
            let expected = model.history[Int(durable)]
            guard stored == expected else {
                throw failure("s\(number) is consistent at \(durable) but differs from the primary's data then: \(Self.difference(stored, expected))")
            }
            report.consistencyChecks += 1
            secondaries[number].dirty = false
        }
    }

    /// Whether every secondary is streaming, consistent, at the primary's last index, with its Merkle root.
    func converged() async throws -> Bool {
        let lastIndex = primary.log.lastIndex
        let caughtUp = secondaries.allSatisfy { node in
            node.replicator.state == .streamWALs && node.replicator.isConsistent && node.replicator.appliedIndex == lastIndex
        }
        // Roots cost a hash over every page: only once the cheap conditions hold.
        guard caughtUp else { return false }
        let root = primary.log.merkleRoot()
        return secondaries.allSatisfy { $0.log.merkleRoot() == root }
    }

    /// After convergence: full key scans agree with the model, and each log's Merkle root
    /// is the root of the data it sits on.
    func checkConvergedData() async throws {
        let expected = model.history[model.history.count - 1]
        let onPrimary = try await replicatedContents(of: primary.backend)
        guard onPrimary == expected else {
            throw failure("the primary's replicated data differs from the model: \(Self.difference(onPrimary, expected))")
        }
        var index = MerkleIndex()
        for (key, value) in expected { index.put(key: key, value: value) }
        guard primary.log.merkleRoot() == index.rootHex else {
            throw failure("the primary's Merkle root \(primary.log.merkleRoot()) is not the root of its data, \(index.rootHex)")
        }
        for node in secondaries {
            let contents = try await replicatedContents(of: node.backend)
            guard contents == expected else {
                throw failure("s\(node.number) converged to different data: \(Self.difference(contents, expected))")
            }
            guard node.log.merkleRoot() == index.rootHex else {
                throw failure("s\(node.number)'s Merkle root is not the root of its data")
            }
        }
    }

    private func read(_ keys: [String], from backend: InMemoryBackend) async throws -> [String: [UInt8]] {
        var values: [String: [UInt8]] = [:]
        for key in keys {
            if let value = try await backend.get(key) { values[key] = value }
        }
        return values
    }

    /// Every key under `rep/`, found by listing (so a stray key cannot hide).
    private func replicatedContents(of backend: InMemoryBackend) async throws -> [String: [UInt8]] {
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
