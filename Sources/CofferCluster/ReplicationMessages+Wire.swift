import CofferReplication
import Foundation

// The state machines' messages on the wire (coffer_cluster.proto), both ways.

extension SecondaryMessage {
    /// nil for a message with no kind (malformed).
    init?(wire: Coffer_Cluster_V1_SecondaryMessage) {
        switch wire.kind {
        case .start(let start)?: self = .startStream(afterIndex: start.afterIndex)
        case .heartbeat(let beat)?: self = .heartbeat(appliedIndex: beat.appliedIndex, sentAtMillis: beat.sentAtMillis)
        case nil: return nil
        }
    }
}

extension Coffer_Cluster_V1_SecondaryMessage {
    init(_ message: SecondaryMessage) {
        self.init()
        switch message {
        case .startStream(let after):
            var start = Coffer_Cluster_V1_SecondaryMessage.StartStream()
            start.afterIndex = after
            kind = .start(start)
        case .heartbeat(let applied, let sent):
            var beat = Coffer_Cluster_V1_SecondaryMessage.Heartbeat()
            beat.appliedIndex = applied
            beat.sentAtMillis = sent
            kind = .heartbeat(beat)
        }
    }
}

extension PrimaryMessage {
    /// nil for a malformed message (no kind, or a record that does not decode).
    init?(wire: Coffer_Cluster_V1_PrimaryMessage) {
        switch wire.kind {
        case .records(let batch)?:
            guard let records = try? batch.records.map({ try WALRecord(wire: $0) }), !records.isEmpty else { return nil }
            self = .records(records, lastIndex: batch.lastIndex)
        case .heartbeat(let beat)?: self = .heartbeat(lastIndex: beat.lastIndex, sentAtMillis: beat.sentAtMillis)
        case .needSync(let need)?: self = .needSync(oldestIndex: need.oldestIndex, lastIndex: need.lastIndex)
        case nil: return nil
        }
    }
}

extension Coffer_Cluster_V1_PrimaryMessage {
    init(_ message: PrimaryMessage) {
        self.init()
        switch message {
        case .records(let records, let last):
            var batch = Coffer_Cluster_V1_PrimaryMessage.Records()
            batch.records = records.map { Coffer_Cluster_V1_WALRecord($0) }
            batch.lastIndex = last
            kind = .records(batch)
        case .heartbeat(let last, let sent):
            var beat = Coffer_Cluster_V1_PrimaryMessage.Heartbeat()
            beat.lastIndex = last
            beat.sentAtMillis = sent
            kind = .heartbeat(beat)
        case .needSync(let oldest, let last):
            var need = Coffer_Cluster_V1_PrimaryMessage.NeedSync()
            need.oldestIndex = oldest
            need.lastIndex = last
            kind = .needSync(need)
        }
    }
}
