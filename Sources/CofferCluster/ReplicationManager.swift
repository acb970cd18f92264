public import CofferCore
public import CofferJSON
public import CofferLogical
import CofferReplication
import CofferStorage
import Foundation
public import Logging
import Synchronization
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
    let applied = AppliedIndexWaiters()

    /// What runs while unsealed: the listener (primary) or the replicator (secondary).
    struct Runtime: Sendable {
        var server: ClusterServer?
        var serverTask: Task<Void, Never>?
        /// The link state of each connected secondary, from its log shipper.
        var shippers: [String: ReplicationPeerStatus] = [:]
        var secondaryTask: Task<Void, Never>?
        var secondaryStatus = SecondaryStatus()
        var client: ClusterClient?
    }

    struct SecondaryStatus: Sendable {
        var state = "idle"
        var connectionState = "idle"
        var peer = ReplicationPeerStatus()
        var lastStart: Date?
    }

    public init(core: Core, configuration: Configuration) {
        self.core = core
        self.configuration = configuration
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
                try await startListener()
            case .secondary:
                core.replicationLog?.setMode(.secondary)
                await startReplicator()
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
        let (server, serverTask, secondaryTask, client) = runtime.withLock { r in
            defer { r = Runtime() }
            return (r.server, r.serverTask, r.secondaryTask, r.client)
        }
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
        default:
            if path.hasPrefix("replication/dr/") {
                throw LogicalError.invalidRequest("DR replication is not available on this server yet")
            }
            throw LogicalError.unsupportedPath("sys/" + path)
        }
    }

    public func performanceStatus() async -> JSONValue {
        let persisted = state.withLock { $0 }
        let log = core.replicationLog
        let root = log?.merkleRoot() ?? ""
        switch persisted.mode {
        case .primary:
            let shippers = runtime.withLock { $0.shippers }
            let secondaries: [JSONValue] = persisted.secondaries.sorted(by: { $0.key < $1.key }).map { id, _ in
                let peer = shippers[id]
                // The primary does not learn a secondary's own addresses (Vault fills them
                // from its heartbeats); they stay empty here.
                return Self.peerJSON(peer, [
                    "node_id": .string(id), "api_address": "", "cluster_address": "",
                ])
            }
            let last = log?.lastIndex ?? 0
            return .object([
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
                "last_reindex_epoch": "0",
                "ssct_generation_counter": 0,
            ])
        case .secondary:
            let status = runtime.withLock { $0.secondaryStatus }
            let lastRemote = (try? await core.lastRemoteWAL()) ?? 0
            return .object([
                "mode": "secondary",
                "state": .string(status.state),
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
                "last_reindex_epoch": "0",
                "corrupted_merkle_tree": false,
            ])
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

/// Waiters for the secondary's applied index (forwarded writes wait to read their own).
final class AppliedIndexWaiters: Sendable {
    private struct Waiter {
        let id: UInt64
        let index: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }
    private struct State {
        var index: UInt64 = 0
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
        /// Timeouts that fired before their waiter was registered.
        var expiredEarly: Set<UInt64> = []
    }
    private let state = Mutex(State())

    func update(_ index: UInt64) {
        let ready = state.withLock { s -> [Waiter] in
            s.index = max(s.index, index)
            let current = s.index
            let done = s.waiters.filter { $0.index <= current }
            s.waiters.removeAll { $0.index <= current }
            return done
        }
        for waiter in ready { waiter.continuation.resume(returning: true) }
    }

    /// Waits until the applied index reaches `index` or `millis` pass; true if it did.
    /// Each wait is its own waiter: a timeout releases only itself.
    func wait(for index: UInt64, millis: Int64) async -> Bool {
        let id: UInt64? = state.withLock { s in
            if s.index >= index { return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return true }
        let timeout = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(millis))
            if !Task.isCancelled { self?.expire(id) }
        }
        defer { timeout.cancel() }
        return await withCheckedContinuation { continuation in
            let answer = state.withLock { s -> Bool? in
                if s.index >= index { return true }
                if s.expiredEarly.remove(id) != nil { return false }
                s.waiters.append(Waiter(id: id, index: index, continuation: continuation))
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    private func expire(_ id: UInt64) {
        let expired = state.withLock { s -> Waiter? in
            guard let position = s.waiters.firstIndex(where: { $0.id == id }) else {
                s.expiredEarly.insert(id)
                return nil
            }
            return s.waiters.remove(at: position)
        }
        expired?.continuation.resume(returning: false)
    }
}
