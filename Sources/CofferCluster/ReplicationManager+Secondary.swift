import AsyncHTTPClient
import CofferCore
import CofferJSON
public import CofferLogical
import CofferReplication
import CofferStorage
import Foundation
import Logging
import NIOCore
import NIOSSL
import Synchronization
import X509

/// The secondary: activation (unwrap at the primary, bootstrap over the link, wipe) and
/// the replicator loop that drives ``SecondaryReplicator``.
extension ReplicationManager {
    static let consistentAtKey = "core/replication/secondary/consistent-at"

    func enableSecondary(_ request: Request) async throws -> Response? {
        guard mode == .disabled else {
            throw LogicalError.invalidRequest("performance replication is already enabled on this cluster (mode \(mode.rawValue)); disable it first")
        }
        guard let token = request.data["token"]?.stringValue, !token.isEmpty else {
            throw LogicalError.invalidRequest("token is required")
        }
        let bundle = try await unwrapActivation(request, token: token)
        var next = PersistedReplicationState()
        next.follow(bundle)

        let client = try makeClient(next)
        let material = try await ClusterClient.withClient(configuration: client) { client in
            try await client.bootstrap(Coffer_Cluster_V1_BootstrapRequest())
        }
        stopRuntime()
        state.withLock { $0 = next }
        let manager = self
        try await core.installBootstrap(
            entries: material.barrierEntries.map { ($0.key, Array($0.value)) },
            rootKey: Array(material.rootKey),
            devRootToken: material.devRootToken.isEmpty ? nil : material.devRootToken,
            afterWipe: { try await manager.persist() })
        logger.info("replication: enabled as performance secondary", metadata: [
            "cluster_id": "\(next.clusterID)", "secondary_id": "\(next.secondaryID)"])
        await startReplicator()
        return Response(warnings: [
            "Vault has successfully found secondary information; it may take a while to perform setup tasks. Vault will be unavailable until these tasks and initial sync complete.",
        ])
    }

    /// What an activation token unwraps to at the primary.
    struct ActivationBundle: Sendable {
        var clusterID: String
        var secondaryID: String
        var primaryClusterAddress: String
        var primaryAPIAddress: String
        var caCertificatePEM: String
        var clientCertificatePEM: String
        var clientKeyPEM: String
    }

    /// Unwraps `token` at the primary's API address (`primary_api_addr`, else the
    /// token's `addr` claim), trusting `ca_file` / `ca_path` when given.
    func unwrapActivation(_ request: Request, token: String) async throws -> ActivationBundle {
        var apiAddress = request.data["primary_api_addr"]?.stringValue ?? ""
        if apiAddress.isEmpty {
            guard let decoded = try? ActivationToken.decodeUnverified(token), !decoded.address.isEmpty else {
                throw LogicalError.invalidRequest("the activation token carries no primary address; give primary_api_addr")
            }
            apiAddress = decoded.address
        }
        let caFile = request.data["ca_file"]?.stringValue ?? ""
        let caPath = request.data["ca_path"]?.stringValue ?? ""
        let bundle = try await unwrapAtPrimary(token: token, apiAddress: apiAddress, caFile: caFile, caPath: caPath)
        func field(_ name: String) throws -> String {
            guard let value = bundle[name]?.stringValue, !value.isEmpty else {
                throw LogicalError.invalidRequest("the unwrapped activation bundle lacks \(name): is this a secondary activation token?")
            }
            return value
        }
        return ActivationBundle(
            clusterID: try field("cluster_id"), secondaryID: try field("secondary_id"),
            primaryClusterAddress: try field("primary_cluster_addr"), primaryAPIAddress: apiAddress,
            caCertificatePEM: try field("ca_cert"), clientCertificatePEM: try field("client_cert"),
            clientKeyPEM: try field("client_key"))
    }

    func makeClient(_ persisted: PersistedReplicationState) throws -> ClusterClient.Configuration {
        let identity = try ClusterPKI.Identity(certificatePEM: persisted.clientCertificatePEM, privateKeyPEM: persisted.clientKeyPEM)
        let ca = try Certificate(pemEncoded: persisted.caCertificatePEM)
        let address: ClusterAddress
        do { address = try ClusterAddress(parsing: persisted.primaryClusterAddress) } catch {
            throw LogicalError.invalidRequest("the primary's cluster address is not usable")
        }
        return ClusterClient.Configuration(address: address, identity: identity, certificateAuthority: ca)
    }

    /// `POST <primary>/v1/sys/wrapping/unwrap` with the activation token; the bundle.
    func unwrapAtPrimary(token: String, apiAddress: String, caFile: String, caPath: String) async throws -> [String: JSONValue] {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !caFile.isEmpty {
            tls.trustRoots = .file(caFile)
        } else if !caPath.isEmpty {
            tls.trustRoots = .certificates(try Self.certificates(inDirectory: caPath))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(30))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let data = try await unwrap(with: http, token: token, apiAddress: apiAddress)
            try? await http.shutdown()
            return data
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// Every PEM certificate in the files of `directory` (`ca_path`).
    static func certificates(inDirectory directory: String) throws -> [NIOSSLCertificate] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw LogicalError.invalidRequest("ca_path \"\(directory.prefix(200))\" cannot be read")
        }
        var found: [NIOSSLCertificate] = []
        for name in names.sorted() {
            let path = directory + "/" + name
            guard let bytes = FileManager.default.contents(atPath: path),
                  let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(bytes)) else { continue }
            found += certificates
        }
        guard !found.isEmpty else {
            throw LogicalError.invalidRequest("ca_path \"\(directory.prefix(200))\" holds no PEM certificate")
        }
        return found
    }

    private func unwrap(with http: HTTPClient, token: String, apiAddress: String) async throws -> [String: JSONValue] {
        var base = apiAddress
        while base.hasSuffix("/") { base.removeLast() }
        var request = HTTPClientRequest(url: base + "/v1/sys/wrapping/unwrap")
        request.method = .POST
        // The activation token is the client token of its own unwrap, as Vault's is.
        request.headers.add(name: "X-Vault-Token", value: token)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(30))
        } catch {
            throw LogicalError.invalidRequest("error unwrapping secondary token at \(base): the primary could not be reached")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try? JSONParser.parse(Array(body.readableBytesView))
        guard response.status.code == 200, case .object(let data)? = json?["data"] else {
            if [400, 403].contains(response.status.code) {
                throw LogicalError.invalidRequest("the activation token is not valid at the primary: it was already used, has expired, or was never issued there (status \(response.status.code))")
            }
            let message = json?["errors"]?.arrayValue?.first?.stringValue ?? "status \(response.status.code)"
            throw LogicalError.invalidRequest("error response unwrapping secondary token; status code is \(response.status.code), message is \"\(message)\"")
        }
        return data
    }

    // MARK: the replicator loop

    func startReplicator() async {
        let persisted = state.withLock { $0 }
        guard persisted.mode == .secondary, let clientConfiguration = try? makeClient(persisted) else { return }
        let applied = (try? await core.lastRemoteWAL()) ?? 0
        let consistentAt = (try? await core.storage.get(Self.consistentAtKey)).flatMap { $0 }
            .flatMap { UInt64(String(decoding: $0, as: UTF8.self)) } ?? 0
        gate.reset(to: applied)
        let task = Task { [self] in
            await runReplicator(clientConfiguration, applied: applied, consistentAt: consistentAt)
        }
        runtime.withLock {
            $0.secondaryTask = task
            $0.secondaryStatus.lastStart = Date()
        }
    }

    private func runReplicator(_ configuration: ClusterClient.Configuration, applied: UInt64, consistentAt: UInt64) async {
        guard let client = try? ClusterClient(configuration: configuration) else { return }
        runtime.withLock { $0.client = client }
        let clientTask = Task { try? await client.run() }
        defer { client.close(); clientTask.cancel() }
        let (events, continuation) = AsyncStream.makeStream(of: SecondaryReplicator.Event.self)
        var machine = SecondaryReplicator(appliedIndex: applied, consistentAtIndex: consistentAt, seed: UInt64.random(in: 1...UInt64.max))
        let link = LinkSlot()
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                continuation.yield(.tick(nowMillis: Self.nowMillis()))
            }
        }
        defer { ticker.cancel(); link.cancel() }
        continuation.yield(.start(nowMillis: Self.nowMillis()))
        for await event in events {
            if Task.isCancelled { break }
            let actions = machine.handle(event)
            gate.setInlineAllowed(machine.state == .streamWALs && machine.connectionState == .ready)
            let applied = gate.appliedIndex
            runtime.withLock {
                $0.secondaryStatus.state = machine.state.statusName
                $0.secondaryStatus.connectionState = machine.connectionState.statusName
                $0.secondaryStatus.peer = machine.peer
                $0.secondaryStatus.primaryLastIndex = max(machine.primaryLastIndex, applied)
                $0.secondaryStatus.connected = machine.connectionState == .ready
                $0.secondaryStatus.lag.observe(
                    applied: applied, target: $0.secondaryStatus.primaryLastIndex,
                    connected: machine.connectionState == .ready, nowMillis: Self.nowMillis())
            }
            for action in actions {
                await perform(action, client: client, link: link, continuation: continuation)
            }
        }
    }

    private func perform(
        _ action: SecondaryReplicator.Action, client: ClusterClient, link: LinkSlot,
        continuation: AsyncStream<SecondaryReplicator.Event>.Continuation
    ) async {
        switch action {
        case .connect:
            link.open(client: client, continuation: continuation)
        case .disconnect:
            link.cancel()
        case .send(let message):
            link.send(message)
        case .requestPageHashes:
            do {
                let answer = try await client.merklePages(Coffer_Cluster_V1_MerklePagesRequest())
                let hashes = answer.pageHashes.compactMap { MerkleHash(bytes: Array($0)) }
                guard hashes.count == answer.pageHashes.count else { throw ClusterError(.malformedMessage, "bad page hash") }
                let local = core.replicationLog?.merkleSnapshot().pageHashes() ?? []
                continuation.yield(.pageHashesArrived(MerklePageHashes(hashes: hashes, lastIndex: answer.lastIndex), local: local))
            } catch {
                continuation.yield(.syncRequestFailed)
            }
        case .requestPageEntries(let pages):
            do {
                var request = Coffer_Cluster_V1_PageEntriesRequest()
                request.pages = pages.map { UInt32($0) }
                request.packed = true
                let answer = try await client.merklePageEntries(request)
                let remote: [MerklePage]
                if !answer.packedEntries.isEmpty {
                    remote = try PageEntriesCodec.decode(answer.packedEntries, asked: pages)
                } else {
                    // A primary that does not pack yet (a packed answer is never empty:
                    // every asked page has its header).
                    var byPage: [Int: [MerkleEntry]] = [:]
                    for entry in answer.entries {
                        guard let hash = MerkleHash(bytes: Array(entry.hash)) else { throw ClusterError(.malformedMessage, "bad hash") }
                        byPage[Int(entry.page), default: []].append(MerkleEntry(key: entry.key, hash: hash))
                    }
                    remote = pages.map { MerklePage(page: $0, entries: byPage[$0] ?? []) }
                }
                let snapshot = core.replicationLog?.merkleSnapshot() ?? MerkleIndex()
                let local = pages.map { MerkleSyncResponder.page($0, of: snapshot) }
                continuation.yield(.pageEntriesArrived(MerklePageEntries(pages: remote, lastIndex: answer.lastIndex), local: local))
            } catch {
                continuation.yield(.syncRequestFailed)
            }
        case .fetchKeys(let keys):
            do {
                var request = Coffer_Cluster_V1_FetchKeysRequest()
                request.keys = keys
                let answer = try await client.fetchKeys(request)
                let values = answer.entries.map { FetchedValue(key: $0.key, value: $0.present ? Array($0.value) : nil) }
                continuation.yield(.valuesArrived(FetchedValues(values: values, lastIndex: answer.lastIndex)))
            } catch {
                continuation.yield(.syncRequestFailed)
            }
        case .applyRecords(let records, let newLastRemote):
            do {
                try await gate.applyStream(records, through: newLastRemote, core: core)
                metrics.recordsApplied.increment(by: records.count)
                continuation.yield(.applied(index: newLastRemote))
            } catch {
                logger.error("replication: applying records failed", metadata: ["error.type": "\(type(of: error))"])
                continuation.yield(.applyFailed)
            }
        case .applySync(let sync):
            do {
                var operations = sync.operations
                operations.append(.put(key: Self.consistentAtKey, value: Array(String(sync.consistentAtIndex).utf8)))
                let index = try await gate.applySync(operations, reachedIndex: sync.reachedIndex, core: core)
                metrics.syncedKeys.increment(by: sync.operations.count)
                continuation.yield(.applied(index: index))
            } catch {
                logger.error("replication: applying a Merkle sync step failed", metadata: ["error.type": "\(type(of: error))"])
                continuation.yield(.applyFailed)
            }
        case .scheduleReconnect:
            break  // the ticker delivers the tick that reconnects
        case .logTransition(_, let to):
            logger.info("replication: transitioning state", metadata: ["state": "\(to.statusName)"])
        }
    }

    // MARK: forwarding

    public func forward(_ request: Request, auth: AuthContext?) async throws -> Response? {
        guard mode == .secondary, let client = runtime.withLock({ $0.client }) else {
            throw LogicalError.invalidRequest("cannot write to readonly storage: this secondary has no link to its primary")
        }
        var wire = Coffer_Cluster_V1_ForwardRequest()
        wire.requestID = request.id
        wire.operation = request.operation.rawValue
        wire.path = request.path
        wire.dataJson = Data(ForwardedRequestCodec.encode(request, auth: auth))
        if gate.inlineAllowed { wire.appliedIndex = gate.appliedIndex }
        let answer: Coffer_Cluster_V1_ForwardResponse
        let started = ContinuousClock.now
        do {
            answer = try await client.forward(wire)
            metrics.forward.record(duration: started.duration(to: .now))
        } catch {
            metrics.forwardErrors.increment()
            throw LogicalError(.internalError, ["error forwarding the request to the primary: the cluster link is unavailable"], cause: error)
        }
        if answer.errorStatus != 0 {
            throw ForwardedError.error(from: answer)
        }
        var response = answer.responseJson.isEmpty ? nil : try ResponseCodec.decode(Array(answer.responseJson))
        runtime.withLock { $0.secondaryStatus.primaryLastIndex = max($0.secondaryStatus.primaryLastIndex, answer.walIndex) }
        if !answer.records.isEmpty {
            await applyInline(answer)
        }
        if !(await gate.waiters.wait(for: answer.walIndex, millis: core.walWaitMillis)) {
            let warning = "Timeout hit while waiting for local replicated cluster to apply primary's write; this client may encounter stale reads of values written during this operation."
            if response == nil { response = Response() }
            response?.warnings.append(warning)
        }
        return response
    }

    /// Applies the records a forwarded write's answer carried, so the write is readable
    /// here without waiting for the stream; on any doubt the stream delivers them.
    private func applyInline(_ answer: Coffer_Cluster_V1_ForwardResponse) async {
        do {
            let records = try answer.records.map { try WALRecord(wire: $0) }
            _ = try await gate.applyInline(records, after: answer.recordsAfter, through: answer.walIndex, core: core)
        } catch {
            logger.warning("replication: applying a forwarded write's records failed; waiting for the stream",
                           metadata: ["error.type": "\(type(of: error))"])
        }
    }

    // MARK: shipper bookkeeping (primary)

    func updateShipper(_ id: String, _ shipper: LogShipper, lastIndex: UInt64) {
        let now = Self.nowMillis()
        runtime.withLock { r in
            var peer = r.shippers[id] ?? PrimaryPeer()
            peer.status = shipper.peer
            peer.acknowledgedIndex = shipper.acknowledgedIndex
            peer.cursor = shipper.cursor
            peer.lag.observe(applied: shipper.acknowledgedIndex, target: lastIndex, connected: shipper.peer.connected, nowMillis: now)
            r.shippers[id] = peer
        }
    }

    func markDisconnected(_ id: String) {
        runtime.withLock { $0.shippers[id]?.status.connected = false }
    }
}

/// The open replication stream of the secondary's loop: messages to send go through an
/// async channel to the stream's writer task.
final class LinkSlot: Sendable {
    private struct Slot {
        var task: Task<Void, Never>?
        var outbox: AsyncStream<SecondaryMessage>.Continuation?
    }
    private let state = Mutex(Slot())

    func open(client: ClusterClient, continuation: AsyncStream<SecondaryReplicator.Event>.Continuation) {
        cancel()
        let (outbox, outboxContinuation) = AsyncStream.makeStream(of: SecondaryMessage.self)
        let task = Task {
            let connected = Mutex(false)
            do {
                try await client.streamWAL { writer, inbound in
                    connected.withLock { $0 = true }
                    continuation.yield(.connected)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await message in outbox { try await writer.write(Coffer_Cluster_V1_SecondaryMessage(message)) }
                        }
                        group.addTask {
                            for try await wire in inbound {
                                guard let message = PrimaryMessage(wire: wire) else {
                                    throw ClusterError(.malformedMessage, "malformed message from the primary")
                                }
                                continuation.yield(.received(message, nowMillis: ReplicationManager.nowMillis()))
                            }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            } catch {}
            continuation.yield(connected.withLock { $0 } ? .linkBroken : .connectFailed)
        }
        state.withLock { $0 = Slot(task: task, outbox: outboxContinuation) }
    }

    func send(_ message: SecondaryMessage) {
        _ = state.withLock { $0.outbox }?.yield(message)
    }

    func cancel() {
        let (task, outbox) = state.withLock { s in
            defer { s = Slot() }
            return (s.task, s.outbox)
        }
        outbox?.finish()
        task?.cancel()
    }
}
