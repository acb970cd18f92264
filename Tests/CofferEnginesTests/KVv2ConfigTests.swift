import CofferJSON
import CofferLogical
@testable import CofferEngines
import Testing

/// `config`: the mount-wide settings.
@Suite("KV v2 config")
struct KVv2ConfigTests {
    @Test("defaults, Go-style durations, partial updates")
    func readWrite() async throws {
        let kv = KVv2Harness()
        #expect(try await kv.send(.read, "config")?.data == [
            "max_versions": 0, "cas_required": false, "delete_version_after": "0s",
        ])
        // No setting given: nothing is written (Vault's fast path).
        #expect(try await kv.send(.update, "config", ["unrelated": 1]) == nil)
        #expect(kv.storage.keys.isEmpty)

        #expect(try await kv.send(.update, "config", ["max_versions": 4, "delete_version_after": "3h25m19s"]) == nil)
        #expect(try await kv.send(.read, "config")?.data == [
            "max_versions": 4, "cas_required": false, "delete_version_after": "3h25m19s",
        ])
        _ = try await kv.send(.update, "config", ["cas_required": true, "delete_version_after": 1800])
        #expect(try await kv.send(.read, "config")?.data == [
            "max_versions": 4, "cas_required": true, "delete_version_after": "30m0s",
        ])
        _ = try await kv.send(.create, "config", ["max_versions": "0", "delete_version_after": "0s"])
        #expect(try await kv.send(.read, "config")?.data?["max_versions"] == 0)
        #expect(try await kv.send(.read, "config")?.data?["delete_version_after"] == "0s")
    }

    @Test("bad values and operations are refused")
    func validation() async throws {
        let kv = KVv2Harness()
        #expect(await kv.error(.update, "config", ["max_versions": -2])?.messages == ["max_versions cannot be negative"])
        #expect(await kv.error(.update, "config", ["max_versions": [1]])?.code == .invalidRequest)
        #expect(await kv.error(.update, "config", ["cas_required": "yes"])?.code == .invalidRequest)
        #expect(await kv.error(.update, "config", ["delete_version_after": "soon"])?.code == .invalidRequest)
        #expect(await kv.error(.update, "config", ["delete_version_after": "-5s"])?.messages
            == ["delete_version_after cannot be negative"])
        for operation in [Operation.delete, .patch] {
            #expect(await kv.error(operation, "config")?.code == .unsupportedOperation)
        }
        #expect(kv.storage.keys.isEmpty)
    }
}
