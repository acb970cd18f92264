import Testing
@testable import CofferBarrier

@Suite struct UnsealProgressTests {
    let shares: [[UInt8]] = (1...5).map { x in (0..<32).map { UInt8($0) &* UInt8(x) } + [UInt8(x)] }

    @Test func collectsUntilThresholdThenCombinesAndResets() {
        var machine = UnsealProgress(threshold: 3, nonce: "n0")
        #expect(machine.progress == 0)
        #expect(machine.submit(share: shares[0], nextNonce: "n1") == .progress(1))
        #expect(machine.submit(share: shares[1], nextNonce: "n1") == .progress(2))
        #expect(machine.nonce == "n0")
        #expect(machine.submit(share: shares[2], nextNonce: "n1") == .combine([shares[0], shares[1], shares[2]]))
        #expect(machine.progress == 0)
        #expect(machine.nonce == "n1")
        #expect(machine.submit(share: shares[0]) == .progress(1))
    }

    @Test func repeatedShareIsIgnored() {
        var machine = UnsealProgress(threshold: 3)
        #expect(machine.submit(share: shares[0]) == .progress(1))
        #expect(machine.submit(share: shares[0]) == .progress(1))
        #expect(machine.submit(share: shares[1]) == .progress(2))
        #expect(machine.submit(share: shares[1]) == .progress(2))
        #expect(machine.submit(share: shares[0]) == .progress(2))
        #expect(machine.submit(share: shares[3]) == .combine([shares[0], shares[1], shares[3]]))
    }

    @Test func resetForgetsShares() {
        // hvac's test_unseal_multi: two keys, reset, two other keys, then one more unseals.
        var machine = UnsealProgress(threshold: 3, nonce: "first")
        _ = machine.submit(share: shares[0])
        _ = machine.submit(share: shares[1])
        machine.reset(nonce: "second")
        #expect(machine.progress == 0)
        #expect(machine.nonce == "second")
        #expect(machine.submit(share: shares[1]) == .progress(1))
        #expect(machine.submit(share: shares[2]) == .progress(2))
        #expect(machine.submit(share: shares[0]) == .combine([shares[1], shares[2], shares[0]]))
    }

    @Test func thresholdOneCombinesAtOnce() {
        var machine = UnsealProgress(threshold: 1)
        #expect(machine.submit(share: shares[0]) == .combine([shares[0]]))
        #expect(machine.progress == 0)
    }

    @Test func sharesDifferingOnlyInLastByteAreDistinct() {
        var machine = UnsealProgress(threshold: 2)
        var other = shares[0]
        other[other.count - 1] ^= 0xff
        #expect(machine.submit(share: shares[0]) == .progress(1))
        #expect(machine.submit(share: other) == .combine([shares[0], other]))
    }

    @Test func nonceDefaultsToALowercaseUUID() {
        let machine = UnsealProgress(threshold: 2)
        #expect(machine.nonce.count == 36)
        #expect(machine.nonce == machine.nonce.lowercased())
        #expect(UnsealProgress(threshold: 2).nonce != machine.nonce)
    }

    @Test func descriptionIsRedacted() {
        var machine = UnsealProgress(threshold: 3)
        _ = machine.submit(share: shares[4])
        var dumped = ""
        dump(machine, to: &dumped)
        for text in [String(describing: machine), String(reflecting: machine), dumped] {
            #expect(!text.contains(shares[4].hex))
            #expect(!text.contains(shares[4].map(String.init).joined(separator: ", ")))
            #expect(text.contains("3"))
        }
    }

    @Test func decodeKeyHexFirstThenBase64() {
        let share: [UInt8] = (0..<33).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 1) }
        #expect(UnsealProgress.decodeKey(share.hex) == share)
        #expect(UnsealProgress.decodeKey(share.hex.uppercased()) == share)
        let base64 = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh"  // bytes 1...33
        #expect(UnsealProgress.decodeKey(base64) == Array(1...33))
        // 32 hex digits decode to 16 bytes: plausible, so hex wins although it is also base64.
        let hex16 = String(repeating: "ab", count: 16)
        #expect(UnsealProgress.decodeKey(hex16) == [UInt8](repeating: 0xab, count: 16))
        // 8 hex digits decode to 4 bytes: implausible, so it is read as base64.
        #expect(UnsealProgress.decodeKey("abcdabcd") == [0x69, 0xb7, 0x1d, 0x69, 0xb7, 0x1d])
        #expect(UnsealProgress.decodeKey("") == nil)
        #expect(UnsealProgress.decodeKey("not a key!") == nil)
        #expect(UnsealProgress.decodeKey("AQID") == [1, 2, 3])
        #expect(UnsealProgress.decodeKey("AQI") == nil)  // unpadded base64 is not std base64
        #expect(UnsealProgress.decodeKey(String(repeating: "A", count: 4000)) == nil)
    }
}
