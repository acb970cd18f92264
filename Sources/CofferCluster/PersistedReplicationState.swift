import CofferCore
import CofferJSON

/// What a cluster remembers about its performance replication: one record, barrier-
/// encrypted in the local key class. Secret members (the CA's and this side's private
/// keys, the JWT signing key) never appear in `description`.
struct PersistedReplicationState: Sendable, CustomStringConvertible {
    var mode: ReplicationMode = .disabled
    /// The replication set's id (`cluster_id` in status), the same on every member.
    var clusterID = ""
    var primaryClusterAddress = ""
    var primaryAPIAddress = ""
    // Primary side.
    var caCertificatePEM = ""
    var caKeyPEM = ""
    var serverCertificatePEM = ""
    var serverKeyPEM = ""
    var jwtKeyPEM = ""
    /// Secondary ids with whether each is revoked. A revoked id stays here (its
    /// certificate must never work again), so it cannot be issued a second time.
    var secondaries: [String: Bool] = [:]
    /// Paths filters by secondary id.
    var filters: [String: PathsFilter] = [:]
    /// Secondaries whose next stream must begin with a Merkle sync (their filter changed).
    var resync: Set<String> = []
    /// Set by `primary/demote`: a secondary without a primary until `update-primary`.
    var demoted = false
    /// Unix seconds of the last finished `sys/replication/reindex` (0: never).
    var lastReindexEpoch: Int64 = 0
    // Secondary side.
    var secondaryID = ""
    var clientCertificatePEM = ""
    var clientKeyPEM = ""

    var description: String {
        "PersistedReplicationState(mode: \(mode.rawValue), cluster: \(clusterID), secondaries: \(secondaries.count), keys redacted)"
    }

    init() {}

    init(bytes: [UInt8]) throws {
        let json = try JSONParser.parse(bytes)
        func s(_ name: String) -> String { json[name]?.stringValue ?? "" }
        mode = ReplicationMode(rawValue: s("mode")) ?? .disabled
        clusterID = s("cluster_id")
        primaryClusterAddress = s("primary_cluster_addr")
        primaryAPIAddress = s("primary_api_addr")
        caCertificatePEM = s("ca_cert")
        caKeyPEM = s("ca_key")
        serverCertificatePEM = s("server_cert")
        serverKeyPEM = s("server_key")
        jwtKeyPEM = s("jwt_key")
        secondaryID = s("secondary_id")
        clientCertificatePEM = s("client_cert")
        clientKeyPEM = s("client_key")
        if case .object(let list)? = json["secondaries"] {
            for (id, revoked) in list { secondaries[id] = revoked.boolValue ?? false }
        }
        if case .object(let list)? = json["filters"] {
            for (id, value) in list {
                if let filter = PathsFilter(json: value) { filters[id] = filter }
            }
        }
        resync = Set(json["resync"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        demoted = json["demoted"]?.boolValue ?? false
        lastReindexEpoch = json["last_reindex_epoch"]?.intValue ?? 0
    }

    var bytes: [UInt8] {
        JSONWriter.bytes([
            "version": 1,
            "mode": .string(mode.rawValue),
            "cluster_id": .string(clusterID),
            "primary_cluster_addr": .string(primaryClusterAddress),
            "primary_api_addr": .string(primaryAPIAddress),
            "ca_cert": .string(caCertificatePEM),
            "ca_key": .string(caKeyPEM),
            "server_cert": .string(serverCertificatePEM),
            "server_key": .string(serverKeyPEM),
            "jwt_key": .string(jwtKeyPEM),
            "secondary_id": .string(secondaryID),
            "client_cert": .string(clientCertificatePEM),
            "client_key": .string(clientKeyPEM),
            "secondaries": .object(secondaries.mapValues { .bool($0) }),
            "filters": .object(filters.mapValues(\.json)),
            "resync": .array(resync.sorted().map { .string($0) }),
            "demoted": .bool(demoted),
            "last_reindex_epoch": .int(lastReindexEpoch),
        ])
    }
}

extension PersistedReplicationState {
    /// This cluster as a secondary of the primary `bundle` names (`secondary/enable`,
    /// `secondary/update-primary`): the set's id and CA, the primary's addresses, this
    /// secondary's id and client identity. Whatever it held as a primary (the CA's key,
    /// the server identity, the JWT key, known secondaries, filters) is dropped; the
    /// reindex epoch stays.
    mutating func follow(_ bundle: ReplicationManager.ActivationBundle) {
        mode = .secondary
        demoted = false
        clusterID = bundle.clusterID
        secondaryID = bundle.secondaryID
        primaryClusterAddress = bundle.primaryClusterAddress
        primaryAPIAddress = bundle.primaryAPIAddress
        caCertificatePEM = bundle.caCertificatePEM
        clientCertificatePEM = bundle.clientCertificatePEM
        clientKeyPEM = bundle.clientKeyPEM
        caKeyPEM = ""
        serverCertificatePEM = ""
        serverKeyPEM = ""
        jwtKeyPEM = ""
        secondaries = [:]
        filters = [:]
        resync = []
    }
}
