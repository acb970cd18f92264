#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A key term as `sys/rotate` reports it: number and install time, no key.
public struct KeyTermInfo: Sendable, Hashable {
    public var term: UInt32
    public var installTime: Date

    public init(term: UInt32, installTime: Date) {
        self.term = term
        self.installTime = installTime
    }
}

/// The active key term as `sys/key-status` reports it.
public struct KeyStatus: Sendable, Hashable {
    /// The active term number.
    public var term: UInt32
    /// When the active term was installed.
    public var installTime: Date
    /// Values sealed with the active term since this process unsealed or rotated. Not
    /// persisted, so it restarts at 0 after a restart or seal.
    public var encryptions: UInt64

    public init(term: UInt32, installTime: Date, encryptions: UInt64) {
        self.term = term
        self.installTime = installTime
        self.encryptions = encryptions
    }
}
