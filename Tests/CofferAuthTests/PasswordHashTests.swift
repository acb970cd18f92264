@testable import CofferAuth
import CofferJSON
import Testing

@Suite("password hashes")
struct PasswordHashTests {
    @Test(arguments: [
        PasswordHashing.Algorithm.scrypt(logN: 4, blockSize: 2, parallelism: 1),
        .pbkdf2SHA256(iterations: 1000),
    ])
    func hashVerifiesAndRoundTrips(_ algorithm: PasswordHashing.Algorithm) async throws {
        let hashing = try PasswordHashing(algorithm, saltByteCount: 24)
        let hash = try await hashing.hash(Array("p4ssword".utf8))
        #expect(hash.salt.count == 24)
        #expect(hash.hash.count == PasswordHash.hashByteCount)
        #expect(try await hash.verify(Array("p4ssword".utf8)))
        #expect(try await !hash.verify(Array("p4ssworD".utf8)))

        let bytes = JSONWriter.bytes(hash.record)
        let decoded = try PasswordHash(from: try AuthRecord(bytes: bytes, key: "k"))
        #expect(decoded == hash)
        #expect(try await decoded.verify(Array("p4ssword".utf8)))
    }

    @Test func saltsDiffer() async throws {
        let a = try await cheapHashing.hash(Array("same".utf8))
        let b = try await cheapHashing.hash(Array("same".utf8))
        #expect(a.salt != b.salt && a.hash != b.hash)
    }

    @Test func scryptMatchesTheRFC7914Vector() throws {
        // RFC 7914 §12, second vector: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64.
        let derived = try PasswordHash.derive(
            Array("password".utf8), salt: Array("NaCl".utf8), algorithm: .scrypt(logN: 10, blockSize: 8, parallelism: 16),
            outputByteCount: 64)
        #expect(Hex.encode(derived.prefix(16)) == "fdbabe1c9d3472007856e7190d01e9fe")
    }

    @Test func dummyHashMatchesNothingButCostsTheSame() async throws {
        let dummy = cheapHashing.dummyHash()
        #expect(dummy.algorithm == cheapHashing.algorithm)
        #expect(try await !dummy.verify(Array("anything".utf8)))
    }

    @Test func parameterBoundsAreEnforced() {
        #expect(throws: AuthMethodError.self) { try PasswordHashing(.scrypt(logN: 21, blockSize: 8, parallelism: 1)) }
        #expect(throws: AuthMethodError.self) { try PasswordHashing(.scrypt(logN: 20, blockSize: 8, parallelism: 1)) }
        #expect(throws: AuthMethodError.self) { try PasswordHashing(.scrypt(logN: 10, blockSize: 0, parallelism: 1)) }
        #expect(throws: AuthMethodError.self) { try PasswordHashing(.pbkdf2SHA256(iterations: 0)) }
        #expect(throws: AuthMethodError.self) { try PasswordHashing(.pbkdf2SHA256(iterations: 1000), saltByteCount: 8) }
        #expect(PasswordHashing.production.algorithm == .scrypt(logN: 15, blockSize: 8, parallelism: 1))
    }

    @Test(arguments: [
        #"{"format":2,"algorithm":"scrypt"}"#,
        #"{"format":1,"algorithm":"bcrypt","salt":"AAAAAAAAAAAAAAAAAAAAAA==","hash":"AAAAAAAAAAAAAAAAAAAAAA=="}"#,
        #"{"format":1,"algorithm":"scrypt","log_n":30,"block_size":8,"parallelism":1,"salt":"AAAAAAAAAAAAAAAAAAAAAA==","hash":"AAAAAAAAAAAAAAAAAAAAAA=="}"#,
        #"{"format":1,"algorithm":"scrypt","log_n":4,"block_size":1,"parallelism":1,"salt":"AAAA","hash":"AAAAAAAAAAAAAAAAAAAAAA=="}"#,
        #"{"format":1,"algorithm":"pbkdf2-sha256","iterations":1000,"salt":"AAAAAAAAAAAAAAAAAAAAAA==","hash":"!!"}"#,
        #"[1,2]"#,
        #"not json"#,
    ])
    func damagedRecordsFailClosed(_ text: String) throws {
        #expect(throws: AuthMethodError.self) {
            _ = try PasswordHash(from: try AuthRecord(bytes: Array(text.utf8), key: "user/x#password"))
        }
    }

    @Test func corruptUserRecordIsAnErrorNotALoginFailure() async throws {
        let harness = AuthHarness(UserpassBackend(hashing: cheapHashing), mountPoint: "auth/userpass/")
        harness.storage.plant("user/broken", #"{"format":1,"password":{"format":1,"algorithm":"rot13"}}"#)
        await #expect(throws: AuthMethodError.self) { try await harness.write("login/broken", ["password": "pw"]) }
        await #expect(throws: AuthMethodError.self) { try await harness.read("users/broken") }
        let error = AuthMethodError(.corrupt, key: "user/broken", detail: "member salt is not base64")
        #expect(String(describing: error) == "auth: corrupt record at user/broken: member salt is not base64")
    }
}
