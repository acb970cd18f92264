/// When a lease is due, which is all the expiration state machine knows of it.
struct LeaseTimes: Sendable, Hashable {
    var id: String
    /// Unix seconds; 0 means the lease never expires (it is not tracked).
    var expireTime: Int64
    /// Revocation already gave up on it (it has a stored revocation error): tracked, never
    /// scheduled, until something removes it.
    var irrevocable: Bool

    init(id: String, expireTime: Int64, irrevocable: Bool = false) {
        self.id = id
        self.expireTime = expireTime
        self.irrevocable = irrevocable
    }
}

/// What the expiration state machine asks its shell to do.
enum ExpirationAction: Sendable, Hashable {
    /// Revoke this lease now, then report ``ExpirationStateMachine/revocationSucceeded(id:)``,
    /// ``ExpirationStateMachine/revocationFailed(id:now:)`` or
    /// ``ExpirationStateMachine/reschedule(id:at:)`` (the stored lease turned out renewed).
    case revoke(String)
    /// Call ``ExpirationStateMachine/tick(now:)`` at this unix second (or at once if it has
    /// passed). Replaces any later tick asked for before.
    case scheduleTick(at: Int64)
    /// Revocation failed too often: record that the lease is irrevocable. It stays stored
    /// (an operator can force it) and is no longer retried.
    case markIrrevocable(String)
}

/// Lease expiry as a pure state machine (STYLE.md rule 1): inputs are events with the time
/// passed in, outputs are ``ExpirationAction``s; no IO, no clock, no suspension.
///
/// One timer for all leases: an indexed binary min-heap of due times. Every lease is one
/// slot (slots are reused through a free list) and at most one heap entry, so memory is
/// proportional to the number of leases tracked, however often they are renewed or
/// removed, and every input costs O(log n).
///
/// A lease is in one ``Phase``:
/// - `scheduled`: in the heap, due at its expiry (or at its next retry after a failure).
/// - `revoking`: handed to the shell by ``tick(now:)``; out of the heap until the shell
///   reports the outcome. At most ``Configuration/maxInFlight`` leases are revoking at once.
/// - `irrevocable`: failed ``Configuration/maxAttempts`` times; kept for counting only.
///
/// Failed revocations are retried after `retryBase * 2^(failures - 1)` seconds, at most
/// `retryCap`, until `maxAttempts` failures.
struct ExpirationStateMachine: Sendable {
    struct Configuration: Sendable, Hashable {
        /// Seconds before the first retry; doubles after every further failure.
        var retryBase: Int64 = 10
        /// The longest wait between two attempts.
        var retryCap: Int64 = 3600
        /// Failures after which a lease is marked irrevocable.
        var maxAttempts: Int = 6
        /// Revocations handed out and not yet reported, at most.
        var maxInFlight: Int = 64

        init(retryBase: Int64 = 10, retryCap: Int64 = 3600, maxAttempts: Int = 6, maxInFlight: Int = 64) {
            precondition(retryBase > 0 && retryCap >= retryBase && maxAttempts > 0 && maxInFlight > 0)
            self.retryBase = retryBase
            self.retryCap = retryCap
            self.maxAttempts = maxAttempts
            self.maxInFlight = maxInFlight
        }
    }

    enum Phase: Sendable, Hashable {
        case scheduled
        case revoking
        case irrevocable
    }

    struct Slot {
        var id: String
        /// When the lease is due (expiry, or next retry).
        var due: Int64
        /// Tie-break among equal due times: first scheduled, first revoked.
        var order: UInt64
        var phase: Phase
        var failures: Int
        /// Position in ``heap``; -1 when not in it (revoking, irrevocable, free).
        var heapIndex: Int
    }

    let configuration: Configuration
    /// Slot storage; free slots have an empty id and are listed in ``freeSlots``.
    var slots: [Slot] = []
    var freeSlots: [Int] = []
    /// Lease id → slot.
    var handles: [String: Int] = [:]
    /// Slots of scheduled leases, a binary min-heap on (due, order).
    var heap: [Int] = []
    var nextOrder: UInt64 = 0
    /// Leases handed out by ``tick(now:)`` and not yet reported back.
    private(set) var inFlight = 0
    /// The tick the shell was last asked for and has not yet performed.
    private(set) var scheduledTick: Int64?
    private(set) var irrevocableCount = 0

    init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    // MARK: Queries

    /// Leases tracked, in any phase.
    var count: Int { handles.count }
    /// Heap entries: exactly the scheduled leases (no stale entries are ever kept).
    var heapCount: Int { heap.count }
    /// Slots allocated: the most leases ever tracked at once.
    var slotCapacity: Int { slots.count }

    func phase(of id: String) -> Phase? {
        handles[id].map { slots[$0].phase }
    }

    /// When a scheduled lease is next due; nil when it is not scheduled.
    func due(of id: String) -> Int64? {
        guard let slot = handles[id], slots[slot].phase == .scheduled else { return nil }
        return slots[slot].due
    }

    /// Ids of the irrevocable leases, sorted.
    var irrevocableIDs: [String] {
        handles.compactMap { slots[$0.value].phase == .irrevocable ? $0.key : nil }.sorted()
    }

    // MARK: Inputs

    /// A new lease (or a known one with fresh times). A lease being revoked is left alone:
    /// the shell re-reads the stored lease before revoking and reports what it found.
    @discardableResult
    mutating func register(_ lease: LeaseTimes) -> [ExpirationAction] {
        if let slot = handles[lease.id], slots[slot].phase == .revoking { return [] }
        guard lease.expireTime > 0 || lease.irrevocable else {
            return remove(id: lease.id)
        }
        let slot = handles[lease.id] ?? allocate(lease.id)
        place(slot, due: lease.expireTime, phase: lease.irrevocable ? .irrevocable : .scheduled)
        return maybeSchedule()
    }

    /// The lease now expires at `newExpiry` (renewal, or revocation brought forward). An
    /// unknown lease is registered; a revoking or irrevocable one is left as it is.
    @discardableResult
    mutating func renew(id: String, newExpiry: Int64) -> [ExpirationAction] {
        if let slot = handles[id], slots[slot].phase != .scheduled { return [] }
        return register(LeaseTimes(id: id, expireTime: newExpiry))
    }

    /// Forgets a lease (revoked, or deleted by force), in any phase.
    @discardableResult
    mutating func remove(id: String) -> [ExpirationAction] {
        guard let slot = handles[id] else { return [] }
        let wasRevoking = slots[slot].phase == .revoking
        release(slot)
        guard wasRevoking else { return [] }
        inFlight -= 1
        return maybeSchedule()
    }

    /// Hands out every scheduled lease due at `now` (as capacity allows) and asks for the
    /// next tick.
    mutating func tick(now: Int64) -> [ExpirationAction] {
        scheduledTick = nil
        var actions: [ExpirationAction] = []
        while inFlight < configuration.maxInFlight, let top = heap.first, slots[top].due <= now {
            heapRemove(at: 0)
            slots[top].phase = .revoking
            inFlight += 1
            actions.append(.revoke(slots[top].id))
        }
        return actions + maybeSchedule()
    }

    /// The shell revoked the lease (or found it already gone).
    @discardableResult
    mutating func revocationSucceeded(id: String) -> [ExpirationAction] {
        guard let slot = handles[id], slots[slot].phase == .revoking else { return [] }
        return remove(id: id)
    }

    /// The shell's revocation of the lease failed at `now`: retry later, or give up.
    @discardableResult
    mutating func revocationFailed(id: String, now: Int64) -> [ExpirationAction] {
        guard let slot = handles[id], slots[slot].phase == .revoking else { return [] }
        inFlight -= 1
        slots[slot].failures += 1
        let failures = slots[slot].failures
        if failures >= configuration.maxAttempts {
            slots[slot].phase = .irrevocable
            irrevocableCount += 1
            return [.markIrrevocable(id)] + maybeSchedule()
        }
        slots[slot].phase = .scheduled
        slots[slot].due = now + backoff(failures: failures)
        slots[slot].order = takeOrder()
        heapInsert(slot)
        return maybeSchedule()
    }

    /// The shell found the lease it was to revoke renewed: it is due at `at` again
    /// (0: it no longer expires, so it is forgotten).
    @discardableResult
    mutating func reschedule(id: String, at: Int64) -> [ExpirationAction] {
        guard let slot = handles[id], slots[slot].phase == .revoking else { return [] }
        inFlight -= 1
        guard at > 0 else {
            release(slot)
            return maybeSchedule()
        }
        slots[slot].failures = 0
        slots[slot].phase = .scheduled
        slots[slot].due = at
        slots[slot].order = takeOrder()
        heapInsert(slot)
        return maybeSchedule()
    }

    /// Leases loaded from storage after unseal. A lease already known is kept as it is:
    /// what happened since the load started is newer than what the load read.
    @discardableResult
    mutating func restore(_ leases: [LeaseTimes]) -> [ExpirationAction] {
        for lease in leases where handles[lease.id] == nil && (lease.expireTime > 0 || lease.irrevocable) {
            place(allocate(lease.id), due: lease.expireTime, phase: lease.irrevocable ? .irrevocable : .scheduled)
        }
        return maybeSchedule()
    }

    // MARK: Helpers

    /// Seconds to wait before the attempt after `failures` failures.
    func backoff(failures: Int) -> Int64 {
        let shift = min(failures - 1, 62)
        let (delay, overflow) = configuration.retryBase.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? configuration.retryCap : min(delay, configuration.retryCap)
    }

    /// Asks for a tick at the earliest scheduled due time, unless one at or before it is
    /// already asked for, or revocations are at capacity (a completion asks then).
    private mutating func maybeSchedule() -> [ExpirationAction] {
        guard inFlight < configuration.maxInFlight, let top = heap.first else { return [] }
        let due = slots[top].due
        if let scheduled = scheduledTick, scheduled <= due { return [] }
        scheduledTick = due
        return [.scheduleTick(at: due)]
    }

    /// Puts a tracked, non-revoking slot in `phase` with due time `due`.
    private mutating func place(_ slot: Int, due: Int64, phase: Phase) {
        if slots[slot].phase == .irrevocable { irrevocableCount -= 1 }
        if phase == .irrevocable { irrevocableCount += 1 }
        slots[slot].failures = 0
        slots[slot].phase = phase
        slots[slot].due = due
        slots[slot].order = takeOrder()
        let index = slots[slot].heapIndex
        switch (phase, index >= 0) {
        case (.scheduled, true):
            heapFix(at: index)
        case (.scheduled, false):
            heapInsert(slot)
        case (_, true):
            heapRemove(at: index)
        case (_, false):
            break
        }
    }

    private mutating func allocate(_ id: String) -> Int {
        let slot: Int
        let fresh = Slot(id: id, due: 0, order: 0, phase: .scheduled, failures: 0, heapIndex: -1)
        if let reused = freeSlots.popLast() {
            slot = reused
            slots[slot] = fresh
        } else {
            slot = slots.count
            slots.append(fresh)
        }
        handles[id] = slot
        return slot
    }

    private mutating func release(_ slot: Int) {
        if slots[slot].heapIndex >= 0 { heapRemove(at: slots[slot].heapIndex) }
        if slots[slot].phase == .irrevocable { irrevocableCount -= 1 }
        handles[slots[slot].id] = nil
        slots[slot] = Slot(id: "", due: 0, order: 0, phase: .scheduled, failures: 0, heapIndex: -1)
        freeSlots.append(slot)
    }

    private mutating func takeOrder() -> UInt64 {
        nextOrder &+= 1
        return nextOrder
    }
}
