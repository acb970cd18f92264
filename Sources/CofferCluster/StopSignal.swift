import Synchronization

/// A one-shot, multi-waiter signal: ``wait()`` suspends until ``fire()`` has been called
/// (or returns at once if it already was), or until the waiting task is cancelled.
final class StopSignal: Sendable {
    private enum State {
        case waiting(next: UInt64, waiters: [UInt64: CheckedContinuation<Void, Never>])
        case fired
    }

    private let state = Mutex(State.waiting(next: 0, waiters: [:]))

    var isFired: Bool {
        state.withLock { if case .fired = $0 { true } else { false } }
    }

    /// Wakes every waiter, now and later. Idempotent.
    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard case .waiting(_, let waiters) = state else { return [] }
            state = .fired
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once fired, or when the current task is cancelled.
    func wait() async {
        let id: UInt64? = state.withLock { state in
            guard case .waiting(let next, let waiters) = state else { return nil }
            state = .waiting(next: next + 1, waiters: waiters)
            return next
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard case .waiting(let next, var waiters) = state else { return true }
                    if Task.isCancelled { return true }
                    waiters[id] = continuation
                    state = .waiting(next: next, waiters: waiters)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard case .waiting(let next, var waiters) = state else { return nil }
                let waiter = waiters.removeValue(forKey: id)
                state = .waiting(next: next, waiters: waiters)
                return waiter
            }
            waiter?.resume()
        }
    }
}
