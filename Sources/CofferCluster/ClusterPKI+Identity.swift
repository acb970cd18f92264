public import Crypto
import NIOSSL
import GRPCNIOTransportHTTP2
public import X509

extension ClusterPKI {
    /// A leaf certificate and its private key: the primary's server identity, or a
    /// secondary's client identity.
    ///
    /// A secondary persists ``certificatePEM`` and ``privateKeyPEM`` (barrier-encrypted)
    /// with the set's CA certificate from its activation bundle. The private key is a
    /// secret: ``description`` and the mirror omit it, and nothing here logs it.
    public struct Identity: Sendable, CustomStringConvertible, CustomReflectable {
        public let certificate: Certificate
        /// ``certificate`` as PEM.
        public let certificatePEM: String
        private let privateKey: P256.Signing.PrivateKey

        /// Loads an identity persisted as PEM.
        ///
        /// - Throws: ``ClusterError/Code/invalidCertificate`` when the certificate is
        ///   malformed or does not match the key, ``ClusterError/Code/invalidKey`` when the
        ///   key is not a P-256 private key.
        public init(certificatePEM: String, privateKeyPEM: String) throws(ClusterError) {
            try self.init(
                certificate: ClusterPKI.parseCertificate(pem: certificatePEM),
                privateKey: ClusterPKI.parsePrivateKey(pem: privateKeyPEM)
            )
        }

        /// Pairs a certificate with its key; they must match.
        public init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) throws(ClusterError) {
            guard certificate.publicKey == Certificate.PublicKey(privateKey.publicKey) else {
                throw ClusterError(.invalidCertificate, "the certificate does not match the private key")
            }
            self.certificate = certificate
            self.certificatePEM = try ClusterPKI.pem(of: certificate)
            self.privateKey = privateKey
        }

        /// The private key as PKCS#8 PEM. A secret: persist it only barrier-encrypted and
        /// never log it.
        public var privateKeyPEM: String { privateKey.pemRepresentation }

        /// The certificate's single subject CN: the secondary id of a client identity.
        public var commonName: String? { ClusterPKI.commonName(of: certificate) }

        public var description: String {
            "ClusterPKI.Identity(\(certificate.subject), serial \(certificate.serialNumber), private key redacted)"
        }

        public var customMirror: Mirror {
            Mirror(self, children: ["certificate": certificate], displayStyle: .struct)
        }

        // The transport's TLS sources, as DER handed straight to BoringSSL.
        var tlsCertificateChain: [TLSConfig.CertificateSource] {
            get throws(ClusterError) { [.bytes(try ClusterPKI.der(of: certificate), format: .der)] }
        }

        var tlsPrivateKey: TLSConfig.PrivateKeySource {
            .bytes(Array(privateKey.derRepresentation), format: .der)
        }
    }
}
