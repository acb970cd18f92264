/// The primary's end of one secondary's replication stream, as a pure state machine:
/// events in, actions out, time passed in. The shell (the cluster layer) owns the stream
/// and the ``ReplicationLog``, feeds every event, and performs every action in order.
///
/// ```
///            start(afterIndex) / startStream
///  notStarted ───────────────────────────▶ streaming ◀──────────┐
///                     │                   │  read → records → send, while cursor < lastIndex
///                     │ gone or ahead     │  .truncated read                 │ startStream
///                     ▼                   ▼                                  │
///                awaitingStart ◀──── needSync sent ──────────────────────────┘
///  any state ── linkClosed, heartbeat timeout, failed read ──▶ closed
/// ```
///
/// Contract for the shell:
/// - When a stream opens and its first message is ``SecondaryMessage/startStream(afterIndex:)``,
///   feed ``Event/start(afterIndex:oldestIndex:lastIndex:nowMillis:)`` with the log's
///   bounds read then; later messages go in as ``Event/received(_:nowMillis:)`` (a later
///   `startStream` may instead go in as `start`, with fresh bounds). A start after the
///   shipper's known last index is answered with `needSync`, so bounds must not lag:
///   the index a secondary resumes from after a sync came from this log.
/// - Feed ``Event/logAdvanced(lastIndex:)`` whenever the log's last index grows (a loop on
///   ``ReplicationLog/waitForIndex(above:)``), and ``Event/tick(nowMillis:)`` at least every
///   heartbeat interval.
/// - ``Action/read(afterIndex:limit:)`` means call ``ReplicationLog/records(after:limit:)``
///   and feed the answer back as ``Event/readCompleted(_:)`` (or ``Event/readFailed``). At
///   most one read is ever outstanding.
/// - ``Action/send(_:)`` messages go out in the order given; ``Action/close(_:)`` ends the
///   stream (the shell feeds nothing more).
public struct LogShipper: Sendable {
    /// Tunables; the defaults suit a LAN or WAN link.
    public struct Configuration: Sendable, Hashable {
        /// The `limit` of each log read.
        public var maximumRecordsPerRead: Int
        /// Records per ``PrimaryMessage/records(_:lastIndex:)`` message.
        public var maximumRecordsPerMessage: Int
        /// Encoded record bytes per message; a single larger record still goes alone.
        public var maximumBytesPerMessage: Int
        /// How often the primary sends a heartbeat.
        public var heartbeatIntervalMillis: Int64
        /// How long without any message from the secondary before the stream is closed.
        public var heartbeatTimeoutMillis: Int64

        public init(
            maximumRecordsPerRead: Int = 1024,
            maximumRecordsPerMessage: Int = 256,
            maximumBytesPerMessage: Int = 1 << 20,
            heartbeatIntervalMillis: Int64 = 5_000,
            heartbeatTimeoutMillis: Int64 = 30_000
        ) {
            self.maximumRecordsPerRead = max(1, maximumRecordsPerRead)
            self.maximumRecordsPerMessage = min(max(1, maximumRecordsPerMessage), ReplicationLimits.maximumRecordsPerMessage)
            self.maximumBytesPerMessage = max(1, maximumBytesPerMessage)
            self.heartbeatIntervalMillis = max(1, heartbeatIntervalMillis)
            self.heartbeatTimeoutMillis = max(1, heartbeatTimeoutMillis)
        }
    }

    /// What happened, as the shell saw it.
    public enum Event: Sendable, Hashable {
        /// The stream opened with ``SecondaryMessage/startStream(afterIndex:)``; the log's
        /// oldest retained and last indexes now. An `oldestIndex` of `UInt64.max` forces
        /// one Merkle sync (a new secondary, or one whose paths filter changed): it applies
        /// to this start only, not to the `startStream` the secondary sends after its sync.
        case start(afterIndex: UInt64, oldestIndex: UInt64, lastIndex: UInt64, nowMillis: Int64)
        /// The log's last index is now `lastIndex`.
        case logAdvanced(lastIndex: UInt64)
        /// The answer to the outstanding ``Action/read(afterIndex:limit:)``.
        case readCompleted(WALRead)
        /// The outstanding read threw.
        case readFailed
        /// A message from the secondary after the first.
        case received(SecondaryMessage, nowMillis: Int64)
        /// Time passes.
        case tick(nowMillis: Int64)
        /// The transport closed the stream.
        case linkClosed
    }

    /// What the shell must do, in order.
    public enum Action: Sendable, Hashable {
        case read(afterIndex: UInt64, limit: Int)
        case send(PrimaryMessage)
        case close(CloseReason)
    }

    /// Why the shipper closed the stream.
    public enum CloseReason: Sendable, Hashable {
        /// Nothing heard from the secondary for ``Configuration/heartbeatTimeoutMillis``.
        case heartbeatTimeout
        /// Reading the log failed.
        case readFailed
        /// The log returned records that are not consecutive: it is inconsistent.
        case logInconsistent
    }

    /// Where the stream is.
    public enum Phase: Sendable, Hashable {
        /// Waiting for ``Event/start(afterIndex:oldestIndex:lastIndex:nowMillis:)``.
        case notStarted
        /// Sending records after ``LogShipper/cursor`` and following the log.
        case streaming
        /// Sent ``PrimaryMessage/needSync(oldestIndex:lastIndex:)``; waiting for the
        /// secondary's next `startStream` (after its Merkle sync). Heartbeats continue.
        case awaitingStart
        /// Finished; every later event is ignored.
        case closed
    }

    public let configuration: Configuration
    public private(set) var phase: Phase = .notStarted
    /// The index of the last record sent (or the start index, before any).
    public private(set) var cursor: UInt64 = 0
    /// The log's last index, as last reported.
    public private(set) var lastIndex: UInt64 = 0
    /// The log's oldest retained index, as last reported.
    public private(set) var oldestIndex: UInt64 = 0
    /// The index the secondary last reported as durably applied.
    public private(set) var acknowledgedIndex: UInt64 = 0
    /// The secondary as a peer, for `sys/replication/status` (`secondaries[]`).
    public private(set) var peer = ReplicationPeerStatus()

    private var readInFlight = false
    /// The outstanding read was asked for an abandoned cursor: drop its answer.
    private var discardRead = false
    private var lastReceivedMillis: Int64 = 0
    private var lastHeartbeatSentMillis: Int64?

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// How many records the secondary is behind the log (last index minus acknowledged).
    public var lag: UInt64 {
        lastIndex > acknowledgedIndex ? lastIndex - acknowledgedIndex : 0
    }

    /// Feeds one event; returns the actions to perform, in order.
    public mutating func handle(_ event: Event) -> [Action] {
        if phase == .closed { return [] }
        switch event {
        case let .start(afterIndex, oldestIndex, lastIndex, nowMillis):
            let forceSync = oldestIndex == .max
            if !forceSync { self.oldestIndex = max(self.oldestIndex, oldestIndex) }
            self.lastIndex = max(self.lastIndex, lastIndex)
            guard phase == .notStarted else {
                // A second stream start is a restart in all but name.
                return onReceived(.startStream(afterIndex: afterIndex), nowMillis: nowMillis)
            }
            lastReceivedMillis = nowMillis
            peer.connected = true
            return restart(after: afterIndex, forceSync: forceSync)
        case .logAdvanced(let index):
            lastIndex = max(lastIndex, index)
            return readIfNeeded()
        case .readCompleted(let read):
            return onRead(read)
        case .readFailed:
            guard readInFlight else { return [] }
            readInFlight = false
            return close(.readFailed)
        case let .received(message, nowMillis):
            guard phase != .notStarted else { return [] }
            return onReceived(message, nowMillis: nowMillis)
        case .tick(let nowMillis):
            return onTick(nowMillis)
        case .linkClosed:
            phase = .closed
            peer.connected = false
            return []
        }
    }

    private mutating func onReceived(_ message: SecondaryMessage, nowMillis: Int64) -> [Action] {
        lastReceivedMillis = max(lastReceivedMillis, nowMillis)
        switch message {
        case .startStream(let afterIndex):
            return restart(after: afterIndex)
        case let .heartbeat(appliedIndex, sentAtMillis):
            // Not max(): after a Merkle sync against this primary the secondary may
            // legitimately report a lower index than before.
            acknowledgedIndex = appliedIndex
            peer.recordHeartbeat(sentAtMillis: sentAtMillis, receivedAtMillis: nowMillis)
            return []
        }
    }

    private mutating func onTick(_ nowMillis: Int64) -> [Action] {
        guard phase != .notStarted else { return [] }
        if nowMillis - lastReceivedMillis >= configuration.heartbeatTimeoutMillis {
            return close(.heartbeatTimeout)
        }
        var actions: [Action] = []
        if lastHeartbeatSentMillis.map({ nowMillis - $0 >= configuration.heartbeatIntervalMillis }) ?? true {
            lastHeartbeatSentMillis = nowMillis
            actions.append(.send(.heartbeat(lastIndex: lastIndex, sentAtMillis: nowMillis)))
        }
        // Also the retry after a read that returned nothing although the log had advanced.
        actions += readIfNeeded()
        return actions
    }

    /// Moves the cursor to `afterIndex`, or asks for a Merkle sync when the log cannot serve it.
    private mutating func restart(after afterIndex: UInt64, forceSync: Bool = false) -> [Action] {
        if readInFlight { discardRead = true }
        let ahead = afterIndex > lastIndex
        let gone = afterIndex < lastIndex && afterIndex + 1 < oldestIndex
        if ahead || gone || forceSync {
            phase = .awaitingStart
            return [.send(.needSync(oldestIndex: oldestIndex, lastIndex: lastIndex))]
        }
        phase = .streaming
        cursor = afterIndex
        return readIfNeeded()
    }

    private mutating func readIfNeeded() -> [Action] {
        guard phase == .streaming, !readInFlight, cursor < lastIndex else { return [] }
        readInFlight = true
        return [.read(afterIndex: cursor, limit: configuration.maximumRecordsPerRead)]
    }

    private mutating func onRead(_ read: WALRead) -> [Action] {
        guard readInFlight else { return [] }
        readInFlight = false
        if discardRead {
            discardRead = false
            return readIfNeeded()
        }
        guard phase == .streaming else { return [] }
        switch read {
        case .truncated(let oldest):
            oldestIndex = max(oldestIndex, oldest)
            phase = .awaitingStart
            return [.send(.needSync(oldestIndex: oldestIndex, lastIndex: lastIndex))]
        case .records(let records):
            let fresh = records.drop { $0.index <= cursor }
            guard let first = fresh.first else {
                // Nothing new although the log said so; the next advance or tick retries.
                return []
            }
            if first.index != cursor + 1 {
                // The records right after the cursor are gone: the same as a truncated read.
                oldestIndex = max(oldestIndex, first.index)
                phase = .awaitingStart
                return [.send(.needSync(oldestIndex: oldestIndex, lastIndex: lastIndex))]
            }
            var expected = first.index
            for record in fresh {
                guard record.index == expected else { return close(.logInconsistent) }
                expected += 1
            }
            lastIndex = max(lastIndex, expected - 1)
            cursor = expected - 1
            var actions = messages(for: Array(fresh)).map { Action.send($0) }
            actions += readIfNeeded()
            return actions
        }
    }

    /// Splits consecutive records into messages within the record and byte bounds.
    private func messages(for records: [WALRecord]) -> [PrimaryMessage] {
        var messages: [PrimaryMessage] = []
        var current: [WALRecord] = []
        var bytes = 0
        for record in records {
            let size = Self.encodedSize(of: record)
            let full = current.count >= configuration.maximumRecordsPerMessage
                || (!current.isEmpty && bytes + size > configuration.maximumBytesPerMessage)
            if full {
                messages.append(.records(current, lastIndex: lastIndex))
                current = []
                bytes = 0
            }
            current.append(record)
            bytes += size
        }
        if !current.isEmpty { messages.append(.records(current, lastIndex: lastIndex)) }
        return messages
    }

    /// The size of the record's ``WALCodec`` encoding.
    static func encodedSize(of record: WALRecord) -> Int {
        // version, index, tag, key length, checksum; a put adds a value length and the value.
        switch record.operation {
        case .put(let key, let value): 22 + key.utf8.count + value.count
        case .delete(let key), .deletePrefix(let key): 18 + key.utf8.count
        }
    }

    private mutating func close(_ reason: CloseReason) -> [Action] {
        phase = .closed
        peer.connected = false
        return [.close(reason)]
    }
}

/// One peer of a replication link as `sys/replication/status` shows it (a primary's
/// `secondaries[]`, a secondary's `primaries[]`).
///
/// A heartbeat carries one timestamp, the sender's clock when it sent it, so both derived
/// figures come from that and the receiver's clock at arrival: `clockSkewMillis` is
/// `sent - received` (the peer's clock ahead of ours, biased low by the transit time), and
/// `lastHeartbeatDurationMillis` is `received - sent`, at least 0 (the apparent delivery
/// time, biased by the skew). On a healthy link with synchronised clocks both are near 0.
public struct ReplicationPeerStatus: Sendable, Hashable {
    /// Whether the link to the peer is up.
    public var connected = false
    /// When the last heartbeat arrived (our clock, milliseconds since the Unix epoch).
    public var lastHeartbeatMillis: Int64?
    public var lastHeartbeatDurationMillis: Int64 = 0
    public var clockSkewMillis: Int64 = 0

    public init() {}

    /// `connected` or `disconnected`, as Vault's `connection_status`.
    public var connectionStatus: String { connected ? "connected" : "disconnected" }

    mutating func recordHeartbeat(sentAtMillis: Int64, receivedAtMillis: Int64) {
        lastHeartbeatMillis = receivedAtMillis
        clockSkewMillis = sentAtMillis &- receivedAtMillis
        lastHeartbeatDurationMillis = max(0, receivedAtMillis &- sentAtMillis)
    }
}
