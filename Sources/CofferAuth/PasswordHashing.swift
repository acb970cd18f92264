/// How userpass turns a password into its stored verifier: a slow, salted key
/// derivation from swift-crypto. New hashes use these parameters; each stored hash
/// records its own (``PasswordHash``), so changing them later leaves old hashes valid.
///
/// The default, ``production``, is scrypt with N = 2^15, r = 8, p = 1 (32 MiB per hash):
/// about 50-100 ms per hash in a release build on a 2-core server, i.e. slow for a
/// guesser, bearable for a login. Tests pass cheap parameters.
public struct PasswordHashing: Sendable, Hashable, CustomStringConvertible {
    /// The key-derivation function and its cost parameters.
    public enum Algorithm: Sendable, Hashable {
        /// scrypt with N = 2^`logN` (CPU and memory cost), block size r and parallelism p;
        /// memory use is 128 · N · r bytes.
        case scrypt(logN: Int, blockSize: Int, parallelism: Int)
        /// PBKDF2-HMAC-SHA256 with an iteration count.
        case pbkdf2SHA256(iterations: Int)
    }

    public let algorithm: Algorithm
    /// Length of the random salt of each new hash.
    public let saltByteCount: Int

    /// scrypt, N = 2^15, r = 8, p = 1.
    public static let production = PasswordHashing(uncheckedAlgorithm: .scrypt(logN: 15, blockSize: 8, parallelism: 1))

    /// Throws ``AuthMethodError`` (`invalidHashParameters`) outside the bounds a stored
    /// hash may have (see ``PasswordHash``): scrypt logN 1...20, r 1...32, p 1...16 and at
    /// most 256 MiB; PBKDF2 1...10 000 000 iterations; salts of 16...64 bytes.
    public init(_ algorithm: Algorithm, saltByteCount: Int = 16) throws(AuthMethodError) {
        try Self.check(algorithm)
        guard PasswordHash.saltBounds.contains(saltByteCount) else {
            throw AuthMethodError(.invalidHashParameters, detail: "salt length outside \(PasswordHash.saltBounds)")
        }
        self.algorithm = algorithm
        self.saltByteCount = saltByteCount
    }

    private init(uncheckedAlgorithm: Algorithm) {
        algorithm = uncheckedAlgorithm
        saltByteCount = 16
    }

    static func check(_ algorithm: Algorithm) throws(AuthMethodError) {
        switch algorithm {
        case .scrypt(let logN, let blockSize, let parallelism):
            guard (1...20).contains(logN), (1...32).contains(blockSize), (1...16).contains(parallelism),
                  128 * (1 << logN) * blockSize <= 256 << 20
            else {
                throw AuthMethodError(.invalidHashParameters, detail: "scrypt parameters out of bounds")
            }
        case .pbkdf2SHA256(let iterations):
            guard (1...10_000_000).contains(iterations) else {
                throw AuthMethodError(.invalidHashParameters, detail: "PBKDF2 iteration count out of bounds")
            }
        }
    }

    public var description: String {
        switch algorithm {
        case .scrypt(let logN, let blockSize, let parallelism):
            return "scrypt(N=2^\(logN), r=\(blockSize), p=\(parallelism))"
        case .pbkdf2SHA256(let iterations):
            return "pbkdf2-sha256(\(iterations) iterations)"
        }
    }

    /// A fresh hash of `password` with a new random salt. Runs on the hashing pool.
    func hash(_ password: [UInt8]) async throws -> PasswordHash {
        let salt = SecureRandom.bytes(saltByteCount)
        let algorithm = algorithm
        let digest = try await HashWorkPool.shared.run {
            try PasswordHash.derive(password, salt: salt, algorithm: algorithm)
        }
        return PasswordHash(algorithm: algorithm, salt: salt, hash: digest)
    }

    /// A record no password matches (random salt and random "hash"), costing what a real
    /// one of these parameters costs to check: what a login for an unknown user verifies
    /// against, so it takes as long as a wrong password for a real one.
    func dummyHash() -> PasswordHash {
        PasswordHash(algorithm: algorithm, salt: SecureRandom.bytes(saltByteCount), hash: SecureRandom.bytes(PasswordHash.hashByteCount))
    }
}
