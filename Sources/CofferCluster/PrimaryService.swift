import CofferCore
import CofferReplication
import CofferStorage
import Foundation
import Logging
import Synchronization

/// The primary's side of the cluster link: one instance serves every secondary; each
/// call gets the verified secondary id from the transport.
struct PrimaryService: ClusterServiceHandler {
    /// Strong: the manager stops (and so releases) the server holding this on seal.
    let manager: ReplicationManager
    var core: Core { manager.core }

    func bootstrap(_ request: Coffer_Cluster_V1_BootstrapRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_BootstrapResponse {
        let persisted = manager.state.withLock { $0 }
        let material = try await core.bootstrapMaterial()
        var response = Coffer_Cluster_V1_BootstrapResponse()
        response.clusterID = persisted.clusterID
        response.secondaryID = secondaryID
        response.barrierEntries = material.entries.map { entry in
            var raw = Coffer_Cluster_V1_RawEntry()
            raw.key = entry.key
            raw.value = Data(entry.value)
            raw.present = true
            return raw
        }
        response.rootKey = Data(material.rootKey)
        response.devRootToken = material.devRootToken ?? ""
        response.primaryApiAddr = persisted.primaryAPIAddress
        response.primaryClusterAddr = persisted.primaryClusterAddress
        response.lastIndex = core.replicationLog?.lastIndex ?? 0
        manager.logger.info("replication: secondary bootstrapped", metadata: ["secondary_id": "\(secondaryID)"])
        return response
    }

    func streamWAL(
        inbound: ClusterMessageStream<Coffer_Cluster_V1_SecondaryMessage>,
        outbound: ClusterMessageWriter<Coffer_Cluster_V1_PrimaryMessage>,
        secondaryID: String
    ) async throws {
        guard let log = core.replicationLog else { throw ClusterError(.unavailable, "no replication log") }
        let (events, continuation) = AsyncStream.makeStream(of: LogShipper.Event.self)
        var shipper = LogShipper()
        // Revocation, a filter change or teardown ends the stream at once.
        let handle = manager.registerStream(secondaryID) { continuation.yield(.linkClosed) }
        defer { manager.unregisterStream(secondaryID, handle: handle) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Inbound messages.
            group.addTask {
                // The filter generation a paths-filter resync was forced under on this
                // stream; the secondary's next start on it means that sync is durable.
                var forcedResync: UInt64?
                do {
                    for try await message in inbound {
                        guard let decoded = SecondaryMessage(wire: message) else {
                            throw ClusterError(.malformedMessage, "malformed message from the secondary")
                        }
                        if case .startStream(let after) = decoded {
                            if let generation = forcedResync {
                                forcedResync = nil
                                await manager.resyncCompleted(secondaryID, generation: generation)
                            }
                            // A new secondary (after 0) always syncs first: what was written
                            // before replication began is in no log record. So does one
                            // whose paths filter changed, until that sync completes.
                            let mark = manager.resyncMark(secondaryID)
                            if mark.marked { forcedResync = mark.generation }
                            let oldest = after == 0 || mark.marked ? UInt64.max : log.oldestIndex
                            continuation.yield(.start(afterIndex: after, oldestIndex: oldest, lastIndex: log.lastIndex,
                                                      nowMillis: ReplicationManager.nowMillis()))
                        } else {
                            continuation.yield(.received(decoded, nowMillis: ReplicationManager.nowMillis()))
                        }
                    }
                } catch {}
                continuation.yield(.linkClosed)
            }
            // The log advancing.
            group.addTask {
                var seen = log.lastIndex
                while !Task.isCancelled {
                    await log.waitForIndex(above: seen)
                    seen = log.lastIndex
                    continuation.yield(.logAdvanced(lastIndex: seen))
                }
            }
            // Time.
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(500))
                    continuation.yield(.tick(nowMillis: ReplicationManager.nowMillis()))
                }
            }
            defer { group.cancelAll() }
            eventLoop: for await event in events {
                let actions = shipper.handle(event)
                manager.updateShipper(secondaryID, shipper, lastIndex: log.lastIndex)
                for action in actions {
                    switch action {
                    case .read(let after, let limit):
                        let answer: LogShipper.Event
                        do {
                            answer = .readCompleted(manager.exclusion(for: secondaryID)
                                .withholding(try await log.records(after: after, limit: limit)))
                        } catch { answer = .readFailed }
                        continuation.yield(answer)
                    case .send(let message):
                        try await outbound.write(Coffer_Cluster_V1_PrimaryMessage(message))
                        if case .records(let records, _) = message { manager.metrics.recordsShipped.increment(by: records.count) }
                    case .close(let reason):
                        manager.logger.info("replication: closing stream", metadata: ["secondary_id": "\(secondaryID)", "reason": "\(reason)"])
                        break eventLoop
                    }
                }
                if case .linkClosed = event { break eventLoop }
            }
            manager.markDisconnected(secondaryID)
        }
    }

    func merklePages(_ request: Coffer_Cluster_V1_MerklePagesRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_MerklePagesResponse {
        guard let log = core.replicationLog else { throw ClusterError(.unavailable, "no replication log") }
        let hashes = try MerkleSyncResponder.pageHashes(of: log, excluding: manager.exclusion(for: secondaryID))
        var response = Coffer_Cluster_V1_MerklePagesResponse()
        response.pageHashes = hashes.hashes.map { Data($0.bytes) }
        response.lastIndex = hashes.lastIndex
        return response
    }

    func merklePageEntries(_ request: Coffer_Cluster_V1_PageEntriesRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_PageEntriesResponse {
        guard let log = core.replicationLog else { throw ClusterError(.unavailable, "no replication log") }
        let exclusion = manager.exclusion(for: secondaryID)
        var snapshot = log.merkleSnapshot()
        if !exclusion.isEmpty { snapshot = snapshot.filtered(excluding: exclusion.excludes) }
        let pages = try MerkleSyncResponder.pageEntries(of: snapshot, pages: request.pages.map { Int($0) }, lastIndex: log.lastIndex)
        var response = Coffer_Cluster_V1_PageEntriesResponse()
        response.lastIndex = pages.lastIndex
        if request.packed {
            response.packedEntries = PageEntriesCodec.encode(pages.pages)
            return response
        }
        for page in pages.pages {
            for entry in page.entries {
                var wire = Coffer_Cluster_V1_PageEntry()
                wire.page = UInt32(page.page)
                wire.key = entry.key
                wire.hash = Data(entry.hash.bytes)
                response.entries.append(wire)
            }
        }
        return response
    }

    func fetchKeys(_ request: Coffer_Cluster_V1_FetchKeysRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_FetchKeysResponse {
        guard let log = core.replicationLog else { throw ClusterError(.unavailable, "no replication log") }
        let storage = core.storage
        let exclusion = manager.exclusion(for: secondaryID)
        // A filtered key reads as absent: the secondary deletes what it must not hold.
        let values = try await MerkleSyncResponder.values(
            of: request.keys, isReplicated: { core.isReplicatedKey($0) },
            read: { exclusion.excludes($0) ? nil : try await storage.get($0) }, lastIndex: { log.lastIndex })
        var response = Coffer_Cluster_V1_FetchKeysResponse()
        response.entries = values.values.map { value in
            var raw = Coffer_Cluster_V1_RawEntry()
            raw.key = value.key
            raw.present = value.value != nil
            raw.value = Data(value.value ?? [])
            return raw
        }
        response.lastIndex = values.lastIndex
        return response
    }

    func forward(_ request: Coffer_Cluster_V1_ForwardRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_ForwardResponse {
        var response = Coffer_Cluster_V1_ForwardResponse()
        let started = ContinuousClock.now
        defer { manager.metrics.forwardServed.record(duration: started.duration(to: .now)) }
        do {
            let (logical, auth) = try ForwardedRequestCodec.decode(Array(request.dataJson))
            let (answer, index) = try await core.handleForwarded(logical, auth: auth)
            if let answer { response.responseJson = Data(ResponseCodec.encode(answer)) }
            response.walIndex = index
            if let records = await recordsForAnswer(after: request.appliedIndex, through: index) {
                let exclusion = manager.exclusion(for: secondaryID)
                response.records = records.map { Coffer_Cluster_V1_WALRecord(exclusion.withholding($0)) }
                response.recordsAfter = request.appliedIndex
            }
        } catch {
            ForwardedError.fill(&response, from: core.clientError(error, path: request.path))
        }
        return response
    }

    /// The most records a forwarded write's answer carries; a secondary further behind
    /// waits for the stream instead.
    static let maximumRecordsInAnswer: UInt64 = 64

    /// Every record in (`after`, `through`] when the secondary asked for them (`after` >
    /// 0), there are few enough, and all are still retained; nil otherwise.
    private func recordsForAnswer(after: UInt64, through: UInt64) async -> [WALRecord]? {
        guard after > 0, through > after, through - after <= Self.maximumRecordsInAnswer,
              let log = core.replicationLog,
              case .records(let records)? = try? await log.records(after: after, limit: Int(through - after)),
              records.count == Int(through - after), records.last?.index == through
        else { return nil }
        return records
    }
}
