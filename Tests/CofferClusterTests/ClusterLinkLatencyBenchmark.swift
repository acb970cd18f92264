import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import CofferCluster

/// The cluster link's own round trip, without Coffer's work on either side: what a
/// forwarded write cannot go below. A benchmark, not a test: it runs only with
/// `COFFER_BENCH_LINK=1` and prints its figures (see BENCHMARKS.md for the command).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["COFFER_BENCH_LINK"] == "1"))
struct ClusterLinkLatencyBenchmark {
    static let warmup = 200
    static let samples = 5000

    @Test func unaryForwardRoundTrip() async throws {
        let pki = try TestPKI()
        try await withTestServer(pki.serverConfiguration()) { _, address in
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) { client in
                var forward = Coffer_Cluster_V1_ForwardRequest()
                forward.operation = "update"
                forward.path = "kv1/bench"
                for _ in 0..<Self.warmup { _ = try await client.forward(forward) }
                let figures = try await Self.measure { _ = try await client.forward(forward) }
                print("LINK unary forward: \(figures)")
            }
        }
    }

    @Test func streamMessageRoundTrip() async throws {
        let pki = try TestPKI()
        try await withTestServer(pki.serverConfiguration(), handler: EchoingHandler()) { _, address in
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) { client in
                try await client.streamWAL { outbound, inbound in
                    var replies = inbound.makeAsyncIterator()
                    var heartbeat = Coffer_Cluster_V1_SecondaryMessage()
                    heartbeat.heartbeat.appliedIndex = 1
                    for _ in 0..<Self.warmup {
                        try await outbound.write(heartbeat)
                        _ = try await replies.next()
                    }
                    let figures = try await Self.measure {
                        try await outbound.write(heartbeat)
                        _ = try await replies.next()
                    }
                    print("LINK stream message round trip: \(figures)")
                }
            }
        }
    }

    /// The floor under any cluster link of this stack: one 64-byte message each way over
    /// a mutual-TLS TCP connection (the same PKI), with no HTTP/2 and no gRPC. The server
    /// answers from its event loop (`echo`) or after a hop into a Swift task, as a handler
    /// running Core's async code would (`task`); the client awaits the answer through
    /// NIOAsyncChannel, as an async caller would.
    @Test(arguments: ["echo", "task"])
    func framedTLSRoundTrip(_ server: String) async throws {
        let pki = try TestPKI()
        let ca = try NIOSSLCertificate(bytes: ClusterPKI.der(of: pki.ca.certificate), format: .der)
        var serverTLS = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(pki.server.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.server.privateKeyPEM.utf8), format: .pem)))
        serverTLS.certificateVerification = .noHostnameVerification
        serverTLS.trustRoots = .certificates([ca])
        var clientTLS = TLSConfiguration.makeClientConfiguration()
        clientTLS.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(pki.client.certificatePEM.utf8), format: .pem))]
        clientTLS.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.client.privateKeyPEM.utf8), format: .pem))
        clientTLS.certificateVerification = .noHostnameVerification
        clientTLS.trustRoots = .certificates([ca])
        let serverContext = try NIOSSLContext(configuration: serverTLS)
        let clientContext = try NIOSSLContext(configuration: clientTLS)
        let viaTask = server == "task"

        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverContext))
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(viaTask: viaTask))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = listener.localAddress!.port!
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: clientContext, serverHostname: nil))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let message = ByteBuffer(repeating: 0x2a, count: 64)
        try await client.executeThenClose { inbound, outbound in
            var replies = inbound.makeAsyncIterator()
            func roundTrip() async throws {
                try await outbound.write(message)
                var received = 0
                while received < 64, let chunk = try await replies.next() { received += chunk.readableBytes }
            }
            for _ in 0..<Self.warmup { try await roundTrip() }
            let figures = try await Self.measure { try await roundTrip() }
            print("LINK framed mTLS round trip (server \(server)): \(figures)")
        }
        try await listener.close()
    }

    /// Runs `body` ``samples`` times; median, p99 and minimum wall time in ms, and the
    /// process's CPU time per round trip (both ends run in this process).
    static func measure(_ body: () async throws -> Void) async throws -> String {
        var times: [Double] = []
        times.reserveCapacity(samples)
        let cpuBefore = cpuMillis()
        for _ in 0..<samples {
            let start = ContinuousClock.now
            try await body()
            let elapsed = start.duration(to: .now).components
            times.append(Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15)
        }
        let cpu = (cpuMillis() - cpuBefore) / Double(samples)
        times.sort()
        func fmt(_ value: Double) -> String { String(format: "%.3f", value) }
        return "n=\(samples) p50_ms=\(fmt(times[samples / 2])) p99_ms=\(fmt(times[samples * 99 / 100])) min_ms=\(fmt(times[0])) cpu_ms_per_round_trip=\(fmt(cpu))"
    }

    static func cpuMillis() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let user = Double(usage.ru_utime.tv_sec) * 1000 + Double(usage.ru_utime.tv_usec) / 1000
        let system = Double(usage.ru_stime.tv_sec) * 1000 + Double(usage.ru_stime.tv_usec) / 1000
        return user + system
    }
}

/// Writes back whatever arrives, at once or after a hop into a Swift task.
private final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let viaTask: Bool

    init(viaTask: Bool) { self.viaTask = viaTask }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        guard viaTask else {
            context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
            return
        }
        let channel = context.channel
        Task { channel.writeAndFlush(buffer, promise: nil) }
    }
}

/// Answers every heartbeat on the stream with a heartbeat, for as long as it stays open.
private final class EchoingHandler: ClusterServiceHandler {
    let inner = RecordingHandler()

    func streamWAL(
        inbound: ClusterMessageStream<Coffer_Cluster_V1_SecondaryMessage>,
        outbound: ClusterMessageWriter<Coffer_Cluster_V1_PrimaryMessage>,
        secondaryID: String
    ) async throws {
        for try await message in inbound {
            var reply = Coffer_Cluster_V1_PrimaryMessage()
            if case .heartbeat(let heartbeat) = message.kind { reply.heartbeat.lastIndex = heartbeat.appliedIndex }
            try await outbound.write(reply)
        }
    }

    func bootstrap(_ request: Coffer_Cluster_V1_BootstrapRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_BootstrapResponse {
        try await inner.bootstrap(request, secondaryID: secondaryID)
    }
    func merklePages(_ request: Coffer_Cluster_V1_MerklePagesRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_MerklePagesResponse {
        try await inner.merklePages(request, secondaryID: secondaryID)
    }
    func merklePageEntries(_ request: Coffer_Cluster_V1_PageEntriesRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_PageEntriesResponse {
        try await inner.merklePageEntries(request, secondaryID: secondaryID)
    }
    func fetchKeys(_ request: Coffer_Cluster_V1_FetchKeysRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_FetchKeysResponse {
        try await inner.fetchKeys(request, secondaryID: secondaryID)
    }
    func forward(_ request: Coffer_Cluster_V1_ForwardRequest, secondaryID: String) async throws -> Coffer_Cluster_V1_ForwardResponse {
        try await inner.forward(request, secondaryID: secondaryID)
    }
}
