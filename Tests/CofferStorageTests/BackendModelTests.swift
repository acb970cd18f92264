import CofferStorage
import CofferTestKit
import Logging
import Testing

/// Random batches applied to both backends and to a brute-force model; after every batch
/// all three must agree on gets and on listings (with pagination).
@Suite struct BackendModelTests {
    @Test(arguments: [UInt64(1), 42, 0xC0FFEE])
    func backendsAgreeWithABruteForceModel(seed: UInt64) async throws {
        try await compareWithModel(
            seed: seed, rounds: 120, batchSize: 40,
            operation: { random in
                let key = Self.randomKey(&random)
                switch random.next(below: 20) {
                case 0: return .deletePrefix(Self.randomPrefix(&random))
                case 1...5: return .delete(key: key)
                default: return .put(key: key, value: [UInt8(truncatingIfNeeded: random.next())])
                }
            },
            listing: { random in
                (Self.randomPrefix(&random),
                 random.next(below: 3) == 0 ? Self.randomName(&random) : nil,
                 random.next(below: 3) == 0 ? Int(random.next(below: 5)) : nil)
            },
            keysToRead: { random in (0..<6).map { _ in Self.randomKey(&random) } })
    }

    /// The replication log's key space (``SequencedKeys``), which SQLite keeps in a table
    /// of its own: keys in it, keys around it and names under its prefix that do not
    /// belong to it must behave exactly as anywhere else.
    @Test(arguments: [UInt64(7), 99, 0xBEEF])
    func theLogKeySpaceBehavesLikeAnyOther(seed: UInt64) async throws {
        func pick(_ choices: [String], _ random: inout SeededGenerator) -> String {
            choices[Int(random.next(below: UInt64(choices.count)))]
        }
        try await compareWithModel(
            seed: seed, rounds: 150, batchSize: 12,
            operation: { random in
                switch random.next(below: 16) {
                case 0: return .deletePrefix(pick(Self.logPrefixes, &random))
                case 1...3: return .delete(key: pick(Self.logKeys, &random))
                default: return .put(key: pick(Self.logKeys, &random), value: [UInt8(truncatingIfNeeded: random.next())])
                }
            },
            listing: { random in
                (pick(Self.logPrefixes, &random),
                 random.next(below: 2) == 0 ? pick(Self.logNames, &random) : nil,
                 random.next(below: 3) == 0 ? Int(random.next(below: 4)) : nil)
            },
            keysToRead: { _ in Self.logKeys })
    }

    /// Applies `rounds` random batches (up to `batchSize` operations each) to both backends
    /// and the model; after each, eight random listings and the drawn keys must agree.
    private func compareWithModel(
        seed: UInt64, rounds: Int, batchSize: UInt64,
        operation: (inout SeededGenerator) -> StorageOperation,
        listing: (inout SeededGenerator) -> (prefix: String, after: String?, limit: Int?),
        keysToRead: (inout SeededGenerator) -> [String]
    ) async throws {
        try await withTemporaryDirectory { directory in
            var random = SeededGenerator(seed: seed)
            var model = BruteForceStore()
            let memory = InMemoryBackend()
            let sqlite = try SQLiteBackend(path: directory + "/model.db", logger: testLogger)
            let backends: [any StorageBackend] = [memory, sqlite]

            for round in 0..<rounds {
                let operations = (0..<random.next(below: batchSize) + 1).map { _ in operation(&random) }
                let batch = StorageBatch(operations)
                model.apply(batch)
                for backend in backends { try await backend.commit(batch) }

                for _ in 0..<8 {
                    let (prefix, after, limit) = listing(&random)
                    let expected = model.list(prefix: prefix, after: after, limit: limit)
                    for backend in backends {
                        let actual = try await backend.list(prefix: prefix, after: after, limit: limit)
                        #expect(actual.map { Array($0.utf8) } == expected.map { Array($0.utf8) },
                                "round \(round) \(backend.name) list(\(prefix.debugDescription), after: \(after.debugDescription), limit: \(limit.debugDescription))")
                    }
                }
                for key in keysToRead(&random) {
                    for backend in backends {
                        #expect(try await backend.get(key) == model.get(key), "round \(round) \(backend.name) get(\(key.debugDescription))")
                    }
                }
            }
            #expect(memory.count == model.count)
            try await sqlite.close()
        }
    }

    private static let logNames = [
        "0000000000000000", "0000000000000001", "0000000000000002", "000000000000000f", "0000000000000010",
        "00000000000000ff", "7fffffffffffffff", "8000000000000000", "ffffffffffffffff",
        // Under the prefix but not of the space: stored like any other key.
        "000000000000000A", "000000000000000g", "00000000000000010", "000000000000001", "zz", "x/y", "",
        "0", "00000000000000", "8", "f", "g", ":", "/", "0000000000000001/",
    ]
    private static let logKeys = logNames.filter { !$0.isEmpty && !$0.hasSuffix("/") }.map { SequencedKeys.prefix + $0 } + [
        "core/replication/wal-meta", "core/replication/walx", "core/replication/wal", "core/replication/w",
        "core/replication/x/1", "core/a", "logical/1", "core/replication/wal0",
    ]
    private static let logPrefixes = [
        "", "c", "core/", "core/replication/", "core/replication/wal", "core/replication/wal/",
        "core/replication/wal/0", "core/replication/wal/00000000000000", "core/replication/wal/000000000000000",
        "core/replication/wal/0000000000000001", "core/replication/wal/00000000000000010",
        "core/replication/wal/7", "core/replication/wal/8", "core/replication/wal/f", "core/replication/wal/g",
        "core/replication/wal/:", "core/replication/wal/x/", "core/replication/wal/0000000000000001/",
    ]

    private static let segments = ["a", "b", "ab", "a.", "é", "e\u{301}", "z0", "", "\u{10FFFF}"]

    private static func randomName(_ random: inout SeededGenerator) -> String {
        var name = Self.segments[Int(random.next(below: UInt64(Self.segments.count)))]
        if random.next(below: 3) == 0 { name += "/" }
        return name
    }

    private static func randomKey(_ random: inout SeededGenerator) -> String {
        let depth = Int(random.next(below: 4)) + 1
        return (0..<depth).map { _ in Self.segments[Int(random.next(below: UInt64(Self.segments.count)))] }
            .joined(separator: "/")
    }

    private static func randomPrefix(_ random: inout SeededGenerator) -> String {
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

