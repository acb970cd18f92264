import CofferStorage
import Testing
@testable import CofferReplication

@Suite struct LogShipperTests {
    static func record(_ index: UInt64, _ key: String = "k", bytes: Int = 1) -> WALRecord {
        WALRecord(index: index, operation: .put(key: "\(key)\(index)", value: Array(repeating: 7, count: bytes)))
    }

    static func records(_ range: ClosedRange<UInt64>) -> [WALRecord] {
        range.map { record($0) }
    }

    /// A shipper started at `afterIndex` whose log holds `oldest...last`.
    static func started(after: UInt64, oldest: UInt64 = 1, last: UInt64, configuration: LogShipper.Configuration = .init()) -> (LogShipper, [LogShipper.Action]) {
        var shipper = LogShipper(configuration: configuration)
        let actions = shipper.handle(.start(afterIndex: after, oldestIndex: oldest, lastIndex: last, nowMillis: 0))
        return (shipper, actions)
    }

    @Test func startReadsAfterTheAskedIndexAndSendsWhatItReads() {
        var (shipper, actions) = Self.started(after: 3, last: 5)
        #expect(actions == [.read(afterIndex: 3, limit: 1024)])
        #expect(shipper.phase == .streaming)
        #expect(shipper.handle(.readCompleted(.records(Self.records(4...5)))) == [
            .send(.records(Self.records(4...5), lastIndex: 5)),
        ])
        #expect(shipper.cursor == 5)
    }

    @Test func startWhenCaughtUpWaitsForTheLog() {
        var (shipper, actions) = Self.started(after: 5, last: 5)
        #expect(actions.isEmpty)
        #expect(shipper.handle(.logAdvanced(lastIndex: 6)) == [.read(afterIndex: 5, limit: 1024)])
        #expect(shipper.handle(.readCompleted(.records([Self.record(6)]))) == [.send(.records([Self.record(6)], lastIndex: 6))])
    }

    /// A forced sync (oldest = max: a new secondary, a changed paths filter) asks for one
    /// sync even when the secondary is caught up, and the `startStream` it sends after
    /// that sync streams, even while the primary keeps writing (it used to loop: the
    /// forced oldest index stuck to the shipper and every restart asked for a sync again).
    @Test func aForcedSyncHappensOnceThenTheStreamFollows() {
        var (shipper, actions) = Self.started(after: 5, oldest: .max, last: 5)
        #expect(actions == [.send(.needSync(oldestIndex: 0, lastIndex: 5))])
        #expect(shipper.handle(.logAdvanced(lastIndex: 9)).isEmpty)
        let after = shipper.handle(.received(.startStream(afterIndex: 7), nowMillis: 1))
        #expect(after == [.read(afterIndex: 7, limit: 1024)])
        #expect(shipper.phase == .streaming)
    }

    @Test func startOnAnEmptyLogAtZeroIsCaughtUp() {
        let (shipper, actions) = Self.started(after: 0, oldest: 1, last: 0)
        #expect(actions.isEmpty)
        #expect(shipper.phase == .streaming)
    }

    @Test func startBeforeTheRetainedTailAsksForSync() {
        let (shipper, actions) = Self.started(after: 2, oldest: 10, last: 20)
        #expect(actions == [.send(.needSync(oldestIndex: 10, lastIndex: 20))])
        #expect(shipper.phase == .awaitingStart)
    }

    @Test func startJustBeforeTheOldestRecordStreams() {
        let (_, actions) = Self.started(after: 9, oldest: 10, last: 20)
        #expect(actions == [.read(afterIndex: 9, limit: 1024)])
    }

    @Test func startAheadOfThePrimaryAsksForSync() {
        let (_, actions) = Self.started(after: 30, oldest: 10, last: 20)
        #expect(actions == [.send(.needSync(oldestIndex: 10, lastIndex: 20))])
    }

    @Test func truncatedReadAsksForSyncAndStopsReading() {
        var (shipper, _) = Self.started(after: 3, last: 9)
        #expect(shipper.handle(.readCompleted(.truncated(oldestIndex: 6))) == [.send(.needSync(oldestIndex: 6, lastIndex: 9))])
        #expect(shipper.phase == .awaitingStart)
        #expect(shipper.handle(.logAdvanced(lastIndex: 12)).isEmpty)
    }

    @Test func recordsMissingRightAfterTheCursorAskForSync() {
        var (shipper, _) = Self.started(after: 3, last: 9)
        #expect(shipper.handle(.readCompleted(.records(Self.records(6...9)))) == [.send(.needSync(oldestIndex: 6, lastIndex: 9))])
    }

    @Test func aGapInsideAReadClosesTheStream() {
        var (shipper, _) = Self.started(after: 3, last: 9)
        let broken = [Self.record(4), Self.record(6)]
        #expect(shipper.handle(.readCompleted(.records(broken))) == [.close(.logInconsistent)])
        #expect(shipper.phase == .closed)
        #expect(shipper.handle(.tick(nowMillis: 1)).isEmpty)
    }

    @Test func overlappingRecordsAreNotSentTwice() {
        var (shipper, _) = Self.started(after: 3, last: 6)
        #expect(shipper.handle(.readCompleted(.records(Self.records(2...6)))) == [.send(.records(Self.records(4...6), lastIndex: 6))])
    }

    @Test func afterAnEmptyReadTheNextTickRetries() {
        var (shipper, _) = Self.started(after: 3, last: 6)
        #expect(shipper.handle(.readCompleted(.records([]))).isEmpty)
        let tick = shipper.handle(.tick(nowMillis: 10))
        #expect(tick.contains(.read(afterIndex: 3, limit: 1024)))
    }

    @Test func onlyOneReadIsInFlight() {
        var (shipper, actions) = Self.started(after: 0, last: 2)
        #expect(actions == [.read(afterIndex: 0, limit: 1024)])
        #expect(shipper.handle(.logAdvanced(lastIndex: 3)).isEmpty)
        #expect(shipper.handle(.logAdvanced(lastIndex: 4)).isEmpty)
        // The read answered 1...2; the log has grown since, so the next read follows.
        #expect(shipper.handle(.readCompleted(.records(Self.records(1...2)))) == [
            .send(.records(Self.records(1...2), lastIndex: 4)),
            .read(afterIndex: 2, limit: 1024),
        ])
        #expect(shipper.handle(.readCompleted(.records(Self.records(3...4)))) == [.send(.records(Self.records(3...4), lastIndex: 4))])
        #expect(shipper.handle(.logAdvanced(lastIndex: 4)).isEmpty)
    }

    @Test func batchesAreBoundedByRecordCount() {
        var (shipper, _) = Self.started(after: 0, last: 5, configuration: .init(maximumRecordsPerMessage: 2))
        #expect(shipper.handle(.readCompleted(.records(Self.records(1...5)))) == [
            .send(.records(Self.records(1...2), lastIndex: 5)),
            .send(.records(Self.records(3...4), lastIndex: 5)),
            .send(.records([Self.record(5)], lastIndex: 5)),
        ])
    }

    @Test func batchesAreBoundedByBytesButAnOversizedRecordStillGoes() {
        // Each record here encodes to 22 + 2 (key "k1") + 100 = 124 bytes.
        let records = (1...3).map { Self.record(UInt64($0), bytes: 100) }
        #expect(LogShipper.encodedSize(of: records[0]) == WALCodec.encode(records[0]).count)
        var (shipper, _) = Self.started(after: 0, last: 3, configuration: .init(maximumBytesPerMessage: 250))
        #expect(shipper.handle(.readCompleted(.records(records))) == [
            .send(.records(Array(records[0...1]), lastIndex: 3)),
            .send(.records([records[2]], lastIndex: 3)),
        ])
        var (tiny, _) = Self.started(after: 0, last: 2, configuration: .init(maximumBytesPerMessage: 10))
        let two = Array(records[0...1])
        #expect(tiny.handle(.readCompleted(.records(two))) == [
            .send(.records([records[0]], lastIndex: 2)),
            .send(.records([records[1]], lastIndex: 2)),
        ])
    }

    @Test func restartMidStreamDropsTheOutstandingReadsAnswer() {
        var (shipper, _) = Self.started(after: 0, last: 10)
        // The secondary saw a gap and restarts after 4 while the read after 0 is out.
        #expect(shipper.handle(.received(.startStream(afterIndex: 4), nowMillis: 5)).isEmpty)
        #expect(shipper.handle(.readCompleted(.records(Self.records(1...10)))) == [.read(afterIndex: 4, limit: 1024)])
        #expect(shipper.handle(.readCompleted(.records(Self.records(5...10)))) == [.send(.records(Self.records(5...10), lastIndex: 10))])
    }

    @Test func restartAfterSyncResumesStreaming() {
        var (shipper, _) = Self.started(after: 2, oldest: 10, last: 20)
        #expect(shipper.phase == .awaitingStart)
        #expect(shipper.handle(.logAdvanced(lastIndex: 21)).isEmpty)
        #expect(shipper.handle(.received(.startStream(afterIndex: 20), nowMillis: 1)) == [.read(afterIndex: 20, limit: 1024)])
        #expect(shipper.phase == .streaming)
    }

    @Test func heartbeatsGoOutEveryInterval() {
        var (shipper, _) = Self.started(after: 4, last: 4, configuration: .init(heartbeatIntervalMillis: 1000, heartbeatTimeoutMillis: 10_000))
        #expect(shipper.handle(.tick(nowMillis: 0)) == [.send(.heartbeat(lastIndex: 4, sentAtMillis: 0))])
        #expect(shipper.handle(.tick(nowMillis: 999)).isEmpty)
        #expect(shipper.handle(.tick(nowMillis: 1000)) == [.send(.heartbeat(lastIndex: 4, sentAtMillis: 1000))])
    }

    @Test func closesWhenTheSecondaryGoesQuiet() {
        var (shipper, _) = Self.started(after: 4, last: 4, configuration: .init(heartbeatIntervalMillis: 1000, heartbeatTimeoutMillis: 3000))
        _ = shipper.handle(.tick(nowMillis: 0))
        #expect(shipper.handle(.received(.heartbeat(appliedIndex: 4, sentAtMillis: 2000), nowMillis: 2000)).isEmpty)
        #expect(shipper.handle(.tick(nowMillis: 4999)) == [.send(.heartbeat(lastIndex: 4, sentAtMillis: 4999))])
        #expect(shipper.handle(.tick(nowMillis: 5000)) == [.close(.heartbeatTimeout)])
        #expect(shipper.phase == .closed)
        #expect(shipper.peer.connectionStatus == "disconnected")
        #expect(shipper.handle(.logAdvanced(lastIndex: 9)).isEmpty)
    }

    @Test func heartbeatsFromTheSecondaryTrackProgressSkewAndLag() {
        var (shipper, _) = Self.started(after: 0, last: 0)
        #expect(shipper.peer.connectionStatus == "connected")
        _ = shipper.handle(.logAdvanced(lastIndex: 10))
        #expect(shipper.handle(.received(.heartbeat(appliedIndex: 7, sentAtMillis: 1_000_040), nowMillis: 1_000_000)).isEmpty)
        #expect(shipper.acknowledgedIndex == 7)
        #expect(shipper.lag == 3)
        #expect(shipper.peer.lastHeartbeatMillis == 1_000_000)
        #expect(shipper.peer.clockSkewMillis == 40)
        #expect(shipper.peer.lastHeartbeatDurationMillis == 0)
        _ = shipper.handle(.received(.heartbeat(appliedIndex: 10, sentAtMillis: 1_000_995), nowMillis: 1_001_000))
        #expect(shipper.lag == 0)
        #expect(shipper.peer.clockSkewMillis == -5)
        #expect(shipper.peer.lastHeartbeatDurationMillis == 5)
    }

    @Test func aFailedReadClosesTheStream() {
        var (shipper, _) = Self.started(after: 0, last: 3)
        #expect(shipper.handle(.readFailed) == [.close(.readFailed)])
        #expect(shipper.phase == .closed)
    }

    @Test func eventsBeforeStartAndAfterLinkClosedAreIgnored() {
        var shipper = LogShipper()
        #expect(shipper.handle(.tick(nowMillis: 100_000)).isEmpty)
        #expect(shipper.handle(.received(.heartbeat(appliedIndex: 1, sentAtMillis: 0), nowMillis: 0)).isEmpty)
        #expect(shipper.handle(.readCompleted(.records([Self.record(1)]))).isEmpty)
        _ = shipper.handle(.start(afterIndex: 0, oldestIndex: 1, lastIndex: 0, nowMillis: 0))
        #expect(shipper.handle(.linkClosed).isEmpty)
        #expect(shipper.phase == .closed)
        #expect(shipper.handle(.logAdvanced(lastIndex: 5)).isEmpty)
    }
}
