/// The bookkeeping of group commit, without IO: who waits, who writes, what is counted.
///
/// Callers ``enqueue(_:_:)`` their batch with a waiter (a continuation in production). At
/// most one writer drains the queue at a time: the enqueue that finds no writer running
/// is told to start one. The writer repeatedly takes ``nextGroup(maximumBatches:)`` (every
/// batch queued so far, in arrival order), writes it in one transaction, reports with
/// ``recordCommitted(transactions:batches:)`` and resumes the group's waiters. When the
/// queue is empty the writer stops, and the next enqueue starts a new one; so there is no
/// long-lived writer task to stop.
///
/// While one group's transaction is in flight, new batches accumulate here; that queueing
/// is what coalesces concurrent commits into one fsync.
struct GroupCommitQueue<Waiter> {
    /// One caller's batch and how to answer it.
    struct Entry {
        var batch: StorageBatch
        var waiter: Waiter
    }

    /// What the caller of ``enqueue(_:_:)`` must do.
    enum EnqueueAction {
        /// The batch is queued and no writer runs: start one.
        case startWriter
        /// The batch is queued behind a running writer, which will pick it up.
        case queued
        /// The backend is closed; the batch was not queued.
        case rejectClosed
    }

    /// What the caller of ``close()`` must do.
    enum CloseAction {
        /// No writer runs and none can start: release the database now.
        case closeNow
        /// Wait until the running writer stops (``nextGroup(maximumBatches:)`` returns nil).
        case waitForWriter
        /// Someone already closed the backend.
        case alreadyClosed
    }

    private var entries: [Entry] = []
    private var head = 0
    private(set) var isWriterRunning = false
    private(set) var isClosed = false
    private(set) var transactions = 0
    private(set) var batches = 0

    init() {}

    /// The number of batches waiting for a writer (not counting the group being written).
    var queuedCount: Int { entries.count - head }

    mutating func enqueue(_ batch: StorageBatch, _ waiter: Waiter) -> EnqueueAction {
        guard !isClosed else { return .rejectClosed }
        entries.append(Entry(batch: batch, waiter: waiter))
        if isWriterRunning { return .queued }
        isWriterRunning = true
        return .startWriter
    }

    /// The next group to write, oldest first, at most `maximumBatches` long; nil when the
    /// queue is empty, in which case the writer has stopped and must return.
    mutating func nextGroup(maximumBatches: Int) -> [Entry]? {
        precondition(isWriterRunning, "only the running writer takes groups")
        guard head < entries.count else {
            entries.removeAll(keepingCapacity: entries.capacity <= 1024)
            head = 0
            isWriterRunning = false
            return nil
        }
        let end = min(entries.count, head + max(1, maximumBatches))
        let group = Array(entries[head..<end])
        head = end
        if head == entries.count {
            entries.removeAll(keepingCapacity: entries.capacity <= 1024)
            head = 0
        } else if head > 4096 {
            entries.removeFirst(head)
            head = 0
        }
        return group
    }

    mutating func recordCommitted(transactions: Int, batches: Int) {
        self.transactions += transactions
        self.batches += batches
    }

    /// Refuses every later enqueue. Batches already queued are still written.
    mutating func close() -> CloseAction {
        guard !isClosed else { return .alreadyClosed }
        isClosed = true
        return isWriterRunning ? .waitForWriter : .closeNow
    }
}
