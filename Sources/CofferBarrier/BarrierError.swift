/// Errors from the barrier domain: sealing state, key material, the envelope, Shamir.
///
/// Messages may name a storage path or a parameter; they never contain key material,
/// plaintext or ciphertext. Callers map ``code`` (never ``message``) to an HTTP status.
public struct BarrierError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an open set of values so later layers can add codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The barrier is sealed: no key material is in memory. Vault answers 503.
        public static let sealed = Code("sealed")
        /// A stored value failed authentication or parsing (tampered, moved to another
        /// path, unknown key term, unknown format version). The read fails closed.
        public static let integrity = Code("integrity")
        /// The barrier has no root key in storage yet.
        public static let notInitialized = Code("not initialized")
        /// ``SecurityBarrier/initialize(unsealKey:)`` was called on initialised storage.
        public static let alreadyInitialized = Code("already initialized")
        /// The unseal key is wrong or malformed (it does not open the root key).
        public static let invalidKey = Code("invalid key")
        /// Key shares handed to ``Shamir/combine(_:)`` are malformed (lengths, duplicates).
        public static let invalidShares = Code("invalid shares")
        /// The caller asked for something impossible (bad parameters, a reserved path).
        public static let invalidRequest = Code("invalid request")
        /// A cryptographic primitive failed where it should not (random source, sealing).
        public static let `internal` = Code("internal")
    }

    public var code: Code
    /// Says what failed; may name a path, never a key, plaintext or ciphertext.
    public var message: String
    /// The underlying error, when there is one (a storage error, a CryptoKit error).
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "barrier \(code): \(message)" }
}
