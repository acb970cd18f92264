import CofferStorage
import CofferTestKit
import Logging
import Testing

/// Random batches applied to both backends and to a brute-force model; after every batch
/// all three must agree on gets and on listings (with pagination).
@Suite struct BackendModelTests {
    @Test(arguments: [UInt64(1), 42, 0xC0FFEE])
    func backendsAgreeWithABruteForceModel(seed: UInt64) async throws {
        try await withTemporaryDirectory { directory in
            var random = SeededGenerator(seed: seed)
            var model = BruteForceStore()
            let memory = InMemoryBackend()
            let sqlite = try SQLiteBackend(path: directory + "/model.db", logger: testLogger)
            let backends: [any StorageBackend] = [memory, sqlite]

            for round in 0..<120 {
                var operations: [StorageOperation] = []
                for _ in 0..<random.next(below: 40) + 1 {
                    let key = randomKey(&random)
                    switch random.next(below: 20) {
                    case 0:
                        operations.append(.deletePrefix(randomPrefix(&random)))
                    case 1...5:
                        operations.append(.delete(key: key))
                    default:
                        operations.append(.put(key: key, value: [UInt8(truncatingIfNeeded: random.next())]))
                    }
                }
                let batch = StorageBatch(operations)
                model.apply(batch)
                for backend in backends { try await backend.commit(batch) }

                for _ in 0..<6 {
                    let prefix = randomPrefix(&random)
                    let after: String? = random.next(below: 3) == 0 ? randomName(&random) : nil
                    let limit: Int? = random.next(below: 3) == 0 ? Int(random.next(below: 5)) : nil
                    let expected = model.list(prefix: prefix, after: after, limit: limit)
                    for backend in backends {
                        let actual = try await backend.list(prefix: prefix, after: after, limit: limit)
                        #expect(actual.map { Array($0.utf8) } == expected.map { Array($0.utf8) },
                                "round \(round) \(backend.name) list(\(prefix.debugDescription), after: \(after.debugDescription), limit: \(limit.debugDescription))")
                    }
                }
                for _ in 0..<6 {
                    let key = randomKey(&random)
                    for backend in backends {
                        #expect(try await backend.get(key) == model.get(key), "round \(round) \(backend.name) get(\(key.debugDescription))")
                    }
                }
            }
            #expect(memory.count == model.count)
            try await sqlite.close()
        }
    }

    private static let segments = ["a", "b", "ab", "a.", "é", "e\u{301}", "z0", "", "\u{10FFFF}"]

    private func randomName(_ random: inout SeededGenerator) -> String {
        var name = Self.segments[Int(random.next(below: UInt64(Self.segments.count)))]
        if random.next(below: 3) == 0 { name += "/" }
        return name
    }

    private func randomKey(_ random: inout SeededGenerator) -> String {
        let depth = Int(random.next(below: 4)) + 1
        return (0..<depth).map { _ in Self.segments[Int(random.next(below: UInt64(Self.segments.count)))] }
            .joined(separator: "/")
    }

    private func randomPrefix(_ random: inout SeededGenerator) -> String {
        switch random.next(below: 4) {
        case 0: return ""
        case 1: return String(randomKey(&random).prefix(2))
        default: return randomKey(&random) + "/"
        }
    }
}

/// The storage contract computed the slow, obvious way.
struct BruteForceStore {
    private var values: [[UInt8]: [UInt8]] = [:]

    var count: Int { values.count }

    func get(_ key: String) -> [UInt8]? { values[Array(key.utf8)] }

    mutating func apply(_ batch: StorageBatch) {
        for operation in batch.operations {
            switch operation {
            case .put(let key, let value): values[Array(key.utf8)] = value
            case .delete(let key): values[Array(key.utf8)] = nil
            case .deletePrefix(let prefix):
                let bytes = Array(prefix.utf8)
                values = values.filter { !$0.key.starts(with: bytes) }
            }
        }
    }

    func list(prefix: String, after: String?, limit: Int?) -> [String] {
        let prefixBytes = Array(prefix.utf8)
        var names = Set<[UInt8]>()
        for key in values.keys where key.starts(with: prefixBytes) {
            let rest = key.dropFirst(prefixBytes.count)
            if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
                names.insert(Array(rest[...slash]))
            } else {
                names.insert(Array(rest))
            }
        }
        var sorted = names.sorted { $0.lexicographicallyPrecedes($1) }
        if let after {
            let afterBytes = Array(after.utf8)
            sorted = sorted.filter { afterBytes.lexicographicallyPrecedes($0) }
        }
        if let limit, limit > 0 { sorted = Array(sorted.prefix(limit)) }
        return sorted.map { String(decoding: $0, as: UTF8.self) }
    }
}

