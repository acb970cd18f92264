import Synchronization

/// A `Clock` whose time moves only when a test calls ``advance(by:)`` or ``advance(to:)``.
///
/// Code under test takes `some Clock<Duration>`; a test injects a `ManualClock`, lets the
/// code go to sleep, checks with ``waitForSleepers(count:)`` that it did, then advances
/// time. Sleepers whose deadline has been reached are resumed by the advance, earliest
/// deadline first (ties in the order they went to sleep). A cancelled sleeper throws
/// `CancellationError`, as `Task.sleep` does. Safe to use from any task.
public final class ManualClock: Clock {
    /// A point on a manual clock: the time elapsed since the clock's origin.
    public struct Instant: InstantProtocol, Sendable, CustomStringConvertible {
        public var offset: Duration

        public init(offset: Duration) {
            self.offset = offset
        }

        public func advanced(by duration: Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        public func duration(to other: Instant) -> Duration {
            other.offset - offset
        }

        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }

        public var description: String { "ManualClock.Instant(\(offset))" }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct SleeperWaiter {
        var count: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Instant
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        var sleeperWaiters: [UInt64: SleeperWaiter] = [:]

        mutating func makeID() -> UInt64 {
            nextID += 1
            return nextID
        }

        /// Removes and returns the waiters satisfied by the current sleeper count.
        mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Void, any Error>] {
            let satisfied = sleeperWaiters.filter { $0.value.count <= sleepers.count }
            for id in satisfied.keys { sleeperWaiters.removeValue(forKey: id) }
            return satisfied.values.map(\.continuation)
        }
    }

    private let state: Mutex<State>

    /// Creates a clock reading `now` (the origin by default).
    public init(now: Instant = Instant(offset: .zero)) {
        state = Mutex(State(now: now))
    }

    public var now: Instant {
        state.withLock { $0.now }
    }

    public var minimumResolution: Duration { .zero }

    /// How many tasks are asleep on this clock now.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// Suspends until the clock reads `deadline` or later; returns at once if it already
    /// does. Throws `CancellationError` if the task is or gets cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = state.withLock { $0.makeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome {
                    case cancelled, due
                    case asleep([CheckedContinuation<Void, any Error>])
                }
                let outcome: Outcome = state.withLock { state in
                    // Checked under the lock that the cancellation handler takes, so a
                    // cancellation either is seen here or finds the sleeper registered.
                    if Task.isCancelled { return .cancelled }
                    if deadline <= state.now { return .due }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return .asleep(state.takeSatisfiedWaiters())
                }
                switch outcome {
                case .cancelled:
                    continuation.resume(throwing: CancellationError())
                case .due:
                    continuation.resume()
                case .asleep(let waiters):
                    for waiter in waiters { waiter.resume() }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration` (which must not be negative) and wakes the
    /// sleepers now due.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "a clock cannot go back")
        let due = state.withLock { state in
            state.now = state.now.advanced(by: duration)
            return Self.takeDue(&state)
        }
        for continuation in due { continuation.resume() }
    }

    /// Moves time forward to `instant` (no change if it is in the past) and wakes the
    /// sleepers now due.
    public func advance(to instant: Instant) {
        let due = state.withLock { state in
            if state.now < instant { state.now = instant }
            return Self.takeDue(&state)
        }
        for continuation in due { continuation.resume() }
    }

    /// Returns once at least `count` tasks are asleep on this clock; use it before
    /// ``advance(by:)`` so the advance is not lost on code that has not slept yet.
    /// Throws `CancellationError` if the waiting task is cancelled.
    public func waitForSleepers(count: Int = 1) async throws {
        try Task.checkCancellation()
        let id = state.withLock { $0.makeID() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case cancelled, ready, waiting }
                let outcome: Outcome = state.withLock { state in
                    if Task.isCancelled { return .cancelled }
                    if state.sleepers.count >= count { return .ready }
                    state.sleeperWaiters[id] = SleeperWaiter(count: count, continuation: continuation)
                    return .waiting
                }
                switch outcome {
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .ready: continuation.resume()
                case .waiting: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.sleeperWaiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private static func takeDue(_ state: inout State) -> [CheckedContinuation<Void, any Error>] {
        let due = state.sleepers
            .filter { $0.value.deadline <= state.now }
            .sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
        for (id, _) in due { state.sleepers.removeValue(forKey: id) }
        return due.map(\.value.continuation)
    }
}
