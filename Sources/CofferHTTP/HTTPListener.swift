public import CofferCore
import HummingbirdCore
import HummingbirdTLS
public import Logging
public import NIOCore
import NIOPosix
public import NIOSSL
public import ServiceLifecycle

/// One `listener "tcp"`: the `/v1` API on an address, over TLS or plain HTTP.
public struct HTTPListener: Sendable {
    public var host: String
    public var port: Int
    /// nil serves plain HTTP (`tls_disable = true`).
    public var tls: TLSConfiguration?

    public init(host: String, port: Int, tls: TLSConfiguration?) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// A server TLS configuration from PEM files: TLS 1.2 or newer.
    public static func tlsConfiguration(certificateFile: String, keyFile: String) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        var config = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        config.minimumTLSVersion = .tlsv12
        return config
    }

    /// The listener as a service; `onRunning` receives the bound address (useful with port 0).
    public func makeService(
        core: Core,
        logger: Logger,
        onRunning: (@Sendable (SocketAddress?) async -> Void)? = nil
    ) throws -> any Service {
        let handler = VaultAPIHandler(core: core, logger: logger)
        var builder = HTTPServerBuilder { responder in VaultHTTP1Channel(responder: responder) }
        if let tls { builder = try .tls(builder, tlsConfiguration: tls) }
        return try builder.buildServer(
            configuration: ServerConfiguration(address: .hostname(host, port: port), serverName: nil),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger,
            responder: handler.responder,
            onServerRunning: { channel in await onRunning?(channel.localAddress) }
        )
    }
}
