/// Reading the log: what a log shipper streams to secondaries.
extension ReplicationLog {
    /// Up to `limit` records following `index`, in order and gap-free.
    ///
    /// Served from the in-memory tail when it holds them, else read from storage. Returns
    /// `.records([])` when `index >= lastIndex` (nothing new: wait with
    /// ``waitForIndex(above:)``) or `limit <= 0`, and `.truncated(oldestIndex:)` when the
    /// record after `index` is no longer retained. Throws the backend's error, or
    /// ``WALError`` for a stored record that is damaged or under the wrong key.
    public func records(after index: UInt64, limit: Int) async throws -> WALRead {
        guard limit > 0 else { return .records([]) }
        enum Plan {
            case answer(WALRead)
            case readStorage(from: UInt64, through: UInt64)
        }
        let plan: Plan = state.withLock { state in
            guard index < state.lastIndex else { return .answer(.records([])) }
            guard index + 1 >= state.oldestIndex else { return .answer(.truncated(oldestIndex: state.oldestIndex)) }
            if let first = state.tail.firstIndex, index + 1 >= first {
                return .answer(.records(state.tail.records(from: index + 1, limit: limit)))
            }
            let below = state.tail.firstIndex.map { $0 - 1 } ?? state.lastIndex
            let through = min(below, index + UInt64(limit))
            return .readStorage(from: index + 1, through: through)
        }
        switch plan {
        case .answer(let answer):
            return answer
        case .readStorage(let from, let through):
            var records: [WALRecord] = []
            records.reserveCapacity(Int(through - from + 1))
            for wanted in from...through {
                guard let bytes = try await storage.get(Self.walKey(wanted)) else {
                    // Truncated while we read, or wiped: answer with what is kept now.
                    let oldest = oldestIndex
                    if wanted < oldest { return .truncated(oldestIndex: oldest) }
                    throw WALError(.corrupt, "WAL record \(wanted) is missing from storage although retained")
                }
                let record = try WALCodec.decode(bytes)
                guard record.index == wanted else {
                    throw WALError(.corrupt, "storage key of WAL record \(wanted) holds record \(record.index)")
                }
                records.append(record)
            }
            if records.count < limit {
                // Continue from the tail, only if it still joins on without a gap.
                let more = state.withLock { $0.tail.records(from: through + 1, limit: limit - records.count) }
                records += more
            }
            return .records(records)
        }
    }

    /// Returns once ``lastIndex`` is above `index`, or the calling task is cancelled.
    ///
    /// Waiters are parked continuations resumed by the commit that moves `lastIndex`
    /// past them; any number may wait at once; nothing polls.
    public func waitForIndex(above index: UInt64) async {
        let id: Int? = state.withLock { state in
            guard state.lastIndex <= index else { return nil }
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    // A cancellation that ran its handler before this registration sets
                    // the flag first, so checking it under the lock misses no wake-up.
                    if state.lastIndex > index || Task.isCancelled { return true }
                    state.waiters[id] = Waiter(above: index, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }
}
