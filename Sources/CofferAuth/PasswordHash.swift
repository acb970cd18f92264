import CofferJSON
import Crypto
import _CryptoExtras

/// One stored password verifier: the algorithm and its parameters, the salt and the
/// derived hash. The record says everything needed to check a password, so the
/// parameters of new hashes can change without invalidating old ones.
///
/// Stored as the `password` member of a user record:
///
/// ```
/// {"format": 1, "algorithm": "scrypt", "log_n": 15, "block_size": 8, "parallelism": 1,
///  "salt": "<base64>", "hash": "<base64, 32 bytes>"}
/// {"format": 1, "algorithm": "pbkdf2-sha256", "iterations": 600000, "salt": ..., "hash": ...}
/// ```
///
/// Decoding fails closed on an unknown algorithm or parameters outside
/// ``PasswordHashing``'s bounds (a damaged record must not turn into a 1 GiB scrypt).
/// The description and mirror never show the salt or the hash.
struct PasswordHash: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    static let hashByteCount = 32
    static let saltBounds = 16...64

    var algorithm: PasswordHashing.Algorithm
    var salt: [UInt8]
    var hash: [UInt8]

    var description: String { "PasswordHash(\(algorithm), <redacted>)" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: ["algorithm": algorithm], displayStyle: .struct) }

    /// Whether `password` derives to this hash. The comparison is constant-time and the
    /// derivation runs on the hashing pool, off the caller's executor.
    func verify(_ password: [UInt8]) async throws -> Bool {
        let (algorithm, salt, expected) = (algorithm, salt, hash)
        let derived = try await HashWorkPool.shared.run {
            try Self.derive(password, salt: salt, algorithm: algorithm, outputByteCount: expected.count)
        }
        return ConstantTime.equal(derived, expected)
    }

    /// The key derivation itself (blocking, CPU-bound: call it on the hashing pool).
    static func derive(
        _ password: [UInt8], salt: [UInt8], algorithm: PasswordHashing.Algorithm, outputByteCount: Int = hashByteCount
    ) throws -> [UInt8] {
        // BoringSSL is handed base addresses; an empty input is refused before it gets there.
        guard !password.isEmpty, !salt.isEmpty else {
            throw AuthMethodError(.hashFailure, detail: "empty password or salt")
        }
        let key: SymmetricKey
        do {
            switch algorithm {
            case .scrypt(let logN, let blockSize, let parallelism):
                key = try KDF.Scrypt.deriveKey(
                    from: password, salt: salt, outputByteCount: outputByteCount,
                    rounds: 1 << logN, blockSize: blockSize, parallelism: parallelism)
            case .pbkdf2SHA256(let iterations):
                key = try KDF.Insecure.PBKDF2.deriveKey(
                    from: password, salt: salt, using: .sha256, outputByteCount: outputByteCount,
                    unsafeUncheckedRounds: iterations)
            }
        } catch {
            throw AuthMethodError(.hashFailure, detail: "the key derivation failed")
        }
        return key.withUnsafeBytes { Array($0) }
    }
}

extension PasswordHash {
    var record: JSONValue {
        var members: [String: JSONValue] = ["salt": AuthRecord.base64(salt), "hash": AuthRecord.base64(hash)]
        switch algorithm {
        case .scrypt(let logN, let blockSize, let parallelism):
            members["algorithm"] = "scrypt"
            members["log_n"] = .int(Int64(logN))
            members["block_size"] = .int(Int64(blockSize))
            members["parallelism"] = .int(Int64(parallelism))
        case .pbkdf2SHA256(let iterations):
            members["algorithm"] = "pbkdf2-sha256"
            members["iterations"] = .int(Int64(iterations))
        }
        return AuthRecord.object(members)
    }

    init(from record: AuthRecord) throws(AuthMethodError) {
        let name = try record.string("algorithm")
        let algorithm: PasswordHashing.Algorithm
        switch name {
        case "scrypt":
            algorithm = .scrypt(
                logN: Int(clamping: try record.int("log_n")), blockSize: Int(clamping: try record.int("block_size")),
                parallelism: Int(clamping: try record.int("parallelism")))
        case "pbkdf2-sha256":
            algorithm = .pbkdf2SHA256(iterations: Int(clamping: try record.int("iterations")))
        default:
            throw AuthMethodError(.unsupportedFormat, key: record.key, detail: "unknown password hash algorithm")
        }
        do {
            try PasswordHashing.check(algorithm)
        } catch {
            throw AuthMethodError(.corrupt, key: record.key, detail: "password hash parameters out of bounds")
        }
        self.algorithm = algorithm
        salt = try record.bytes("salt", count: Self.saltBounds)
        hash = try record.bytes("hash", count: 16...64)
    }
}
