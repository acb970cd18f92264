import Crypto
public import CofferStorage

/// What replication needs of the barrier (docs/architecture.md, "Replication"): a
/// secondary joins with the primary's keyring, and follows the primary's key rotations
/// and rekeys, which reach it as replicated writes of the barrier's own entries.
extension SecurityBarrier {
    /// The root key, for a secondary's bootstrap over the mutually authenticated cluster
    /// link. Secret: the caller sends it only there and never logs it.
    /// - Throws: ``BarrierError`` `.sealed`.
    public func rootKeyForBootstrap() throws(BarrierError) -> [UInt8] {
        try currentKeyring().rootKey.withUnsafeBytes { Array($0) }
    }

    /// The barrier's own stored entries (seal configuration, sealed root key, sealed
    /// keyring) exactly as stored: already encrypted, they travel as they are.
    public func storedKeyEntries() async throws -> [(key: String, value: [UInt8])] {
        var entries: [(key: String, value: [UInt8])] = []
        for path in [Self.sealConfigPath, Self.rootKeyPath, Self.keyringPath] {
            if let value = try await storage.get(path) { entries.append((path, value)) }
        }
        return entries
    }

    /// Unseals with the root key itself instead of an unseal key (a secondary that has
    /// just received the primary's entries and root key). Does nothing when unsealed.
    /// - Throws: ``BarrierError`` `.integrity` when the stored keyring is missing, corrupt
    ///   or belongs to another root key; `.invalidRequest` for a key of the wrong size.
    public func unseal(rootKey rootKeyBytes: [UInt8]) async throws {
        try await gate.run {
            guard isSealed else { return }
            let keyring = try await loadKeyring(rootKeyBytes: rootKeyBytes)
            state.withLock { state in
                if state == nil { state = Unsealed(keyring: keyring) }
            }
        }
    }

    /// Re-reads the stored keyring with the root key in memory: after a replicated
    /// rotation the stored keyring has terms this node has not seen. A keyring sealed
    /// under another root key (the primary was rekeyed differently) is refused.
    /// - Throws: ``BarrierError`` `.sealed`, `.integrity`.
    public func reloadKeyring() async throws {
        try await gate.run {
            let current = try currentKeyring()
            let rootBytes = current.rootKey.withUnsafeBytes { Array($0) }
            let keyring = try await loadKeyring(rootKeyBytes: rootBytes)
            state.withLock { state in
                if state != nil { state = Unsealed(keyring: keyring) }
            }
        }
    }

    /// Opens the stored keyring with `rootKeyBytes` (shared by both ways to unseal).
    func loadKeyring(rootKeyBytes: [UInt8]) async throws -> Keyring {
        guard rootKeyBytes.count == Keyring.keySize else {
            throw BarrierError(.invalidRequest, "root key has the wrong size")
        }
        let rootKey = SymmetricKey(data: rootKeyBytes)
        guard let keyringBlob = try await storage.get(Self.keyringPath) else {
            throw BarrierError(.integrity, "\(Self.keyringPath) is missing")
        }
        var keyringBytes: [UInt8]
        do {
            keyringBytes = try Envelope.open(keyringBlob, key: rootKey, path: Self.keyringPath)
        } catch {
            throw BarrierError(.integrity, "\(Self.keyringPath) does not open with this root key")
        }
        defer { Self.wipe(&keyringBytes) }
        let keyring = try Keyring(serialized: keyringBytes)
        guard keyring.rootKey == rootKey else {
            throw BarrierError(.integrity, "\(Self.keyringPath) belongs to another root key")
        }
        return keyring
    }
}
