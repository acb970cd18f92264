import CofferStorage
import Crypto

extension SecurityBarrier {
    /// Size in bytes of the unseal key (AES-256).
    public static let unsealKeySize = Keyring.keySize

    /// True once ``initialize(unsealKey:sealConfig:)`` has committed. Works while sealed.
    public func isInitialized() async throws -> Bool {
        try await storage.get(Self.rootKeyPath) != nil
    }

    /// The plaintext seal configuration, or nil before initialisation. Works while sealed.
    /// - Throws: ``BarrierError`` `.integrity` when the stored record is corrupt.
    public func sealConfig() async throws -> SealConfig? {
        guard let bytes = try await storage.get(Self.sealConfigPath) else { return nil }
        return try SealConfig(bytes: bytes)
    }

    /// Creates a random root key and a keyring with term 1, and commits both, sealed,
    /// in one batch (with `sealConfig` in plaintext when given, so a crash never leaves
    /// keys without their configuration). The barrier stays sealed: unseal it next.
    ///
    /// - Parameter unsealKey: 32 bytes; the caller splits it with ``Shamir`` and hands out
    ///   the shares, and must not keep it.
    /// - Throws: ``BarrierError`` `.alreadyInitialized` if storage already has barrier
    ///   keys; `.invalidRequest` for a key of the wrong size; the backend's error.
    public func initialize(unsealKey: [UInt8], sealConfig: SealConfig? = nil) async throws {
        try Self.checkUnsealKey(unsealKey, code: .invalidRequest)
        try await gate.run {
            let hasRoot = try await storage.get(Self.rootKeyPath) != nil
            let hasKeyring = try await storage.get(Self.keyringPath) != nil
            guard !hasRoot, !hasKeyring else {
                throw BarrierError(.alreadyInitialized, "barrier is already initialized")
            }
            let keyring = Keyring.generate(installTime: now())
            var operations = try Self.keyOperations(keyring: keyring, unsealKey: SymmetricKey(data: unsealKey))
            if let sealConfig {
                operations.append(.put(key: Self.sealConfigPath, value: sealConfig.encoded()))
            }
            try await storage.commit(StorageBatch(operations))
        }
    }

    /// Opens the root key with `unsealKey`, then the keyring with the root key, and keeps
    /// the keyring in memory. Does nothing when already unsealed.
    /// - Throws: ``BarrierError`` `.notInitialized`; `.invalidKey` when `unsealKey` does not
    ///   open the root key (the barrier stays sealed); `.integrity` when the stored keyring
    ///   is missing or corrupt; the backend's error.
    public func unseal(unsealKey: [UInt8]) async throws {
        try await gate.run {
            guard isSealed else { return }
            guard let rootBlob = try await storage.get(Self.rootKeyPath) else {
                throw BarrierError(.notInitialized, "barrier is not initialized")
            }
            try Self.checkUnsealKey(unsealKey, code: .invalidKey)
            guard Envelope.term(of: rootBlob) == Self.keyBlobTerm else {
                throw BarrierError(.integrity, "\(Self.rootKeyPath) is malformed")
            }
            var rootBytes: [UInt8]
            do {
                rootBytes = try Envelope.open(rootBlob, key: SymmetricKey(data: unsealKey), path: Self.rootKeyPath)
            } catch {
                throw BarrierError(.invalidKey, "unseal key does not open the root key")
            }
            defer { Self.wipe(&rootBytes) }
            guard rootBytes.count == Keyring.keySize else {
                throw BarrierError(.integrity, "\(Self.rootKeyPath) holds a key of the wrong size")
            }
            let keyring = try await loadKeyring(rootKeyBytes: rootBytes)
            state.withLock { state in
                if state == nil { state = Unsealed(keyring: keyring) }
            }
        }
    }

    /// Drops all key material from memory at once. Data operations throw `.sealed` until
    /// the next ``unseal(unsealKey:)``. Operations already past their key lookup finish.
    public func seal() {
        state.withLock { $0 = nil }
    }

    /// Adds a new random key term, persists the keyring, then makes the term active.
    /// Values sealed under older terms stay readable.
    /// - Returns: the new active term.
    /// - Throws: ``BarrierError`` `.sealed`; the backend's error (the old term stays active).
    public func rotate() async throws -> KeyTermInfo {
        try await gate.run {
            let current = try currentKeyring()
            let rotated = try current.rotated(newKey: SymmetricKey(size: .bits256), installTime: now())
            let blob = try Self.sealKeyring(rotated)
            // Persist before use: a value must never be sealed with a term storage lacks.
            try await storage.put(Self.keyringPath, blob)
            state.withLock { state in
                // A concurrent seal() wins: stay sealed; storage already has the new term.
                if state != nil { state = Unsealed(keyring: rotated) }
            }
            return KeyTermInfo(term: rotated.active.term, installTime: rotated.active.installTime)
        }
    }

    /// Re-seals the root key under `newUnsealKey` (and stores `sealConfig` with it in one
    /// batch when given). The keyring and data are untouched; the old unseal key stops
    /// working once this returns.
    /// - Throws: ``BarrierError`` `.sealed`; `.invalidRequest` for a key of the wrong size;
    ///   the backend's error (the old unseal key stays valid).
    public func rekey(newUnsealKey: [UInt8], sealConfig: SealConfig? = nil) async throws {
        try Self.checkUnsealKey(newUnsealKey, code: .invalidRequest)
        try await gate.run {
            let keyring = try currentKeyring()
            var operations: [StorageOperation] = [
                .put(key: Self.rootKeyPath, value: try Self.sealRootKey(keyring.rootKey, with: SymmetricKey(data: newUnsealKey)))
            ]
            if let sealConfig {
                operations.append(.put(key: Self.sealConfigPath, value: sealConfig.encoded()))
            }
            try await storage.commit(StorageBatch(operations))
        }
    }

    // MARK: Helpers

    func currentKeyring() throws(BarrierError) -> Keyring {
        guard let keyring = state.withLock({ $0?.keyring }) else {
            throw BarrierError(.sealed, "barrier is sealed")
        }
        return keyring
    }

    static func keyOperations(keyring: Keyring, unsealKey: SymmetricKey) throws(BarrierError) -> [StorageOperation] {
        [
            .put(key: rootKeyPath, value: try sealRootKey(keyring.rootKey, with: unsealKey)),
            .put(key: keyringPath, value: try sealKeyring(keyring)),
        ]
    }

    static func sealRootKey(_ rootKey: SymmetricKey, with unsealKey: SymmetricKey) throws(BarrierError) -> [UInt8] {
        var bytes = rootKey.withUnsafeBytes { Array($0) }
        defer { wipe(&bytes) }
        return try Envelope.seal(bytes, term: keyBlobTerm, key: unsealKey, path: rootKeyPath)
    }

    static func sealKeyring(_ keyring: Keyring) throws(BarrierError) -> [UInt8] {
        var bytes = keyring.serialized()
        defer { wipe(&bytes) }
        return try Envelope.seal(bytes, term: keyBlobTerm, key: keyring.rootKey, path: keyringPath)
    }

    static func checkUnsealKey(_ key: [UInt8], code: BarrierError.Code) throws(BarrierError) {
        guard key.count == unsealKeySize else {
            throw BarrierError(code, "unseal key must be \(unsealKeySize) bytes")
        }
    }

    /// Best-effort overwrite of transient copies of key material.
    static func wipe(_ bytes: inout [UInt8]) {
        for index in bytes.indices { bytes[index] = 0 }
    }
}
