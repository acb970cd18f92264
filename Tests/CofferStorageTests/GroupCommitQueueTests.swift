@testable import CofferStorage
import Testing

@Suite struct GroupCommitQueueTests {
    private func batch(_ key: String) -> StorageBatch { StorageBatch([.put(key: key, value: [1])]) }

    @Test func theFirstEnqueueStartsTheWriterAndLaterOnesQueue() {
        var queue = GroupCommitQueue<Int>()
        #expect(queue.enqueue(batch("a"), 1) == .startWriter)
        #expect(queue.enqueue(batch("b"), 2) == .queued)
        #expect(queue.isWriterRunning)
        #expect(queue.nextGroup(maximumBatches: 10)?.map(\.waiter) == [1, 2])
        #expect(queue.enqueue(batch("c"), 3) == .queued)
        #expect(queue.enqueue(batch("d"), 4) == .queued)
        #expect(queue.nextGroup(maximumBatches: 10)?.map(\.waiter) == [3, 4])
        #expect(queue.nextGroup(maximumBatches: 10) == nil)
        #expect(!queue.isWriterRunning)
        #expect(queue.enqueue(batch("e"), 5) == .startWriter)
    }

    @Test func groupsKeepArrivalOrderAndRespectTheMaximum() {
        var queue = GroupCommitQueue<Int>()
        for waiter in 0..<10 { _ = queue.enqueue(batch("k\(waiter)"), waiter) }
        #expect(queue.nextGroup(maximumBatches: 4)?.map(\.waiter) == [0, 1, 2, 3])
        #expect(queue.queuedCount == 6)
        #expect(queue.nextGroup(maximumBatches: 4)?.map(\.batch) == (4..<8).map { batch("k\($0)") })
        #expect(queue.nextGroup(maximumBatches: 4)?.map(\.waiter) == [8, 9])
        #expect(queue.nextGroup(maximumBatches: 4) == nil)
    }

    @Test func closeRefusesNewWorkButKeepsQueuedWork() {
        var queue = GroupCommitQueue<Int>()
        _ = queue.enqueue(batch("a"), 1)
        #expect(queue.close() == .waitForWriter)
        #expect(queue.close() == .alreadyClosed)
        #expect(queue.enqueue(batch("b"), 2) == .rejectClosed)
        #expect(queue.nextGroup(maximumBatches: 10)?.map(\.waiter) == [1])
        #expect(queue.nextGroup(maximumBatches: 10) == nil)

        var idle = GroupCommitQueue<Int>()
        #expect(idle.close() == .closeNow)
    }

    @Test func countsTransactionsAndBatches() {
        var queue = GroupCommitQueue<Int>()
        queue.recordCommitted(transactions: 1, batches: 5)
        queue.recordCommitted(transactions: 2, batches: 2)
        #expect(queue.transactions == 3)
        #expect(queue.batches == 7)
    }
}
