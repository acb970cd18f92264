/// The secondary's side of replication, as a pure state machine: events in, actions out,
/// time passed in (``Event/tick(nowMillis:)``). The shell owns the link, the storage and
/// the local ``ReplicationLog``; it feeds every event and performs every action in order.
///
/// ```
///   idle ──start──▶ connecting ──connected──▶ stream-wals ◀──────────────────────┐
///    ▲                  │                        │ needSync                       │
///    │ backoff elapsed  │ connectFailed          ▼                                │
///    │                  │                   merkle-diff ── empty diff ───────────▶│
///    └── (idle) ◀───────┴─ link lost,            │ keys differ                    │
///        transient_failure  timeout, failure     ▼                                │
///                                            merkle-sync ── last chunk applied ───┘
/// ```
///
/// `state` is Vault's `state` (``State/statusName``); `connectionState` is its
/// `connection_state`. Any failure (link lost, heartbeat timeout, a failed apply or sync
/// call, a peer breaking the protocol) drops whatever was in progress, goes to `idle` /
/// `transient_failure` and reconnects after an exponential backoff with deterministic
/// jitter; the new stream resumes after ``appliedIndex``.
///
/// **Streaming.** Records are applied strictly in index order, each exactly once: a record
/// at or below the last accepted index is a duplicate and is dropped; a record beyond the
/// next expected one reveals a gap, and the stream is restarted after the last accepted
/// index (``SecondaryMessage/startStream(afterIndex:)`` on the same stream). One apply is
/// in flight at a time; records arriving meanwhile queue and go in the next apply.
///
/// **Merkle sync.** After ``PrimaryMessage/needSync(oldestIndex:lastIndex:)``, top-down:
/// all page hashes (with the primary's index `L` for that state) → the entries of the
/// differing pages → keys whose entry differs are fetched, keys only this side has are
/// deleted (merkle-sync) → the stream restarts after `L`. Nothing is applied from the
/// stream meanwhile. An empty diff goes straight back to stream-wals.
///
/// Why this converges although the primary keeps writing during the sync: entries and
/// values are read later than the page hashes, so some keys come back newer than `L` (at
/// most as new as the largest index `W` any sync answer reported). Every WAL record sets
/// one key, or a prefix, to an absolute state. Replaying records `L+1…M` for any `M ≥ W`
/// therefore gives, for a key written in that range, its value at `M`; and a key not
/// written in that range had the same value at every index from `L` to `M`, which is
/// the value the sync left (its page or entry matched at some index in `[L, W]`, or it
/// was fetched then). So once the secondary has applied `W`, its replicated data equals
/// the primary's at its applied index: ``isConsistent``. Before that it can hold values
/// newer than its applied index. `W` is persisted with every sync apply
/// (``SyncApply/consistentAtIndex``), so a restart keeps the answer honest.
///
/// Contract for the shell:
/// - Create it with the persisted `last_remote_wal` and consistency watermark (0 and 0
///   for empty storage), feed ``Event/start(nowMillis:)``, and tick it at least every
///   heartbeat interval and when a ``Action/scheduleReconnect(afterMillis:)`` delay ends.
/// - ``Action/applyRecords(_:newLastRemote:)``: commit the records' operations **and** the
///   new `last_remote_wal` in ONE storage batch (origin `.replication`), then feed
///   ``Event/applied(index:)`` with `newLastRemote`, or ``Event/applyFailed``. Feed it even
///   if the link has gone meanwhile: the machine mirrors what is durable.
/// - ``Action/applySync(_:)``: commit its operations, the consistency watermark and, when
///   it has one, the reached index as `last_remote_wal`, in ONE batch; then `applied`
///   (with the reached index, or the unchanged applied index) or `applyFailed`. The batch
///   is never empty: it always writes the watermark.
/// - Merkle requests: answer with the matching `...Arrived` event, passing this side's
///   Merkle data read at that moment (no apply runs while one is outstanding), or
///   ``Event/syncRequestFailed``.
public struct SecondaryReplicator: Sendable {
    /// Vault's secondary `state`.
    public enum State: Sendable, Hashable, CaseIterable {
        /// Not started, or waiting to reconnect after a failure ("a generic issue").
        case idle
        /// Dialling the primary.
        case connecting
        /// Streaming WAL records: normal operation.
        case streamWALs
        /// Comparing Merkle pages with the primary.
        case merkleDiff
        /// Fetching and applying the keys that differ.
        case merkleSync

        /// The string `sys/replication/status` shows.
        public var statusName: String {
            switch self {
            case .idle: "idle"
            case .connecting: "connecting"
            case .streamWALs: "stream-wals"
            case .merkleDiff: "merkle-diff"
            case .merkleSync: "merkle-sync"
            }
        }
    }

    /// Vault's `connection_state` (gRPC connectivity states).
    public enum ConnectionState: Sendable, Hashable, CaseIterable {
        case idle, connecting, ready, transientFailure, shutdown

        public var statusName: String {
            switch self {
            case .idle: "idle"
            case .connecting: "connecting"
            case .ready: "ready"
            case .transientFailure: "transient_failure"
            case .shutdown: "shutdown"
            }
        }
    }

    /// Tunables.
    public struct Configuration: Sendable, Hashable {
        public var heartbeatIntervalMillis: Int64
        /// How long without any message from the primary before the link is dropped; also
        /// the longest a connect may take.
        public var heartbeatTimeoutMillis: Int64
        /// The first reconnect delay; each consecutive failure doubles it, up to the cap.
        public var reconnectBaseMillis: Int64
        public var reconnectCapMillis: Int64
        /// The fraction of a delay that jitter may take off (0 ..< 1).
        public var reconnectJitter: Double
        public var maximumRecordsPerApply: Int
        public var maximumPagesPerRequest: Int
        public var maximumKeysPerFetch: Int

        public init(
            heartbeatIntervalMillis: Int64 = 5_000,
            heartbeatTimeoutMillis: Int64 = 30_000,
            reconnectBaseMillis: Int64 = 500,
            reconnectCapMillis: Int64 = 30_000,
            reconnectJitter: Double = 0.2,
            maximumRecordsPerApply: Int = 1024,
            maximumPagesPerRequest: Int = ReplicationLimits.maximumPagesPerRequest,
            maximumKeysPerFetch: Int = ReplicationLimits.maximumKeysPerFetch
        ) {
            self.heartbeatIntervalMillis = max(1, heartbeatIntervalMillis)
            self.heartbeatTimeoutMillis = max(1, heartbeatTimeoutMillis)
            self.reconnectBaseMillis = max(1, reconnectBaseMillis)
            self.reconnectCapMillis = max(self.reconnectBaseMillis, reconnectCapMillis)
            self.reconnectJitter = min(max(0, reconnectJitter), 0.99)
            self.maximumRecordsPerApply = max(1, maximumRecordsPerApply)
            self.maximumPagesPerRequest = min(max(1, maximumPagesPerRequest), ReplicationLimits.maximumPagesPerRequest)
            self.maximumKeysPerFetch = min(max(1, maximumKeysPerFetch), ReplicationLimits.maximumKeysPerFetch)
        }
    }

    /// What happened, as the shell saw it.
    public enum Event: Sendable, Hashable {
        case start(nowMillis: Int64)
        /// Replication is being disabled: drop the link and stay down.
        case stop
        /// The last ``Action/connect`` succeeded; the stream is open.
        case connected
        case connectFailed
        /// The stream or connection broke (including every pending Merkle call).
        case linkBroken
        case received(PrimaryMessage, nowMillis: Int64)
        /// The answer to ``Action/requestPageHashes``, with this side's page hashes now.
        case pageHashesArrived(MerklePageHashes, local: [MerkleHash])
        /// The answer to ``Action/requestPageEntries(pages:)``, with this side's entries of
        /// the same pages now.
        case pageEntriesArrived(MerklePageEntries, local: [MerklePage])
        /// The answer to ``Action/fetchKeys(_:)``.
        case valuesArrived(FetchedValues)
        /// A Merkle call failed.
        case syncRequestFailed
        /// The last apply committed; `index` is this side's `last_remote_wal` now.
        case applied(index: UInt64)
        /// The last apply failed; nothing of it was committed.
        case applyFailed
        case tick(nowMillis: Int64)
    }

    /// What the shell must do, in order.
    public enum Action: Sendable, Hashable {
        /// Open a connection and the replication stream; answer `connected` or `connectFailed`.
        case connect
        /// Close the link (ignore it if already closed).
        case disconnect(DisconnectReason)
        case send(SecondaryMessage)
        case requestPageHashes
        case requestPageEntries(pages: [Int])
        case fetchKeys([String])
        /// Commit the records and `last_remote_wal = newLastRemote` in one storage batch.
        case applyRecords([WALRecord], newLastRemote: UInt64)
        /// Commit a Merkle sync step in one storage batch (see ``SyncApply``).
        case applySync(SyncApply)
        /// A reconnect is due in `afterMillis`: tick then.
        case scheduleReconnect(afterMillis: Int64)
        /// Log `transitioning state: state=<to.statusName>`.
        case logTransition(from: State, to: State)
    }

    /// Why the secondary dropped the link itself.
    public enum DisconnectReason: Sendable, Hashable {
        case stopped
        case heartbeatTimeout
        case connectTimeout
        case applyFailed
        case syncRequestFailed
        /// The primary sent something the protocol does not allow.
        case protocolViolation
    }

    enum InFlightApply: Sendable, Hashable {
        case records(upTo: UInt64)
        case sync(SyncApply)
    }

    public let configuration: Configuration
    public private(set) var state: State = .idle
    public private(set) var connectionState: ConnectionState = .idle
    /// The durable `last_remote_wal`: every record up to it is applied.
    public private(set) var appliedIndex: UInt64
    /// The durable consistency watermark (see ``isConsistent``).
    public private(set) var consistentAtIndex: UInt64
    /// The primary's last index, from its latest records or heartbeat.
    public private(set) var primaryLastIndex: UInt64 = 0
    /// The primary as a peer, for `sys/replication/status` (`primaries[]`).
    public private(set) var peer = ReplicationPeerStatus()
    /// How many reconnects in a row failed (drives the backoff).
    public private(set) var consecutiveFailures = 0

    /// The highest index accepted for applying (applied, in flight or queued).
    var acceptedIndex: UInt64
    var pending: [WALRecord] = []
    var inFlight: InFlightApply?
    /// `startStream` went out on the current link.
    var streamRequested = false
    /// A gap was seen and a restart asked; further gaps until then are expected.
    var restartRequested = false
    var sync: SyncProgress?
    var nowMillis: Int64 = 0
    var lastReceivedMillis: Int64 = 0
    var connectStartedMillis: Int64 = 0
    var lastHeartbeatSentMillis: Int64?
    var reconnectAtMillis: Int64?
    var random: SplitMix64

    /// - Parameters:
    ///   - appliedIndex: the persisted `last_remote_wal` (0 for empty storage).
    ///   - consistentAtIndex: the persisted watermark of ``SyncApply/consistentAtIndex`` (0 if never written).
    ///   - seed: seeds the reconnect jitter; give each process a different one.
    public init(configuration: Configuration = Configuration(), appliedIndex: UInt64 = 0, consistentAtIndex: UInt64 = 0, seed: UInt64) {
        self.configuration = configuration
        self.appliedIndex = appliedIndex
        self.consistentAtIndex = consistentAtIndex
        self.acceptedIndex = appliedIndex
        self.random = SplitMix64(seed: seed)
    }

    /// Whether this side's replicated data is exactly the primary's at ``appliedIndex``:
    /// streaming, and past the last sync's watermark.
    public var isConsistent: Bool {
        state == .streamWALs && appliedIndex >= consistentAtIndex
    }

    /// Records received and not yet handed to an apply; a shell may stop reading the
    /// stream while this is large (gRPC flow control then slows the primary).
    public var queuedRecordCount: Int { pending.count }

    /// Feeds one event; returns the actions to perform, in order.
    public mutating func handle(_ event: Event) -> [Action] {
        var actions: [Action] = []
        switch event {
        case .start(let now):
            advanceClock(to: now)
            guard connectionState == .idle || connectionState == .shutdown else { break }
            beginConnect(&actions)
        case .stop:
            guard connectionState != .shutdown else { break }
            dropProgress()
            reconnectAtMillis = nil
            if connectionState != .idle { actions.append(.disconnect(.stopped)) }
            connectionState = .shutdown
            peer.connected = false
            transition(to: .idle, &actions)
        case .connected:
            guard connectionState == .connecting else { break }
            connectionState = .ready
            peer.connected = true
            lastReceivedMillis = nowMillis
            lastHeartbeatSentMillis = nil
            transition(to: .streamWALs, &actions)
            if inFlight == nil { startStream(&actions) }
        case .connectFailed:
            guard connectionState == .connecting else { break }
            fail(nil, &actions)
        case .linkBroken:
            guard connectionState == .ready || connectionState == .connecting else { break }
            fail(nil, &actions)
        case let .received(message, now):
            advanceClock(to: now)
            guard connectionState == .ready else { break }
            lastReceivedMillis = nowMillis
            onMessage(message, &actions)
        case let .pageHashesArrived(remote, local):
            onPageHashes(remote, local: local, &actions)
        case let .pageEntriesArrived(remote, local):
            onPageEntries(remote, local: local, &actions)
        case .valuesArrived(let values):
            onValues(values, &actions)
        case .syncRequestFailed:
            guard sync?.awaitsAnswer == true else { break }
            fail(.syncRequestFailed, &actions)
        case .applied(let index):
            onApplied(index, &actions)
        case .applyFailed:
            guard inFlight != nil else { break }
            inFlight = nil
            if connectionState == .ready {
                fail(.applyFailed, &actions)
            } else {
                // Already down; the reconnect resumes after the (unchanged) applied index.
                sync = nil
            }
        case .tick(let now):
            advanceClock(to: now)
            onTick(&actions)
        }
        return actions
    }

    private mutating func advanceClock(to now: Int64) {
        nowMillis = max(nowMillis, now)
    }

    private mutating func onTick(_ actions: inout [Action]) {
        switch connectionState {
        case .transientFailure:
            if let due = reconnectAtMillis, nowMillis >= due {
                reconnectAtMillis = nil
                beginConnect(&actions)
            }
        case .connecting:
            if nowMillis - connectStartedMillis >= configuration.heartbeatTimeoutMillis {
                fail(.connectTimeout, &actions)
            }
        case .ready:
            if nowMillis - lastReceivedMillis >= configuration.heartbeatTimeoutMillis {
                fail(.heartbeatTimeout, &actions)
            } else if lastHeartbeatSentMillis.map({ nowMillis - $0 >= configuration.heartbeatIntervalMillis }) ?? true {
                lastHeartbeatSentMillis = nowMillis
                actions.append(.send(.heartbeat(appliedIndex: appliedIndex, sentAtMillis: nowMillis)))
            }
        case .idle, .shutdown:
            break
        }
    }

    private mutating func onMessage(_ message: PrimaryMessage, _ actions: inout [Action]) {
        switch message {
        case let .heartbeat(lastIndex, sentAtMillis):
            primaryLastIndex = lastIndex
            peer.recordHeartbeat(sentAtMillis: sentAtMillis, receivedAtMillis: nowMillis)
            consecutiveFailures = 0
        case .needSync:
            guard state == .streamWALs, streamRequested else { return }
            beginSync(&actions)
        case let .records(records, lastIndex):
            guard !records.isEmpty, records.count <= ReplicationLimits.maximumRecordsPerMessage else {
                fail(.protocolViolation, &actions)
                return
            }
            primaryLastIndex = max(primaryLastIndex, lastIndex, records[records.count - 1].index)
            // Records of a stream that a needSync or a failure ended are stale.
            guard state == .streamWALs, streamRequested else { return }
            accept(records, &actions)
        }
    }

    private mutating func accept(_ records: [WALRecord], _ actions: inout [Action]) {
        for record in records {
            if record.index <= acceptedIndex { continue }  // a duplicate
            guard record.index == acceptedIndex + 1 else {
                if !restartRequested {
                    restartRequested = true
                    actions.append(.send(.startStream(afterIndex: acceptedIndex)))
                }
                break
            }
            pending.append(record)
            acceptedIndex = record.index
            restartRequested = false
        }
        applyQueuedRecords(&actions)
    }

    private mutating func applyQueuedRecords(_ actions: inout [Action]) {
        guard inFlight == nil, !pending.isEmpty else { return }
        let batch = Array(pending.prefix(configuration.maximumRecordsPerApply))
        pending.removeFirst(batch.count)
        let upTo = batch[batch.count - 1].index
        inFlight = .records(upTo: upTo)
        actions.append(.applyRecords(batch, newLastRemote: upTo))
    }

    private mutating func onApplied(_ index: UInt64, _ actions: inout [Action]) {
        guard let finished = inFlight else { return }
        inFlight = nil
        consecutiveFailures = 0
        switch finished {
        case .records(let upTo):
            appliedIndex = upTo
        case .sync(let apply):
            consistentAtIndex = apply.consistentAtIndex
            if let reached = apply.reachedIndex { appliedIndex = reached }
        }
        guard connectionState == .ready else { return }
        if sync != nil {
            continueSync(&actions)
        } else if state == .streamWALs {
            if streamRequested {
                applyQueuedRecords(&actions)
            } else {
                startStream(&actions)
            }
        }
    }

    /// Sends `startStream` after the applied index; nothing may be in flight.
    mutating func startStream(_ actions: inout [Action]) {
        pending = []
        acceptedIndex = appliedIndex
        streamRequested = true
        restartRequested = false
        actions.append(.send(.startStream(afterIndex: appliedIndex)))
    }

    private mutating func beginConnect(_ actions: inout [Action]) {
        connectionState = .connecting
        connectStartedMillis = nowMillis
        transition(to: .connecting, &actions)
        actions.append(.connect)
    }

    /// Drops the link's work, goes idle and schedules a reconnect; `reason` set when this
    /// side closes the link (not when the transport reported it closed).
    mutating func fail(_ reason: DisconnectReason?, _ actions: inout [Action]) {
        dropProgress()
        if let reason { actions.append(.disconnect(reason)) }
        connectionState = .transientFailure
        peer.connected = false
        transition(to: .idle, &actions)
        let delay = nextReconnectDelay()
        reconnectAtMillis = nowMillis + delay
        actions.append(.scheduleReconnect(afterMillis: delay))
    }

    /// Forgets queued records and any sync in progress; an apply in flight stays in flight.
    private mutating func dropProgress() {
        pending = []
        acceptedIndex = appliedIndex
        streamRequested = false
        restartRequested = false
        sync = nil
    }

    /// The next reconnect delay: base × 2^failures, capped, minus up to the jitter fraction.
    mutating func nextReconnectDelay() -> Int64 {
        let exponent = min(consecutiveFailures, 40)
        consecutiveFailures += 1
        let (scaled, overflow) = configuration.reconnectBaseMillis.multipliedReportingOverflow(by: Int64(1) << exponent)
        let capped = overflow ? configuration.reconnectCapMillis : min(scaled, configuration.reconnectCapMillis)
        let spread = Int64(Double(capped) * configuration.reconnectJitter)
        let jitter = spread > 0 ? Int64(random.next() % UInt64(spread + 1)) : 0
        return max(1, capped - jitter)
    }

    mutating func transition(to next: State, _ actions: inout [Action]) {
        guard next != state else { return }
        actions.append(.logTransition(from: state, to: next))
        state = next
    }
}

/// SplitMix64: a tiny deterministic generator for the reconnect jitter.
struct SplitMix64: Sendable, Hashable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
