/// How the expiration manager reads the time and waits for it: wall-clock unix seconds
/// (lease times are stored as such) and a sleep until a given unix second.
///
/// Injected so tests drive expiry with a manual clock; the sleep must throw
/// `CancellationError` when its task is cancelled (as `Clock.sleep` does).
struct ExpirationClock: Sendable {
    /// Unix seconds now.
    var now: @Sendable () -> Int64
    /// Returns at `deadline` (unix seconds) or later; at once if it has passed.
    var sleepUntil: @Sendable (Int64) async throws -> Void

    init(now: @escaping @Sendable () -> Int64, sleepUntil: @escaping @Sendable (Int64) async throws -> Void) {
        self.now = now
        self.sleepUntil = sleepUntil
    }

    /// Wall time from `now`, waiting on `clock` for the seconds left to a deadline. The
    /// server's choice: `ExpirationClock(now: core.now, clock: ContinuousClock())`.
    init(now: @escaping @Sendable () -> Int64, clock: some Clock<Duration>) {
        self.now = now
        self.sleepUntil = { deadline in
            let left = deadline - now()
            if left > 0 { try await clock.sleep(for: .seconds(left)) }
        }
    }
}
