import GRDB
import Logging

extension SQLiteBackend {
    /// The writer loop: runs on GRDB's writer queue until the commit queue is empty.
    ///
    /// Started by the ``commit(_:)`` that found no writer running; while it writes one
    /// group, later commits queue up and become the next group.
    func drain(_ db: Database) {
        while true {
            let next: [GroupCommitQueue<CheckedContinuation<Void, any Error>>.Entry]? = state.withLock { state in
                guard let group = state.queue.nextGroup(maximumBatches: Self.maximumGroupSize) else { return nil }
                return group
            }
            guard let group = next else {
                // The writer has stopped; a closer waiting for it may now release the file.
                let closeWaiters = state.withLock { state in
                    defer { state.closeWaiters.removeAll() }
                    return state.closeWaiters
                }
                for waiter in closeWaiters { waiter.resume() }
                return
            }

            // Each committed transaction updated the read cache before this returns, so an
            // acknowledged write reads back at once.
            let outcome = write(group.map(\.batch), db)
            var failed: [StorageBatch] = []
            for (entry, result) in zip(group, outcome.results) {
                if case .failure = result { failed.append(entry.batch) }
            }
            if !failed.isEmpty { readCache.invalidate(failed) }
            state.withLock { $0.queue.recordCommitted(transactions: outcome.transactions, batches: outcome.batches) }
            for (entry, result) in zip(group, outcome.results) {
                entry.waiter.resume(with: result)
            }
        }
    }

    /// What writing a group achieved: one result per batch, in order, and the counts.
    struct GroupOutcome {
        var results: [Result<Void, any Error>]
        var transactions: Int
        var batches: Int
    }

    /// Writes `batches` in one transaction; on failure, retries each alone.
    func write(_ batches: [StorageBatch], _ db: Database) -> GroupOutcome {
        do {
            try transaction(batches, db)
            return GroupOutcome(results: Array(repeating: .success(()), count: batches.count),
                                transactions: 1, batches: batches.count)
        } catch {
            guard batches.count > 1 else {
                logFailure(error, batches: 1)
                return GroupOutcome(results: [.failure(wrapped(error, "commit"))], transactions: 0, batches: 0)
            }
            logFailure(error, batches: batches.count)
        }

        var outcome = GroupOutcome(results: [], transactions: 0, batches: 0)
        for batch in batches {
            do {
                try transaction([batch], db)
                outcome.results.append(.success(()))
                outcome.transactions += 1
                outcome.batches += 1
            } catch {
                logFailure(error, batches: 1)
                outcome.results.append(.failure(wrapped(error, "commit")))
            }
        }
        return outcome
    }

    /// One write transaction: the batches, the interceptor's operations, the hook. Then,
    /// once durable, tells the interceptor and updates the read cache, in that order and
    /// before the next transaction starts, so an interceptor never sees a step whose
    /// predecessor is not yet readable.
    private func transaction(_ batches: [StorageBatch], _ db: Database) throws {
        let interceptor = self.interceptor.withLock { $0 }
        // Set once `prepare` returned: from then on the interceptor must hear the outcome.
        var prepared = false
        var extra: [StorageOperation] = []
        do {
            try db.inTransaction(.immediate) {
                for batch in batches {
                    for operation in batch.operations {
                        try Self.apply(operation, db)
                    }
                }
                if let interceptor {
                    do {
                        extra = try interceptor.prepare(batches)
                    } catch {
                        throw TransactionHookFailure(underlying: error)
                    }
                    prepared = true
                    for operation in extra {
                        try Self.apply(operation, db)
                    }
                }
                if let transactionHook {
                    do {
                        try transactionHook(db, batches)
                    } catch {
                        throw TransactionHookFailure(underlying: error)
                    }
                }
                return .commit
            }
        } catch {
            if prepared { interceptor?.aborted() }
            throw error
        }
        if prepared { interceptor?.committed() }
        readCache.apply(batches, forgetting: extra)
    }

    private func logFailure(_ error: any Error, batches: Int) {
        // The error's type and code only: descriptions of hook errors are not ours to trust.
        var metadata: Logger.Metadata = ["storage.backend": "sqlite", "storage.batches": "\(batches)"]
        if let databaseError = error as? DatabaseError {
            metadata["sqlite.code"] = "\(databaseError.resultCode)"
        } else {
            metadata["error.type"] = "\(type(of: error))"
        }
        logger.warning(
            batches > 1 ? "storage group commit failed; retrying batches one by one" : "storage commit failed",
            metadata: metadata)
    }
}
