#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import Crypto

/// One numbered AES-256 key of the ``Keyring``.
///
/// Terms start at 1 and grow by one on each rotation; the term number is written in the
/// header of every envelope, so a value names the key that sealed it. Prints redacted.
public struct KeyTerm: Sendable {
    /// The term number, 1 for the key made at initialisation.
    public let term: UInt32
    /// The AES-256-GCM key of this term.
    public let key: SymmetricKey
    /// When the term was created.
    public let installTime: Date

    /// - Precondition: `key` is 256 bits and `term` is at least 1 (checked by the keyring).
    public init(term: UInt32, key: SymmetricKey, installTime: Date) {
        self.term = term
        self.key = key
        self.installTime = installTime
    }
}

extension KeyTerm: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "KeyTerm(term: \(term), installTime: \(installTime), key: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["term": term, "installTime": installTime], displayStyle: .struct)
    }
}
