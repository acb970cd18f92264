import CofferReplication

/// The simulated network: one link per secondary, each a stream (in order per direction)
/// plus unary Merkle calls (in no order relative to the stream).
extension ReplicationSimulator {
    struct Link {
        enum State { case down, connecting, up }

        var state: State = .down
        /// Bumped by every connect; whatever an older connection had in flight is dead.
        var epoch = 0
        /// A partition: traffic is held until then, and connects fail.
        var stalledUntilMillis: Int64 = 0
        /// The delivery time of the newest message per direction, to keep each in order.
        var lastToSecondaryMillis: Int64 = 0
        var lastToPrimaryMillis: Int64 = 0
        /// The primary's end of the current connection.
        var shipper: LogShipper?
        /// The secondary's filter generation when this connection opened (the primary
        /// closes the connection when the filter changes).
        var generation = 0
        /// The generation of the sync this connection's first start forced, until the
        /// secondary's `startStream` after it (``PrimaryShell/resyncsUntilSynced``).
        var forcedGeneration: Int?
    }

    struct Delivery {
        enum Payload {
            case connectResult
            /// The secondary learns that the primary closed the connection.
            case reset
            case toPrimary(SecondaryMessage)
            case toSecondary(PrimaryMessage)
            case syncRequest(MerkleSyncRequest)
            case syncResponse(MerkleSyncRequest, MerkleSyncResponse)
            /// The primary's shell reads its log for the shipper (local, not network).
            case logRead(afterIndex: UInt64, limit: Int)
            /// The secondary's storage finishes the apply in flight (local; survives the link).
            case applyDone
            /// An armed fault: cut this connection if its secondary is still syncing.
            case cutDuringSync
            /// An armed fault: restart the secondary if its record apply is still in flight (local).
            case restartDuringApply

            /// Happens on the secondary whatever becomes of the link.
            var isLocalToSecondary: Bool {
                switch self {
                case .applyDone, .restartDuringApply: true
                default: false
                }
            }
        }

        var atMillis: Int64
        var sequence: Int
        var link: Int
        var epoch: Int
        var payload: Payload
    }

    /// Removes and returns the earliest delivery due by `limit` (ties in sending order).
    func nextDue(atOrBefore limit: Int64) -> Delivery? {
        var best: Int?
        for index in deliveries.indices where deliveries[index].atMillis <= limit {
            if let current = best {
                let candidate = deliveries[index]
                let chosen = deliveries[current]
                if (candidate.atMillis, candidate.sequence) < (chosen.atMillis, chosen.sequence) { best = index }
            } else {
                best = index
            }
        }
        return best.map { deliveries.remove(at: $0) }
    }

    func enqueue(_ payload: Delivery.Payload, link number: Int, atMillis: Int64) {
        deliveries.append(Delivery(atMillis: atMillis, sequence: nextSequence, link: number, epoch: links[number].epoch, payload: payload))
        nextSequence += 1
    }

    /// Mostly a few milliseconds, sometimes most of a second.
    func networkDelay() -> Int64 {
        random.next(below: 12) == 0 ? Int64(random.next(below: 800)) + 40 : Int64(random.next(below: 30)) + 1
    }

    /// Puts a message on the wire of a live link; a dead link loses it.
    func transmit(_ payload: Delivery.Payload, link number: Int) {
        guard links[number].state == .up else { return }
        var at = max(nowMillis + networkDelay(), links[number].stalledUntilMillis)
        switch payload {
        case .toPrimary:
            at = max(at, links[number].lastToPrimaryMillis)
            links[number].lastToPrimaryMillis = at
        case .toSecondary:
            at = max(at, links[number].lastToSecondaryMillis)
            links[number].lastToSecondaryMillis = at
        default:
            break
        }
        enqueue(payload, link: number, atMillis: at)
    }

    /// Holds the link's traffic until `untilMillis`; connects fail meanwhile.
    func partition(_ number: Int, untilMillis: Int64) {
        links[number].stalledUntilMillis = max(links[number].stalledUntilMillis, untilMillis)
        let until = links[number].stalledUntilMillis
        for index in deliveries.indices where deliveries[index].link == number && deliveries[index].atMillis < until {
            if case .logRead = deliveries[index].payload { continue }
            if deliveries[index].payload.isLocalToSecondary { continue }
            deliveries[index].atMillis = until
        }
        links[number].lastToPrimaryMillis = max(links[number].lastToPrimaryMillis, until)
        links[number].lastToSecondaryMillis = max(links[number].lastToSecondaryMillis, until)
    }

    /// Kills the connection: everything in flight is lost and the primary's end closes.
    /// The secondary hears of it at once, or when a partition ends, if `notifySecondary`.
    func cut(_ number: Int, notifySecondary: Bool) async throws {
        deliveries.removeAll { $0.link == number && !$0.payload.isLocalToSecondary }
        let wasLive = links[number].state != .down
        if notifySecondary, wasLive, secondaries[number].replicator.isSyncing {
            report.cutsDuringSync += 1
            note("s\(number)'s link is cut during \(secondaries[number].replicator.state.statusName)")
        }
        links[number].state = .down
        if var shipper = links[number].shipper {
            _ = shipper.handle(.linkClosed)
            links[number].shipper = nil
        }
        guard notifySecondary, wasLive else { return }
        if nowMillis < links[number].stalledUntilMillis {
            enqueue(.reset, link: number, atMillis: links[number].stalledUntilMillis)
        } else {
            try await feedSecondary(number, .linkBroken)
        }
    }

    func connect(_ number: Int) {
        deliveries.removeAll { $0.link == number && !$0.payload.isLocalToSecondary }
        links[number].epoch += 1
        links[number].state = .connecting
        links[number].shipper = nil
        links[number].generation = filters[number].generation
        links[number].forcedGeneration = nil
        links[number].lastToPrimaryMillis = 0
        links[number].lastToSecondaryMillis = 0
        enqueue(.connectResult, link: number, atMillis: nowMillis + Int64(random.next(below: 60)) + 1)
    }

    func deliver(_ delivery: Delivery) async throws {
        let number = delivery.link
        guard delivery.epoch == links[number].epoch || delivery.payload.isLocalToSecondary else { return }
        switch delivery.payload {
        case .connectResult:
            guard links[number].state == .connecting else { return }
            if nowMillis < links[number].stalledUntilMillis {
                links[number].state = .down
                note("s\(number) connect failed (partitioned)")
                try await feedSecondary(number, .connectFailed)
            } else {
                links[number].state = .up
                links[number].shipper = LogShipper(configuration: shipperConfiguration)
                note("s\(number) connected (epoch \(links[number].epoch))")
                try await feedSecondary(number, .connected)
            }
        case .reset:
            note("s\(number) hears the connection was reset")
            try await feedSecondary(number, .linkBroken)
        case .toPrimary(let message):
            guard links[number].state == .up, links[number].shipper != nil else { return }
            try await primaryReceived(message, from: number)
        case .toSecondary(let message):
            guard links[number].state == .up else { return }
            note("s\(number) ← \(Self.describe(message))")
            try await feedSecondary(number, .received(message, nowMillis: secondaryNow(number)))
        case .syncRequest(let request):
            guard links[number].state == .up else { return }
            let response = try await answer(request, from: number)
            transmit(.syncResponse(request, response), link: number)
        case let .syncResponse(request, response):
            guard links[number].state == .up else { return }
            try await secondaryReceived(response, for: request, at: number)
        case let .logRead(afterIndex, limit):
            guard links[number].shipper != nil else { return }
            try await readLog(afterIndex: afterIndex, limit: limit, for: number)
        case .applyDone:
            try await finishApply(at: number)
        case .cutDuringSync:
            guard links[number].state == .up, secondaries[number].replicator.isSyncing else { return }
            report.cuts += 1
            note("cut link s\(number) (armed)")
            try await cut(number, notifySecondary: true)
        case .restartDuringApply:
            guard case .records? = secondaries[number].applying?.kind else { return }
            try await restartSecondary(number)
        }
    }

    static func describe(_ message: PrimaryMessage) -> String {
        switch message {
        case let .records(records, lastIndex):
            "records \(records.first?.index ?? 0)...\(records.last?.index ?? 0) (last \(lastIndex))"
        case let .heartbeat(lastIndex, _):
            "heartbeat (last \(lastIndex))"
        case let .needSync(oldestIndex, lastIndex):
            "needSync (oldest \(oldestIndex), last \(lastIndex))"
        }
    }
}
