import CofferJSON
import CofferLogical
import Testing
@testable import CofferCore

@Suite struct TokenCreateTests {
    static let hour: Int64 = 3600

    @Test func serviceTokenDefaults() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["policies": ["web", "stage"], "display_name": "token"])
        #expect(auth.clientToken.hasPrefix("hvs.") && auth.clientToken.utf8.count == 95)
        #expect(auth.accessor.utf8.count == 24)
        #expect(auth.policies == ["default", "stage", "web"])
        #expect(auth.tokenPolicies == auth.policies)
        #expect(auth.leaseDurationSeconds == 768 * Self.hour)
        #expect(auth.renewable)
        #expect(auth.tokenType == "service")
        #expect(!auth.orphan)
        #expect(auth.numUses == 0)
        #expect(auth.entityID == "")
        let entry = try #require(try await harness.lookup(auth.clientToken))
        #expect(entry.displayName == "token-token")
        #expect(entry.path == "auth/token/create")
        #expect(entry.expireTime == harness.clock.now + 768 * Self.hour)
    }

    @Test func rootChildrenInheritRootAndNeverExpireWithoutTTL() async throws {
        let harness = try await TokenHarness.make()
        let child = try await harness.create()
        #expect(child.policies == ["root"])
        #expect(child.leaseDurationSeconds == 0)
        #expect(!child.renewable)
        let timed = try await harness.create(["ttl": "1h"])
        #expect(timed.policies == ["root"] && timed.leaseDurationSeconds == Self.hour && timed.renewable)
        // An expiring root token cannot mint a non-expiring one.
        let error = await logicalError { _ = try await harness.create([:], token: timed.clientToken) }
        #expect(error?.messages == ["expiring root tokens cannot create non-expiring root tokens"])
    }

    @Test func ttlCapsAndWarnings() async throws {
        let harness = try await TokenHarness.make(limits: TokenLimits(defaultTTL: Self.hour, maxTTL: 10 * Self.hour))
        #expect(try await harness.create(["policies": ["a"], "ttl": "30m", "explicit_max_ttl": "5m"]).leaseDurationSeconds == 300)
        #expect(try await harness.create(["policies": ["a"], "ttl": "5m"]).leaseDurationSeconds == 300)
        #expect(try await harness.create(["policies": ["a"]]).leaseDurationSeconds == Self.hour)
        let capped = try await harness.call(.update, "create", ["policies": ["a"], "ttl": "100h"])
        #expect(capped?.auth?.leaseDurationSeconds == 10 * Self.hour)
        #expect(capped?.warnings.first?.contains("TTL value is capped") == true)
        let periodic = try await harness.create(["policies": ["a"], "period": "30m"])
        #expect(periodic.leaseDurationSeconds == 1800)
        let data = try #require(try await harness.call(.update, "lookup", ["token": .string(periodic.clientToken)])?.data)
        #expect(data["period"] == .int(1800))
        let negative = await logicalError { _ = try await harness.create(["ttl": "-5m"]) }
        #expect(negative?.messages == ["ttl must be positive"])
        let malformed = await logicalError { _ = try await harness.create(["ttl": "soon"]) }
        #expect(malformed?.code == .invalidRequest)
    }

    @Test func nonRootCallersGetSubsetsOfTheirPolicies() async throws {
        let harness = try await TokenHarness.make(sudoPolicies: ["admin"])
        let parent = try await harness.create(["policies": ["a", "b"]])
        let child = try await harness.create(["policies": ["a"]], token: parent.clientToken)
        #expect(child.policies == ["a", "default"])
        let inherited = try await harness.create([:], token: parent.clientToken)
        #expect(inherited.policies == ["a", "b", "default"])
        let noDefault = try await harness.create(["policies": ["b"], "no_default_policy": true], token: parent.clientToken)
        #expect(noDefault.policies == ["b"])
        let escalate = await logicalError { _ = try await harness.create(["policies": ["c"]], token: parent.clientToken) }
        #expect(escalate?.code == .invalidRequest)
        #expect(escalate?.messages == ["child policies must be subset of parent"])
        let rootAsk = await logicalError { _ = try await harness.create(["policies": ["root"]], token: parent.clientToken) }
        #expect(rootAsk?.messages == ["child policies must be subset of parent"])
        // Case and duplicates do not matter; a comma-separated string works.
        let loose = try await harness.create(["policies": "A, b,a"], token: parent.clientToken)
        #expect(loose.policies == ["a", "b", "default"])
        // Sudo lifts the subset rule but never grants root.
        let admin = try await harness.create(["policies": ["admin"]])
        let wider = try await harness.create(["policies": ["x", "y"]], token: admin.clientToken)
        #expect(wider.policies == ["default", "x", "y"])
        let sudoRoot = await logicalError { _ = try await harness.create(["policies": ["root"]], token: admin.clientToken) }
        #expect(sudoRoot?.messages == ["root tokens may not be created without parent token being root"])
        let reserved = await logicalError { _ = try await harness.create(["policies": ["response-wrapping"]]) }
        #expect(reserved?.messages == ["cannot assign policy \"response-wrapping\""])
    }

    @Test func orphansNeedSudoExceptThroughCreateOrphan() async throws {
        let harness = try await TokenHarness.make()
        let parent = try await harness.create(["policies": ["a"]])
        let denied = await logicalError { _ = try await harness.create(["no_parent": true], token: parent.clientToken) }
        #expect(denied?.messages == ["root or sudo privileges required to create orphan token"])
        let orphan = try await harness.create([:], path: "create-orphan", token: parent.clientToken)
        #expect(orphan.orphan)
        #expect(try await harness.lookup(orphan.clientToken)?.parent == "")
        let rootOrphan = try await harness.create(["no_parent": true, "policies": ["a"]])
        #expect(rootOrphan.orphan)
        let period = await logicalError { _ = try await harness.create(["period": "1h"], token: parent.clientToken) }
        #expect(period?.messages == ["root or sudo privileges required to create periodic token"])
    }

    @Test func requestValidation() async throws {
        let harness = try await TokenHarness.make()
        let uses = await logicalError { _ = try await harness.create(["num_uses": -1]) }
        #expect(uses?.messages == ["number of uses cannot be negative"])
        let alias = await logicalError { _ = try await harness.create(["entity_alias": "bob"]) }
        #expect(alias?.code == .invalidRequest)
        let type = await logicalError { _ = try await harness.create(["type": "weird"]) }
        #expect(type?.messages == ["invalid 'token_type' value"])
        let meta = await logicalError { _ = try await harness.create(["meta": ["nested": ["x": 1]]]) }
        #expect(meta?.code == .invalidRequest)
        let many = await logicalError {
            _ = try await harness.create(["policies": .array((0..<300).map { .string("p\($0)") })])
        }
        #expect(many?.code == .invalidRequest)
        let display = try await harness.create(["policies": ["a"], "display_name": "my app/é!"])
        #expect(try await harness.lookup(display.clientToken)?.displayName == "token-my-app--")
    }

    @Test func limitedUseTokensCannotCreateChildren() async throws {
        let harness = try await TokenHarness.make()
        let limited = try await harness.create(["policies": ["a"], "num_uses": 5])
        #expect(limited.numUses == 5)
        let error = await logicalError { _ = try await harness.create([:], token: limited.clientToken) }
        #expect(error?.messages == ["restricted use token cannot generate child tokens"])
    }

    @Test func policyWarningsWhenAPolicyIsUnknown() async throws {
        let harness = try await TokenHarness.make(existingPolicies: ["default", "web"])
        let response = try await harness.call(.update, "create", ["policies": ["web", "stage"]])
        #expect(response?.warnings == ["Policy \"stage\" does not exist"])
    }

    @Test func treesCannotGrowWithoutBound() async throws {
        let harness = try await TokenHarness.make()
        var token = harness.rootToken
        for _ in 0..<TokenStore.maxDepth {
            token = try await harness.create(["ttl": "1h"], token: token).clientToken
        }
        #expect(try await harness.lookup(token) != nil)
        let error = await logicalError { _ = try await harness.create(["ttl": "1h"], token: token) }
        #expect(error?.code == .invalidRequest)
        // Revoking the top of the deep chain takes everything, without recursion.
        let top = try #require(try await harness.lookup(harness.rootToken))
        let first = try #require(try await harness.keys(under: TokenStore.parentPrefix + top.id + "/").first)
        try await harness.store.revokeTree(id: first)
        #expect(try await harness.lookup(token) == nil)
        #expect(try await harness.keys(under: TokenStore.idPrefix).count == 1)
        #expect(harness.log.entries.count == TokenStore.maxDepth)
    }
}
