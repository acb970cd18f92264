import CofferJSON
import CofferLogical
@testable import CofferEngines
import Testing

/// `metadata/<path>`: read, write, patch, delete, list; custom metadata bounds.
@Suite("KV v2 metadata")
struct KVv2MetadataTests {
    @Test("read shows every field Vault shows")
    func read() async throws {
        let kv = KVv2Harness()
        #expect(try await kv.metadata("m") == nil)
        let created = kv.nowString
        try await kv.put("m", ["v": 1])
        kv.time.advance(seconds: 2.5)
        let updated = kv.nowString
        try await kv.put("m", ["v": 2])

        let metadata = try #require(try await kv.metadata("m"))
        #expect(metadata == [
            "cas_required": false,
            "created_time": .string(created),
            "current_version": 2,
            "custom_metadata": .null,
            "delete_version_after": "0s",
            "max_versions": 0,
            "oldest_version": 0,
            "updated_time": .string(updated),
            "versions": [
                "1": ["created_time": .string(created), "deletion_time": "", "destroyed": false],
                "2": ["created_time": .string(updated), "deletion_time": "", "destroyed": false],
            ],
        ])
    }

    @Test("write sets settings, creating metadata with no versions when the path is new")
    func write() async throws {
        let kv = KVv2Harness()
        #expect(try await kv.send(.update, "metadata/w", [
            "max_versions": 5, "cas_required": true, "delete_version_after": "1h30m",
            "custom_metadata": ["owner": "ops", "tier": 1],
        ]) == nil)
        let metadata = try #require(try await kv.metadata("w"))
        #expect(metadata["current_version"] == 0)
        #expect(metadata["versions"] == [:])
        #expect(metadata["max_versions"] == 5)
        #expect(metadata["cas_required"] == true)
        #expect(metadata["delete_version_after"] == "1h30m0s")
        #expect(metadata["custom_metadata"] == ["owner": "ops", "tier": "1"])
        #expect(metadata["created_time"] == .string(kv.nowString))

        // The first data write still needs cas (required here), and cas 0 matches.
        #expect(try await kv.put("w", ["v": 1], cas: 0) == 1)
        // custom_metadata shows in data reads and writes.
        #expect(try await kv.read("w")?.data?["metadata"]?["custom_metadata"] == ["owner": "ops", "tier": "1"])

        // A later write leaves unnamed settings alone.
        _ = try await kv.send(.update, "metadata/w", ["cas_required": "false"])
        let after = try #require(try await kv.metadata("w"))
        #expect(after["cas_required"] == false && after["max_versions"] == 5)
        #expect(after["custom_metadata"] == ["owner": "ops", "tier": "1"])
        // key=value pairs are accepted; null clears.
        _ = try await kv.send(.update, "metadata/w", ["custom_metadata": ["a=b=c"]])
        #expect(try await kv.metadata("w")?["custom_metadata"] == ["a": "b=c"])
        _ = try await kv.send(.update, "metadata/w", ["custom_metadata": .null])
        #expect(try await kv.metadata("w")?["custom_metadata"] == .null)

        #expect(await kv.error(.update, "metadata/w", ["max_versions": -1])?.code == .invalidRequest)
        #expect(await kv.error(.update, "metadata/w", ["max_versions": "many"])?.code == .invalidRequest)
        #expect(await kv.error(.update, "metadata/w", ["cas_required": "maybe"])?.code == .invalidRequest)
        #expect(await kv.error(.update, "metadata/w", ["delete_version_after": "-1h"])?.messages
            == ["delete_version_after cannot be negative"])
        #expect(await kv.error(.update, "metadata/w", ["custom_metadata": "x"])?.code == .invalidRequest)
        #expect(await kv.error(.update, "metadata/w", ["custom_metadata": ["a": ["b": "c"]]])?.code == .invalidRequest)
        #expect(await kv.error(.update, "metadata/", ["max_versions": 1])?.code == .invalidRequest)
    }

    @Test("custom_metadata bounds: 64 keys, 128-byte keys, 512-byte values, printable")
    func customMetadataLimits() async throws {
        let kv = KVv2Harness()
        var many: [String: JSONValue] = [:]
        for index in 0..<64 { many["k\(index)"] = "v" }
        #expect(try await kv.send(.update, "metadata/c", ["custom_metadata": .object(many)]) == nil)
        many["k64"] = "v"
        #expect(await kv.error(.update, "metadata/c", ["custom_metadata": .object(many)])?.messages == [
            "1 error occurred:\n\t* custom_metadata validation failed: payload must contain at most 64 keys, provided 65\n\n",
        ])

        let key128 = String(repeating: "k", count: 128)
        let value512 = String(repeating: "v", count: 512)
        #expect(try await kv.send(.update, "metadata/c", ["custom_metadata": [key128: .string(value512)]]) == nil)

        let longKey = String(repeating: "k", count: 129)
        let error = await kv.error(.update, "metadata/c", ["custom_metadata": [
            .init(stringLiteral: longKey): "v", "big": .string(value512 + "v"), "": "empty",
        ]])
        #expect(error?.code == .invalidRequest)
        #expect(error?.messages == [
            "3 errors occurred:\n"
                + "\t* custom_metadata validation failed: length of key \"\" is 0 but must be 0 < len(key) <= 128\n"
                + "\t* custom_metadata validation failed: length of value for key \"big\" is 513 but must be <= 512\n"
                + "\t* custom_metadata validation failed: length of key \"\(longKey)\" is 129 but must be 0 < len(key) <= 128\n"
                + "\n",
        ])
        let unprintable = await kv.error(.update, "metadata/c", ["custom_metadata": ["bell\u{7}": "ok", "tab": "a\tb"]])
        #expect(unprintable?.messages == [
            "2 errors occurred:\n"
                + "\t* custom_metadata validation failed: key \"bell\\x07\" contains unprintable characters\n"
                + "\t* custom_metadata validation failed: value for key \"tab\" contains unprintable characters\n"
                + "\n",
        ])
        // Bytes, not characters, are counted.
        let wide = String(repeating: "é", count: 65)
        #expect(await kv.error(.update, "metadata/c", ["custom_metadata": [.init(stringLiteral: wide): "v"]]) != nil)
        // Nothing invalid was stored.
        #expect(try await kv.metadata("c")?["custom_metadata"]?.objectValue?.count == 1)
    }

    @Test("PATCH merges settings; null resets one or removes a custom_metadata key")
    func patch() async throws {
        let kv = KVv2Harness()
        _ = try await kv.send(.update, "metadata/p", [
            "max_versions": 7, "cas_required": true, "custom_metadata": ["a": "1", "b": "2"],
        ])
        #expect(try await kv.send(.patch, "metadata/p", [
            "custom_metadata": ["a": .null, "c": "3"], "delete_version_after": "10m", "ignored": 1,
        ]) == nil)
        var metadata = try #require(try await kv.metadata("p"))
        #expect(metadata["custom_metadata"] == ["b": "2", "c": "3"])
        #expect(metadata["max_versions"] == 7 && metadata["cas_required"] == true)
        #expect(metadata["delete_version_after"] == "10m0s")

        _ = try await kv.send(.patch, "metadata/p", ["max_versions": .null, "custom_metadata": .null])
        metadata = try #require(try await kv.metadata("p"))
        #expect(metadata["max_versions"] == 0 && metadata["custom_metadata"] == .null)
        #expect(metadata["cas_required"] == true)

        let missing = await kv.error(.patch, "metadata/none", ["max_versions": 1])
        #expect(missing?.code == .notFound && missing?.messages == [])
        #expect(await kv.error(.patch, "metadata/p", ["max_versions": "x"])?.code == .invalidRequest)
        #expect(await kv.error(.patch, "metadata/p", ["custom_metadata": ["k": ["deep": "x"]]])?.code == .invalidRequest)
        var tooMany: [String: JSONValue] = [:]
        for index in 0..<65 { tooMany["n\(index)"] = "v" }
        #expect(await kv.error(.patch, "metadata/p", ["custom_metadata": .object(tooMany)])?.code == .invalidRequest)
        #expect(try await kv.metadata("p")?["custom_metadata"] == .null)
    }

    @Test("DELETE removes the metadata and every version in one commit")
    func delete() async throws {
        let kv = KVv2Harness()
        for value in 1...3 { try await kv.put("d", ["v": .int(Int64(value))]) }
        _ = try await kv.send(.update, "destroy/d", ["versions": [2]])
        try await kv.put("other", ["v": 1])
        #expect(try await kv.send(.delete, "metadata/d") == nil)
        #expect(kv.storage.keys == ["meta/other", "ver/other/1"])
        #expect(kv.storage.commits.last?.count == 3)
        #expect(try await kv.metadata("d") == nil)
        #expect(try await kv.read("d", version: 1) == nil)
        // The path is new again: cas 0 succeeds and versions restart at 1.
        #expect(try await kv.put("d", ["v": 9], cas: 0) == 1)
        #expect(try await kv.send(.delete, "metadata/never") == nil)
    }

    @Test("LIST gives direct children, folders with a slash; empty is nil")
    func list() async throws {
        let kv = KVv2Harness()
        for path in ["a/b", "a/c/d", "a", "e", "f/g/h"] { try await kv.put(path, ["v": 1]) }
        #expect(try await kv.send(.list, "metadata/")?.data == ["keys": ["a", "a/", "e", "f/"]])
        #expect(try await kv.send(.list, "metadata")?.data == ["keys": ["a", "a/", "e", "f/"]])
        #expect(try await kv.send(.list, "metadata/a/")?.data == ["keys": ["b", "c/"]])
        #expect(try await kv.send(.list, "metadata/a")?.data == ["keys": ["b", "c/"]])
        #expect(try await kv.send(.list, "metadata/f/g")?.data == ["keys": ["h"]])
        #expect(try await kv.send(.list, "metadata/zzz/") == nil)
        #expect(try await kv.send(.list, "metadata//") == nil)
        // Deleted versions still list (their metadata exists); deleted metadata does not.
        _ = try await kv.send(.delete, "data/e")
        #expect(try await kv.send(.list, "metadata/")?.data?["keys"]?.stringArrayValue?.contains("e") == true)
        _ = try await kv.send(.delete, "metadata/e")
        #expect(try await kv.send(.list, "metadata/")?.data == ["keys": ["a", "a/", "f/"]])
    }
}
