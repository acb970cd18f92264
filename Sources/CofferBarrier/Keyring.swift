#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import Crypto

/// The barrier's key material: the root key and every key term, one of them active.
///
/// New values are sealed with the active term; old terms stay so that values written
/// before a rotation still open. The keyring is stored encrypted with its own root key
/// (see ``SecurityBarrier``); its byte format is in `Keyring+Serialization.swift`.
/// A value type: rotation returns a new keyring, and the barrier swaps snapshots.
/// Prints redacted.
public struct Keyring: Sendable {
    /// Size in bytes of the root key and of every term key (AES-256).
    public static let keySize = 32

    /// Encrypts the keyring at rest; itself encrypted by the unseal key.
    public let rootKey: SymmetricKey
    /// Every term, in ascending term order, without gaps or duplicates.
    public private(set) var terms: [KeyTerm]
    /// The term that seals new values.
    public private(set) var activeTerm: UInt32

    /// A new keyring whose only term, 1, is `firstKey`.
    /// - Throws: ``BarrierError`` `.invalidRequest` when a key is not 256 bits.
    public init(rootKey: SymmetricKey, firstKey: SymmetricKey, installTime: Date) throws(BarrierError) {
        try Self.checkSize(rootKey, "root key")
        try Self.checkSize(firstKey, "term key")
        self.rootKey = rootKey
        self.terms = [KeyTerm(term: 1, key: firstKey, installTime: installTime)]
        self.activeTerm = 1
    }

    /// Builds a keyring from parts already validated by the deserialiser.
    init(uncheckedRootKey rootKey: SymmetricKey, terms: [KeyTerm], activeTerm: UInt32) {
        self.rootKey = rootKey
        self.terms = terms
        self.activeTerm = activeTerm
    }

    /// A fresh keyring with random root key and term-1 key from the system's secure source.
    public static func generate(installTime: Date) -> Keyring {
        // Sizes are right by construction, so the checks cannot fail.
        try! Keyring(
            rootKey: SymmetricKey(size: .bits256), firstKey: SymmetricKey(size: .bits256), installTime: installTime)
    }

    /// The term that seals new values.
    public var active: KeyTerm {
        // activeTerm is always present: enforced by every initialiser and by rotation.
        term(activeTerm)!
    }

    /// The term numbered `number`, or nil if this keyring never had it.
    public func term(_ number: UInt32) -> KeyTerm? {
        // Terms are normally 1...n without gaps: try the direct index first.
        let guess = Int(number) - 1
        if guess >= 0, guess < terms.count, terms[guess].term == number { return terms[guess] }
        var low = 0
        var high = terms.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if terms[mid].term == number { return terms[mid] }
            if terms[mid].term < number { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// This keyring with a new term, numbered one past the highest, made active.
    /// - Throws: ``BarrierError`` `.invalidRequest` when the key is not 256 bits or the
    ///   term numbers are exhausted.
    public func rotated(newKey: SymmetricKey, installTime: Date) throws(BarrierError) -> Keyring {
        try Self.checkSize(newKey, "term key")
        guard let last = terms.last?.term, last < UInt32.max else {
            throw BarrierError(.invalidRequest, "key term numbers are exhausted")
        }
        var copy = self
        copy.terms.append(KeyTerm(term: last + 1, key: newKey, installTime: installTime))
        copy.activeTerm = last + 1
        return copy
    }

    /// This keyring under a different root key, terms unchanged.
    public func replacingRootKey(_ newRootKey: SymmetricKey) throws(BarrierError) -> Keyring {
        try Self.checkSize(newRootKey, "root key")
        return Keyring(uncheckedRootKey: newRootKey, terms: terms, activeTerm: activeTerm)
    }

    static func checkSize(_ key: SymmetricKey, _ what: String) throws(BarrierError) {
        guard key.bitCount == keySize * 8 else {
            throw BarrierError(.invalidRequest, "\(what) must be \(keySize) bytes")
        }
    }
}

extension Keyring: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "Keyring(activeTerm: \(activeTerm), terms: \(terms.count), keys: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["activeTerm": activeTerm, "termCount": terms.count], displayStyle: .struct)
    }
}
