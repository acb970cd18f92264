import CofferJSON
import CofferLogical
@testable import CofferEngines
import Testing

@Suite("KV v2 concurrency")
struct KVv2ConcurrencyTests {
    @Test("concurrent writes to one path get distinct, consecutive versions")
    func distinctVersions() async throws {
        let kv = KVv2Harness(yielding: true)
        _ = try await kv.send(.update, "config", ["max_versions": 100])
        let writers = 40
        let versions = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<writers {
                group.addTask { try await kv.put("hot", ["writer": .int(Int64(index))]) }
            }
            var all: [Int64] = []
            for try await version in group { all.append(version) }
            return all
        }
        #expect(versions.sorted() == Array(1...Int64(writers)))
        let metadata = try #require(try await kv.metadata("hot"))
        #expect(metadata["current_version"] == .int(Int64(writers)))
        #expect(metadata["versions"]?.objectValue?.count == writers)
        // Every version's data survived: no write overwrote another's record.
        var writersSeen = Set<JSONValue>()
        for version in 1...Int64(writers) {
            writersSeen.insert(try #require(try await kv.read("hot", version: version)?.data?["data"]?["writer"]))
        }
        #expect(writersSeen.count == writers)
    }

    @Test("concurrent cas=0 creates: exactly one wins")
    func casRace() async throws {
        let kv = KVv2Harness(yielding: true)
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<10 {
                group.addTask { (try? await kv.put("once", ["i": .int(Int64(index))], cas: 0)) != nil }
            }
            var wins = 0
            for await won in group where won { wins += 1 }
            return wins
        }
        #expect(results == 1)
        #expect(try await kv.metadata("once")?["current_version"] == 1)
    }

    @Test("reads racing writes that prune never see a missing record")
    func readsDuringPrunes() async throws {
        let kv = KVv2Harness(yielding: true)
        _ = try await kv.send(.update, "config", ["max_versions": 1])
        try await kv.put("p", ["v": 0])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for value in 1...30 { try await kv.put("p", ["v": .int(Int64(value))]) }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<30 {
                        let response = try await kv.read("p")
                        #expect(response?.statusCode == nil)
                        #expect(response?.data?["data"]?["v"] != nil)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("the lock table lets one holder of a key in at a time")
    func lockTable() async throws {
        let table = KeyedLockTable(stripeCount: 4)
        let log = LockedBox<[Int]>([])
        let inside = LockedBox(0)
        let maxInside = LockedBox(0)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    await table.withLock("same") {
                        let now = inside.update { $0 += 1; return $0 }
                        maxInside.update { $0 = max($0, now) }
                        await Task.yield()
                        log.update { $0.append(index) }
                        inside.update { $0 -= 1 }
                    }
                }
            }
        }
        #expect(maxInside.value == 1)
        #expect(log.value.count == 50)
        #expect(table.stripeIndex(for: "same") == table.stripeIndex(for: "same"))
        #expect(Set((0..<100).map { table.stripeIndex(for: "key-\($0)") }).count == 4)
    }

    @Test("the lock is released when the body throws")
    func lockReleasedOnThrow() async throws {
        struct Boom: Error {}
        let table = KeyedLockTable(stripeCount: 1)
        await #expect(throws: Boom.self) { try await table.withLock("k") { throw Boom() } }
        let value = await table.withLock("other") { 42 }
        #expect(value == 42)
    }
}
