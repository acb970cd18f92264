import Crypto
import Testing
@testable import CofferBarrier

@Suite struct EnvelopeTests {
    let key = SymmetricKey(size: .bits256)
    let plaintext = Array("the quick brown fox".utf8)

    @Test func roundTripAndLayout() throws {
        let sealed = try Envelope.seal(plaintext, term: 0x0102_0304, key: key, path: "logical/abc/foo")
        #expect(sealed.count == plaintext.count + Envelope.overhead)
        #expect(Array(sealed.prefix(5)) == [0x01, 0x01, 0x02, 0x03, 0x04])
        #expect(Envelope.term(of: sealed) == 0x0102_0304)
        #expect(try Envelope.open(sealed, key: key, path: "logical/abc/foo") == plaintext)
        // Random nonces: the same plaintext seals differently each time.
        #expect(try Envelope.seal(plaintext, term: 1, key: key, path: "p") != Envelope.seal(plaintext, term: 1, key: key, path: "p"))
    }

    @Test func emptyPlaintext() throws {
        let sealed = try Envelope.seal([], term: 1, key: key, path: "p")
        #expect(sealed.count == Envelope.overhead)
        #expect(try Envelope.open(sealed, key: key, path: "p") == [])
    }

    @Test func flippingAnyByteFailsClosed() throws {
        let path = "sys/policy/admin"
        let sealed = try Envelope.seal(plaintext, term: 1, key: key, path: path)
        for index in sealed.indices {
            for mask: UInt8 in [0x01, 0x80] {
                var tampered = sealed
                tampered[index] ^= mask
                do {
                    _ = try Envelope.open(tampered, key: key, path: path)
                    Issue.record("flipping byte \(index) went unnoticed")
                } catch {
                    #expect(error.code == .integrity)
                    #expect(error.message.contains(path))
                }
            }
        }
    }

    @Test func truncatedOrExtendedFails() throws {
        let sealed = try Envelope.seal(plaintext, term: 1, key: key, path: "p")
        for length in 0..<sealed.count {
            #expect(throws: BarrierError.self) { try Envelope.open(Array(sealed.prefix(length)), key: key, path: "p") }
        }
        #expect(throws: BarrierError.self) { try Envelope.open(sealed + [0], key: key, path: "p") }
    }

    @Test func otherPathOrKeyFails() throws {
        let sealed = try Envelope.seal(plaintext, term: 1, key: key, path: "a/b")
        #expect(throws: BarrierError.self) { try Envelope.open(sealed, key: key, path: "a/c") }
        #expect(throws: BarrierError.self) { try Envelope.open(sealed, key: key, path: "a/b/") }
        #expect(throws: BarrierError.self) { try Envelope.open(sealed, key: SymmetricKey(size: .bits256), path: "a/b") }
    }

    @Test func changedTermOrVersionFails() throws {
        let sealed = try Envelope.seal(plaintext, term: 1, key: key, path: "p")
        var otherTerm = sealed
        otherTerm[4] = 2
        #expect(Envelope.term(of: otherTerm) == 2)
        #expect(throws: BarrierError.self) { try Envelope.open(otherTerm, key: key, path: "p") }
        var otherVersion = sealed
        otherVersion[0] = 2
        #expect(Envelope.term(of: otherVersion) == nil)
        #expect(throws: BarrierError.self) { try Envelope.open(otherVersion, key: key, path: "p") }
    }
}
