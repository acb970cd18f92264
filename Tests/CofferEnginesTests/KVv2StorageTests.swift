import CofferJSON
import CofferLogical
@testable import CofferEngines
import Testing

/// Records: round trips, and failing closed on anything unexpected.
@Suite("KV v2 storage records")
struct KVv2StorageTests {
    @Test("metadata and config round-trip through their records")
    func roundTrip() throws {
        var metadata = KVv2KeyMetadata(now: Timestamp(nanoseconds: 1_000_000_123))
        metadata.maxVersions = 3
        metadata.casRequired = true
        metadata.deleteVersionAfter = 60
        metadata.customMetadata = ["owner": "ops"]
        _ = metadata.addVersion(created: Timestamp(nanoseconds: 2_000_000_000), deletion: nil, mountMaxVersions: 0)
        _ = metadata.addVersion(
            created: Timestamp(nanoseconds: 3_000_000_000), deletion: Timestamp(nanoseconds: 4), mountMaxVersions: 0)
        metadata.versions[1]?.destroyed = true
        #expect(try KVv2KeyMetadata(record: metadata.encoded(), key: "meta/x") == metadata)

        var config = KVv2MountConfig()
        config.maxVersions = 9
        config.casRequired = true
        config.deleteVersionAfter = 5
        #expect(try KVv2MountConfig(record: config.encoded(), key: "config") == config)
    }

    @Test("unknown formats, damaged records and missing data fail the request", arguments: [
        ("{\"format\":2,\"max_versions\":0,\"cas_required\":false,\"delete_version_after\":0}", KVv2StorageError.Code.unsupportedFormat),
        ("{\"max_versions\":0,\"cas_required\":false,\"delete_version_after\":0}", .corrupt),
        ("{\"format\":1,\"max_versions\":\"0\",\"cas_required\":false,\"delete_version_after\":0}", .corrupt),
        ("not json", .corrupt),
        ("[1]", .corrupt),
    ])
    func failsClosed(record: String, code: KVv2StorageError.Code) async throws {
        let kv = KVv2Harness()
        kv.storage.plant("config", record)
        await #expect(throws: KVv2StorageError.self) { try await kv.send(.read, "config") }
        do {
            _ = try await kv.send(.update, "data/x", ["data": ["v": 1]])
            Issue.record("a write over an unreadable config succeeded")
        } catch let error as KVv2StorageError {
            #expect(error.code == code)
            #expect(error.key == "config")
        }
    }

    @Test("a metadata record naming versions beyond current, or a lost data record, is an error")
    func inconsistentMetadata() async throws {
        let kv = KVv2Harness()
        try await kv.put("x", ["v": 1])
        kv.storage.plant("ver/x/1", "{\"format\":1,\"data\":{\"v\":1}}")
        #expect(try await kv.read("x")?.data?["data"] == ["v": 1])
        kv.storage.plant("ver/x/1", "{\"format\":7,\"data\":{}}")
        await #expect(throws: KVv2StorageError.self) { try await kv.read("x") }
        _ = try await kv.storage.commit([.delete(key: "ver/x/1")])
        await #expect(throws: KVv2StorageError.self) { try await kv.read("x") }

        kv.storage.plant("meta/y", """
            {"format":1,"current_version":1,"oldest_version":0,"created_time":0,"updated_time":0,"max_versions":0,\
            "cas_required":false,"delete_version_after":0,"custom_metadata":{},\
            "versions":{"2":{"created_time":0,"deletion_time":null,"destroyed":false}}}
            """)
        await #expect(throws: KVv2StorageError.self) { try await kv.metadata("y") }
    }

    @Test("version keys cannot collide between paths")
    func versionKeys() {
        #expect(KVv2Storage.versionKey("a", 1) == "ver/a/1")
        #expect(KVv2Storage.versionKey("a/1", 1) == "ver/a/1/1")
        #expect(KVv2Storage.metadataKey("a/b") == "meta/a/b")
    }

    @Test("merge patch follows RFC 7396's examples")
    func mergePatch() throws {
        let cases: [(String, String, String)] = [
            (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
            (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
            (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
            (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
            (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
            (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
            (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
            (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
            (#"{"e":null}"#, #"{"a":1}"#, #"{"a":1,"e":null}"#),
            (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
            (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
        ]
        for (target, patch, expected) in cases {
            let result = KVv2MergePatch.apply(try JSONValue(parsing: patch), to: try JSONValue(parsing: target))
            #expect(result == (try JSONValue(parsing: expected)), "\(target) + \(patch)")
        }
    }
}
