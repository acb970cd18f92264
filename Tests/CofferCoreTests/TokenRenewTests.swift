import CofferJSON
import CofferLogical
import Testing
@testable import CofferCore

@Suite struct TokenRenewTests {
    static let hour: Int64 = 3600

    @Test func renewExtendsUpToTheMaximumLife() async throws {
        let harness = try await TokenHarness.make(limits: TokenLimits(defaultTTL: Self.hour, maxTTL: 5 * Self.hour))
        let auth = try await harness.create(["policies": ["p"], "ttl": "1h"])
        harness.clock.advance(1800)
        let renewed = try #require(try await harness.call(.update, "renew", ["token": .string(auth.clientToken)])?.auth)
        #expect(renewed.clientToken == auth.clientToken)
        #expect(renewed.leaseDurationSeconds == Self.hour)
        #expect(renewed.renewable)
        #expect(try await harness.lookup(auth.clientToken)?.expireTime == harness.clock.now + Self.hour)
        // An increment is honoured, then cut to the 5h life measured from creation.
        let longer = try await harness.call(.update, "renew", ["token": .string(auth.clientToken), "increment": "3h"])
        #expect(longer?.auth?.leaseDurationSeconds == 3 * Self.hour)
        harness.clock.advance(2 * Self.hour + 50 * 60)  // 3h20m since creation
        let capped = try await harness.call(.update, "renew", ["token": .string(auth.clientToken), "increment": "3h"])
        #expect(capped?.auth?.leaseDurationSeconds == 6000)  // what is left of the 5h life
        #expect(capped?.warnings.isEmpty == false)
        let data = try #require(try await harness.call(.read, "lookup-self", token: auth.clientToken)?.data)
        #expect(data["last_renewal_time"] == .int(harness.clock.now))
        #expect(data["creation_ttl"] == .int(Self.hour))
        #expect(data["ttl"] == .int(6000))
        harness.clock.advance(6000)
        #expect(try await harness.lookup(auth.clientToken) == nil)
        let expired = await logicalError { _ = try await harness.call(.update, "renew", ["token": .string(auth.clientToken)]) }
        #expect(expired?.messages == ["token not found"])
    }

    @Test func explicitMaxTTLBoundsRenewals() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["policies": ["p"], "ttl": "10m", "explicit_max_ttl": "30m"])
        harness.clock.advance(8 * 60)
        let first = try await harness.call(.update, "renew-self", ["increment": "1h"], token: auth.clientToken)
        #expect(first?.auth?.leaseDurationSeconds == 1320)
        harness.clock.advance(20 * 60)
        let second = try await harness.call(.update, "renew-self", ["increment": "1h"], token: auth.clientToken)
        #expect(second?.auth?.leaseDurationSeconds == 120)
        harness.clock.advance(120)
        #expect(try await harness.lookup(auth.clientToken) == nil)
    }

    @Test func periodicTokensRenewToTheirPeriod() async throws {
        // A 2h mount maximum does not bound a periodic token's life.
        let harness = try await TokenHarness.make(limits: TokenLimits(defaultTTL: Self.hour, maxTTL: 2 * Self.hour))
        let auth = try await harness.create(["policies": ["p"], "period": "30m"])
        for _ in 0..<100 {
            harness.clock.advance(29 * 60)
            let renewed = try await harness.call(.update, "renew-self", ["increment": "10h"], token: auth.clientToken)
            #expect(renewed?.auth?.leaseDurationSeconds == 1800)
        }
        // ~48h later it lives on, but dies when not renewed.
        #expect(try await harness.lookup(auth.clientToken) != nil)
        harness.clock.advance(1800)
        #expect(try await harness.lookup(auth.clientToken) == nil)

        let bounded = try await harness.create(["policies": ["p"], "period": "30m", "explicit_max_ttl": "45m"])
        harness.clock.advance(20 * 60)
        let last = try await harness.call(.update, "renew", ["token": .string(bounded.clientToken)])
        #expect(last?.auth?.leaseDurationSeconds == 1500)
    }

    @Test func whatCannotBeRenewed() async throws {
        let harness = try await TokenHarness.make()
        let fixed = try await harness.create(["policies": ["p"], "ttl": "1h", "renewable": false])
        #expect(!fixed.renewable)
        let error = await logicalError { _ = try await harness.call(.update, "renew", ["token": .string(fixed.clientToken)]) }
        #expect(error?.messages == ["lease is not renewable"])
        let root = await logicalError { _ = try await harness.call(.update, "renew-self") }
        #expect(root?.messages == ["lease is not renewable"])
        let unknown = await logicalError { _ = try await harness.call(.update, "renew", ["token": "hvs.nope"]) }
        #expect(unknown?.messages == ["token not found"])
        let batch = try await harness.create(["policies": ["p"], "type": "batch"])
        let batchError = await logicalError { _ = try await harness.call(.update, "renew", ["token": .string(batch.clientToken)]) }
        #expect(batchError?.messages == ["batch tokens cannot be renewed"])
    }

    @Test func renewByAccessorHidesTheToken() async throws {
        let harness = try await TokenHarness.make()
        let auth = try await harness.create(["policies": ["p"], "ttl": "1h"])
        harness.clock.advance(600)
        let renewed = try #require(
            try await harness.call(.update, "renew-accessor", ["accessor": .string(auth.accessor), "increment": 7200])?.auth
        )
        #expect(renewed.clientToken == "")
        #expect(renewed.accessor == auth.accessor)
        #expect(renewed.leaseDurationSeconds == 7200)
        let unknown = await logicalError { _ = try await harness.call(.update, "renew-accessor", ["accessor": "nope"]) }
        #expect(unknown?.messages == ["invalid accessor"])
    }

    struct TTLCase: Sendable, CustomTestStringConvertible {
        var increment: Int64 = 0, base: Int64 = 3600, period: Int64 = 0, roleMax: Int64 = 0, explicitMax: Int64 = 0
        var elapsed: Int64 = 0, systemMax: Int64 = 7200
        var expected: Int64
        var testDescription: String { "\(self)" }
    }

    @Test(arguments: [
        TTLCase(expected: 3600),
        TTLCase(base: 0, expected: 1800),  // the default
        TTLCase(increment: 10_000, expected: 7200),
        TTLCase(increment: 10_000, elapsed: 7000, expected: 200),
        TTLCase(roleMax: 600, expected: 600),
        TTLCase(explicitMax: 300, expected: 300),
        TTLCase(period: 900, elapsed: 100_000, expected: 900),
        TTLCase(period: 9000, expected: 7200),
        TTLCase(period: 900, explicitMax: 1000, elapsed: 500, expected: 500),
        TTLCase(systemMax: 0, expected: 3600),
    ])
    func ttlCalculation(_ c: TTLCase) throws {
        let inputs = TokenTTL.Inputs(
            increment: c.increment, baseTTL: c.base, period: c.period, roleMaxTTL: c.roleMax,
            explicitMaxTTL: c.explicitMax, start: 1000, now: 1000 + c.elapsed
        )
        let result = try TokenTTL.calculate(inputs, limits: TokenLimits(defaultTTL: 1800, maxTTL: c.systemMax))
        #expect(result.ttl == c.expected)
    }

    @Test func pastTheMaximumLifeIsAnError() {
        let inputs = TokenTTL.Inputs(baseTTL: 60, start: 0, now: 7200)
        #expect(throws: LogicalError.self) { _ = try TokenTTL.calculate(inputs, limits: TokenLimits(defaultTTL: 60, maxTTL: 7200)) }
    }
}
