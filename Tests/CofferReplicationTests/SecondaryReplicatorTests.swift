import CofferStorage
import Logging
import Testing
@testable import CofferReplication

@Suite struct SecondaryReplicatorTests {
    typealias Replicator = SecondaryReplicator

    static let noJitter = Replicator.Configuration(
        heartbeatIntervalMillis: 1_000, heartbeatTimeoutMillis: 5_000,
        reconnectBaseMillis: 500, reconnectCapMillis: 30_000, reconnectJitter: 0
    )

    static func record(_ index: UInt64) -> WALRecord {
        WALRecord(index: index, operation: .put(key: "k\(index)", value: [UInt8(truncatingIfNeeded: index)]))
    }

    static func records(_ range: ClosedRange<UInt64>) -> [WALRecord] {
        range.map(record)
    }

    /// A replicator that has connected and asked for the stream after `applied`.
    static func streaming(applied: UInt64 = 0, consistentAt: UInt64 = 0, configuration: Replicator.Configuration = noJitter) -> Replicator {
        var replicator = Replicator(configuration: configuration, appliedIndex: applied, consistentAtIndex: consistentAt, seed: 1)
        _ = replicator.handle(.start(nowMillis: 0))
        let actions = replicator.handle(.connected)
        precondition(actions.last == .send(.startStream(afterIndex: applied)))
        return replicator
    }

    // MARK: Connecting

    @Test func startConnectsThenStreamsAfterTheAppliedIndex() {
        var replicator = Replicator(configuration: Self.noJitter, appliedIndex: 7, seed: 1)
        #expect(replicator.state.statusName == "idle")
        #expect(replicator.connectionState.statusName == "idle")
        #expect(replicator.handle(.start(nowMillis: 0)) == [.logTransition(from: .idle, to: .connecting), .connect])
        #expect(replicator.connectionState.statusName == "connecting")
        #expect(replicator.handle(.connected) == [
            .logTransition(from: .connecting, to: .streamWALs),
            .send(.startStream(afterIndex: 7)),
        ])
        #expect(replicator.state.statusName == "stream-wals")
        #expect(replicator.connectionState.statusName == "ready")
        #expect(replicator.isConsistent)
        #expect(replicator.peer.connectionStatus == "connected")
    }

    @Test func statusNamesMatchVault() {
        #expect(Replicator.State.allCases.map(\.statusName) == ["idle", "connecting", "stream-wals", "merkle-diff", "merkle-sync"])
        #expect(Replicator.ConnectionState.allCases.map(\.statusName) == ["idle", "connecting", "ready", "transient_failure", "shutdown"])
    }

    @Test func aStaleConnectedIsIgnored() {
        var replicator = Replicator(configuration: Self.noJitter, seed: 1)
        #expect(replicator.handle(.connected).isEmpty)
        #expect(replicator.handle(.linkBroken).isEmpty)
        #expect(replicator.state == .idle)
    }

    // MARK: Streaming

    @Test func recordsApplyInOrderOneApplyAtATime() {
        var replicator = Self.streaming()
        #expect(replicator.handle(.received(.records(Self.records(1...2), lastIndex: 5), nowMillis: 1)) == [
            .applyRecords(Self.records(1...2), newLastRemote: 2),
        ])
        #expect(replicator.primaryLastIndex == 5)
        // While that apply is in flight, later records queue.
        #expect(replicator.handle(.received(.records(Self.records(3...4), lastIndex: 5), nowMillis: 2)).isEmpty)
        #expect(replicator.handle(.received(.records([Self.record(5)], lastIndex: 5), nowMillis: 3)).isEmpty)
        #expect(replicator.queuedRecordCount == 3)
        #expect(replicator.appliedIndex == 0)
        #expect(replicator.handle(.applied(index: 2)) == [.applyRecords(Self.records(3...5), newLastRemote: 5)])
        #expect(replicator.appliedIndex == 2)
        #expect(replicator.handle(.applied(index: 5)).isEmpty)
        #expect(replicator.appliedIndex == 5)
        #expect(replicator.isConsistent)
    }

    @Test func appliesAreBoundedInRecords() {
        var replicator = Self.streaming(configuration: .init(maximumRecordsPerApply: 2))
        #expect(replicator.handle(.received(.records(Self.records(1...5), lastIndex: 5), nowMillis: 1)) == [
            .applyRecords(Self.records(1...2), newLastRemote: 2),
        ])
        #expect(replicator.handle(.applied(index: 2)) == [.applyRecords(Self.records(3...4), newLastRemote: 4)])
        #expect(replicator.handle(.applied(index: 4)) == [.applyRecords([Self.record(5)], newLastRemote: 5)])
    }

    @Test func duplicateRecordsAreNeverAppliedTwice() {
        var replicator = Self.streaming()
        _ = replicator.handle(.received(.records(Self.records(1...3), lastIndex: 3), nowMillis: 1))
        // Overlaps both the in-flight apply and nothing new: dropped.
        #expect(replicator.handle(.received(.records(Self.records(2...3), lastIndex: 3), nowMillis: 2)).isEmpty)
        _ = replicator.handle(.applied(index: 3))
        #expect(replicator.handle(.received(.records(Self.records(1...5), lastIndex: 5), nowMillis: 3)) == [
            .applyRecords(Self.records(4...5), newLastRemote: 5),
        ])
    }

    @Test func aGapRestartsTheStreamOnceAfterTheLastAcceptedIndex() {
        var replicator = Self.streaming(applied: 10)
        _ = replicator.handle(.received(.records(Self.records(11...12), lastIndex: 20), nowMillis: 1))
        // 13 and 14 never arrived: nothing after the gap is applied; one restart after 12.
        #expect(replicator.handle(.received(.records(Self.records(15...16), lastIndex: 20), nowMillis: 2)) == [
            .send(.startStream(afterIndex: 12)),
        ])
        #expect(replicator.handle(.received(.records(Self.records(17...18), lastIndex: 20), nowMillis: 3)).isEmpty)
        #expect(replicator.handle(.applied(index: 12)).isEmpty)
        #expect(replicator.handle(.received(.records(Self.records(13...20), lastIndex: 20), nowMillis: 4)) == [
            .applyRecords(Self.records(13...20), newLastRemote: 20),
        ])
        // A later gap asks again.
        _ = replicator.handle(.applied(index: 20))
        #expect(replicator.handle(.received(.records([Self.record(23)], lastIndex: 23), nowMillis: 5)) == [
            .send(.startStream(afterIndex: 20)),
        ])
    }

    @Test func outOfOrderBatchesApplyOnlyInOrder() {
        var replicator = Self.streaming()
        // The second batch overtakes the first.
        #expect(replicator.handle(.received(.records(Self.records(3...4), lastIndex: 4), nowMillis: 1)) == [
            .send(.startStream(afterIndex: 0)),
        ])
        #expect(replicator.handle(.received(.records(Self.records(1...2), lastIndex: 4), nowMillis: 2)) == [
            .applyRecords(Self.records(1...2), newLastRemote: 2),
        ])
        // The stale copy of 3...4 is now next in line, so it is accepted; the restart's copy is then a duplicate.
        #expect(replicator.handle(.received(.records(Self.records(3...4), lastIndex: 4), nowMillis: 3)).isEmpty)
        #expect(replicator.handle(.applied(index: 2)) == [.applyRecords(Self.records(3...4), newLastRemote: 4)])
        #expect(replicator.handle(.received(.records(Self.records(1...4), lastIndex: 4), nowMillis: 4)).isEmpty)
    }

    @Test func anEmptyOrOversizedRecordsMessageIsAProtocolViolation() {
        var replicator = Self.streaming()
        #expect(replicator.handle(.received(.records([], lastIndex: 1), nowMillis: 1)) == [
            .disconnect(.protocolViolation), .logTransition(from: .streamWALs, to: .idle), .scheduleReconnect(afterMillis: 500),
        ])
    }

    @Test func heartbeatsGoOutEveryIntervalWithTheAppliedIndex() {
        var replicator = Self.streaming(applied: 3)
        #expect(replicator.handle(.tick(nowMillis: 0)) == [.send(.heartbeat(appliedIndex: 3, sentAtMillis: 0))])
        #expect(replicator.handle(.tick(nowMillis: 999)).isEmpty)
        _ = replicator.handle(.received(.records([Self.record(4)], lastIndex: 4), nowMillis: 999))
        _ = replicator.handle(.applied(index: 4))
        #expect(replicator.handle(.tick(nowMillis: 1_000)) == [.send(.heartbeat(appliedIndex: 4, sentAtMillis: 1_000))])
    }

    @Test func heartbeatsFromThePrimaryTrackItsIndexAndSkew() {
        var replicator = Self.streaming()
        _ = replicator.handle(.received(.heartbeat(lastIndex: 42, sentAtMillis: 1_000_000), nowMillis: 1_000_003))
        #expect(replicator.primaryLastIndex == 42)
        #expect(replicator.peer.lastHeartbeatMillis == 1_000_003)
        #expect(replicator.peer.clockSkewMillis == -3)
        #expect(replicator.peer.lastHeartbeatDurationMillis == 3)
    }

    @Test func silenceFromThePrimaryDropsTheLink() {
        var replicator = Self.streaming()
        _ = replicator.handle(.received(.heartbeat(lastIndex: 0, sentAtMillis: 1_000), nowMillis: 1_000))
        #expect(!replicator.handle(.tick(nowMillis: 5_999)).contains(.disconnect(.heartbeatTimeout)))
        #expect(replicator.handle(.tick(nowMillis: 6_000)) == [
            .disconnect(.heartbeatTimeout),
            .logTransition(from: .streamWALs, to: .idle),
            .scheduleReconnect(afterMillis: 500),
        ])
        #expect(replicator.connectionState == .transientFailure)
        #expect(replicator.state == .idle)
        #expect(replicator.peer.connectionStatus == "disconnected")
    }

    @Test func aConnectThatNeverAnswersTimesOut() {
        var replicator = Replicator(configuration: Self.noJitter, seed: 1)
        _ = replicator.handle(.start(nowMillis: 100))
        #expect(replicator.handle(.tick(nowMillis: 5_099)).isEmpty)
        #expect(replicator.handle(.tick(nowMillis: 5_100)) == [
            .disconnect(.connectTimeout),
            .logTransition(from: .connecting, to: .idle),
            .scheduleReconnect(afterMillis: 500),
        ])
    }

    // MARK: Reconnecting

    @Test func backoffDoublesUpToTheCapAndResetsOnProgress() {
        var replicator = Replicator(configuration: Self.noJitter, seed: 1)
        _ = replicator.handle(.start(nowMillis: 0))
        var now: Int64 = 0
        var delays: [Int64] = []
        for _ in 0..<9 {
            let failed = replicator.handle(.connectFailed)
            guard case .scheduleReconnect(let delay)? = failed.last else {
                Issue.record("no reconnect scheduled: \(failed)")
                return
            }
            delays.append(delay)
            #expect(replicator.handle(.tick(nowMillis: now + delay - 1)).isEmpty)
            now += delay
            #expect(replicator.handle(.tick(nowMillis: now)) == [.logTransition(from: .idle, to: .connecting), .connect])
        }
        #expect(delays == [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000])
        #expect(replicator.consecutiveFailures == 9)
        _ = replicator.handle(.connected)
        _ = replicator.handle(.received(.heartbeat(lastIndex: 0, sentAtMillis: now), nowMillis: now))
        #expect(replicator.consecutiveFailures == 0)
        #expect(replicator.handle(.linkBroken) == [.logTransition(from: .streamWALs, to: .idle), .scheduleReconnect(afterMillis: 500)])
    }

    @Test func jitterIsDeterministicAndOnlyShortensTheDelay() {
        let configuration = Replicator.Configuration(reconnectBaseMillis: 1_000, reconnectCapMillis: 8_000, reconnectJitter: 0.5)
        func delays(seed: UInt64) -> [Int64] {
            var replicator = Replicator(configuration: configuration, seed: seed)
            return (0..<6).map { _ in replicator.nextReconnectDelay() }
        }
        let first = delays(seed: 42)
        #expect(first == delays(seed: 42))
        #expect(first != delays(seed: 43))
        let ceilings: [Int64] = [1_000, 2_000, 4_000, 8_000, 8_000, 8_000]
        for (delay, ceiling) in zip(first, ceilings) {
            #expect(delay <= ceiling)
            #expect(delay >= ceiling / 2)
        }
    }

    @Test func linkLossResumesAfterTheLastAppliedIndex() {
        var replicator = Self.streaming(applied: 4)
        _ = replicator.handle(.received(.records(Self.records(5...6), lastIndex: 9), nowMillis: 1))
        _ = replicator.handle(.applied(index: 6))
        _ = replicator.handle(.received(.records(Self.records(7...8), lastIndex: 9), nowMillis: 2))
        // 7...8 are in flight when the link goes; the new stream waits for that apply.
        #expect(replicator.handle(.linkBroken) == [.logTransition(from: .streamWALs, to: .idle), .scheduleReconnect(afterMillis: 500)])
        _ = replicator.handle(.tick(nowMillis: 600))
        #expect(replicator.handle(.connected) == [.logTransition(from: .connecting, to: .streamWALs)])
        #expect(replicator.handle(.applied(index: 8)) == [.send(.startStream(afterIndex: 8))])
        #expect(replicator.appliedIndex == 8)
    }

    @Test func anApplyThatFailsWhileDisconnectedResumesFromTheOldIndex() {
        var replicator = Self.streaming(applied: 4)
        _ = replicator.handle(.received(.records(Self.records(5...6), lastIndex: 6), nowMillis: 1))
        _ = replicator.handle(.linkBroken)
        #expect(replicator.handle(.applyFailed).isEmpty)
        _ = replicator.handle(.tick(nowMillis: 501))
        #expect(replicator.handle(.connected) == [.logTransition(from: .connecting, to: .streamWALs), .send(.startStream(afterIndex: 4))])
    }

    @Test func aFailedApplyDropsTheLinkAndRetries() {
        var replicator = Self.streaming(applied: 4)
        _ = replicator.handle(.received(.records(Self.records(5...6), lastIndex: 6), nowMillis: 1))
        #expect(replicator.handle(.applyFailed) == [
            .disconnect(.applyFailed), .logTransition(from: .streamWALs, to: .idle), .scheduleReconnect(afterMillis: 500),
        ])
        #expect(replicator.appliedIndex == 4)
        _ = replicator.handle(.tick(nowMillis: 501))
        #expect(replicator.handle(.connected).last == .send(.startStream(afterIndex: 4)))
    }

    @Test func recordsFromADroppedLinkAreIgnored() {
        var replicator = Self.streaming()
        _ = replicator.handle(.linkBroken)
        #expect(replicator.handle(.received(.records(Self.records(1...2), lastIndex: 2), nowMillis: 1)).isEmpty)
    }

    @Test func stopShutsDownAndStaysDown() {
        var replicator = Self.streaming()
        #expect(replicator.handle(.stop) == [.disconnect(.stopped), .logTransition(from: .streamWALs, to: .idle)])
        #expect(replicator.connectionState.statusName == "shutdown")
        #expect(replicator.handle(.tick(nowMillis: 1_000_000)).isEmpty)
        #expect(replicator.handle(.start(nowMillis: 1_000_001)) == [.logTransition(from: .idle, to: .connecting), .connect])
    }
}

@Suite struct SecondaryReplicatorSyncTests {
    typealias Replicator = SecondaryReplicator

    static func merkle(_ pairs: [String: String]) -> MerkleIndex {
        var index = MerkleIndex()
        for (key, value) in pairs { index.put(key: key, value: Array(value.utf8)) }
        return index
    }

    static func pages(_ index: MerkleIndex, _ pages: [Int]) -> [MerklePage] {
        pages.map { MerkleSyncResponder.page($0, of: index) }
    }

    static func pagesOf(_ keys: [String]) -> [Int] {
        Set(keys.map(MerkleIndex.page(of:))).sorted()
    }

    /// A streaming replicator told to sync, now waiting for page hashes.
    static func needingSync(applied: UInt64 = 3, configuration: Replicator.Configuration = SecondaryReplicatorTests.noJitter) -> Replicator {
        var replicator = SecondaryReplicatorTests.streaming(applied: applied, configuration: configuration)
        let actions = replicator.handle(.received(.needSync(oldestIndex: 10, lastIndex: 20), nowMillis: 1))
        precondition(actions == [.logTransition(from: .streamWALs, to: .merkleDiff), .requestPageHashes])
        return replicator
    }

    @Test func needSyncRunsDiffThenSyncThenStreamsFromTheHashesIndex() throws {
        let remote = Self.merkle(["a": "1", "b": "2", "c": "3"])
        let local = Self.merkle(["a": "1", "b": "old", "d": "4"])
        var replicator = Self.needingSync()
        #expect(replicator.state.statusName == "merkle-diff")
        #expect(!replicator.isConsistent)

        let differing = Self.pagesOf(["b", "c", "d"])
        #expect(replicator.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: remote, lastIndex: 20), local: local.pageHashes())) == [
            .requestPageEntries(pages: differing),
        ])

        let entries = try MerkleSyncResponder.pageEntries(of: remote, pages: differing, lastIndex: 22)
        let afterEntries = replicator.handle(.pageEntriesArrived(entries, local: Self.pages(local, differing)))
        #expect(afterEntries.count == 2)
        #expect(afterEntries.first == .logTransition(from: .merkleDiff, to: .merkleSync))
        guard case .fetchKeys(let keys)? = afterEntries.last else {
            Issue.record("expected a fetch, got \(afterEntries)")
            return
        }
        #expect(Set(keys) == ["b", "c"])
        #expect(replicator.state.statusName == "merkle-sync")

        // c was deleted on the primary after the entries were read.
        let fetched = FetchedValues(values: keys.map { FetchedValue(key: $0, value: $0 == "b" ? Array("2".utf8) : nil) }, lastIndex: 25)
        let applied = replicator.handle(.valuesArrived(fetched))
        var expectedOperations: [StorageOperation] = [.delete(key: "d")]
        expectedOperations += keys.map { $0 == "b" ? .put(key: "b", value: Array("2".utf8)) : .delete(key: "c") }
        #expect(applied == [.applySync(.init(operations: expectedOperations, reachedIndex: 20, consistentAtIndex: 25))])

        #expect(replicator.handle(.applied(index: 20)) == [
            .logTransition(from: .merkleSync, to: .streamWALs),
            .send(.startStream(afterIndex: 20)),
        ])
        #expect(replicator.appliedIndex == 20)
        #expect(replicator.consistentAtIndex == 25)
        // Values newer than 20 are in: consistent only from 25 on.
        #expect(!replicator.isConsistent)
        _ = replicator.handle(.received(.records(SecondaryReplicatorTests.records(21...24), lastIndex: 25), nowMillis: 2))
        _ = replicator.handle(.applied(index: 24))
        #expect(!replicator.isConsistent)
        _ = replicator.handle(.received(.records([SecondaryReplicatorTests.record(25)], lastIndex: 25), nowMillis: 3))
        _ = replicator.handle(.applied(index: 25))
        #expect(replicator.isConsistent)
    }

    @Test func anEmptyDiffSkipsMerkleSync() {
        let same = Self.merkle(["a": "1", "b": "2"])
        var replicator = Self.needingSync()
        #expect(replicator.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: same, lastIndex: 20), local: same.pageHashes())) == [
            .applySync(.init(operations: [], reachedIndex: 20, consistentAtIndex: 20)),
        ])
        #expect(replicator.handle(.applied(index: 20)) == [
            .logTransition(from: .merkleDiff, to: .streamWALs),
            .send(.startStream(afterIndex: 20)),
        ])
        #expect(replicator.isConsistent)
    }

    @Test func pagesThatAgreeByTheTimeTheirEntriesArriveAreAnEmptyDiff() throws {
        let atHashes = Self.merkle(["a": "1", "e": "5"])
        let now = Self.merkle(["a": "1"])
        var replicator = Self.needingSync()
        let page = Self.pagesOf(["e"])
        #expect(replicator.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: atHashes, lastIndex: 20), local: now.pageHashes())) == [
            .requestPageEntries(pages: page),
        ])
        let entries = try MerkleSyncResponder.pageEntries(of: now, pages: page, lastIndex: 21)
        #expect(replicator.handle(.pageEntriesArrived(entries, local: Self.pages(now, page))) == [
            .applySync(.init(operations: [], reachedIndex: 20, consistentAtIndex: 21)),
        ])
        #expect(replicator.handle(.applied(index: 20)).first == .logTransition(from: .merkleDiff, to: .streamWALs))
    }

    @Test func keysOnlyThisSideHasAreDeletedWithoutAFetch() throws {
        let remote = Self.merkle(["a": "1"])
        let local = Self.merkle(["a": "1", "z": "9"])
        var replicator = Self.needingSync()
        let page = Self.pagesOf(["z"])
        _ = replicator.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: remote, lastIndex: 20), local: local.pageHashes()))
        let entries = try MerkleSyncResponder.pageEntries(of: remote, pages: page, lastIndex: 20)
        #expect(replicator.handle(.pageEntriesArrived(entries, local: Self.pages(local, page))) == [
            .logTransition(from: .merkleDiff, to: .merkleSync),
            .applySync(.init(operations: [.delete(key: "z")], reachedIndex: 20, consistentAtIndex: 20)),
        ])
    }

    @Test func largeDiffsGoInBoundedRequestsAndBatches() throws {
        let keys = ["k1", "k2", "k3"]
        let remote = Self.merkle(Dictionary(uniqueKeysWithValues: keys.map { ($0, "v") }))
        let local = MerkleIndex()
        let configuration = Replicator.Configuration(reconnectJitter: 0, maximumPagesPerRequest: 1, maximumKeysPerFetch: 2)
        var replicator = Self.needingSync(applied: 3, configuration: configuration)
        let pages = Self.pagesOf(keys)
        #expect(replicator.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: remote, lastIndex: 20), local: local.pageHashes())) == [
            .requestPageEntries(pages: [pages[0]]),
        ])
        var fetch: [String] = []
        for (position, page) in pages.enumerated() {
            let entries = try MerkleSyncResponder.pageEntries(of: remote, pages: [page], lastIndex: 20 + UInt64(position))
            let actions = replicator.handle(.pageEntriesArrived(entries, local: Self.pages(local, [page])))
            if position + 1 < pages.count {
                #expect(actions == [.requestPageEntries(pages: [pages[position + 1]])])
            } else {
                #expect(actions.first == .logTransition(from: .merkleDiff, to: .merkleSync))
                guard case .fetchKeys(let first)? = actions.last else {
                    Issue.record("expected a fetch, got \(actions)")
                    return
                }
                fetch = first
            }
        }
        #expect(fetch.count == 2)
        let firstValues = FetchedValues(values: fetch.map { FetchedValue(key: $0, value: Array("v".utf8)) }, lastIndex: 30)
        // Not the last batch: last_remote_wal stays, the watermark covers what came in.
        #expect(replicator.handle(.valuesArrived(firstValues)) == [
            .applySync(.init(operations: fetch.map { .put(key: $0, value: Array("v".utf8)) }, reachedIndex: nil, consistentAtIndex: 30)),
        ])
        let rest = keys.filter { !fetch.contains($0) }
        #expect(replicator.handle(.applied(index: 3)) == [.fetchKeys(rest)])
        #expect(replicator.appliedIndex == 3)
        #expect(replicator.consistentAtIndex == 30)
        let lastValues = FetchedValues(values: rest.map { FetchedValue(key: $0, value: Array("v".utf8)) }, lastIndex: 31)
        #expect(replicator.handle(.valuesArrived(lastValues)) == [
            .applySync(.init(operations: rest.map { .put(key: $0, value: Array("v".utf8)) }, reachedIndex: 20, consistentAtIndex: 31)),
        ])
    }

    @Test func aPartialFetchAnswerAsksAgainForTheKeysLeft() throws {
        let keys = ["k1", "k2", "k3"]
        let remote = Self.merkle(Dictionary(uniqueKeysWithValues: keys.map { ($0, "v") }))
        var replicator = Self.needingSync(applied: 3, configuration: .init(reconnectJitter: 0, maximumKeysPerFetch: 3))
        let pages = Self.pagesOf(keys)
        _ = replicator.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: remote, lastIndex: 20), local: MerkleIndex().pageHashes()))
        let entries = try MerkleSyncResponder.pageEntries(of: remote, pages: pages, lastIndex: 20)
        guard case .fetchKeys(let asked)? = replicator.handle(.pageEntriesArrived(entries, local: Self.pages(MerkleIndex(), pages))).last else {
            Issue.record("expected a fetch")
            return
        }
        #expect(asked.count == 3)
        // The primary's byte budget cut the answer after the first key.
        let first = FetchedValues(values: [FetchedValue(key: asked[0], value: [7])], lastIndex: 21)
        #expect(replicator.handle(.valuesArrived(first)) == [
            .applySync(.init(operations: [.put(key: asked[0], value: [7])], reachedIndex: nil, consistentAtIndex: 21)),
        ])
        #expect(replicator.handle(.applied(index: 3)) == [.fetchKeys(Array(asked[1...]))])
        let rest = FetchedValues(values: asked[1...].map { FetchedValue(key: $0, value: [7]) }, lastIndex: 22)
        #expect(replicator.handle(.valuesArrived(rest)) == [
            .applySync(.init(operations: asked[1...].map { .put(key: $0, value: [7]) }, reachedIndex: 20, consistentAtIndex: 22)),
        ])
    }

    @Test func anEmptyFetchAnswerIsAViolation() throws {
        let remote = Self.merkle(["k1": "v"])
        var replicator = Self.needingSync(applied: 3)
        let pages = Self.pagesOf(["k1"])
        _ = replicator.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: remote, lastIndex: 20), local: MerkleIndex().pageHashes()))
        _ = replicator.handle(.pageEntriesArrived(try MerkleSyncResponder.pageEntries(of: remote, pages: pages, lastIndex: 20), local: Self.pages(MerkleIndex(), pages)))
        #expect(replicator.handle(.valuesArrived(FetchedValues(values: [], lastIndex: 20))).first == .disconnect(.protocolViolation))
    }

    @Test func aPrimaryBehindThisSideMakesPartialSyncsInconsistent() {
        let remote = Self.merkle(["k1": "v", "k2": "v"])
        var replicator = Self.needingSync(applied: 50, configuration: .init(reconnectJitter: 0, maximumKeysPerFetch: 1))
        _ = replicator.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: remote, lastIndex: 20), local: MerkleIndex().pageHashes()))
        let pages = Self.pagesOf(["k1", "k2"])
        let entries = try! MerkleSyncResponder.pageEntries(of: remote, pages: pages, lastIndex: 20)
        let actions = replicator.handle(.pageEntriesArrived(entries, local: Self.pages(MerkleIndex(), pages)))
        guard case .fetchKeys(let keys)? = actions.last else {
            Issue.record("expected a fetch, got \(actions)")
            return
        }
        let batch = replicator.handle(.valuesArrived(FetchedValues(values: keys.map { FetchedValue(key: $0, value: [1]) }, lastIndex: 20)))
        #expect(batch == [.applySync(.init(operations: keys.map { .put(key: $0, value: [1]) }, reachedIndex: nil, consistentAtIndex: .max))])
    }

    @Test func syncWaitsForTheApplyInFlight() {
        var replicator = SecondaryReplicatorTests.streaming()
        _ = replicator.handle(.received(.records(SecondaryReplicatorTests.records(1...2), lastIndex: 2), nowMillis: 1))
        _ = replicator.handle(.received(.records([SecondaryReplicatorTests.record(3)], lastIndex: 3), nowMillis: 1))
        #expect(replicator.handle(.received(.needSync(oldestIndex: 9, lastIndex: 12), nowMillis: 2)) == [
            .logTransition(from: .streamWALs, to: .merkleDiff),
        ])
        // The queued record 3 is dropped: the sync covers it.
        #expect(replicator.queuedRecordCount == 0)
        #expect(replicator.handle(.applied(index: 2)) == [.requestPageHashes])
        #expect(replicator.appliedIndex == 2)
    }

    @Test func streamMessagesDuringASyncAreIgnored() {
        var replicator = Self.needingSync()
        #expect(replicator.handle(.received(.records(SecondaryReplicatorTests.records(4...5), lastIndex: 5), nowMillis: 2)).isEmpty)
        #expect(replicator.handle(.received(.needSync(oldestIndex: 10, lastIndex: 20), nowMillis: 2)).isEmpty)
        #expect(replicator.state == .merkleDiff)
    }

    @Test func linkLossDuringASyncResumesFromTheAppliedIndex() {
        var replicator = Self.needingSync(applied: 3)
        #expect(replicator.handle(.linkBroken) == [.logTransition(from: .merkleDiff, to: .idle), .scheduleReconnect(afterMillis: 500)])
        // A late answer of the dead sync changes nothing.
        let hashes = MerkleSyncResponder.pageHashes(of: MerkleIndex(), lastIndex: 20)
        #expect(replicator.handle(.pageHashesArrived(hashes, local: MerkleIndex().pageHashes())).isEmpty)
        _ = replicator.handle(.tick(nowMillis: 501))
        #expect(replicator.handle(.connected) == [
            .logTransition(from: .connecting, to: .streamWALs),
            .send(.startStream(afterIndex: 3)),
        ])
    }

    @Test func aFailedSyncCallDropsTheLink() {
        var replicator = Self.needingSync()
        #expect(replicator.handle(.syncRequestFailed) == [
            .disconnect(.syncRequestFailed), .logTransition(from: .merkleDiff, to: .idle), .scheduleReconnect(afterMillis: 500),
        ])
    }

    @Test func malformedSyncAnswersAreProtocolViolations() throws {
        let violation: [Replicator.Action] = [
            .disconnect(.protocolViolation), .logTransition(from: .merkleDiff, to: .idle), .scheduleReconnect(afterMillis: 500),
        ]
        var short = Self.needingSync()
        #expect(short.handle(.pageHashesArrived(MerklePageHashes(hashes: [.zero], lastIndex: 20), local: MerkleIndex().pageHashes())) == violation)

        let remote = Self.merkle(["a": "1", "b": "2"])
        let pageA = MerkleIndex.page(of: "a")
        let pageB = MerkleIndex.page(of: "b")
        var wrongPage = Self.needingSync()
        _ = wrongPage.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: remote, lastIndex: 20), local: MerkleIndex().pageHashes()))
        // An answer for pages that were not asked.
        #expect(wrongPage.handle(.pageEntriesArrived(MerklePageEntries(pages: [MerklePage(page: 4095 - pageA, entries: [])], lastIndex: 20), local: [])) == violation)

        var misplacedKey = Self.needingSync()
        let asked = Self.pagesOf(["a", "b"])
        _ = misplacedKey.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: remote, lastIndex: 20), local: MerkleIndex().pageHashes()))
        if pageA != pageB {
            // Key "b" claimed to sit in a's page.
            var forged = asked.map { MerklePage(page: $0, entries: []) }
            let slot = forged.firstIndex { $0.page == pageA }!
            forged[slot].entries = [MerkleEntry(key: "b", hash: MerkleIndex.entryHash(key: "b", value: [1]))]
            #expect(misplacedKey.handle(.pageEntriesArrived(MerklePageEntries(pages: forged, lastIndex: 20), local: [])) == violation)
        }

        var wrongKeys = Self.needingSync()
        _ = wrongKeys.handle(.pageHashesArrived(MerkleSyncResponder.pageHashes(of: remote, lastIndex: 20), local: MerkleIndex().pageHashes()))
        let entries = try MerkleSyncResponder.pageEntries(of: remote, pages: asked, lastIndex: 20)
        _ = wrongKeys.handle(.pageEntriesArrived(entries, local: Self.pages(MerkleIndex(), asked)))
        #expect(wrongKeys.state == .merkleSync)
        #expect(wrongKeys.handle(.valuesArrived(FetchedValues(values: [FetchedValue(key: "zzz", value: nil)], lastIndex: 20))) == [
            .disconnect(.protocolViolation), .logTransition(from: .merkleSync, to: .idle), .scheduleReconnect(afterMillis: 500),
        ])
    }

    @Test func aRestartMidSyncStaysInconsistentUntilTheWatermark() {
        var replicator = SecondaryReplicatorTests.streaming(applied: 10, consistentAt: 14)
        #expect(replicator.state == .streamWALs)
        #expect(!replicator.isConsistent)
        _ = replicator.handle(.received(.records(SecondaryReplicatorTests.records(11...14), lastIndex: 14), nowMillis: 1))
        _ = replicator.handle(.applied(index: 14))
        #expect(replicator.isConsistent)
    }
}

@Suite struct MerkleSyncResponderTests {
    @Test func refusesOversizedOrInvalidRequests() async throws {
        let index = MerkleIndex()
        #expect(throws: MerkleSyncError.self) {
            try MerkleSyncResponder.pageEntries(of: index, pages: Array(0...ReplicationLimits.maximumPagesPerRequest), lastIndex: 0)
        }
        #expect(throws: MerkleSyncError.self) { try MerkleSyncResponder.pageEntries(of: index, pages: [MerkleIndex.pageCount], lastIndex: 0) }
        #expect(throws: MerkleSyncError.self) { try MerkleSyncResponder.pageEntries(of: index, pages: [1, 1], lastIndex: 0) }
        await #expect(throws: MerkleSyncError.self) {
            _ = try await MerkleSyncResponder.values(of: ["sys/token/id/x"], isReplicated: { $0.hasPrefix("logical/") }, read: { _ in [1] }, lastIndex: { 0 })
        }
    }

    @Test func answersFromALiveLogPairTheStateWithItsIndex() async throws {
        let backend = InMemoryBackend()
        let log = ReplicationLog(storage: backend, retention: 8, isReplicated: { $0.hasPrefix("logical/") },
                                 logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await log.load()
        log.setMode(.primary)
        backend.setCommitInterceptor(log)
        try await backend.commit(StorageBatch([.put(key: "logical/a", value: [1]), .put(key: "local/x", value: [2])]))
        try await backend.commit(StorageBatch([.put(key: "logical/b", value: [3])]))
        let hashes = try MerkleSyncResponder.pageHashes(of: log)
        #expect(hashes.lastIndex == 2)
        #expect(hashes.hashes == log.merkleSnapshot().pageHashes())
        let page = MerkleIndex.page(of: "logical/b")
        let entries = try MerkleSyncResponder.pageEntries(of: log, pages: [page])
        #expect(entries.lastIndex == 2)
        #expect(entries.pages.first?.entries.contains { $0.key == "logical/b" } == true)
        backend.setCommitInterceptor(nil)
    }

    @Test func valuesStopAtTheByteBudgetButAnswerAtLeastOneKey() async throws {
        let big = [UInt8](repeating: 1, count: 100)
        let answer = try await MerkleSyncResponder.values(
            of: ["logical/a", "logical/b", "logical/c"], isReplicated: { _ in true },
            read: { _ in big }, lastIndex: { 9 }, budgetBytes: 150)
        #expect(answer.values.map(\.key) == ["logical/a", "logical/b"])
        let one = try await MerkleSyncResponder.values(
            of: ["logical/a", "logical/b"], isReplicated: { _ in true },
            read: { _ in big }, lastIndex: { 9 }, budgetBytes: 1)
        #expect(one.values.map(\.key) == ["logical/a"])
    }

    @Test func valuesReadTheLastIndexAfterTheValues() async throws {
        var stored: [String: [UInt8]] = ["logical/a": [1]]
        var lastIndex: UInt64 = 5
        let values = try await MerkleSyncResponder.values(
            of: ["logical/a", "logical/b"],
            isReplicated: { $0.hasPrefix("logical/") },
            read: { key in
                defer { lastIndex += 1; stored[key] = nil }
                return stored[key]
            },
            lastIndex: { lastIndex }
        )
        #expect(values == FetchedValues(values: [FetchedValue(key: "logical/a", value: [1]), FetchedValue(key: "logical/b", value: nil)], lastIndex: 7))
        #expect(!String(describing: values.values[0]).contains("[1]"))
    }
}
