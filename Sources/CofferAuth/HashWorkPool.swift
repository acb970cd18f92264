import Dispatch
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs CPU-heavy blocking work (password hashing) on Dispatch threads, at most `limit`
/// jobs at a time, so it never occupies Swift concurrency's small cooperative pool and a
/// burst of logins cannot make the process hold more than `limit` scrypt buffers.
///
/// Waiters queue FIFO. Waiting is not cancellable: a cancelled login still takes its
/// turn, so the queue never loses a continuation.
final class HashWorkPool: Sendable {
    /// One per process, sized to the machine's cores.
    static let shared = HashWorkPool(limit: max(1, ProcessInfo.processInfo.activeProcessorCount))

    private struct State {
        var running = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        precondition(limit > 0, "a work pool needs at least one slot")
        self.limit = limit
    }

    func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        await acquire()
        defer { release() }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Swift.Result { try work() })
            }
        }
    }

    private func acquire() async {
        let acquired = state.withLock { state in
            guard state.running < limit else { return false }
            state.running += 1
            return true
        }
        if acquired { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquiredNow = state.withLock { state in
                if state.running < limit {
                    state.running += 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if acquiredNow { continuation.resume() }
        }
    }

    /// Hands the slot to the oldest waiter (which then counts as running), or frees it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiters.count else {
                state.running -= 1
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
