import Synchronization

/// A FIFO async lock: runs one critical section at a time, across suspension points.
///
/// Core uses it for lifecycle changes (init, unseal, seal, mount changes), never on the
/// read path. The barrier's key-management operations (initialise, unseal, rotate, rekey) read
/// storage, decide, and write storage; two rotations interleaving would both mint term
/// N+1 and the second would overwrite a key already in use. Reads and writes of data never
/// take this gate.
public final class SerialGate: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Runs `body` once every earlier caller's body has finished. Waiting is not
    /// cancellable: key operations are short and must not be abandoned halfway.
    public func run<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state in
                if state.locked {
                    state.waiters.append(continuation)
                    return false
                }
                state.locked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            // Ownership passes straight to the next waiter; `locked` stays true.
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
