import CofferBarrier
import CofferLogical

/// What ``ExpirationManager/restore()`` loaded.
struct LeaseRestoreReport: Sendable, Hashable {
    var leasesLoaded = 0
    /// Records that could not be read; left in place (tidy counts them, force deletes them).
    var unreadableRecords = 0
}

/// The expiry loop: one task that ticks the state machine when the next lease is due (or
/// when an input asks for an earlier tick) and runs the revocations it hands out as child
/// tasks of one task group, at most ``ExpirationStateMachine/Configuration/maxInFlight``
/// at a time.
extension ExpirationManager {
    /// Starts the loop (once; later calls do nothing until ``stop()``). With `restoring`,
    /// the loop first loads every stored lease (retrying on failure), so expired ones are
    /// revoked promptly; requests may use the manager meanwhile (storage is the truth).
    func start(restoring: Bool = true) {
        loopTask.withLock { task in
            guard task == nil else { return }
            task = Task { await self.run(restoring: restoring) }
        }
    }

    /// Ends the loop and waits for it and its running revocations (which see
    /// cancellation). Call before sealing the barrier. The manager forgets its schedule:
    /// starting again restores from storage.
    func stop() async {
        let task = loopTask.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        guard let task else { return }
        task.cancel()
        await task.value
        machine.withLock { $0 = ExpirationStateMachine(configuration: $0.configuration) }
        _ = wake.take()
    }

    /// Loads every stored lease into the state machine. Leases it already tracks keep
    /// their schedule (what happened since is newer than what this read).
    @discardableResult
    func restore() async throws -> LeaseRestoreReport {
        var report = LeaseRestoreReport()
        var batch: [LeaseTimes] = []
        try await forEachLeaseID(under: "") { id in
            do {
                if let record = try await lookup(id: id) {
                    batch.append(record.times)
                    report.leasesLoaded += 1
                }
            } catch where Self.isUnreadable(error) {
                report.unreadableRecords += 1
                logger.error("expiration: unreadable lease record", metadata: ["lease_id": "\(id)", "error": "\(error)"])
            }
            if batch.count >= Self.listPageSize {
                let leases = batch
                await handle(machine.withLock { $0.restore(leases) })
                batch.removeAll(keepingCapacity: true)
            }
        }
        let leases = batch
        await handle(machine.withLock { $0.restore(leases) })
        return report
    }

    // MARK: The loop

    func run(restoring: Bool) async {
        if restoring {
            guard await restoreUntilDone() else { return }
        }
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let actions = machine.withLock { $0.tick(now: clock.now()) }
                var next: Int64?
                for action in actions {
                    switch action {
                    case .revoke(let id):
                        group.addTask { await self.expire(id) }
                    case .scheduleTick(let at):
                        next = min(next ?? at, at)
                    case .markIrrevocable(let id):
                        group.addTask { await self.markIrrevocable(id) }
                    }
                }
                if let requested = wake.take() { next = min(next ?? requested, requested) }
                if let next, next <= clock.now() {
                    await Task.yield()
                    continue
                }
                // With nothing scheduled the loop still looks in now and then: a cheap
                // safety net, and a test clock always sees the loop asleep on it.
                await waitForTick(at: next ?? clock.now() + Self.idleTick)
            }
        }
    }

    /// Seconds between ticks when no lease is scheduled.
    static let idleTick: Int64 = 3600

    /// Returns at `deadline`, when an earlier tick is requested, or on cancellation.
    private func waitForTick(at deadline: Int64) async {
        await withTaskGroup(of: Void.self) { race in
            race.addTask { try? await self.clock.sleepUntil(deadline) }
            race.addTask { await self.wake.wait() }
            await race.next()
            race.cancelAll()
        }
    }

    /// Revokes a lease the state machine found due, and reports the outcome.
    private func expire(_ id: String) async {
        do {
            switch try await revokeStored(id: id, onlyIfExpired: true, force: false) {
            case .revoked, .absent:
                break  // revokeStored told the machine
            case .notDue(let at):
                await handle(machine.withLock { $0.reschedule(id: id, at: at) })
            }
        } catch {
            if Task.isCancelled { return }
            logger.warning("expiration: failed to revoke an expired lease; will retry", metadata: ["lease_id": "\(id)", "error": "\(error)"])
            let now = clock.now()
            await handle(machine.withLock { $0.revocationFailed(id: id, now: now) })
        }
    }

    /// ``restore()``, retried with backoff until it succeeds; false when cancelled first.
    private func restoreUntilDone() async -> Bool {
        var delay: Int64 = 1
        while !Task.isCancelled {
            do {
                let report = try await restore()
                logger.info("expiration: leases restored", metadata: [
                    "leases": "\(report.leasesLoaded)", "unreadable": "\(report.unreadableRecords)",
                ])
                return true
            } catch {
                if Task.isCancelled { return false }
                logger.error("expiration: restoring leases failed; retrying", metadata: ["error": "\(error)"])
                do {
                    try await clock.sleepUntil(clock.now() + delay)
                } catch {
                    return false
                }
                delay = min(delay * 2, 60)
            }
        }
        return false
    }
}
