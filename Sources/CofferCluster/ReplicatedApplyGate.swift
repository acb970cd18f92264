import CofferCore
import CofferLogical
import CofferReplication
import CofferStorage
import Synchronization

/// Serialises everything a secondary applies from its primary (the stream's batches,
/// Merkle sync steps, and the records a forwarded write brings back with its answer) and
/// keeps the applied index they share.
///
/// Why a gate: the replicator loop applies the stream in order, but a forwarded write's
/// answer may carry the same records earlier. Each apply runs under one FIFO lock and
/// skips records at or below the applied index, so a record is never applied twice out
/// of order and `last_remote_wal` never moves backwards on the stream path. In-line
/// applies are accepted only while the replicator streams (never during a Merkle sync)
/// and only when they join the applied index without a gap.
final class ReplicatedApplyGate: Sendable {
    private struct State {
        var applied: UInt64 = 0
        var inlineAllowed = false
    }
    private let state = Mutex(State())
    private let lock = KeyedLockTable(stripeCount: 1)
    /// Forwarded writes wait here for the index their write reached.
    let waiters = AppliedIndexWaiters()

    /// The index of the last primary record applied here.
    var appliedIndex: UInt64 { state.withLock { $0.applied } }

    /// Whether in-line applies are accepted now (the replicator streams).
    var inlineAllowed: Bool { state.withLock { $0.inlineAllowed } }

    /// At replicator start: the index storage holds.
    func reset(to index: UInt64) {
        state.withLock { $0 = State(applied: index, inlineAllowed: false) }
        waiters.update(index)
    }

    func setInlineAllowed(_ allowed: Bool) {
        state.withLock { $0.inlineAllowed = allowed }
    }

    /// A stream batch ending at `through` (gap-free from the replicator's own applied
    /// index): commits the records above the gate's applied index with
    /// `last_remote_wal = through`, in one storage batch.
    func applyStream(_ records: [WALRecord], through: UInt64, core: Core) async throws {
        try await lock.withLock("") {
            let current = appliedIndex
            guard through > current else { return }
            try await core.applyReplicated(records.filter { $0.index > current }, lastRemoteIndex: through)
            advance(to: through)
        }
    }

    /// The records a forwarded write's answer carried: every record in
    /// (`after`, `through`]. Applied when they join the applied index; true when the
    /// applied index has reached `through` afterwards.
    func applyInline(_ records: [WALRecord], after: UInt64, through: UInt64, core: Core) async throws -> Bool {
        guard inlineAllowed, through > after,
              records.count == Int(through - after),
              records.enumerated().allSatisfy({ $0.element.index == after + 1 + UInt64($0.offset) })
        else { return appliedIndex >= through }
        return try await lock.withLock("") {
            let current = appliedIndex
            if current >= through { return true }
            guard current >= after, inlineAllowed else { return false }
            try await core.applyReplicated(records.filter { $0.index > current }, lastRemoteIndex: through)
            advance(to: through)
            return true
        }
    }

    /// One Merkle sync step; the applied index becomes what storage then holds.
    func applySync(_ operations: [StorageOperation], reachedIndex: UInt64?, core: Core) async throws -> UInt64 {
        try await lock.withLock("") {
            try await core.applySyncBatch(operations, reachedIndex: reachedIndex)
            let index = try await core.lastRemoteWAL()
            state.withLock { $0.applied = index }
            waiters.update(index)
            return index
        }
    }

    private func advance(to index: UInt64) {
        state.withLock { $0.applied = max($0.applied, index) }
        waiters.update(index)
    }
}

/// Waiters for the secondary's applied index (forwarded writes wait to read their own).
final class AppliedIndexWaiters: Sendable {
    private struct Waiter {
        let id: UInt64
        let index: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }
    private struct State {
        var index: UInt64 = 0
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
        /// Timeouts that fired before their waiter was registered.
        var expiredEarly: Set<UInt64> = []
    }
    private let state = Mutex(State())

    func update(_ index: UInt64) {
        let ready = state.withLock { s -> [Waiter] in
            s.index = max(s.index, index)
            let current = s.index
            let done = s.waiters.filter { $0.index <= current }
            s.waiters.removeAll { $0.index <= current }
            return done
        }
        for waiter in ready { waiter.continuation.resume(returning: true) }
    }

    /// Waits until the applied index reaches `index` or `millis` pass; true if it did.
    /// Each wait is its own waiter: a timeout releases only itself.
    func wait(for index: UInt64, millis: Int64) async -> Bool {
        let id: UInt64? = state.withLock { s in
            if s.index >= index { return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return true }
        let timeout = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(millis))
            if !Task.isCancelled { self?.expire(id) }
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { continuation in
            let answer = state.withLock { s -> Bool? in
                if s.index >= index { return true }
                if s.expiredEarly.remove(id) != nil { return false }
                s.waiters.append(Waiter(id: id, index: index, continuation: continuation))
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    private func expire(_ id: UInt64) {
        let expired = state.withLock { s -> Waiter? in
            guard let position = s.waiters.firstIndex(where: { $0.id == id }) else {
                s.expiredEarly.insert(id)
                return nil
            }
            return s.waiters.remove(at: position)
        }
        expired?.continuation.resume(returning: false)
    }
}
