import CofferBarrier

/// Striped async locks over token ids: every read-modify-write of one stored token
/// (renew, use, revoke, orphaning) runs under its id's stripe, so a renewal cannot write
/// back an entry a revocation just deleted.
///
/// A caller holds at most one stripe at a time, so stripes shared by unrelated ids cost
/// some waiting but can never deadlock.
final class TokenLocks: Sendable {
    private let stripes: [SerialGate]

    init(stripes count: Int = 64) {
        precondition(count > 0, "at least one stripe")
        stripes = (0..<count).map { _ in SerialGate() }
    }

    /// Runs `body` holding the stripe of `id`. Not reentrant: `body` must not take another stripe.
    func withLock<T>(_ id: String, _ body: () async throws -> T) async rethrows -> T {
        try await stripes[stripe(of: id)].run(body)
    }

    private func stripe(of id: String) -> Int {
        // FNV-1a over the id; ids are HMAC outputs, so any mixing spreads them evenly.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(stripes.count))
    }
}
