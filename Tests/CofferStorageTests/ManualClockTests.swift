import CofferTestKit
import Testing

@Suite struct ManualClockTests {
    @Test func sleepEndsOnlyWhenTimeReachesTheDeadline() async throws {
        let clock = ManualClock()
        let woke = Locked(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await clock.sleep(for: .seconds(10))
                woke.withLock { $0 = true }
            }
            try await clock.waitForSleepers(count: 1)
            clock.advance(by: .seconds(9))
            #expect(clock.sleeperCount == 1)
            #expect(!woke.value)
            clock.advance(by: .seconds(1))
            try await group.waitForAll()
        }
        #expect(woke.value)
        #expect(clock.sleeperCount == 0)
        #expect(clock.now == ManualClock.Instant(offset: .seconds(10)))
    }

    @Test func aDeadlineInThePastReturnsAtOnce() async throws {
        let clock = ManualClock(now: .init(offset: .seconds(100)))
        try await clock.sleep(until: .init(offset: .seconds(50)), tolerance: nil)
        try await clock.sleep(until: clock.now, tolerance: nil)
        #expect(clock.sleeperCount == 0)
    }

    @Test func advanceWakesOnlyTheDueSleepers() async throws {
        let clock = ManualClock()
        let woken = Locked<[Int]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for seconds in [3, 1, 2] {
                group.addTask {
                    try await clock.sleep(until: .init(offset: .seconds(seconds)), tolerance: nil)
                    woken.withLock { $0.append(seconds) }
                }
            }
            try await clock.waitForSleepers(count: 3)
            clock.advance(to: .init(offset: .seconds(2)))
            try await waitUntil { woken.value.count == 2 }
            #expect(Set(woken.value) == [1, 2])
            #expect(clock.sleeperCount == 1)
            clock.advance(to: .init(offset: .seconds(1)))  // the past: no change
            #expect(clock.now == .init(offset: .seconds(2)))
            clock.advance(by: .seconds(1))
            try await group.waitForAll()
        }
        #expect(woken.value.sorted() == [1, 2, 3])
    }

    @Test func cancellingASleeperThrowsAndRemovesIt() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(60)) }
        try await clock.waitForSleepers(count: 1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)

        let alreadyCancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(1))
        }
        await #expect(throws: CancellationError.self) { try await alreadyCancelled.value }
    }

    @Test func instantsMeasureDurations() {
        let start = ManualClock.Instant(offset: .seconds(5))
        let later = start.advanced(by: .milliseconds(1500))
        #expect(start.duration(to: later) == .milliseconds(1500))
        #expect(start < later)
        let clock = ManualClock()
        #expect(clock.minimumResolution == .zero)
    }
}
