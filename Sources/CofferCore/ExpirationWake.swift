import Synchronization

/// Tells the expiration loop that a tick is wanted earlier than it planned: inputs other
/// than the loop's own tick (a registration, a failed revocation) may ask for one.
///
/// A request made while the loop is not waiting is kept (the earliest wins) and ends the
/// loop's next wait at once, so none is lost between the loop's planning and its wait.
final class ExpirationWake: Sendable {
    private struct State {
        var requested: Int64?
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Asks for a tick at `at` (unix seconds).
    func request(at: Int64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let current = state.requested, current <= at { return nil }
            state.requested = at
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The earliest tick asked for since the last call, clearing it.
    func take() -> Int64? {
        state.withLock { state in
            defer { state.requested = nil }
            return state.requested
        }
    }

    /// Returns when a tick is requested (at once if one is pending) or the task is
    /// cancelled. One waiter at a time: the loop.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.requested != nil || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
