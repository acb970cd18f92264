import GRPCCore
import GRPCNIOTransportHTTP2
public import X509

/// A secondary's connection to its primary's cluster listener: gRPC over HTTP/2 over
/// mutual TLS, with one typed method per RPC.
///
/// The client presents the secondary's identity (its client certificate from the
/// activation bundle) and accepts the primary only if its certificate chains to the set's
/// CA and names the dialled host. It keeps one HTTP/2 connection, opened lazily on the
/// first call and re-opened with backoff when it drops; calls multiplex over it.
///
/// Lifecycle: ``run()`` must be running for calls to make progress, and ``close()`` ends
/// it. ``withClient(configuration:_:)`` does both around a closure. Calls made while no
/// connection can be established fail fast with ``ClusterError/Code/unavailable``
/// (including a primary that refuses this secondary's certificate), so the caller's
/// retry loop, not the client, decides how long to keep trying.
public final class ClusterClient: Sendable {
    /// Where to connect and with what.
    public struct Configuration: Sendable {
        /// The primary's cluster address (`primary_cluster_addr`).
        public var address: ClusterAddress
        /// This secondary's client certificate and key.
        public var identity: ClusterPKI.Identity
        /// The set's CA certificate: the only trust root for the primary's certificate.
        public var certificateAuthority: Certificate
        /// Deadline of each unary call (connection set-up included). Default 30 s.
        /// ``ClusterClient/streamWAL(_:)`` has no deadline; keepalive detects dead peers.
        public var callTimeout: Duration = .seconds(30)
        /// The largest message accepted or sent, in bytes. Default 64 MiB.
        public var maxMessageBytes: Int = 64 << 20
        /// Ping the primary after this much silence; drop the connection when a ping is
        /// not answered within ``keepaliveTimeout``.
        public var keepaliveInterval: Duration = .seconds(30)
        public var keepaliveTimeout: Duration = .seconds(10)
        /// The longest wait between reconnection attempts.
        public var maxReconnectBackoff: Duration = .seconds(10)

        public init(address: ClusterAddress, identity: ClusterPKI.Identity, certificateAuthority: Certificate) {
            self.address = address
            self.identity = identity
            self.certificateAuthority = certificateAuthority
        }
    }

    let grpcClient: GRPCClient<HTTP2ClientTransport.Posix>
    let stub: Coffer_Cluster_V1_ClusterReplication.Client<HTTP2ClientTransport.Posix>
    let configuration: Configuration

    /// Builds the client; nothing connects until ``run()`` runs and a call is made.
    ///
    /// - Throws: ``ClusterError/Code/invalidCertificate`` when a certificate cannot be
    ///   encoded for TLS, ``ClusterError/Code/unavailable`` when the transport cannot be
    ///   created.
    public convenience init(configuration: Configuration) throws(ClusterError) {
        try self.init(configuration: configuration, presentsIdentity: true)
    }

    /// `presentsIdentity: false` is a test seam: it connects without a client
    /// certificate, to prove the listener refuses anonymous clients.
    init(configuration: Configuration, presentsIdentity: Bool) throws(ClusterError) {
        let security = try ClusterTLS.clientSecurity(
            identity: presentsIdentity ? configuration.identity : nil,
            certificateAuthority: configuration.certificateAuthority
        )
        let target: any ResolvableTarget
        switch configuration.address.hostKind {
        case .ipv4: target = .ipv4(address: configuration.address.host, port: configuration.address.port)
        case .ipv6: target = .ipv6(address: configuration.address.host, port: configuration.address.port)
        case .dns: target = .dns(host: configuration.address.host, port: configuration.address.port)
        }
        let transportConfig = HTTP2ClientTransport.Posix.Config.defaults { config in
            config.connection.keepalive = .init(
                time: configuration.keepaliveInterval,
                timeout: configuration.keepaliveTimeout,
                allowWithoutCalls: true
            )
            config.backoff = .init(
                initial: .milliseconds(250),
                max: configuration.maxReconnectBackoff,
                multiplier: 1.6,
                jitter: 0.2
            )
        }
        let transport: HTTP2ClientTransport.Posix
        do {
            transport = try HTTP2ClientTransport.Posix(
                target: target,
                transportSecurity: security,
                config: transportConfig
            )
        } catch {
            throw ClusterError(.unavailable, "could not create the cluster link to \(configuration.address)", cause: error)
        }
        self.grpcClient = GRPCClient(transport: transport)
        self.stub = Coffer_Cluster_V1_ClusterReplication.Client(wrapping: grpcClient)
        self.configuration = configuration
    }

    /// Maintains the connection until ``close()`` has been called and the calls in flight
    /// have finished, or until the calling task is cancelled. Call it once.
    public func run() async throws {
        do {
            try await grpcClient.runConnections()
        } catch {
            throw ClusterError(.unavailable, "the cluster link to \(configuration.address) failed", cause: error)
        }
    }

    /// Stops new calls and closes the connection once calls in flight have finished;
    /// ``run()`` then returns. End a running ``streamWAL(_:)`` first (return from its body)
    /// or it keeps the connection open.
    public func close() {
        grpcClient.beginGracefulShutdown()
    }

    /// Runs a client for the duration of `body`: starts ``run()``, calls `body`, closes
    /// the client and waits for it to finish.
    public static func withClient<Result: Sendable>(
        configuration: Configuration,
        _ body: (ClusterClient) async throws -> Result
    ) async throws -> Result {
        try await ClusterClient(configuration: configuration).runningDuring(body)
    }

    /// Runs this client (``run()``) for the duration of `body`, then closes it.
    func runningDuring<Result: Sendable>(_ body: (ClusterClient) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            group.addTask { try await self.run() }
            let result: Result
            do {
                result = try await body(self)
            } catch {
                close()
                throw error
            }
            close()
            try await group.waitForAll()
            return result
        }
    }

    // MARK: - Calls

    func options(timeout: Duration?) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        // Fail, rather than queue, while the connection is in backoff after a failure
        // (refused handshake, primary down): the caller's retry loop owns the policy.
        options.waitForReady = false
        options.maxRequestMessageBytes = configuration.maxMessageBytes
        options.maxResponseMessageBytes = configuration.maxMessageBytes
        return options
    }

    func unary<Response: Sendable>(
        _ call: (CallOptions) async throws -> Response,
        timeout: Duration?
    ) async throws -> Response {
        do {
            return try await call(options(timeout: timeout ?? configuration.callTimeout))
        } catch {
            throw ClusterError(linkFailure: error)
        }
    }
}
