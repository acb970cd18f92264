import Foundation
import Synchronization
import Testing

/// A one-shot gate for a synchronous hook running on the writer thread: the hook enters
/// and blocks until the test opens it.
final class Gate: Sendable {
    private let entered = Mutex(false)
    private let semaphore = DispatchSemaphore(value: 0)

    func enterAndWait() {
        entered.withLock { $0 = true }
        semaphore.wait()
    }

    func waitUntilEntered() async throws {
        try await waitUntil { self.entered.withLock { $0 } }
    }

    func open() {
        semaphore.signal()
    }
}

/// Polls `condition` every millisecond for up to a minute (generous: the whole suite
/// shares two cores on CI; a passing run waits milliseconds).
func waitUntil(_ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: .seconds(60))
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not reached within 60 seconds")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(1))
    }
}
