public import FoundationEssentials
import GRPCCore
import GRPCNIOTransportHTTP2
public import Logging
import NIOCore
import NIOSSL
public import X509

/// The primary's cluster listener: gRPC over HTTP/2 over mutual TLS, serving a
/// ``ClusterServiceHandler``.
///
/// **Who is calling.** A connection is accepted only if its client certificate chains to
/// the set's CA, is a client certificate (``ClusterPKI``), names a secondary in its CN, and
/// `isRevoked(id)` is false at handshake time. grpc-swift-nio-transport 2.9 hands the
/// chain validated during that handshake to every RPC on the connection
/// (`HTTP2ServerTransport.Posix.Context.peerCertificateChain`), so the handler receives
/// the id from the certificate, never from the request. Each RPC consults `isRevoked`
/// again before it reaches the handler.
///
/// **Lifecycle.** One instance serves once: call ``run()`` (it returns when the server
/// has stopped), then ``stop()`` or ``beginGracefulShutdown()`` from elsewhere, or cancel
/// the task running ``run()``. To serve again, create a new server; the port can be
/// bound again as soon as ``run()`` has returned (the listener uses `SO_REUSEADDR`).
public final class ClusterServer: Sendable {
    /// How the listener is set up.
    public struct Configuration: Sendable {
        /// Where to listen. Must be an IP literal (or `localhost`); port 0 picks a free
        /// port, read it back with ``ClusterServer/listeningAddress``.
        public var host: String
        public var port: Int
        /// The primary's server certificate and key, issued by ``certificateAuthority``.
        public var identity: ClusterPKI.Identity
        /// The set's CA certificate: client certificates must chain to it.
        public var certificateAuthority: Certificate
        /// True when a secondary id has been revoked. Called during every TLS handshake and
        /// at the start of every RPC, so it must be fast and must not block.
        public var isRevoked: @Sendable (String) -> Bool
        /// The largest message accepted (each direction), in bytes. Default 64 MiB, which
        /// bounds a Merkle page or a batch of stored values.
        public var maxMessageBytes: Int = 64 << 20
        /// A connection that has not finished its TLS handshake this long after being
        /// accepted is closed. Default 30 seconds.
        public var handshakeTimeout: Duration = .seconds(30)
        /// The server pings an idle connection this often; a peer that does not answer
        /// within ``keepaliveTimeout`` is dropped.
        public var keepaliveInterval: Duration = .seconds(60)
        public var keepaliveTimeout: Duration = .seconds(20)
        /// The clock for certificate validity checks.
        public var now: @Sendable () -> Date = { Date() }
        public var logger: Logger = Logger(label: "coffer.cluster.server")

        public init(
            host: String,
            port: Int,
            identity: ClusterPKI.Identity,
            certificateAuthority: Certificate,
            isRevoked: @escaping @Sendable (String) -> Bool
        ) {
            self.host = host
            self.port = port
            self.identity = identity
            self.certificateAuthority = certificateAuthority
            self.isRevoked = isRevoked
        }
    }

    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let transport: HTTP2ServerTransport.Posix
    private let stopSignal: StopSignal

    /// Builds the listener; nothing is bound until ``run()``.
    ///
    /// - Throws: ``ClusterError/Code/invalidAddress`` for a host that is not an IP
    ///   literal, ``ClusterError/Code/invalidCertificate`` when a certificate cannot be
    ///   encoded for TLS.
    public init(configuration: Configuration, handler: any ClusterServiceHandler) throws(ClusterError) {
        let bindAddress: GRPCNIOTransportCore.SocketAddress
        let host = configuration.host == "localhost" ? "127.0.0.1" : configuration.host
        guard (0...65_535).contains(configuration.port) else {
            throw ClusterError(.invalidAddress, "port \(configuration.port) is out of range")
        }
        if IPAddressBytes.ipv4(host) != nil {
            bindAddress = .ipv4(host: host, port: configuration.port)
        } else if IPAddressBytes.ipv6(host) != nil {
            bindAddress = .ipv6(host: host, port: configuration.port)
        } else {
            throw ClusterError(.invalidAddress, "the cluster listener must bind an IP address, not \"\(configuration.host)\"")
        }

        let verifier = ClusterPeerVerifier(
            certificateAuthority: configuration.certificateAuthority,
            isRevoked: configuration.isRevoked,
            now: configuration.now,
            logger: configuration.logger
        )
        let security = try ClusterTLS.serverSecurity(
            identity: configuration.identity,
            certificateAuthority: configuration.certificateAuthority,
            verifier: verifier
        )

        let handshakeTimeout = TimeAmount(configuration.handshakeTimeout)
        let transportConfig = HTTP2ServerTransport.Posix.Config.defaults { config in
            config.rpc.maxRequestPayloadSize = configuration.maxMessageBytes
            config.connection.keepalive = .init(
                time: configuration.keepaliveInterval,
                timeout: configuration.keepaliveTimeout,
                // Secondaries ping every 30 s to keep the stream's connection alive.
                clientBehavior: .init(minPingIntervalWithoutCalls: .seconds(10), allowWithoutCalls: true)
            )
            config.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
                TLSHandshakeDeadlineHandler.install(on: channel, timeout: handshakeTimeout)
            }
        }
        self.transport = HTTP2ServerTransport.Posix(
            address: bindAddress,
            transportSecurity: security,
            config: transportConfig
        )
        let service = ClusterReplicationService(
            handler: handler,
            isRevoked: configuration.isRevoked,
            logger: configuration.logger
        )
        self.server = GRPCServer(transport: transport, services: [service])
        self.stopSignal = StopSignal()
    }

    /// Binds the listener and serves until the server stops: after ``stop()``, after
    /// ``beginGracefulShutdown()`` once in-flight calls finish, or when the calling task
    /// is cancelled (which, like ``stop()``, cancels in-flight calls).
    ///
    /// - Throws: ``ClusterError/Code/unavailable`` when the address cannot be bound or the
    ///   listener fails.
    public func run() async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.server.serve() }
                group.addTask {
                    await self.stopSignal.wait()
                    // A stop request: end everything, including long-lived streams.
                    throw CancellationError()
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            // Stopping (or cancelling the caller) is a normal end, however the transport
            // words the cancellation it then sees.
            if error is CancellationError || stopSignal.isFired || Task.isCancelled { return }
            throw ClusterError(.unavailable, "the cluster listener failed", cause: error)
        }
    }

    /// The address the listener is bound to, once ``run()`` has bound it (waits until
    /// then).
    ///
    /// - Throws: ``ClusterError/Code/unavailable`` when the listener could not bind or
    ///   has stopped.
    public var listeningAddress: ClusterAddress {
        get async throws {
            let address: GRPCNIOTransportCore.SocketAddress
            do {
                address = try await transport.listeningAddress
            } catch {
                throw ClusterError(.unavailable, "the cluster listener is not bound", cause: error)
            }
            if let ipv4 = address.ipv4 {
                return try ClusterAddress(host: ipv4.host, port: ipv4.port)
            } else if let ipv6 = address.ipv6 {
                return try ClusterAddress(host: ipv6.host, port: ipv6.port)
            }
            throw ClusterError(.unavailable, "the cluster listener has no IP address")
        }
    }

    /// Stops accepting connections and tells connected secondaries to go away (HTTP/2
    /// GOAWAY); calls in flight, including streams, continue until they end. ``run()``
    /// returns when the last one has.
    public func beginGracefulShutdown() {
        server.beginGracefulShutdown()
    }

    /// Stops now: closes the listener and every connection, cancelling calls in flight
    /// (handlers see cancellation). ``run()`` returns promptly.
    public func stop() {
        stopSignal.fire()
    }
}
