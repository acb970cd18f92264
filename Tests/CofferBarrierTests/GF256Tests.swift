import Testing
@testable import CofferBarrier

@Suite struct GF256Tests {
    /// Schoolbook carry-less multiply then reduction by 0x11b: an independent reference.
    static func reference(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var product: UInt16 = 0
        for bit in 0..<8 where (b >> bit) & 1 == 1 {
            product ^= UInt16(a) << bit
        }
        for bit in stride(from: 15, through: 8, by: -1) where (product >> bit) & 1 == 1 {
            product ^= 0x11b << (bit - 8)
        }
        return UInt8(product)
    }

    @Test func multiplyMatchesReferenceForAllPairs() {
        for a in 0...255 {
            for b in 0...255 {
                let got = GF256.multiply(UInt8(a), UInt8(b))
                let want = Self.reference(UInt8(a), UInt8(b))
                if got != want {
                    Issue.record("\(a)·\(b): got \(got), want \(want)")
                    return
                }
            }
        }
    }

    @Test func knownAESProduct() {
        // FIPS-197 §4.2: {57} • {83} = {c1}.
        #expect(GF256.multiply(0x57, 0x83) == 0xc1)
    }

    @Test func everyNonZeroElementHasAnInverse() {
        for a in 1...255 {
            #expect(GF256.multiply(UInt8(a), GF256.inverse(UInt8(a))) == 1, "a = \(a)")
        }
        #expect(GF256.inverse(0) == 0)
    }
}
