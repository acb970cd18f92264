#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Collects unseal key shares until the threshold is reached: the pure core of
/// `sys/unseal`.
///
/// Feed each submitted share to ``submit(share:)`` and perform the returned action:
/// report ``Action/progress(_:)``, or combine the shares of ``Action/combine(_:)`` with
/// ``Shamir/combine(_:threshold:)`` and unseal with the result. Reaching the threshold
/// starts a new attempt whether or not the combined key turns out right, as Vault does.
/// A share already submitted in this attempt is ignored (progress unchanged), compared in
/// constant time. Holds shares, so it prints redacted.
public struct UnsealProgress: Sendable {
    /// What the caller does after a submission.
    public enum Action: Sendable, Equatable {
        /// The share was recorded (or was a repeat); this many distinct shares so far.
        case progress(Int)
        /// The threshold is reached: combine these shares. Progress is back to 0.
        case combine([[UInt8]])
    }

    /// Shares needed to combine; at least 1.
    public let threshold: Int
    /// An identifier of the current attempt, new after every reset or combine
    /// (`nonce` in seal-status).
    public private(set) var nonce: String
    private var shares: [[UInt8]] = []

    /// - Precondition: `threshold >= 1` (Core reads it from a validated ``SealConfig``).
    public init(threshold: Int, nonce: String = UnsealProgress.makeNonce()) {
        precondition(threshold >= 1, "unseal threshold must be at least 1")
        self.threshold = threshold
        self.nonce = nonce
    }

    /// Distinct shares submitted in this attempt.
    public var progress: Int { shares.count }

    /// Records `share`; returns what to do next.
    public mutating func submit(share: [UInt8], nextNonce: String = UnsealProgress.makeNonce()) -> Action {
        // Check every stored share, without stopping early, so timing tells nothing.
        var seen = false
        for existing in shares {
            seen = ConstantTime.equals(existing, share) || seen
        }
        if seen { return .progress(shares.count) }
        shares.append(share)
        guard shares.count >= threshold else { return .progress(shares.count) }
        let collected = shares
        reset(nonce: nextNonce)
        return .combine(collected)
    }

    /// Forgets every share of this attempt and starts a new one.
    public mutating func reset(nonce: String = UnsealProgress.makeNonce()) {
        for index in shares.indices {
            for byte in shares[index].indices { shares[index][byte] = 0 }
        }
        shares.removeAll()
        self.nonce = nonce
    }

    /// A fresh random attempt identifier (lowercase UUID, as Vault prints it).
    public static func makeNonce() -> String {
        UUID().uuidString.lowercased()
    }
}

extension UnsealProgress: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "UnsealProgress(threshold: \(threshold), progress: \(progress), shares: <redacted>)"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["threshold": threshold, "progress": progress, "nonce": nonce], displayStyle: .struct)
    }
}
