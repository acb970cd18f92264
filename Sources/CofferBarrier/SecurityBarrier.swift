#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import CofferStorage
import Crypto
import Synchronization

/// The encrypting layer between Coffer and its storage backend.
///
/// Every value written through the barrier is sealed in an ``Envelope`` under the active
/// key term with its own storage path as additional data; every read opens it or fails
/// closed with ``BarrierError/Code-swift.struct/integrity``. Keys (paths) stay plaintext,
/// so listing works as in the backend.
///
/// Storage layout of the barrier's own records (outside the envelope of data values):
///
/// | path | content |
/// | --- | --- |
/// | `core/seal-config` | ``SealConfig`` as plaintext JSON (readable while sealed) |
/// | `core/root-key` | the 32-byte root key, sealed with the **unseal key** (envelope, term 0) |
/// | `core/keyring` | the serialised ``Keyring``, sealed with the **root key** (envelope, term 0) |
///
/// The unseal key is what ``Shamir/combine(_:)`` recovers from the operators' shares.
/// Rotating (``rotate()``) adds a keyring term; rekeying (``rekey(newUnsealKey:sealConfig:)``)
/// re-seals only the root key. While sealed, data operations throw `.sealed`.
///
/// Concurrency: data reads and writes take a `Mutex` for a snapshot of one key term and
/// never suspend on the barrier itself; key management (initialise, unseal, rotate, rekey)
/// runs one at a time behind an async gate. ``seal()`` is synchronous and immediate.
public final class SecurityBarrier: Sendable {
    /// Where Core keeps the plaintext ``SealConfig``.
    public static let sealConfigPath = "core/seal-config"
    /// Where the root key, sealed by the unseal key, lives.
    public static let rootKeyPath = "core/root-key"
    /// Where the keyring, sealed by the root key, lives.
    public static let keyringPath = "core/keyring"
    /// Paths that ``commit(_:)`` refuses to touch: only the barrier writes them.
    public static let reservedPaths: Set<String> = [sealConfigPath, rootKeyPath, keyringPath]
    /// The term number used for the barrier's own key blobs; never a keyring term.
    static let keyBlobTerm: UInt32 = 0

    struct Unsealed {
        var keyring: Keyring
        /// Values sealed with the active term since it was installed in memory.
        var encryptions: UInt64 = 0
    }

    /// The storage this barrier encrypts. Reads of ``sealConfigPath`` go here directly.
    public let storage: any StorageBackend
    let now: @Sendable () -> Date
    /// nil while sealed.
    let state = Mutex<Unsealed?>(nil)
    let gate = SerialGate()

    /// A sealed barrier over `storage`.
    /// - Parameter now: the clock for key-term install times.
    public init(storage: any StorageBackend, now: @escaping @Sendable () -> Date = { Date() }) {
        self.storage = storage
        self.now = now
    }

    /// True while no key material is in memory. Cheap: no storage access, no suspension.
    public var isSealed: Bool {
        state.withLock { $0 == nil }
    }

    /// The active term with its encryption count, or nil while sealed.
    public func keyStatus() -> KeyStatus? {
        state.withLock { state in
            guard let state else { return nil }
            let active = state.keyring.active
            return KeyStatus(term: active.term, installTime: active.installTime, encryptions: state.encryptions)
        }
    }

    // MARK: Sealing values

    /// Seals `plaintext` for storage at `path` under the active term, counting it for
    /// ``keyStatus()``. Public so replication can ship ciphertext; ``commit(_:)`` uses it.
    /// - Throws: ``BarrierError`` `.sealed`.
    public func encrypt(path: String, plaintext: [UInt8]) throws(BarrierError) -> [UInt8] {
        let term = try activeTerm(reserving: 1)
        return try Envelope.seal(plaintext, term: term.term, key: term.key, path: path)
    }

    /// Opens a value stored at `path`, with whichever keyring term sealed it.
    /// - Throws: ``BarrierError`` `.sealed`, or `.integrity` naming `path` when the value is
    ///   malformed, tampered with, moved from another path or sealed with an unknown term.
    public func decrypt(path: String, ciphertext: [UInt8]) throws(BarrierError) -> [UInt8] {
        guard let number = Envelope.term(of: ciphertext) else {
            try checkUnsealed()
            throw BarrierError(.integrity, "value at \(path) is not a valid envelope")
        }
        let found: KeyTerm?? = state.withLock { state in state.map { $0.keyring.term(number) } }
        guard let found else { throw BarrierError(.sealed, "barrier is sealed") }
        guard let term = found else {
            throw BarrierError(.integrity, "value at \(path) is sealed with unknown key term \(number)")
        }
        return try Envelope.open(ciphertext, key: term.key, path: path)
    }

    // MARK: Storage through the barrier

    /// The plaintext stored at `path`, or nil when there is none.
    /// - Throws: ``BarrierError`` `.sealed` or `.integrity` (see ``decrypt(path:ciphertext:)``),
    ///   or the backend's error.
    public func get(_ path: String) async throws -> [UInt8]? {
        try checkUnsealed()
        guard let ciphertext = try await storage.get(path) else { return nil }
        return try decrypt(path: path, ciphertext: ciphertext)
    }

    /// The direct children of `prefix`, as ``StorageBackend/list(prefix:after:limit:)``.
    /// Names are not encrypted; the barrier only refuses while sealed.
    public func list(prefix: String, after: String? = nil, limit: Int? = nil) async throws -> [String] {
        try checkUnsealed()
        return try await storage.list(prefix: prefix, after: after, limit: limit)
    }

    /// Seals every put of `batch` (active term, the put's own path as additional data) and
    /// commits the batch atomically; deletes pass through unchanged.
    /// - Throws: ``BarrierError`` `.sealed`; `.invalidRequest` for an operation that would
    ///   write or delete one of ``reservedPaths``; or the backend's error, in which case
    ///   nothing was written.
    public func commit(_ batch: StorageBatch) async throws {
        var puts = 0
        for operation in batch.operations {
            switch operation {
            case .put(let key, _):
                puts += 1
                try Self.checkNotReserved(key)
            case .delete(let key):
                try Self.checkNotReserved(key)
            case .deletePrefix(let prefix):
                for reserved in Self.reservedPaths where reserved.hasPrefix(prefix) {
                    throw BarrierError(.invalidRequest, "deleting prefix \"\(prefix)\" would remove \(reserved)")
                }
            }
        }
        let term = try activeTerm(reserving: UInt64(puts))
        var sealed = batch
        for index in sealed.operations.indices {
            if case .put(let key, let value) = sealed.operations[index] {
                let envelope = try Envelope.seal(value, term: term.term, key: term.key, path: key)
                sealed.operations[index] = .put(key: key, value: envelope)
            }
        }
        try await storage.commit(sealed)
    }

    /// Seals and writes one value.
    public func put(_ path: String, _ value: [UInt8]) async throws {
        try await commit(StorageBatch([.put(key: path, value: value)]))
    }

    /// Deletes one value; deleting a missing one is not an error.
    public func delete(_ path: String) async throws {
        try await commit(StorageBatch([.delete(key: path)]))
    }

    // MARK: Helpers

    func checkUnsealed() throws(BarrierError) {
        if isSealed { throw BarrierError(.sealed, "barrier is sealed") }
    }

    /// The active term, counting `count` encryptions against it in the same critical section.
    func activeTerm(reserving count: UInt64) throws(BarrierError) -> KeyTerm {
        let term: KeyTerm? = state.withLock { state in
            guard state != nil else { return nil }
            state!.encryptions &+= count
            return state!.keyring.active
        }
        guard let term else { throw BarrierError(.sealed, "barrier is sealed") }
        return term
    }

    static func checkNotReserved(_ path: String) throws(BarrierError) {
        if reservedPaths.contains(path) {
            throw BarrierError(.invalidRequest, "\(path) is reserved for the barrier")
        }
    }
}

extension SecurityBarrier: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SecurityBarrier(storage: \(storage.name), sealed: \(isSealed))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["storage": storage.name, "sealed": isSealed], displayStyle: .class)
    }
}
