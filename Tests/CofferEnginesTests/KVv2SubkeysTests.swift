import CofferJSON
import CofferLogical
@testable import CofferEngines
import Testing

/// `subkeys/<path>`: structure without values.
@Suite("KV v2 subkeys")
struct KVv2SubkeysTests {
    static let secret: [String: JSONValue] = [
        "foo": "x", "bar": ["baz": 1, "q": ["r": 2], "empty": [:]], "quux": [1, 2],
    ]

    @Test("structure without values, limited by depth")
    func depth() async throws {
        let kv = KVv2Harness()
        try await kv.put("s", Self.secret)
        let all = try #require(try await kv.send(.read, "subkeys/s"))
        #expect(all.data?["subkeys"] == [
            "foo": .null, "bar": ["baz": .null, "q": ["r": .null], "empty": [:]], "quux": .null,
        ])
        #expect(all.data?["metadata"]?["version"] == 1)
        #expect(all.data?["metadata"]?["deletion_time"] == "")
        #expect(try await kv.send(.read, "subkeys/s", ["depth": "1"])?.data?["subkeys"] == [
            "foo": .null, "bar": .null, "quux": .null,
        ])
        #expect(try await kv.send(.read, "subkeys/s", ["depth": 2])?.data?["subkeys"] == [
            "foo": .null, "bar": ["baz": .null, "q": .null, "empty": .null], "quux": .null,
        ])
        #expect(await kv.error(.read, "subkeys/s", ["depth": -1])?.code == .invalidRequest)
        #expect(await kv.error(.update, "subkeys/s", ["depth": 1])?.code == .unsupportedOperation)
    }

    @Test("versions: ?version=N, deleted ones 404 with metadata, unknown ones nil")
    func versions() async throws {
        let kv = KVv2Harness()
        try await kv.put("s", ["one": 1])
        try await kv.put("s", ["two": 2])
        #expect(try await kv.send(.read, "subkeys/s", ["version": "1"])?.data?["subkeys"] == ["one": .null])
        #expect(try await kv.send(.read, "subkeys/s")?.data?["subkeys"] == ["two": .null])
        _ = try await kv.send(.update, "delete/s", ["versions": [2]])
        let deleted = try #require(try await kv.send(.read, "subkeys/s"))
        #expect(deleted.statusCode == 404)
        #expect(deleted.data?["subkeys"] == .null)
        #expect(deleted.data?["metadata"]?["version"] == 2)
        #expect(try await kv.send(.read, "subkeys/s", ["version": 3]) == nil)
        #expect(try await kv.send(.read, "subkeys/none") == nil)
    }
}
