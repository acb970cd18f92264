import Crypto
import Foundation
import Testing
@testable import CofferBarrier

@Suite struct KeyringTests {
    static func bytes(_ key: SymmetricKey) -> [UInt8] { key.withUnsafeBytes { Array($0) } }

    @Test func rotationAddsTermsAndKeepsOldOnes() throws {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        var keyring = Keyring.generate(installTime: start)
        #expect(keyring.activeTerm == 1)
        let first = Self.bytes(keyring.active.key)
        keyring = try keyring.rotated(newKey: SymmetricKey(size: .bits256), installTime: start + 60)
        keyring = try keyring.rotated(newKey: SymmetricKey(size: .bits256), installTime: start + 120)
        #expect(keyring.activeTerm == 3)
        #expect(keyring.terms.map(\.term) == [1, 2, 3])
        #expect(keyring.term(1).map { Self.bytes($0.key) } == first)
        #expect(keyring.term(4) == nil)
        #expect(keyring.term(0) == nil)
        #expect(throws: BarrierError.self) { try keyring.rotated(newKey: SymmetricKey(size: .bits128), installTime: start) }
    }

    @Test func serializationRoundTrip() throws {
        let start = Date(timeIntervalSince1970: 1_700_000_000.123456)
        var keyring = Keyring.generate(installTime: start)
        keyring = try keyring.rotated(newKey: SymmetricKey(size: .bits256), installTime: start + 1.5)
        let bytes = keyring.serialized()
        #expect(bytes.count == Keyring.headerSize + 2 * Keyring.termEntrySize)
        #expect(bytes[0] == 1)
        let parsed = try Keyring(serialized: bytes)
        #expect(parsed.rootKey == keyring.rootKey)
        #expect(parsed.activeTerm == 2)
        #expect(parsed.terms.map(\.term) == [1, 2])
        for (a, b) in zip(parsed.terms, keyring.terms) {
            #expect(a.key == b.key)
            #expect(abs(a.installTime.timeIntervalSince(b.installTime)) < 0.000_01)
        }
        #expect(parsed.serialized() == bytes)
    }

    @Test func malformedSerializationsFail() throws {
        let bytes = Keyring.generate(installTime: Date()).serialized()
        func rejects(_ input: [UInt8]) -> Bool {
            do { _ = try Keyring(serialized: input); return false } catch { return error.code == .integrity }
        }
        #expect(rejects([]))
        #expect(rejects(Array(bytes.dropLast())))
        #expect(rejects(bytes + [0]))
        var version = bytes
        version[0] = 2
        #expect(rejects(version))
        var active = bytes
        active[1 + 32 + 3] = 9  // active term 9, not present
        #expect(rejects(active))
        var zeroTerm = bytes
        zeroTerm[Keyring.headerSize + 3] = 0
        #expect(rejects(zeroTerm))
        var count = bytes
        count[1 + 32 + 4] = 0xff  // absurd count
        #expect(rejects(count))
    }

    @Test func descriptionsAreRedacted() throws {
        var keyring = Keyring.generate(installTime: Date())
        keyring = try keyring.rotated(newKey: SymmetricKey(size: .bits256), installTime: Date())
        let secrets = [Self.bytes(keyring.rootKey)] + keyring.terms.map { Self.bytes($0.key) }
        var dumped = ""
        dump(keyring, to: &dumped)
        var dumpedTerm = ""
        dump(keyring.active, to: &dumpedTerm)
        let renderings = [
            String(describing: keyring), String(reflecting: keyring), "\(keyring)", dumped, dumpedTerm,
            String(describing: keyring.active), String(reflecting: keyring.terms),
        ]
        for text in renderings {
            for secret in secrets {
                #expect(!text.lowercased().contains(secret.hex))
                #expect(!text.contains(Data(secret).base64EncodedString()))
                #expect(!text.contains(secret.map(String.init).joined(separator: ", ")))
            }
        }
        #expect(String(describing: keyring).contains("redacted"))
        #expect(String(describing: keyring.active).contains("redacted"))
    }
}
