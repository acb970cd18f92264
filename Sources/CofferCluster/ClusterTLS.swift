import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOSSL
import X509

/// TLS settings of the cluster link, both ends.
///
/// - TLS 1.2 or later (the transport sets `minimumTLSVersion = .tlsv12` on both sides).
/// - ALPN: the transport offers `grpc-exp` and `h2`; the listener requires one of them.
///   Vault multiplexes several protocols on its cluster port by ALPN (`replication_v1`,
///   `req_fw_sb-act_v1`, ...); grpc-swift-nio-transport 2.9 fixes the protocol list, so
///   Coffer's cluster port speaks this one gRPC service and versions it by the protobuf
///   package name instead.
/// - Server: presents the primary's identity; requires a client certificate, and
///   verifies it with ``ClusterPeerVerifier`` (set CA, client policy, revocation).
/// - Client: presents the secondary's identity; verifies the primary's certificate
///   against the set's CA only (not the system roots), with host name checks against the
///   address it dialled (DNS name or IP SAN).
enum ClusterTLS {
    static func serverSecurity(
        identity: ClusterPKI.Identity,
        certificateAuthority: Certificate,
        verifier: ClusterPeerVerifier
    ) throws(ClusterError) -> HTTP2ServerTransport.Posix.TransportSecurity {
        let chain = try identity.tlsCertificateChain
        let root = try ClusterPKI.der(of: certificateAuthority)
        let key = identity.tlsPrivateKey
        return .mTLS(certificateChain: chain, privateKey: key) { config in
            // Any mode but .noVerification makes BoringSSL require a client certificate
            // (SSL_VERIFY_FAIL_IF_NO_PEER_CERT); the callback then replaces its checks.
            config.clientCertificateVerification = .noHostnameVerification
            // Sent as the acceptable CA list in the CertificateRequest.
            config.trustRoots = .certificates([.bytes(root, format: .der)])
            config.requireALPN = true
            config.customVerificationCallback = { certificates, promise in
                verifier.verify(certificates, promise: promise)
            }
        }
    }

    /// - Parameter identity: The secondary's certificate and key; nil only in tests that
    ///   prove the listener refuses anonymous clients.
    static func clientSecurity(
        identity: ClusterPKI.Identity?,
        certificateAuthority: Certificate
    ) throws(ClusterError) -> HTTP2ClientTransport.Posix.TransportSecurity {
        let root = try ClusterPKI.der(of: certificateAuthority)
        var tls = HTTP2ClientTransport.Posix.TransportSecurity.TLS.defaults { config in
            config.serverCertificateVerification = .fullVerification
            config.trustRoots = .certificates([.bytes(root, format: .der)])
        }
        if let identity {
            tls.certificateChain = try identity.tlsCertificateChain
            tls.privateKey = identity.tlsPrivateKey
        }
        return .tls(tls)
    }

    /// The secondary id proven by the connection's client certificate.
    ///
    /// grpc-swift-nio-transport 2.9 puts the chain our ``ClusterPeerVerifier`` validated
    /// into `HTTP2ServerTransport.Posix.Context.peerCertificateChain` (read from the
    /// connection's `NIOSSLHandler` once per RPC). Only that validated chain is used:
    /// `peerCertificate`, which the transport also fills from the raw presented
    /// certificate when no validated chain exists, is deliberately ignored.
    static func verifiedSecondaryID(_ context: ServerContext) -> String? {
        guard let posix = context.transportSpecific as? HTTP2ServerTransport.Posix.Context,
              let chain = posix.peerCertificateChain
        else { return nil }
        return ClusterPKI.commonName(of: chain.leaf)
    }
}
