public import CofferCore
public import CofferJSON
public import CofferLogical
import CofferReplication
import CofferStorage
import Foundation
public import Logging
import Synchronization
import Crypto
import X509

/// Performance replication for one cluster: the `sys/replication/*` endpoints, the
/// primary's cluster listener and log shippers, and the secondary's replicator loop. It
/// is Core's ``ReplicationController``; Core stays free of gRPC and TLS.
///
/// Persistent state (mode, the set's id, CA, JWT key, this side's credentials) lives in
/// one barrier-encrypted local-class record, `core/replication/state/performance`.
public final class ReplicationManager: ReplicationController, Sendable {
    /// Where the cluster listener binds when primary (host and port).
    public struct Configuration: Sendable {
        public var clusterListenHost: String
        public var clusterListenPort: Int
        /// The address secondaries are told to dial (`cluster_addr`), `host:port`.
        public var clusterAddress: String
        public var logger: Logger

        public init(clusterListenHost: String, clusterListenPort: Int, clusterAddress: String, logger: Logger) {
            self.clusterListenHost = clusterListenHost
            self.clusterListenPort = clusterListenPort
            self.clusterAddress = clusterAddress
            self.logger = logger
        }
    }

    let core: Core
    let configuration: Configuration
    var logger: Logger { configuration.logger }
    let state = Mutex(PersistedReplicationState())
    let runtime = Mutex(Runtime())
    /// Every apply on a secondary goes through here (stream, Merkle sync, forwarded writes).
    let gate = ReplicatedApplyGate()

    /// What runs while unsealed: the listener (primary) or the replicator (secondary).
    struct Runtime: Sendable {
        var server: ClusterServer?
        var serverTask: Task<Void, Never>?
        /// The link state of each connected secondary, from its log shipper.
        var shippers: [String: PrimaryPeer] = [:]
        var secondaryTask: Task<Void, Never>?
        var secondaryStatus = SecondaryStatus()
        var client: ClusterClient?
        /// Open streams by secondary id (primary): each handle's closer ends its stream.
        var streams: [String: [UInt64: @Sendable () -> Void]] = [:]
        var nextStreamHandle: UInt64 = 0
        /// Bumped by every paths-filter change of a secondary: a forced sync clears the
        /// resync mark only if no change came after the stream start that forced it.
        var filterGenerations: [String: UInt64] = [:]
        var reindex = ReindexProgress()
    }

    struct SecondaryStatus: Sendable {
        var state = "idle"
        var connectionState = "idle"
        var peer = ReplicationPeerStatus()
        var lastStart: Date?
        /// The newest primary index this side has heard of.
        var primaryLastIndex: UInt64 = 0
        var connected = false
        var lag = ReplicationLag(nowMillis: ReplicationManager.nowMillis())
    }

    /// What the primary knows of one secondary's stream.
    struct PrimaryPeer: Sendable {
        var status = ReplicationPeerStatus()
        /// The applied index the secondary last reported.
        var acknowledgedIndex: UInt64 = 0
        /// The index the shipper has sent up to.
        var cursor: UInt64 = 0
        var lag = ReplicationLag(nowMillis: ReplicationManager.nowMillis())
    }

    let metrics: ReplicationMetrics
    /// Signs and verifies consistency states (`X-Vault-Index`); a replicated record.
    let indexKey = Mutex<StateSigner?>(nil)

    public init(core: Core, configuration: Configuration) {
        self.core = core
        self.configuration = configuration
        self.metrics = ReplicationMetrics(registry: core.metrics)
        installMetricsCollector()
    }

    public var mode: ReplicationMode { state.withLock { $0.mode } }

    static let stateName = "performance"

    /// Reads the persisted state (after unseal) and starts what it calls for.
    public func coreUnsealed() async {
        do {
            if let bytes = try await core.readReplicationState(Self.stateName) {
                let loaded = try PersistedReplicationState(bytes: bytes)
                state.withLock { $0 = loaded }
            } else {
                state.withLock { $0 = PersistedReplicationState() }
            }
            switch mode {
            case .primary:
                core.replicationLog?.setMode(.primary)
                await loadIndexKey(create: true)
                try await startListener()
            case .secondary:
                core.replicationLog?.setMode(.secondary)
                await loadIndexKey(create: false)
                if !state.withLock({ $0.demoted }) { await startReplicator() }
            default:
                break
            }
        } catch {
            logger.error("replication: cannot start after unseal", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    public func coreSealing() async {
        stopRuntime()
    }

    func stopRuntime() {
        let (server, serverTask, secondaryTask, client, streams) = runtime.withLock { r in
            defer {
                let reindex = r.reindex
                r = Runtime()
                r.reindex = reindex
            }
            return (r.server, r.serverTask, r.secondaryTask, r.client, r.streams.values.flatMap(\.values))
        }
        for close in streams { close() }
        secondaryTask?.cancel()
        client?.close()
        server?.stop()
        serverTask?.cancel()
    }

    func persist() async throws {
        let bytes = state.withLock { $0.bytes }
        try await core.writeReplicationState(Self.stateName, bytes)
    }

    // MARK: endpoints

    public func handle(_ request: Request) async throws -> Response? {
        let path = request.path
        let isWrite = request.operation == .update || request.operation == .create
        switch path {
        case "replication/status":
            return Response(data: [
                "dr": ["mode": "disabled"],
                "performance": await performanceStatus(),
            ])
        case "replication/performance/status":
            guard case .object(let object) = await performanceStatus() else { return nil }
            return Response(data: object)
        case "replication/dr/status":
            return Response(data: ["mode": "disabled"])
        case "replication/performance/primary/enable" where isWrite:
            return try await enablePrimary(request)
        case "replication/performance/primary/secondary-token" where isWrite:
            return try await secondaryToken(request)
        case "replication/performance/secondary/enable" where isWrite:
            return try await enableSecondary(request)
        case "replication/performance/primary/revoke-secondary" where isWrite:
            return try await revokeSecondary(request)
        case "replication/performance/primary/disable" where isWrite:
            return try await disablePrimary()
        case "replication/performance/primary/demote" where isWrite:
            return try await demotePrimary()
        case "replication/performance/secondary/disable" where isWrite:
            return try await disableSecondary()
        case "replication/performance/secondary/promote" where isWrite:
            return try await promoteSecondary(request)
        case "replication/performance/secondary/update-primary" where isWrite:
            return try await updatePrimary(request)
        case "replication/reindex", "replication/performance/reindex":
            guard isWrite else { throw LogicalError.unsupportedOperation }
            return try await reindex()
        case _ where path.hasPrefix(Self.pathsFilterPrefix):
            return try await pathsFilter(request, id: String(path.dropFirst(Self.pathsFilterPrefix.count)))
        default:
            if path.hasPrefix("replication/dr/") {
                throw LogicalError.invalidRequest("DR replication is not available on this server yet")
            }
            throw LogicalError.unsupportedPath("sys/" + path)
        }
    }

    static let pathsFilterPrefix = "replication/performance/primary/paths-filter/"

    /// Vault's reindex fields, shared by both modes' status.
    func reindexStatus(_ persisted: PersistedReplicationState) -> [String: JSONValue] {
        let progress = runtime.withLock { $0.reindex }
        var fields: [String: JSONValue] = [
            "last_reindex_epoch": .string(String(persisted.lastReindexEpoch)),
            "reindex_in_progress": .bool(progress.inProgress),
        ]
        if !progress.stage.isEmpty {
            fields["reindex_stage"] = .string(progress.stage)
            fields["reindex_building_progress"] = .int(Int64(progress.keys))
        }
        return fields
    }

    public func performanceStatus() async -> JSONValue {
        let persisted = state.withLock { $0 }
        let log = core.replicationLog
        let root = log?.merkleRoot() ?? ""
        switch persisted.mode {
        case .primary:
            let shippers = runtime.withLock { $0.shippers }
            let secondaries: [JSONValue] = persisted.secondaries.sorted(by: { $0.key < $1.key }).map { id, _ in
                let peer = shippers[id]?.status
                // The primary does not learn a secondary's own addresses (Vault fills them
                // from its heartbeats); they stay empty here.
                return Self.peerJSON(peer, [
                    "node_id": .string(id), "api_address": "", "cluster_address": "",
                ])
            }
            let last = log?.lastIndex ?? 0
            return .object(reindexStatus(persisted).merging([
                "mode": "primary",
                "state": "running",
                "cluster_id": .string(persisted.clusterID),
                "known_secondaries": .array(persisted.secondaries.keys.sorted().map { .string($0) }),
                "secondaries": .array(secondaries),
                "last_wal": .int(Int64(last)),
                "last_performance_wal": .int(Int64(last)),
                "merkle_root": .string(root),
                "primary_cluster_addr": .string(persisted.primaryClusterAddress),
                "corrupted_merkle_tree": false,
                "ssct_generation_counter": 0,
            ]) { $1 })
        case .secondary:
            let status = runtime.withLock { $0.secondaryStatus }
            let lastRemote = (try? await core.lastRemoteWAL()) ?? 0
            return .object(reindexStatus(persisted).merging([
                "mode": "secondary",
                "state": .string(persisted.demoted ? "idle" : status.state),
                "cluster_id": .string(persisted.clusterID),
                "secondary_id": .string(persisted.secondaryID),
                "connection_state": .string(status.connectionState),
                "primaries": [Self.peerJSON(status.peer, [
                    "api_address": .string(persisted.primaryAPIAddress),
                    "cluster_address": .string(persisted.primaryClusterAddress),
                ])],
                "known_primary_cluster_addrs": [.string(persisted.primaryClusterAddress)],
                "primary_cluster_addr": .string(persisted.primaryClusterAddress),
                "last_remote_wal": .int(Int64(lastRemote)),
                "last_start": .string(status.lastStart.map { Self.rfc3339(Int64($0.timeIntervalSince1970 * 1000)) } ?? ""),
                "merkle_root": .string(root),
                "corrupted_merkle_tree": false,
            ]) { $1 })
        default:
            return ["mode": "disabled"]
        }
    }

    /// One entry of `secondaries[]` or `primaries[]`: the link figures (Vault sends the
    /// durations as strings) plus `identity` (node id, addresses).
    static func peerJSON(_ peer: ReplicationPeerStatus?, _ identity: [String: JSONValue]) -> JSONValue {
        var entry = identity
        entry["connection_status"] = .string(peer?.connectionStatus ?? "disconnected")
        entry["last_heartbeat"] = .string(peer?.lastHeartbeatMillis.map(rfc3339) ?? "")
        entry["last_heartbeat_duration_ms"] = .string(String(peer?.lastHeartbeatDurationMillis ?? 0))
        entry["clock_skew_ms"] = .string(String(peer?.clockSkewMillis ?? 0))
        entry["replication_primary_canary_age_ms"] = .string(String(peer?.lastHeartbeatDurationMillis ?? 0))
        return .object(entry)
    }

    static func rfc3339(_ millis: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
