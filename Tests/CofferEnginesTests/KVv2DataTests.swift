import CofferJSON
import CofferLogical
@testable import CofferEngines
import Testing

/// `data/<path>`: write, read, versions, check-and-set, patch, soft delete.
@Suite("KV v2 data")
struct KVv2DataTests {
    @Test("a write answers with the new version's metadata; a read returns data and metadata")
    func writeAndRead() async throws {
        let kv = KVv2Harness()
        let write = try #require(try await kv.send(.update, "data/app/db", ["data": ["password": "s3cr3t", "port": 5432]]))
        #expect(write.statusCode == nil)
        #expect(write.data == [
            "created_time": "2023-11-14T22:13:20.25Z", "custom_metadata": .null,
            "deletion_time": "", "destroyed": false, "version": 1,
        ])

        let read = try #require(try await kv.read("app/db"))
        #expect(read.statusCode == nil)
        #expect(read.secret == nil)
        #expect(read.data?["data"] == ["password": "s3cr3t", "port": 5432])
        #expect(read.data?["metadata"] == [
            "created_time": "2023-11-14T22:13:20.25Z", "custom_metadata": .null,
            "deletion_time": "", "destroyed": false, "version": 1,
        ])
    }

    @Test("versions: the latest by default, ?version=N for older ones, nil for ones that never existed")
    func versionSelection() async throws {
        let kv = KVv2Harness()
        for value in 1...3 {
            let version = try await kv.put("v", ["n": .int(Int64(value))])
            #expect(version == Int64(value))
            kv.time.advance(seconds: 1)
        }
        #expect(try await kv.read("v")?.data?["data"] == ["n": 3])
        #expect(try await kv.read("v", version: 2)?.data?["data"] == ["n": 2])
        #expect(try await kv.read("v", version: 2)?.data?["metadata"]?["version"] == 2)
        let asInt = try await kv.send(.read, "data/v", ["version": 1])
        #expect(asInt?.data?["data"] == ["n": 1])
        #expect(try await kv.read("v", version: 0)?.data?["data"] == ["n": 3])
        #expect(try await kv.read("v", version: 4) == nil)
        #expect(try await kv.read("missing") == nil)
        #expect(try await kv.read("missing", version: 1) == nil)
        #expect(await kv.error(.read, "data/v", ["version": "two"])?.code == .invalidRequest)
        #expect(await kv.error(.read, "data/v", ["version": -1])?.code == .invalidRequest)
    }

    @Test("max_versions prunes the oldest versions and their data in the same commit")
    func maxVersionsPrunes() async throws {
        let kv = KVv2Harness()
        _ = try await kv.send(.update, "config", ["max_versions": 3])
        for value in 1...3 { try await kv.put("k", ["n": .int(Int64(value))]) }
        // Vault's quirk: oldest_version becomes 1 once the limit is reached.
        #expect(try await kv.metadata("k")?["oldest_version"] == 1)
        for value in 4...5 { try await kv.put("k", ["n": .int(Int64(value))]) }

        let metadata = try #require(try await kv.metadata("k"))
        #expect(metadata["current_version"] == 5)
        #expect(metadata["oldest_version"] == 3)
        #expect(metadata["versions"]?.objectValue.map { Set($0.keys) } == ["3", "4", "5"])
        #expect(try await kv.read("k", version: 1) == nil)
        #expect(try await kv.read("k", version: 2) == nil)
        #expect(try await kv.read("k", version: 3)?.data?["data"] == ["n": 3])
        #expect(kv.storage.keys == ["config", "meta/k", "ver/k/3", "ver/k/4", "ver/k/5"])

        let last = try #require(kv.storage.commits.last)
        #expect(last.count == 3)
        #expect(last.contains(.delete(key: "ver/k/2")))
        #expect(last.contains { if case .put(key: "ver/k/5", _) = $0 { true } else { false } })
        #expect(last.contains { if case .put(key: "meta/k", _) = $0 { true } else { false } })
    }

    @Test("a key's max_versions overrides the mount's; default is 10")
    func maxVersionsPrecedence() async throws {
        let kv = KVv2Harness()
        for value in 1...11 { try await kv.put("default", ["n": .int(Int64(value))]) }
        #expect(try await kv.metadata("default")?["versions"]?.objectValue?.count == 10)
        #expect(try await kv.metadata("default")?["oldest_version"] == 2)

        _ = try await kv.send(.update, "config", ["max_versions": 2])
        _ = try await kv.send(.update, "metadata/own", ["max_versions": 4])
        for value in 1...6 { try await kv.put("own", ["n": .int(Int64(value))]) }
        #expect(try await kv.metadata("own")?["versions"]?.objectValue.map { Set($0.keys) } == ["3", "4", "5", "6"])
    }

    @Test("DELETE soft-deletes the latest version: 404 with the metadata in the body")
    func softDeleteLatest() async throws {
        let kv = KVv2Harness()
        try await kv.put("s", ["a": 1])
        try await kv.put("s", ["a": 2])
        kv.time.advance(seconds: 10)
        let deletedAt = kv.nowString
        #expect(try await kv.send(.delete, "data/s") == nil)

        let read = try #require(try await kv.read("s"))
        #expect(read.statusCode == 404)
        #expect(read.data?["data"] == .null)
        #expect(read.data?["metadata"]?["deletion_time"] == .string(deletedAt))
        #expect(read.data?["metadata"]?["version"] == 2)
        #expect(read.data?["metadata"]?["destroyed"] == false)
        #expect(try await kv.read("s", version: 1)?.data?["data"] == ["a": 1])

        // Deleting again keeps the first deletion time; a missing path is fine too.
        kv.time.advance(seconds: 10)
        #expect(try await kv.send(.delete, "data/s") == nil)
        #expect(try await kv.read("s")?.data?["metadata"]?["deletion_time"] == .string(deletedAt))
        #expect(try await kv.send(.delete, "data/nothing") == nil)
        // The path still exists (Vault's existence check reads metadata).
        let request = Request(id: "x", operation: .update, path: "data/s")
        #expect(try await kv.backend.exists(request, storage: kv.storage) == true)
    }

    @Test("check-and-set: 0 creates only, a match succeeds, a mismatch is a 400")
    func checkAndSet() async throws {
        let kv = KVv2Harness()
        #expect(try await kv.put("c", ["v": 1], cas: 0) == 1)
        let mismatch = await kv.error(.update, "data/c", ["data": ["v": 2], "options": ["cas": 0]])
        #expect(mismatch?.code == .invalidRequest)
        #expect(mismatch?.messages == ["check-and-set parameter did not match the current version"])
        #expect(await kv.error(.update, "data/c", ["data": ["v": 2], "options": ["cas": 5]])?.code == .invalidRequest)
        #expect(try await kv.put("c", ["v": 2], cas: 1) == 2)
        // cas as a string is accepted; garbage is not.
        #expect(try await kv.send(.update, "data/c", ["data": ["v": 3], "options": ["cas": "2"]])?.data?["version"] == 3)
        #expect(await kv.error(.update, "data/c", ["data": ["v": 4], "options": ["cas": "x"]])?.messages
            == ["error parsing check-and-set parameter"])
        // Soft-deleting does not reset the version cas compares against.
        _ = try await kv.send(.delete, "data/c")
        #expect(await kv.error(.update, "data/c", ["data": ["v": 4], "options": ["cas": 0]]) != nil)
        #expect(try await kv.put("c", ["v": 4], cas: 3) == 4)
    }

    @Test("cas_required on the mount or the key refuses writes without cas")
    func casRequired() async throws {
        let kv = KVv2Harness()
        _ = try await kv.send(.update, "config", ["cas_required": true])
        let refused = await kv.error(.update, "data/r", ["data": ["v": 1]])
        #expect(refused?.code == .invalidRequest)
        #expect(refused?.messages == ["check-and-set parameter required for this call"])
        #expect(try await kv.put("r", ["v": 1], cas: 0) == 1)

        _ = try await kv.send(.update, "config", ["cas_required": false])
        try await kv.put("free", ["v": 1])
        _ = try await kv.send(.update, "metadata/guarded", ["cas_required": true])
        #expect(await kv.error(.update, "data/guarded", ["data": ["v": 1]])?.messages
            == ["check-and-set parameter required for this call"])
        #expect(try await kv.put("guarded", ["v": 1], cas: 0) == 1)
    }

    @Test("PATCH merges into the latest version (RFC 7396) and writes a new version")
    func patchMerges() async throws {
        let kv = KVv2Harness()
        try await kv.put("p", ["a": 1, "b": ["c": 2, "d": 3], "e": "x", "list": [1, 2]])
        let patched = try await kv.send(.patch, "data/p", [
            "data": ["b": ["c": .null, "f": 4], "e": .null, "g": true, "list": [3]],
        ])
        #expect(patched?.data?["version"] == 2)
        #expect(try await kv.read("p")?.data?["data"] == ["a": 1, "b": ["d": 3, "f": 4], "g": true, "list": [3]])
        #expect(try await kv.read("p", version: 1)?.data?["data"]?["e"] == "x")

        // cas is honoured.
        #expect(await kv.error(.patch, "data/p", ["data": ["a": 2], "options": ["cas": 1]])?.messages
            == ["check-and-set parameter did not match the current version"])
        #expect(try await kv.send(.patch, "data/p", ["data": ["a": 2], "options": ["cas": 2]])?.data?["version"] == 3)

        // No such path: a plain 404; no data: a 400.
        let missing = await kv.error(.patch, "data/none", ["data": ["a": 1]])
        #expect(missing?.code == .notFound && missing?.messages == [])
        #expect(await kv.error(.patch, "data/p", [:])?.messages == ["no data provided"])

        // A deleted latest version answers like a read.
        _ = try await kv.send(.delete, "data/p")
        let deleted = try await kv.send(.patch, "data/p", ["data": ["a": 3]])
        #expect(deleted?.statusCode == 404)
        #expect(deleted?.data?["metadata"]?["version"] == 3)
        #expect(try await kv.metadata("p")?["current_version"] == 3)
    }

    @Test("bad input: missing or non-object data, bad options, unusable paths")
    func validation() async throws {
        let kv = KVv2Harness()
        #expect(await kv.error(.update, "data/x", [:])?.messages == ["no data provided"])
        #expect(await kv.error(.update, "data/x", ["data": .null])?.messages == ["no data provided"])
        #expect(await kv.error(.update, "data/x", ["data": "text"])?.code == .invalidRequest)
        #expect(await kv.error(.update, "data/x", ["data": [1, 2]])?.code == .invalidRequest)
        #expect(await kv.error(.update, "data/x", ["data": [:], "options": "cas=1"])?.code == .invalidRequest)
        for path in ["data/", "data/a/", "data//a", "data/a//b"] {
            #expect(await kv.error(.update, path, ["data": ["v": 1]])?.code == .invalidRequest, "\(path)")
        }
        #expect(try await kv.send(.read, "data/") == nil)
        #expect(await kv.error(.list, "data/")?.code == .unsupportedOperation)
        #expect(await kv.error(.list, "data/folder")?.code == .unsupportedOperation)
        // An empty object is a valid secret.
        #expect(try await kv.put("empty", [:]) == 1)
        #expect(try await kv.read("empty")?.data?["data"] == [:])
        #expect(kv.storage.keys == ["meta/empty", "ver/empty/1"])
    }

    @Test("delete_version_after schedules deletion at write time; the shorter of mount and key wins")
    func deleteVersionAfter() async throws {
        let kv = KVv2Harness()
        _ = try await kv.send(.update, "config", ["delete_version_after": "1h"])
        let write = try #require(try await kv.send(.update, "data/t", ["data": ["v": 1]]))
        #expect(write.data?["deletion_time"] == "2023-11-14T23:13:20.25Z")
        #expect(try await kv.read("t")?.data?["data"] == ["v": 1])
        #expect(try await kv.read("t")?.data?["metadata"]?["deletion_time"] == "2023-11-14T23:13:20.25Z")

        kv.time.advance(seconds: 3600)
        let expired = try #require(try await kv.read("t"))
        #expect(expired.statusCode == 404)
        #expect(expired.data?["data"] == .null)

        _ = try await kv.send(.update, "metadata/t", ["delete_version_after": 1800])
        let shorter = try #require(try await kv.send(.update, "data/t", ["data": ["v": 2]]))
        #expect(shorter.data?["deletion_time"] == "2023-11-14T23:43:20.25Z")
        // Undelete clears a scheduled deletion too.
        _ = try await kv.send(.update, "undelete/t", ["versions": [2]])
        kv.time.advance(seconds: 7200)
        #expect(try await kv.read("t")?.data?["data"] == ["v": 2])
    }

    @Test("paths outside the versioned groups answer 404 with Vault's warning")
    func nonVersionedPath() async throws {
        let kv = KVv2Harness()
        for (operation, path) in [(Operation.read, "foo"), (.update, "foo/bar"), (.list, ""), (.read, "config/"),
                                  (.delete, "data"), (.read, "metadatafoo")] {
            let response = try #require(try await kv.send(operation, path, ["data": ["a": 1]]))
            #expect(response.statusCode == 404, "\(path)")
            #expect(response.data == nil)
            #expect(response.warnings == [KVv2Backend.invalidPathWarning])
        }
        #expect(KVv2Backend.invalidPathWarning.hasPrefix("Invalid path for a versioned K/V secrets engine."))
        #expect(kv.storage.keys.isEmpty)
    }

    @Test("exists: data and metadata paths by metadata, config always, others undecided")
    func existence() async throws {
        let kv = KVv2Harness()
        func exists(_ path: String) async throws -> Bool? {
            try await kv.backend.exists(Request(id: "x", operation: .update, path: path), storage: kv.storage)
        }
        #expect(try await exists("data/e") == false)
        #expect(try await exists("metadata/e") == false)
        try await kv.put("e", ["v": 1])
        #expect(try await exists("data/e") == true)
        #expect(try await exists("metadata/e") == true)
        #expect(try await exists("data/") == false)
        #expect(try await exists("config") == true)
        #expect(try await exists("delete/e") == nil)
        #expect(try await exists("elsewhere") == nil)
    }
}
