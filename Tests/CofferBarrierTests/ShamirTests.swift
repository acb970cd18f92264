import CofferTestKit
import Testing
@testable import CofferBarrier

@Suite struct ShamirTests {
    @Test func shareFormatIsSecretLengthPlusDistinctNonZeroX() throws {
        var rng = SeededGenerator(seed: 1)
        let secret = rng.bytes(32)
        let shares = try Shamir.split(secret: secret, shares: 5, threshold: 3, using: &rng)
        #expect(shares.count == 5)
        #expect(shares.allSatisfy { $0.count == 33 })
        let xs = shares.map { $0[32] }
        #expect(Set(xs).count == 5)
        #expect(!xs.contains(0))
        #expect(!shares.contains { Array($0.prefix(32)) == secret })
    }

    @Test(arguments: [UInt64(7), 99, 12345])
    func everyThresholdSubsetOfFiveThreeRecovers(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let secret = rng.bytes(32)
        let shares = try Shamir.split(secret: secret, shares: 5, threshold: 3, using: &rng)
        let subsets = combinations(shares, size: 3)
        #expect(subsets.count == 10)
        for subset in subsets {
            #expect(try Shamir.combine(subset) == secret)
            #expect(try Shamir.combine(subset.reversed()) == secret)
            #expect(try Shamir.combine(subset, threshold: 3) == secret)
        }
        // More shares than the threshold lie on the same polynomial.
        #expect(try Shamir.combine(combinations(shares, size: 4)[2]) == secret)
        #expect(try Shamir.combine(shares) == secret)
    }

    @Test func belowThresholdDoesNotRecover() throws {
        var rng = SeededGenerator(seed: 42)
        let secret = rng.bytes(32)
        let shares = try Shamir.split(secret: secret, shares: 5, threshold: 3, using: &rng)
        for pair in combinations(shares, size: 2) {
            #expect(try Shamir.combine(pair) != secret)
        }
        #expect(throws: BarrierError.self) { try Shamir.combine(Array(shares.prefix(2)), threshold: 3) }
    }

    @Test func orderDoesNotMatter() throws {
        var rng = SeededGenerator(seed: 5)
        let secret = rng.bytes(32)
        let shares = try Shamir.split(secret: secret, shares: 6, threshold: 4, using: &rng)
        for _ in 0..<20 {
            let picked = Array(shares.shuffled(using: &rng).prefix(4))
            #expect(try Shamir.combine(picked) == secret)
        }
    }

    @Test func propertyRoundTripWithSeededGenerator() throws {
        for seed in UInt64(0)..<200 {
            var rng = SeededGenerator(seed: seed)
            let length = Int.random(in: 1...64, using: &rng)
            let total = Int.random(in: 2...20, using: &rng)
            let threshold = Int.random(in: 2...total, using: &rng)
            let secret = rng.bytes(length)
            let shares = try Shamir.split(secret: secret, shares: total, threshold: threshold, using: &rng)
            let picked = Array(shares.shuffled(using: &rng).prefix(threshold))
            let recovered = try Shamir.combine(picked)
            #expect(recovered == secret, "seed \(seed): \(total)/\(threshold), \(length) bytes")
        }
    }

    @Test func manyRandomSecretsWithSystemRandom() throws {
        for _ in 0..<50 {
            var system = SystemRandomNumberGenerator()
            let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &system) }
            let shares = try Shamir.split(secret: secret, shares: 5, threshold: 3)
            #expect(try Shamir.combine(Array(shares.suffix(3))) == secret)
        }
    }

    @Test func splitIsDeterministicForASeed() throws {
        var a = SeededGenerator(seed: 9)
        var b = SeededGenerator(seed: 9)
        let secret: [UInt8] = Array(repeating: 0xAB, count: 16)
        #expect(try Shamir.split(secret: secret, shares: 3, threshold: 2, using: &a)
            == Shamir.split(secret: secret, shares: 3, threshold: 2, using: &b))
    }

    @Test func maximumShares() throws {
        var rng = SeededGenerator(seed: 255)
        let secret = rng.bytes(32)
        let shares = try Shamir.split(secret: secret, shares: 255, threshold: 255, using: &rng)
        #expect(Set(shares.map { $0[32] }).count == 255)
        #expect(try Shamir.combine(shares.reversed()) == secret)
        #expect(try Shamir.combine(Array(shares.dropFirst())) != secret)
    }

    @Test func oneOfOne() throws {
        var rng = SeededGenerator(seed: 3)
        let secret = rng.bytes(32)
        let shares = try Shamir.split(secret: secret, shares: 1, threshold: 1, using: &rng)
        #expect(shares.count == 1)
        #expect(shares[0].count == 33)
        #expect(Array(shares[0].prefix(32)) == secret)
        #expect(shares[0][32] != 0)
        #expect(try Shamir.combine(shares, threshold: 1) == secret)
        #expect(throws: BarrierError.self) { try Shamir.combine(shares) }
    }

    @Test(arguments: [
        (5, 1, "threshold must be greater than one for multiple shares"),
        (3, 4, "threshold cannot be larger than shares"),
        (256, 3, "shares must be less than 256"),
        (0, 0, "shares must be at least one"),
        (3, 0, "threshold must be at least one"),
    ])
    func splitRejectsBadCounts(shares: Int, threshold: Int, message: String) {
        var rng = SeededGenerator(seed: 1)
        do {
            _ = try Shamir.split(secret: [1, 2, 3], shares: shares, threshold: threshold, using: &rng)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidRequest)
            #expect(error.message == message)
        }
    }

    @Test func splitRejectsEmptySecret() {
        var rng = SeededGenerator(seed: 1)
        #expect(throws: BarrierError.self) { try Shamir.split(secret: [], shares: 3, threshold: 2, using: &rng) }
    }

    @Test func combineRejectsMalformedShares() throws {
        var rng = SeededGenerator(seed: 11)
        let shares = try Shamir.split(secret: rng.bytes(32), shares: 3, threshold: 2, using: &rng)
        func code(_ input: [[UInt8]]) -> BarrierError.Code? {
            do { _ = try Shamir.combine(input); return nil } catch { return error.code }
        }
        #expect(code([shares[0]]) == .invalidShares)  // fewer than two
        #expect(code([]) == .invalidShares)
        #expect(code([shares[0], shares[0]]) == .invalidShares)  // duplicate x
        var sameX = shares[1]
        sameX[32] = shares[0][32]
        #expect(code([shares[0], sameX]) == .invalidShares)
        #expect(code([shares[0], Array(shares[1].dropFirst())]) == .invalidShares)  // mismatched length
        #expect(code([[1], [2]]) == .invalidShares)  // too short
        #expect(code([shares[0], shares[1]]) == nil)
    }
}
