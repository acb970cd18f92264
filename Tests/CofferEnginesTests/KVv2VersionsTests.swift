import CofferJSON
import CofferLogical
@testable import CofferEngines
import Testing

/// `delete/`, `undelete/`, `destroy/` with a list of versions.
@Suite("KV v2 delete, undelete, destroy")
struct KVv2VersionsTests {
    /// A harness with versions 1...3 of `s`, one second apart.
    static func threeVersions() async throws -> KVv2Harness {
        let kv = KVv2Harness()
        for value in 1...3 {
            try await kv.put("s", ["n": .int(Int64(value))])
            kv.time.advance(seconds: 1)
        }
        return kv
    }

    @Test("delete marks the named versions deleted; undelete restores them")
    func deleteAndUndelete() async throws {
        let kv = try await Self.threeVersions()
        let deletedAt = kv.nowString
        #expect(try await kv.send(.update, "delete/s", ["versions": [1, 2]]) == nil)
        for version: Int64 in [1, 2] {
            let read = try #require(try await kv.read("s", version: version))
            #expect(read.statusCode == 404)
            #expect(read.data?["metadata"]?["deletion_time"] == .string(deletedAt))
        }
        #expect(try await kv.read("s")?.data?["data"] == ["n": 3])
        let versions = try #require(try await kv.metadata("s")?["versions"])
        #expect(versions["1"]?["deletion_time"] == .string(deletedAt))
        #expect(versions["3"]?["deletion_time"] == "")

        #expect(try await kv.send(.update, "undelete/s", ["versions": "1"]) == nil)
        #expect(try await kv.read("s", version: 1)?.data?["data"] == ["n": 1])
        #expect(try await kv.read("s", version: 1)?.data?["metadata"]?["deletion_time"] == "")
        #expect(try await kv.read("s", version: 2)?.statusCode == 404)
        // Data of deleted versions stays stored; only destroy removes it.
        #expect(kv.storage.keys.contains("ver/s/2"))
    }

    @Test("destroy removes the data for good and marks the version destroyed")
    func destroy() async throws {
        let kv = try await Self.threeVersions()
        #expect(try await kv.send(.update, "destroy/s", ["versions": ["2"]]) == nil)
        let read = try #require(try await kv.read("s", version: 2))
        #expect(read.statusCode == 404)
        #expect(read.data?["data"] == .null)
        #expect(read.data?["metadata"]?["destroyed"] == true)
        #expect(read.data?["metadata"]?["deletion_time"] == "")
        #expect(!kv.storage.keys.contains("ver/s/2"))
        #expect(try await kv.metadata("s")?["versions"]?["2"]?["destroyed"] == true)
        // The metadata update and the data delete were one commit.
        let last = try #require(kv.storage.commits.last)
        #expect(last.count == 2 && last.contains(.delete(key: "ver/s/2")))

        // Undelete cannot bring it back; deleting it is a no-op.
        _ = try await kv.send(.update, "undelete/s", ["versions": [2]])
        _ = try await kv.send(.update, "delete/s", ["versions": [2]])
        #expect(try await kv.read("s", version: 2)?.data?["metadata"]?["destroyed"] == true)
        #expect(try await kv.read("s", version: 2)?.data?["metadata"]?["deletion_time"] == "")

        // Destroying the latest hides it from plain reads.
        _ = try await kv.send(.update, "destroy/s", ["versions": [3]])
        #expect(try await kv.read("s")?.statusCode == 404)
        #expect(try await kv.read("s", version: 1)?.data?["data"] == ["n": 1])
    }

    @Test("unknown versions and paths are skipped without error; no change means no commit")
    func skipsUnknown() async throws {
        let kv = try await Self.threeVersions()
        let commits = kv.storage.commits.count
        #expect(try await kv.send(.update, "delete/s", ["versions": [7, 9]]) == nil)
        #expect(try await kv.send(.update, "destroy/missing", ["versions": [1]]) == nil)
        #expect(try await kv.send(.update, "undelete/s", ["versions": [1]]) == nil)
        #expect(kv.storage.commits.count == commits)
    }

    @Test("versions must be given, as numbers, and the operation must be a write")
    func validation() async throws {
        let kv = try await Self.threeVersions()
        for group in ["delete", "undelete", "destroy"] {
            #expect(await kv.error(.update, "\(group)/s", [:])?.messages == ["no version number provided"])
            #expect(await kv.error(.update, "\(group)/s", ["versions": []])?.messages == ["no version number provided"])
            #expect(await kv.error(.update, "\(group)/s", ["versions": ["x"]])?.code == .invalidRequest)
            #expect(await kv.error(.update, "\(group)/s", ["versions": [-1]])?.code == .invalidRequest)
            #expect(await kv.error(.update, "\(group)/s", ["versions": [["nested"]]])?.code == .invalidRequest)
            #expect(await kv.error(.read, "\(group)/s")?.code == .unsupportedOperation)
            #expect(await kv.error(.list, "\(group)/")?.code == .unsupportedOperation)
        }
        // Comma-separated strings and single numbers are accepted, as Vault's field type does.
        #expect(try await kv.send(.update, "delete/s", ["versions": "1, 2"]) == nil)
        #expect(try await kv.send(.update, "delete/s", ["versions": 3]) == nil)
        #expect(try await kv.read("s")?.statusCode == 404)
        #expect(try await kv.read("s", version: 1)?.statusCode == 404)
    }
}
