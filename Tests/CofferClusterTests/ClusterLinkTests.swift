import Foundation
import Synchronization
import Testing
@testable import CofferCluster

/// A real primary listener and secondary client over loopback mTLS.
@Suite struct ClusterLinkTests {
    @Test func everyUnaryRPCReachesTheHandlerWithTheCertificatesID() async throws {
        let pki = try TestPKI(secondaryID: "secondary-a")
        let handler = RecordingHandler()
        try await withTestServer(pki.serverConfiguration(), handler: handler) { _, address in
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) { client in
                let bootstrap = try await client.bootstrap()
                #expect(bootstrap.secondaryID == "secondary-a")
                #expect(bootstrap.clusterID == "cluster-1")
                #expect(bootstrap.rootKey == Data(repeating: 0xA5, count: 32))
                #expect(bootstrap.barrierEntries.map(\.key) == ["core/keyring"])
                #expect(bootstrap.lastIndex == 42)

                let pages = try await client.merklePages()
                #expect(pages.pageHashes == [Data([1]), Data([2]), Data([3])])
                #expect(pages.root == Data([9, 9]))
                #expect(pages.lastIndex == 17)

                var entriesRequest = Coffer_Cluster_V1_PageEntriesRequest()
                entriesRequest.pages = [4, 8]
                let entries = try await client.merklePageEntries(entriesRequest)
                #expect(entries.entries.map(\.key) == ["key-on-4", "key-on-8"])
                #expect(entries.entries.map(\.page) == [4, 8])

                var fetch = Coffer_Cluster_V1_FetchKeysRequest()
                fetch.keys = ["logical/a", "missing"]
                let fetched = try await client.fetchKeys(fetch)
                #expect(fetched.entries.map(\.present) == [true, false])
                #expect(fetched.entries.first?.value == Data("logical/a".utf8))

                var forward = Coffer_Cluster_V1_ForwardRequest()
                forward.operation = "update"
                forward.path = "secret/data/x"
                forward.auth.displayName = "userpass-bob"
                forward.auth.policies = ["default", "writer"]
                forward.auth.metadata = ["role": "ops"]
                forward.auth.tokenID = "hvs.secret"
                let forwarded = try await client.forward(forward)
                #expect(String(decoding: forwarded.responseJson, as: UTF8.self) == "update secret/data/x by userpass-bob default,writer ops")
                #expect(forwarded.walIndex == 100)
            }
        }
        let calls = handler.calls
        #expect(calls.map(\.method) == ["bootstrap", "merklePages", "merklePageEntries", "fetchKeys", "forward"])
        #expect(calls.allSatisfy { $0.secondaryID == "secondary-a" })
    }

    @Test func twoSecondariesAreToldApart() async throws {
        let pki = try TestPKI(secondaryID: "secondary-a")
        let other = try pki.ca.issueClientCertificate(secondaryID: "secondary-b", now: TestPKI.now)
        try await withTestServer(pki.serverConfiguration()) { _, address in
            let first = try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) {
                try await $0.bootstrap().secondaryID
            }
            let second = try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address, identity: other)) {
                try await $0.bootstrap().secondaryID
            }
            #expect(first == "secondary-a")
            #expect(second == "secondary-b")
        }
    }

    @Test func bidirectionalStreamExchangesMessagesBothWays() async throws {
        let pki = try TestPKI()
        let handler = RecordingHandler()
        try await withTestServer(pki.serverConfiguration(), handler: handler) { _, address in
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) { client in
                let received = try await client.streamWAL { outbound, inbound in
                    var iterator = inbound.makeAsyncIterator()
                    var seen: [Coffer_Cluster_V1_PrimaryMessage] = []

                    var start = Coffer_Cluster_V1_SecondaryMessage()
                    start.start.afterIndex = 10
                    try await outbound.write(start)
                    seen.append(try #require(try await iterator.next()))

                    for applied in UInt64(11)...13 {
                        var heartbeat = Coffer_Cluster_V1_SecondaryMessage()
                        heartbeat.heartbeat.appliedIndex = applied
                        heartbeat.heartbeat.sentAtMillis = Int64(applied) * 1000
                        try await outbound.write(heartbeat)
                        seen.append(try #require(try await iterator.next()))
                    }
                    // The primary ends the call after its NeedSync: the stream then ends.
                    while let message = try await iterator.next() { seen.append(message) }
                    return seen
                }

                #expect(received.count == 5)
                guard case .records(let batch) = received[0].kind else {
                    Issue.record("first message is not records: \(received[0])")
                    return
                }
                #expect(batch.records.map(\.index) == [11, 12, 13])
                #expect(batch.records.map(\.key) == ["logical/secondary-a/11", "logical/secondary-a/12", "logical/secondary-a/13"])
                #expect(batch.lastIndex == 13)
                let heartbeats = received[1...3].compactMap { message -> Coffer_Cluster_V1_PrimaryMessage.Heartbeat? in
                    if case .heartbeat(let heartbeat) = message.kind { heartbeat } else { nil }
                }
                #expect(heartbeats.map(\.lastIndex) == [11, 12, 13])
                #expect(heartbeats.map(\.sentAtMillis) == [11_001, 12_001, 13_001])
                guard case .needSync(let needSync) = received[4].kind else {
                    Issue.record("last message is not need_sync: \(received[4])")
                    return
                }
                #expect(needSync.oldestIndex == 7)
                #expect(needSync.lastIndex == 9)
            }
        }
        #expect(handler.calls == [.init(method: "streamWAL", secondaryID: "secondary-a")])
    }

    @Test func aHandlerRejectingAMalformedMessageFailsTheSecondarysStream() async throws {
        let pki = try TestPKI()
        try await withTestServer(pki.serverConfiguration()) { _, address in
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) { client in
                let error = await #expect(throws: ClusterError.self) {
                    try await client.streamWAL { outbound, inbound in
                        try await outbound.write(Coffer_Cluster_V1_SecondaryMessage())
                        for try await _ in inbound {}
                    }
                }
                #expect(error?.code == .malformedMessage)
                #expect(error?.message == "a secondary message has no kind")
            }
        }
    }

    @Test func handlerErrorsKeepTheirCodeAndHideForeignErrors() async throws {
        let pki = try TestPKI()
        try await withTestServer(pki.serverConfiguration()) { _, address in
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) { client in
                var pages = Coffer_Cluster_V1_PageEntriesRequest()
                pages.pages = [999]
                let notFound = await #expect(throws: ClusterError.self) { try await client.merklePageEntries(pages) }
                #expect(notFound?.code == .notFound)
                #expect(notFound?.message == "no page 999")

                var keys = Coffer_Cluster_V1_FetchKeysRequest()
                keys.keys = ["explode"]
                let foreign = await #expect(throws: ClusterError.self) { try await client.fetchKeys(keys) }
                #expect(foreign?.code == .internal)
                #expect(foreign?.message == "internal error")
                #expect(!"\(String(describing: foreign))".contains("hunter2"))
            }
        }
    }

    @Test func aCallPastItsDeadlineTimesOut() async throws {
        let pki = try TestPKI()
        try await withTestServer(pki.serverConfiguration()) { _, address in
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) { client in
                var keys = Coffer_Cluster_V1_FetchKeysRequest()
                keys.keys = ["slow"]
                let clock = ContinuousClock()
                let started = clock.now
                let error = await #expect(throws: ClusterError.self) {
                    try await client.fetchKeys(keys, timeout: .milliseconds(300))
                }
                #expect(error?.code == .timeout)
                #expect(clock.now - started < .seconds(4))
            }
        }
    }

    @Test func stoppingTheServerEndsOpenStreamsAndFreesThePort() async throws {
        let pki = try TestPKI()
        let server = try ClusterServer(configuration: pki.serverConfiguration(), handler: ParkedStreamHandler())
        let address = try await withThrowingTaskGroup(of: Void.self, returning: ClusterAddress.self) { group in
            group.addTask { try await server.run() }
            let address = try await server.listeningAddress
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) { client in
                let error = await #expect(throws: ClusterError.self) {
                    try await client.streamWAL { outbound, inbound in
                        var start = Coffer_Cluster_V1_SecondaryMessage()
                        start.start.afterIndex = 0
                        try await outbound.write(start)
                        var iterator = inbound.makeAsyncIterator()
                        _ = try await iterator.next()  // the handler's hello: the stream is up
                        server.stop()
                        while try await iterator.next() != nil {}
                    }
                }
                #expect(error != nil)
            }
            try await group.waitForAll()  // run() returned
            return address
        }

        // The same port serves again.
        var configuration = pki.serverConfiguration()
        configuration.port = address.port
        try await withTestServer(configuration) { _, again in
            #expect(again.port == address.port)
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: again)) { client in
                let id = try await client.bootstrap().secondaryID
                #expect(id == "secondary-a")
            }
        }
    }

    @Test func gracefulShutdownLetsTheServerFinish() async throws {
        let pki = try TestPKI()
        let server = try ClusterServer(configuration: pki.serverConfiguration(), handler: RecordingHandler())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let address = try await server.listeningAddress
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) { client in
                _ = try await client.bootstrap()
            }
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
        await #expect(throws: ClusterError.self) { _ = try await server.listeningAddress }
    }
}

/// Says hello on a stream, then waits for the secondary (or cancellation).
struct ParkedStreamHandler: ClusterServiceHandler {
    func bootstrap(_ request: Coffer_Cluster_V1_BootstrapRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_BootstrapResponse {
        throw ClusterError(.failedPrecondition, "not here")
    }

    func streamWAL(
        inbound: ClusterMessageStream<Coffer_Cluster_V1_SecondaryMessage>,
        outbound: ClusterMessageWriter<Coffer_Cluster_V1_PrimaryMessage>,
        secondaryID: String
    ) async throws {
        var hello = Coffer_Cluster_V1_PrimaryMessage()
        hello.heartbeat.lastIndex = 1
        try await outbound.write(hello)
        for try await _ in inbound {}
        try await Task.sleep(for: .seconds(3600))
    }

    func merklePages(_ request: Coffer_Cluster_V1_MerklePagesRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_MerklePagesResponse {
        throw ClusterError(.failedPrecondition, "not here")
    }

    func merklePageEntries(_ request: Coffer_Cluster_V1_PageEntriesRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_PageEntriesResponse {
        throw ClusterError(.failedPrecondition, "not here")
    }

    func fetchKeys(_ request: Coffer_Cluster_V1_FetchKeysRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_FetchKeysResponse {
        throw ClusterError(.failedPrecondition, "not here")
    }

    func forward(_ request: Coffer_Cluster_V1_ForwardRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_ForwardResponse {
        throw ClusterError(.failedPrecondition, "not here")
    }
}
