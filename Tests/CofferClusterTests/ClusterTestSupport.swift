import Foundation
import Logging
import Synchronization
import X509
@testable import CofferCluster

/// A replication set's PKI for tests: the CA, the primary's server identity, and a client
/// identity for secondary "secondary-a".
struct TestPKI {
    static let now = Date()

    let ca: ClusterPKI.CertificateAuthority
    let server: ClusterPKI.Identity
    let client: ClusterPKI.Identity

    init(secondaryID: String = "secondary-a") throws {
        ca = try .generate(commonName: "Coffer replication CA test", now: Self.now)
        server = try ca.issueServerCertificate(hosts: ["127.0.0.1"], now: Self.now)
        client = try ca.issueClientCertificate(secondaryID: secondaryID, now: Self.now)
    }

    func serverConfiguration(isRevoked: @escaping @Sendable (String) -> Bool = { _ in false }) -> ClusterServer.Configuration {
        var configuration = ClusterServer.Configuration(
            host: "127.0.0.1",
            port: 0,
            identity: server,
            certificateAuthority: ca.certificate,
            isRevoked: isRevoked
        )
        configuration.logger = Logger(label: "test.cluster.server", factory: { _ in SwiftLogNoOpLogHandler() })
        return configuration
    }

    func clientConfiguration(
        address: ClusterAddress,
        identity: ClusterPKI.Identity? = nil,
        trusting root: Certificate? = nil
    ) -> ClusterClient.Configuration {
        var configuration = ClusterClient.Configuration(
            address: address,
            identity: identity ?? client,
            certificateAuthority: root ?? ca.certificate
        )
        configuration.callTimeout = .seconds(10)
        return configuration
    }
}

/// Runs a server on 127.0.0.1 (a free port) for the duration of `body`, then stops it
/// and waits for ``ClusterServer/run()`` to return.
func withTestServer<Result: Sendable>(
    _ configuration: ClusterServer.Configuration,
    handler: any ClusterServiceHandler = RecordingHandler(),
    _ body: (ClusterServer, ClusterAddress) async throws -> Result
) async throws -> Result {
    let server = try ClusterServer(configuration: configuration, handler: handler)
    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
        group.addTask { try await server.run() }
        let result: Result
        do {
            let address = try await server.listeningAddress
            result = try await body(server, address)
        } catch {
            server.stop()
            throw error
        }
        server.stop()
        try await group.waitForAll()
        return result
    }
}

/// A handler that answers every RPC with values derived from the request and the caller,
/// and records who called what.
final class RecordingHandler: ClusterServiceHandler {
    struct Call: Equatable {
        var method: String
        var secondaryID: String
    }

    private let log = Mutex<[Call]>([])

    var calls: [Call] { log.withLock { $0 } }

    private func record(_ method: String, _ secondaryID: String) {
        log.withLock { $0.append(Call(method: method, secondaryID: secondaryID)) }
    }

    func bootstrap(_ request: Coffer_Cluster_V1_BootstrapRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_BootstrapResponse {
        record("bootstrap", secondaryID)
        var response = Coffer_Cluster_V1_BootstrapResponse()
        response.clusterID = "cluster-1"
        response.secondaryID = secondaryID
        response.rootKey = Data(repeating: 0xA5, count: 32)
        response.lastIndex = 42
        var entry = Coffer_Cluster_V1_RawEntry()
        entry.key = "core/keyring"
        entry.value = Data([1, 2, 3])
        entry.present = true
        response.barrierEntries = [entry]
        return response
    }

    func streamWAL(
        inbound: ClusterMessageStream<Coffer_Cluster_V1_SecondaryMessage>,
        outbound: ClusterMessageWriter<Coffer_Cluster_V1_PrimaryMessage>,
        secondaryID: String
    ) async throws {
        record("streamWAL", secondaryID)
        var heartbeats = 0
        for try await message in inbound {
            var reply = Coffer_Cluster_V1_PrimaryMessage()
            switch message.kind {
            case .start(let start):
                var records = Coffer_Cluster_V1_PrimaryMessage.Records()
                records.records = (start.afterIndex + 1...start.afterIndex + 3).map { index in
                    var record = Coffer_Cluster_V1_WALRecord()
                    record.index = index
                    record.op = .put
                    record.key = "logical/\(secondaryID)/\(index)"
                    record.value = Data([UInt8(truncatingIfNeeded: index)])
                    return record
                }
                records.lastIndex = start.afterIndex + 3
                reply.records = records
            case .heartbeat(let heartbeat):
                heartbeats += 1
                var answer = Coffer_Cluster_V1_PrimaryMessage.Heartbeat()
                answer.lastIndex = heartbeat.appliedIndex
                answer.sentAtMillis = heartbeat.sentAtMillis + 1
                reply.heartbeat = answer
            case nil:
                throw ClusterError(.malformedMessage, "a secondary message has no kind")
            }
            try await outbound.write(reply)
            if heartbeats == 3 {
                var needSync = Coffer_Cluster_V1_PrimaryMessage.NeedSync()
                needSync.oldestIndex = 7
                needSync.lastIndex = 9
                var last = Coffer_Cluster_V1_PrimaryMessage()
                last.needSync = needSync
                try await outbound.write(last)
                return
            }
        }
    }

    func merklePages(_ request: Coffer_Cluster_V1_MerklePagesRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_MerklePagesResponse {
        record("merklePages", secondaryID)
        var response = Coffer_Cluster_V1_MerklePagesResponse()
        response.pageHashes = [Data([1]), Data([2]), Data([3])]
        response.root = Data([9, 9])
        response.lastIndex = 17
        return response
    }

    func merklePageEntries(_ request: Coffer_Cluster_V1_PageEntriesRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_PageEntriesResponse {
        record("merklePageEntries", secondaryID)
        if request.pages.contains(999) {
            throw ClusterError(.notFound, "no page 999")
        }
        var response = Coffer_Cluster_V1_PageEntriesResponse()
        response.entries = request.pages.map { page in
            var entry = Coffer_Cluster_V1_PageEntry()
            entry.page = page
            entry.key = "key-on-\(page)"
            entry.hash = Data([UInt8(truncatingIfNeeded: page)])
            return entry
        }
        return response
    }

    func fetchKeys(_ request: Coffer_Cluster_V1_FetchKeysRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_FetchKeysResponse {
        record("fetchKeys", secondaryID)
        if request.keys.contains("explode") {
            struct Leaky: Error { var text = "the root key is hunter2" }
            throw Leaky()
        }
        if request.keys.contains("slow") {
            try await Task.sleep(for: .seconds(5))
        }
        var response = Coffer_Cluster_V1_FetchKeysResponse()
        response.entries = request.keys.map { key in
            var entry = Coffer_Cluster_V1_RawEntry()
            entry.key = key
            entry.present = key != "missing"
            entry.value = entry.present ? Data(key.utf8) : Data()
            return entry
        }
        return response
    }

    func forward(_ request: Coffer_Cluster_V1_ForwardRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_ForwardResponse {
        record("forward", secondaryID)
        var response = Coffer_Cluster_V1_ForwardResponse()
        let echo = "\(request.operation) \(request.path) by \(request.auth.displayName) \(request.auth.policies.joined(separator: ",")) \(request.auth.metadata["role"] ?? "")"
        response.responseJson = Data(echo.utf8)
        response.walIndex = 100
        return response
    }
}
