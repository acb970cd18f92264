import CofferTestKit
import Testing
@testable import CofferCore

/// Events in, actions out, on plain numbers (unix seconds).
@Suite struct ExpirationStateMachineTests {
    typealias Machine = ExpirationStateMachine

    static func revoked(_ actions: [ExpirationAction]) -> [String] {
        actions.compactMap { if case .revoke(let id) = $0 { id } else { nil } }
    }

    @Test func registrationsAskForTheEarliestTickOnly() {
        var machine = Machine()
        #expect(machine.register(LeaseTimes(id: "c", expireTime: 300)) == [.scheduleTick(at: 300)])
        #expect(machine.register(LeaseTimes(id: "a", expireTime: 100)) == [.scheduleTick(at: 100)])
        // Later than the tick already asked for: nothing to do now.
        #expect(machine.register(LeaseTimes(id: "b", expireTime: 200)) == [])
        #expect(machine.scheduledTick == 100)
        #expect(machine.heapIsConsistent())
    }

    @Test func leasesAreRevokedInExpiryOrder() {
        var machine = Machine()
        for (id, expiry) in [("c", 300), ("a", 100), ("b", 200), ("d", 200)] {
            machine.register(LeaseTimes(id: id, expireTime: Int64(expiry)))
        }
        // Early (spurious) tick: nothing due, the same tick again.
        #expect(machine.tick(now: 99) == [.scheduleTick(at: 100)])
        #expect(machine.tick(now: 100) == [.revoke("a"), .scheduleTick(at: 200)])
        // Equal expiries go in registration order.
        #expect(machine.tick(now: 250) == [.revoke("b"), .revoke("d"), .scheduleTick(at: 300)])
        #expect(machine.tick(now: 1000) == [.revoke("c")])
        #expect(machine.inFlight == 4)
        for id in ["a", "b", "c", "d"] { machine.revocationSucceeded(id: id) }
        #expect(machine.count == 0 && machine.inFlight == 0 && machine.heapCount == 0)
        #expect(machine.heapIsConsistent())
    }

    @Test func renewalMovesALeaseLater() {
        var machine = Machine()
        machine.register(LeaseTimes(id: "a", expireTime: 100))
        machine.register(LeaseTimes(id: "b", expireTime: 200))
        // Later than the scheduled tick: the tick at 100 finds nothing due and moves on.
        #expect(machine.renew(id: "a", newExpiry: 300) == [])
        #expect(machine.due(of: "a") == 300)
        #expect(machine.tick(now: 100) == [.scheduleTick(at: 200)])
        #expect(machine.tick(now: 250) == [.revoke("b"), .scheduleTick(at: 300)])
        #expect(machine.tick(now: 300) == [.revoke("a")])
    }

    @Test func renewalToAnEarlierTimeAsksForAnEarlierTick() {
        var machine = Machine()
        machine.register(LeaseTimes(id: "a", expireTime: 500))
        #expect(machine.renew(id: "a", newExpiry: 50) == [.scheduleTick(at: 50)])
        #expect(machine.tick(now: 50) == [.revoke("a")])
    }

    @Test func removedLeasesAreNeverRevoked() {
        var machine = Machine()
        machine.register(LeaseTimes(id: "a", expireTime: 100))
        machine.register(LeaseTimes(id: "b", expireTime: 150))
        #expect(machine.remove(id: "a") == [])
        #expect(machine.remove(id: "unknown") == [])
        #expect(machine.tick(now: 1000) == [.revoke("b")])
        #expect(machine.phase(of: "a") == nil)
        #expect(machine.heapIsConsistent())
    }

    @Test func aLeaseWithoutExpiryIsNotTracked() {
        var machine = Machine()
        #expect(machine.register(LeaseTimes(id: "forever", expireTime: 0)) == [])
        #expect(machine.count == 0)
        machine.register(LeaseTimes(id: "a", expireTime: 10))
        #expect(machine.register(LeaseTimes(id: "a", expireTime: 0)) == [])
        #expect(machine.count == 0 && machine.heapCount == 0)
    }

    @Test func restoreRevokesAlreadyExpiredLeasesAtTheFirstTick() {
        var machine = Machine()
        let actions = machine.restore([
            LeaseTimes(id: "old", expireTime: 50), LeaseTimes(id: "older", expireTime: 10),
            LeaseTimes(id: "later", expireTime: 1000), LeaseTimes(id: "stuck", expireTime: 20, irrevocable: true),
        ])
        #expect(actions == [.scheduleTick(at: 10)])
        #expect(machine.tick(now: 500) == [.revoke("older"), .revoke("old"), .scheduleTick(at: 1000)])
        #expect(machine.phase(of: "stuck") == .irrevocable)
        #expect(machine.irrevocableCount == 1)
    }

    @Test func restoreKeepsWhatIsAlreadyKnown() {
        var machine = Machine()
        machine.register(LeaseTimes(id: "a", expireTime: 900))  // renewed while the restore was reading
        machine.restore([LeaseTimes(id: "a", expireTime: 100), LeaseTimes(id: "b", expireTime: 200)])
        #expect(machine.due(of: "a") == 900)
        #expect(machine.due(of: "b") == 200)
    }

    @Test func failedRevocationsAreRetriedWithBackoffThenMarkedIrrevocable() {
        var machine = Machine(configuration: .init(retryBase: 10, retryCap: 35, maxAttempts: 4))
        machine.register(LeaseTimes(id: "a", expireTime: 100))
        #expect(machine.tick(now: 100) == [.revoke("a")])
        #expect(machine.revocationFailed(id: "a", now: 101) == [.scheduleTick(at: 111)])
        #expect(machine.tick(now: 110) == [.scheduleTick(at: 111)])
        #expect(machine.tick(now: 111) == [.revoke("a")])
        #expect(machine.revocationFailed(id: "a", now: 111) == [.scheduleTick(at: 131)])  // 20 s
        #expect(machine.tick(now: 131) == [.revoke("a")])
        #expect(machine.revocationFailed(id: "a", now: 131) == [.scheduleTick(at: 166)])  // 40 s, capped at 35
        #expect(machine.tick(now: 166) == [.revoke("a")])
        #expect(machine.revocationFailed(id: "a", now: 166) == [.markIrrevocable("a")])
        #expect(machine.phase(of: "a") == .irrevocable)
        #expect(machine.irrevocableCount == 1 && machine.inFlight == 0 && machine.heapCount == 0)
        #expect(machine.tick(now: 100_000) == [])
        // An operator's revocation brings it back.
        #expect(machine.register(LeaseTimes(id: "a", expireTime: 200_000)) == [.scheduleTick(at: 200_000)])
        #expect(machine.irrevocableCount == 0)
    }

    @Test func aSuccessAfterAFailureClearsTheRetries() {
        var machine = Machine()
        machine.register(LeaseTimes(id: "a", expireTime: 100))
        _ = machine.tick(now: 100)
        machine.revocationFailed(id: "a", now: 100)
        #expect(machine.tick(now: 110) == [.revoke("a")])
        #expect(machine.revocationSucceeded(id: "a") == [])
        #expect(machine.count == 0)
        // Reports about leases not being revoked are ignored.
        #expect(machine.revocationFailed(id: "a", now: 120) == [])
        #expect(machine.revocationSucceeded(id: "zzz") == [])
    }

    @Test func aLeaseFoundRenewedIsRescheduled() {
        var machine = Machine()
        machine.register(LeaseTimes(id: "a", expireTime: 100))
        _ = machine.tick(now: 100)
        // Renewals of a lease being revoked are left to the revocation, which re-reads it.
        #expect(machine.renew(id: "a", newExpiry: 500) == [])
        #expect(machine.phase(of: "a") == .revoking)
        #expect(machine.reschedule(id: "a", at: 500) == [.scheduleTick(at: 500)])
        #expect(machine.due(of: "a") == 500)
        #expect(machine.inFlight == 0)
        _ = machine.tick(now: 500)
        #expect(machine.reschedule(id: "a", at: 0) == [])
        #expect(machine.count == 0)
    }

    @Test func revocationsInFlightAreCapped() {
        var machine = Machine(configuration: .init(maxInFlight: 2))
        for i in 0..<5 { machine.register(LeaseTimes(id: "l\(i)", expireTime: 100 + Int64(i))) }
        // At capacity with due leases left: no tick is asked for; a completion asks.
        #expect(machine.tick(now: 200) == [.revoke("l0"), .revoke("l1")])
        #expect(machine.register(LeaseTimes(id: "x", expireTime: 50)) == [])
        #expect(machine.revocationSucceeded(id: "l0") == [.scheduleTick(at: 50)])
        #expect(machine.tick(now: 200) == [.revoke("x")])
        // Removing a lease being revoked frees its place too.
        #expect(machine.remove(id: "l1") == [.scheduleTick(at: 102)])
        #expect(machine.tick(now: 200) == [.revoke("l2")])
        #expect(machine.inFlight == 2)
        #expect(machine.heapIsConsistent())
    }

    @Test func backoffNeverOverflows() {
        let machine = Machine(configuration: .init(retryBase: 10, retryCap: 3600, maxAttempts: 1000))
        #expect(machine.backoff(failures: 1) == 10)
        #expect(machine.backoff(failures: 3) == 40)
        #expect(machine.backoff(failures: 500) == 3600)
    }

    /// Random operations against a plain dictionary model; the heap's invariants hold after
    /// every step and ticks revoke exactly the due leases in (due, age) order.
    @Test(arguments: [1 as UInt64, 2, 3, 42])
    func randomOperationsAgreeWithAModel(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var machine = Machine(configuration: .init(maxInFlight: 1_000_000))
        var model: [String: Int64] = [:]
        var now: Int64 = 0
        for step in 0..<3000 {
            let id = "l\(rng.next(below: 200))"
            switch rng.next(below: 10) {
            case 0..<4:
                let expiry = now + 1 + Int64(rng.next(below: 100))
                if machine.phase(of: id) != .revoking {
                    machine.register(LeaseTimes(id: id, expireTime: expiry))
                    model[id] = expiry
                }
            case 4..<6:
                if model[id] != nil {
                    let expiry = now + 1 + Int64(rng.next(below: 100))
                    machine.renew(id: id, newExpiry: expiry)
                    model[id] = expiry
                }
            case 6:
                machine.remove(id: id)
                model[id] = nil
            default:
                now += Int64(rng.next(below: 20))
                let revoked = Self.revoked(machine.tick(now: now))
                let due = model.filter { $0.value <= now }
                #expect(Set(revoked) == Set(due.keys), "seed \(seed) step \(step)")
                let expiries = revoked.map { model[$0]! }
                #expect(expiries == expiries.sorted(), "seed \(seed) step \(step)")
                for id in revoked {
                    machine.revocationSucceeded(id: id)
                    model[id] = nil
                }
            }
            #expect(machine.heapIsConsistent(), "seed \(seed) step \(step)")
            #expect(machine.count == model.count, "seed \(seed) step \(step)")
        }
    }

    /// 100k leases, one heap, no timers: memory stays at one slot and one heap entry per
    /// lease across mass renewals and removals, and everything runs in O(n log n).
    @Test func holdsAHundredThousandLeasesInBoundedMemory() {
        let count = 100_000
        var rng = SeededGenerator(seed: 7)
        var machine = Machine(configuration: .init(maxInFlight: Int.max / 2))
        let started = ContinuousClock.now
        let ids = (0..<count).map { "db/creds/role/\($0)" }
        for id in ids { machine.register(LeaseTimes(id: id, expireTime: 1_000 + Int64(rng.next(below: 100_000)))) }
        for round in 1...3 {
            for id in ids {
                machine.renew(id: id, newExpiry: 1_000 + Int64(round) * 100_000 + Int64(rng.next(below: 100_000)))
            }
        }
        #expect(machine.count == count)
        #expect(machine.heapCount == count)
        #expect(machine.slotCapacity == count)

        for id in ids[..<(count / 2)] { machine.remove(id: id) }
        #expect(machine.count == count / 2)
        #expect(machine.heapCount == count / 2)
        // New leases reuse the freed slots.
        for i in 0..<(count / 2) { machine.register(LeaseTimes(id: "pki/issue/\(i)", expireTime: 500_000 + Int64(i))) }
        #expect(machine.slotCapacity == count)
        #expect(machine.heapCount == count)
        #expect(machine.heapIsConsistent())

        // Draining in time order revokes every lease exactly once.
        var revoked = 0
        var now: Int64 = 0
        while let at = machine.scheduledTick ?? (machine.heapCount > 0 ? now + 1 : nil) {
            now = max(now, at) + 10_000
            for id in Self.revoked(machine.tick(now: now)) {
                machine.revocationSucceeded(id: id)
                revoked += 1
            }
        }
        #expect(revoked == count)
        #expect(machine.count == 0 && machine.heapCount == 0 && machine.slotCapacity == count)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }
}
