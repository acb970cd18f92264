import Synchronization

/// Striped async locks that serialise read-modify-write sequences per key (a secret path,
/// a user, a role): shared by engines and auth methods.
///
/// A path hashes (FNV-1a, stable across runs) to one of a fixed number of stripes, so two
/// writes to the same path always meet on the same lock while writes to different paths
/// rarely do; memory stays constant however many paths exist. Each stripe is a FIFO lock
/// that may be held across `await` (a `Mutex` may not), handed directly to the next
/// waiter on release so no waiter starves.
///
/// Waiting is not cancellable: a cancelled task still takes its turn, runs its body (which
/// sees the cancellation at its next check) and releases, so the queue never loses a
/// continuation.
public final class KeyedLockTable: Sendable {
    private let stripes: [Stripe]

    /// - Parameter stripeCount: at least 1; more stripes mean fewer false collisions.
    public init(stripeCount: Int = 64) {
        precondition(stripeCount > 0, "a lock table needs at least one stripe")
        stripes = (0..<stripeCount).map { _ in Stripe() }
    }

    /// Runs `body` holding the lock for `key`. Calls must not nest for keys that may share
    /// a stripe (that would wait on itself); the backend takes one lock per request.
    public func withLock<Result>(
        _ key: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async rethrows -> Result {
        let stripe = stripes[stripeIndex(for: key)]
        await stripe.lock()
        defer { stripe.unlock() }
        return try await body()
    }

    public func stripeIndex(for key: String) -> Int {
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

            mutating func popWaiter() -> CheckedContinuation<Void, Never>? {
                guard head < waiters.count else { return nil }
                let next = waiters[head]
                head += 1
                if head == waiters.count {
                    waiters.removeAll(keepingCapacity: true)
                    head = 0
                }
                return next
            }
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
                if let waiter = state.popWaiter() { return waiter }
                state.held = false
                return nil
            }
            next?.resume()
        }
    }
}
