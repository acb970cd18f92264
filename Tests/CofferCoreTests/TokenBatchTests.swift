import CofferBarrier
import CofferJSON
import CofferLogical
import Testing
@testable import CofferCore

@Suite struct TokenBatchTests {
    @Test func batchTokensAreNotStoredAndExpire() async throws {
        let harness = try await TokenHarness.make()
        let before = try await harness.keys(under: TokenStore.idPrefix)
        let auth = try await harness.create(["type": "batch", "policies": ["a"], "ttl": "20m", "meta": ["k": "v"]])
        #expect(auth.clientToken.hasPrefix("hvb."))
        #expect(auth.tokenType == "batch")
        #expect(auth.accessor == "")
        #expect(!auth.renewable)
        #expect(auth.leaseDurationSeconds == 1200)
        #expect(try await harness.keys(under: TokenStore.idPrefix) == before)
        #expect(try await harness.keys(under: TokenStore.accessorPrefix).count == 1)

        let entry = try #require(try await harness.lookup(auth.clientToken))
        #expect(entry.isBatch && entry.policies == ["a", "default"] && entry.metadata == ["k": "v"])
        #expect(entry.id == harness.store.saltedID(auth.clientToken))
        let data = try #require(try await harness.call(.read, "lookup-self", token: auth.clientToken)?.data)
        #expect(data["type"] == "batch")
        #expect(data["id"] == .string(auth.clientToken))
        #expect(data["renewable"] == .bool(false))
        #expect(data["ttl"] == .int(1200))

        harness.clock.advance(1199)
        #expect(try await harness.lookup(auth.clientToken) != nil)
        harness.clock.advance(1)
        #expect(try await harness.lookup(auth.clientToken) == nil)
    }

    @Test func batchTokensSurviveKeyRotationButNotSealing() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["type": "batch", "policies": ["a"]])
        _ = try await harness.barrier.rotate()
        #expect(try await harness.lookup(auth.clientToken) != nil)
        harness.barrier.seal()
        await #expect(throws: BarrierError.self) { _ = try await harness.store.lookup(token: auth.clientToken) }
    }

    @Test func batchRules() async throws {
        let harness = try await TokenHarness.make()
        let batch = try await harness.create(["type": "batch", "policies": ["a"]])
        let child = await logicalError { _ = try await harness.create(["policies": ["a"]], token: batch.clientToken) }
        #expect(child?.messages == ["batch tokens cannot create more tokens"])
        let orphan = await logicalError { _ = try await harness.create([:], path: "create-orphan", token: batch.clientToken) }
        #expect(orphan?.messages == ["batch tokens cannot create more tokens"])
        let uses = await logicalError { _ = try await harness.create(["type": "batch", "policies": ["a"], "num_uses": 2]) }
        #expect(uses?.messages == ["batch tokens cannot have \"num_uses\" set"])
        let period = await logicalError { _ = try await harness.create(["type": "batch", "policies": ["a"], "period": "1h"]) }
        #expect(period?.messages == ["batch tokens cannot have \"period\" set"])
        let root = await logicalError { _ = try await harness.create(["type": "batch"]) }
        #expect(root?.messages == ["batch tokens cannot be root tokens"])
        let id = await logicalError { _ = try await harness.create(["type": "batch", "policies": ["a"], "id": "custom"]) }
        #expect(id?.code == .invalidRequest)
        let accessor = await logicalError { _ = try await harness.call(.update, "lookup-accessor", ["accessor": ""]) }
        #expect(accessor?.messages == ["missing accessor"])
    }

    @Test func oversizedBatchTokensAreRefused() async throws {
        let harness = try await TokenHarness.make()
        var meta: [String: JSONValue] = [:]
        for index in 0..<20 { meta["key\(index)"] = .string(String(repeating: "v", count: 1000)) }
        let error = await logicalError { _ = try await harness.create(["type": "batch", "policies": ["a"], "meta": .object(meta)]) }
        #expect(error?.code == .invalidRequest)
    }

    @Test func base64URLRoundTrip() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + 11) & 0xff) }
            let text = TokenBatchCodec.base64URLEncode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(TokenBatchCodec.base64URLDecode(Substring(text).utf8) == bytes)
        }
        #expect(TokenBatchCodec.base64URLDecode(Substring("ab=c").utf8) == nil)
        #expect(TokenBatchCodec.base64URLDecode(Substring("a").utf8) == nil)
    }

    @Test func policyRules() {
        #expect(TokenPolicies.sanitize([" B", "a", "", "a"], addDefault: true) == ["a", "b", "default"])
        #expect(TokenPolicies.sanitize(["a", "Root"], addDefault: true) == ["root"])
        #expect(TokenPolicies.sanitize([], addDefault: false) == [])
        #expect(TokenPolicies.isSubset(["a"], of: ["a", "b"]))
        #expect(!TokenPolicies.isSubset(["c"], of: ["a", "b"]))
    }
}
