import CofferCore
import CofferJSON
import CofferLogical
import CofferReplication
import CofferStorage
import Foundation
import Logging
import X509

/// Running a replication set: revocation, teardown, failover (demote, promote,
/// update-primary), paths filters and reindex.
extension ReplicationManager {
    // MARK: revocation and teardown

    /// `primary/revoke-secondary id=…`: the id's certificate stops working at once (the
    /// handshake and every RPC consult the revoked flag), its open stream is closed, and
    /// the id stays revoked.
    func revokeSecondary(_ request: Request) async throws -> Response? {
        try requireMode(.primary, "revoke a secondary")
        guard let id = request.data["id"]?.stringValue, !id.isEmpty else {
            throw LogicalError.invalidRequest("id is required")
        }
        guard state.withLock({ $0.secondaries[id] }) != nil else {
            throw LogicalError.invalidRequest("no secondary with id \"\(id.prefix(64))\" is known to this primary")
        }
        state.withLock {
            $0.secondaries[id] = true
            $0.filters[id] = nil
            $0.resync.remove(id)
        }
        try await persist()
        closeStreams(of: id)
        logger.info("replication: secondary revoked", metadata: ["secondary_id": "\(id)"])
        return nil
    }

    /// `primary/disable`: no more listener, log or secondaries; the data stays.
    func disablePrimary() async throws -> Response? {
        try await disable(.primary, warning: "This cluster is no longer a performance primary. Secondaries that followed it must be enabled again (which wipes them) to follow another primary.")
    }

    /// `secondary/disable`: stops following; the cluster keeps its data and takes writes.
    func disableSecondary() async throws -> Response? {
        try await disable(.secondary, warning: "This cluster is no longer a performance secondary; it keeps the data it had and accepts writes. Tokens issued by the primary no longer work here.")
    }

    /// Leaves the set in `role`: stops the listener or the link, forgets the set's state
    /// and stops logging; the data stays.
    private func disable(_ role: ReplicationMode, warning: String) async throws -> Response? {
        try requireMode(role, "disable it as a \(role.rawValue)")
        stopRuntime()
        state.withLock { $0 = PersistedReplicationState() }
        core.replicationLog?.setMode(.disabled)
        try await persist()
        logger.info("replication: performance \(role.rawValue) disabled")
        return Response(warnings: [warning])
    }

    // MARK: failover

    /// `primary/demote`: stops taking writes at once (the log refuses client writes to
    /// replicated keys), closes the listener and every stream, and waits for
    /// `secondary/update-primary` to follow a new primary.
    func demotePrimary() async throws -> Response? {
        try requireMode(.primary, "demote it")
        core.replicationLog?.setMode(.secondary)
        stopRuntime()
        state.withLock { s in
            s.mode = .secondary
            s.demoted = true
            s.secondaryID = ""
            s.clientCertificatePEM = ""
            s.clientKeyPEM = ""
            s.secondaries = [:]
            s.filters = [:]
            s.resync = []
        }
        try await persist()
        runtime.withLock { $0.secondaryStatus = SecondaryStatus() }
        logger.info("replication: performance primary demoted; it refuses writes until it follows a new primary")
        return Response(warnings: [
            "This cluster has been demoted: it no longer accepts writes. Use sys/replication/performance/secondary/update-primary with an activation token from the new primary to follow it.",
        ])
    }

    /// `secondary/promote`: becomes the primary of the same set, keeping its data. It
    /// gets a new certificate authority (the old primary's key never left it), so the
    /// other members follow it with `update-primary` and a token it issues.
    func promoteSecondary(_ request: Request) async throws -> Response? {
        try requireMode(.secondary, "promote it")
        guard let log = core.replicationLog else {
            throw LogicalError.invalidRequest("this storage backend cannot keep a replication log")
        }
        let (advertised, address) = try advertisedClusterAddress(request)
        stopRuntime()
        let clusterID = state.withLock { $0.clusterID }
        var next = try Self.primaryState(clusterID: clusterID, advertised: advertised, host: address.host, apiAddress: core.apiAddress)
        next.lastReindexEpoch = state.withLock { $0.lastReindexEpoch }
        state.withLock { $0 = next }
        log.setMode(.primary)
        try await persist()
        await loadIndexKey(create: true)
        try await startListener()
        logger.info("replication: promoted to performance primary", metadata: ["cluster_id": "\(clusterID)"])
        return Response(warnings: [
            "This cluster is now the performance primary of its set. Demote the old primary if it is still running, and have each secondary follow this one with secondary/update-primary and a token from secondary-token here.",
        ])
    }

    /// `secondary/update-primary token=…`: follows a (new) primary of the same set
    /// without a wipe. The stream starts over with a Merkle sync, which fetches only what
    /// differs, so histories that agree cost a page comparison.
    func updatePrimary(_ request: Request) async throws -> Response? {
        try requireMode(.secondary, "update its primary")
        guard let token = request.data["token"]?.stringValue, !token.isEmpty else {
            throw LogicalError.invalidRequest("token is required")
        }
        let bundle = try await unwrapActivation(request, token: token)
        let current = state.withLock { $0 }
        guard bundle.clusterID == current.clusterID else {
            throw LogicalError.invalidRequest("the activation token belongs to another replication set; use secondary/enable (which wipes this cluster) to join it")
        }
        var next = current
        next.follow(bundle)
        _ = try makeClient(next)  // the credentials parse before anything changes
        stopRuntime()
        core.replicationLog?.setMode(.secondary)
        state.withLock { $0 = next }
        try await persist()
        // Index 0: the new primary answers with a Merkle sync (its log is another history).
        // Until that sync completes this data is the new primary's at no index: the
        // watermark is "never" (UInt64.max), not absent (which would read as 0, consistent).
        _ = try await gate.applySync([.put(key: Self.consistentAtKey, value: Array(String(UInt64.max).utf8))],
                                     reachedIndex: 0, core: core)
        await startReplicator()
        logger.info("replication: following a new primary", metadata: ["secondary_id": "\(next.secondaryID)"])
        return Response(warnings: [
            "Vault has successfully found secondary information; it may take a while to perform setup tasks. Vault will be unavailable until these tasks and initial sync complete.",
        ])
    }

    // MARK: paths filters

    /// `primary/paths-filter/:id`: read, write (`mode`, `paths`), delete.
    func pathsFilter(_ request: Request, id: String) async throws -> Response? {
        try requireMode(.primary, "filter a secondary's paths")
        guard !id.isEmpty else { throw LogicalError.invalidRequest("a secondary id is required in the path") }
        switch request.operation {
        case .read:
            guard let filter = state.withLock({ $0.filters[id] }) else { return nil }
            return Response(data: ["mode": .string(filter.mode.rawValue), "paths": .array(filter.paths.map { .string($0) })])
        case .update, .create:
            guard state.withLock({ $0.secondaries[id] }) == false else {
                throw LogicalError.invalidRequest("no active secondary with id \"\(id.prefix(64))\" is known to this primary")
            }
            guard let modeName = request.data["mode"]?.stringValue, let mode = PathsFilter.Mode(rawValue: modeName) else {
                throw LogicalError.invalidRequest("mode must be \"allow\" or \"deny\"")
            }
            let paths: [String]
            switch request.data["paths"] {
            case .array(let list)?:
                paths = try list.map {
                    guard let path = $0.stringValue, !path.isEmpty else { throw LogicalError.invalidRequest("paths must be a list of mount paths") }
                    return PathsFilter.normalize(path)
                }
            case .string(let joined)?:
                paths = joined.split(separator: ",").map { PathsFilter.normalize($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 != "/" }
            default:
                throw LogicalError.invalidRequest("paths is required")
            }
            guard !paths.isEmpty else { throw LogicalError.invalidRequest("paths is required") }
            try setFilter(PathsFilter(mode: mode, paths: Array(Set(paths)).sorted()), for: id)
            try await persist()
            closeStreams(of: id)
            return nil
        case .delete:
            guard state.withLock({ $0.filters[id] }) != nil else { return nil }
            try setFilter(nil, for: id)
            try await persist()
            closeStreams(of: id)
            return nil
        default:
            throw LogicalError.unsupportedOperation
        }
    }

    /// Changes a filter and marks the secondary for a Merkle sync on its next stream, so
    /// it drops newly denied mounts and fetches newly allowed ones.
    private func setFilter(_ filter: PathsFilter?, for id: String) throws {
        state.withLock {
            $0.filters[id] = filter
            $0.resync.insert(id)
        }
        runtime.withLock { $0.filterGenerations[id, default: 0] += 1 }
    }

    /// What `id` must not receive now (recomputed from the mount tables on every call, so
    /// mounts enabled after the filter are covered).
    func exclusion(for id: String) -> ReplicationExclusion {
        guard let filter = state.withLock({ $0.filters[id] }) else { return ReplicationExclusion(prefixes: []) }
        return filter.exclusion(over: core.mountDataPrefixes())
    }

    /// Whether the secondary's stream must begin with a Merkle sync because its paths
    /// filter changed, and the filter generation that sync runs under.
    ///
    /// The mark is not spent here: a stream that breaks before the sync completes leaves
    /// it, so the next stream syncs again (``resyncCompleted(_:generation:)`` clears it).
    func resyncMark(_ id: String) -> (marked: Bool, generation: UInt64) {
        let marked = state.withLock { $0.resync.contains(id) }
        return (marked, runtime.withLock { $0.filterGenerations[id, default: 0] })
    }

    /// The secondary asked for the stream again on the stream that forced its sync: the
    /// sync is durable there. Clears the mark unless the filter changed since `generation`.
    func resyncCompleted(_ id: String, generation: UInt64) async {
        guard runtime.withLock({ $0.filterGenerations[id, default: 0] }) == generation else { return }
        let cleared = state.withLock { $0.resync.remove(id) != nil }
        if cleared { try? await persist() }
    }

    // MARK: reindex

    /// `sys/replication/reindex`: rebuilds the Merkle index from storage in the
    /// background; `sys/replication/status` reports its progress.
    func reindex() async throws -> Response? {
        guard mode != .disabled, let log = core.replicationLog else {
            throw LogicalError.invalidRequest("replication is not enabled on this cluster")
        }
        let started = runtime.withLock { r -> Bool in
            guard !r.reindex.inProgress else { return false }
            r.reindex = ReindexProgress(inProgress: true, stage: "building", keys: 0)
            return true
        }
        guard started else { throw LogicalError.invalidRequest("a reindex is already in progress") }
        Task { [self] in
            do {
                try await log.rebuildMerkle { count in
                    self.runtime.withLock { $0.reindex.keys = count }
                }
                state.withLock { $0.lastReindexEpoch = Int64(Date().timeIntervalSince1970) }
                try? await persist()
                runtime.withLock { $0.reindex.inProgress = false; $0.reindex.stage = "complete" }
            } catch {
                logger.error("replication: reindex failed", metadata: ["error.type": "\(type(of: error))"])
                runtime.withLock { $0.reindex.inProgress = false; $0.reindex.stage = "failed" }
            }
        }
        return Response(warnings: ["Reindexing the Merkle tree has started; sys/replication/status reports its progress."])
    }

    // MARK: shared

    func requireMode(_ wanted: ReplicationMode, _ action: String) throws {
        let current = mode
        guard current == wanted else {
            throw LogicalError.invalidRequest("cannot \(action): this cluster's performance replication mode is \(current.rawValue), not \(wanted.rawValue)")
        }
    }

    /// The persisted state of a new primary term: a fresh CA, server certificate and JWT key.
    static func primaryState(clusterID: String, advertised: String, host: String, apiAddress: String) throws -> PersistedReplicationState {
        let now = Date()
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "coffer-replication-" + clusterID.prefix(8), now: now)
        let server = try ca.issueServerCertificate(hosts: [host], now: now)
        let jwtKey = ActivationToken.SigningKey()
        var next = PersistedReplicationState()
        next.mode = .primary
        next.clusterID = clusterID
        next.primaryClusterAddress = advertised
        next.primaryAPIAddress = apiAddress
        next.caCertificatePEM = ca.certificatePEM
        next.caKeyPEM = ca.privateKeyPEM
        next.serverCertificatePEM = server.certificatePEM
        next.serverKeyPEM = server.privateKeyPEM
        next.jwtKeyPEM = jwtKey.pemRepresentation
        return next
    }

    // MARK: open streams (primary)

    /// Registers a running stream of `id`; `close` ends it. Returns its handle.
    func registerStream(_ id: String, close: @escaping @Sendable () -> Void) -> UInt64 {
        runtime.withLock { r in
            r.nextStreamHandle += 1
            r.streams[id, default: [:]][r.nextStreamHandle] = close
            return r.nextStreamHandle
        }
    }

    func unregisterStream(_ id: String, handle: UInt64) {
        runtime.withLock { r in
            r.streams[id]?[handle] = nil
            if r.streams[id]?.isEmpty == true { r.streams[id] = nil }
        }
    }

    func closeStreams(of id: String) {
        let closers = runtime.withLock { r in Array((r.streams[id] ?? [:]).values) }
        for close in closers { close() }
    }
}

/// `sys/replication/reindex`'s progress, reported in status.
struct ReindexProgress: Sendable {
    var inProgress = false
    var stage = ""
    var keys = 0
}
