/// Redacted descriptions for the messages that carry secrets.
///
/// SwiftProtobuf's default `debugDescription` (which string interpolation and loggers
/// fall back to) prints every field in text format: root keys, stored values, forwarded
/// tokens and request bodies. These replacements print the shape (ids, counts, sizes,
/// key paths) and never a secret. The generated types conform here, in the module that
/// declares them, so these members win over the protocol's default.
extension Coffer_Cluster_V1_RawEntry: CustomStringConvertible {
    public var description: String {
        present ? "RawEntry(\(key), \(value.count) bytes)" : "RawEntry(\(key), absent)"
    }

    public var debugDescription: String { description }
}

extension Coffer_Cluster_V1_BootstrapResponse: CustomStringConvertible {
    public var description: String {
        "BootstrapResponse(cluster_id: \(clusterID), secondary_id: \(secondaryID), barrier_entries: \(barrierEntries.map(\.key)), "
            + "last_index: \(lastIndex), primary_cluster_addr: \(primaryClusterAddr), root key and dev token redacted)"
    }

    public var debugDescription: String { description }
}

extension Coffer_Cluster_V1_WALRecord: CustomStringConvertible {
    public var description: String {
        "WALRecord(\(index), \(op), \(key), \(value.count) bytes)"
    }

    public var debugDescription: String { description }
}

extension Coffer_Cluster_V1_PrimaryMessage.Records: CustomStringConvertible {
    public var description: String {
        let range = records.first.map { first in "\(first.index)...\(records.last?.index ?? first.index)" } ?? "empty"
        return "Records(\(records.count) records, \(range), last_index: \(lastIndex))"
    }

    public var debugDescription: String { description }
}

extension Coffer_Cluster_V1_PrimaryMessage: CustomStringConvertible {
    public var description: String {
        switch kind {
        case .records(let records): "PrimaryMessage(\(records))"
        case .heartbeat(let heartbeat): "PrimaryMessage(heartbeat last_index: \(heartbeat.lastIndex))"
        case .needSync(let needSync): "PrimaryMessage(need_sync oldest: \(needSync.oldestIndex), last: \(needSync.lastIndex))"
        case nil: "PrimaryMessage(unset)"
        }
    }

    public var debugDescription: String { description }
}

extension Coffer_Cluster_V1_FetchKeysResponse: CustomStringConvertible {
    public var description: String { "FetchKeysResponse(\(entries))" }

    public var debugDescription: String { description }
}

extension Coffer_Cluster_V1_ForwardedAuth: CustomStringConvertible {
    public var description: String {
        "ForwardedAuth(display_name: \(displayName), policies: \(policies), entity_id: \(entityID), token and accessor redacted)"
    }

    public var debugDescription: String { description }
}

extension Coffer_Cluster_V1_ForwardRequest: CustomStringConvertible {
    public var description: String {
        "ForwardRequest(\(requestID), \(operation) \(path), \(dataJson.count) bytes of data, wrap_ttl: \(wrapTtl), \(auth))"
    }

    public var debugDescription: String { description }
}

extension Coffer_Cluster_V1_ForwardResponse: CustomStringConvertible {
    public var description: String {
        "ForwardResponse(wal_index: \(walIndex), error_status: \(errorStatus), \(responseJson.count) bytes of response)"
    }

    public var debugDescription: String { description }
}
