import Synchronization

/// Striped async locks that serialise read-modify-write sequences per user or role.
///
/// A key hashes (FNV-1a, stable across runs) to one of a fixed number of stripes, so two
/// writes to one name always meet on the same lock while writes to different names rarely
/// do; memory stays constant however many names exist. Each stripe is a FIFO lock that
/// may be held across `await`, handed directly to the next waiter on release.
///
/// Waiting is not cancellable: a cancelled task still takes its turn, runs its body and
/// releases, so the queue never loses a continuation. Calls must not nest on one table
/// (two keys may share a stripe); a backend that needs two locks uses two tables and
/// always takes them in the same order.
final class AuthLockTable: Sendable {
    private let stripes: [Stripe]

    init(stripeCount: Int = 64) {
        precondition(stripeCount > 0, "a lock table needs at least one stripe")
        stripes = (0..<stripeCount).map { _ in Stripe() }
    }

    func withLock<Result>(
        _ key: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async rethrows -> Result {
        let stripe = stripes[stripeIndex(for: key)]
        await stripe.lock()
        defer { stripe.unlock() }
        return try await body()
    }

    func stripeIndex(for key: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(stripes.count))
    }

    /// One FIFO async lock.
    private final class Stripe: Sendable {
        private struct State {
            var held = false
            var waiters: [CheckedContinuation<Void, Never>] = []
            var head = 0
        }

        private let state = Mutex(State())

        func lock() async {
            let acquired = state.withLock { state in
                guard !state.held else { return false }
                state.held = true
                return true
            }
            if acquired { return }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let acquiredNow = state.withLock { state in
                    guard state.held else {
                        state.held = true
                        return true
                    }
                    state.waiters.append(continuation)
                    return false
                }
                if acquiredNow { continuation.resume() }
            }
        }

        /// Hands the lock to the oldest waiter, or frees it.
        func unlock() {
            let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard state.head < state.waiters.count else {
                    state.held = false
                    return nil
                }
                let waiter = state.waiters[state.head]
                state.head += 1
                if state.head == state.waiters.count {
                    state.waiters.removeAll(keepingCapacity: true)
                    state.head = 0
                }
                return waiter
            }
            next?.resume()
        }
    }
}
