import Crypto
public import FoundationEssentials
import SwiftASN1
public import X509

extension ClusterPKI {
    /// The replication set's certificate authority: a self-signed P-256 certificate and
    /// its private key.
    ///
    /// The primary creates it when replication is enabled and persists ``certificatePEM``
    /// and ``privateKeyPEM`` barrier-encrypted. Secondaries receive only the certificate
    /// (to verify the primary). The private key is a secret: ``description`` and the
    /// mirror omit it, and nothing here logs it.
    public struct CertificateAuthority: Sendable, CustomStringConvertible, CustomReflectable {
        /// The CA certificate: the trust root of the set's cluster link.
        public let certificate: Certificate
        /// ``certificate`` as PEM (`-----BEGIN CERTIFICATE-----`).
        public let certificatePEM: String
        private let privateKey: P256.Signing.PrivateKey

        /// Creates a new CA with a fresh P-256 key.
        ///
        /// - Parameters:
        ///   - commonName: The CA's subject CN; include the replication set's id so
        ///     operators can tell sets apart.
        ///   - now: The current time (validity starts ``ClusterPKI/clockSkewAllowance``
        ///     earlier).
        ///   - validity: How long the CA is valid from `now`.
        public static func generate(
            commonName: String,
            now: Date,
            validity: Duration = ClusterPKI.defaultCAValidity
        ) throws(ClusterError) -> CertificateAuthority {
            let key = P256.Signing.PrivateKey()
            let name = try ClusterPKI.distinguishedName(commonName: commonName)
            let keyID = ClusterPKI.keyIdentifier(of: key.publicKey)
            let extensions: Certificate.Extensions
            do {
                extensions = try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(keyIdentifier: keyID)
                }
            } catch {
                throw ClusterError(.invalidCertificate, "could not build the CA's extensions", cause: error)
            }
            let certificate = try ClusterPKI.makeCertificate(
                subject: name, publicKey: key.publicKey, issuer: name, issuerKey: key,
                extensions: extensions, now: now, validity: validity
            )
            return try CertificateAuthority(certificate: certificate, privateKey: key)
        }

        /// Loads a CA persisted as PEM.
        ///
        /// - Throws: ``ClusterError/Code/invalidCertificate`` when the certificate is not
        ///   a CA or does not match the key; ``ClusterError/Code/invalidKey`` when the key
        ///   is not a P-256 private key.
        public init(certificatePEM: String, privateKeyPEM: String) throws(ClusterError) {
            try self.init(
                certificate: ClusterPKI.parseCertificate(pem: certificatePEM),
                privateKey: ClusterPKI.parsePrivateKey(pem: privateKeyPEM)
            )
        }

        private init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) throws(ClusterError) {
            guard certificate.publicKey == Certificate.PublicKey(privateKey.publicKey) else {
                throw ClusterError(.invalidCertificate, "the CA certificate does not match the private key")
            }
            let constraints: BasicConstraints?
            do {
                constraints = try certificate.extensions.basicConstraints
            } catch {
                throw ClusterError(.invalidCertificate, "the CA certificate's basic constraints are malformed", cause: error)
            }
            guard case .isCertificateAuthority = constraints else {
                throw ClusterError(.invalidCertificate, "the certificate is not a CA")
            }
            self.certificate = certificate
            self.certificatePEM = try ClusterPKI.pem(of: certificate)
            self.privateKey = privateKey
        }

        /// The private key as PKCS#8 PEM. A secret: persist it only barrier-encrypted and
        /// never log it.
        public var privateKeyPEM: String { privateKey.pemRepresentation }

        /// Issues the primary's server certificate for its cluster listener.
        ///
        /// - Parameters:
        ///   - hosts: The names secondaries use to reach the listener: IP literals become
        ///     `iPAddress` SANs, anything else a `dNSName` SAN. `localhost`, `127.0.0.1`
        ///     and `::1` are always added. The CN is the first host (or `localhost`).
        public func issueServerCertificate(
            hosts: [String],
            now: Date,
            validity: Duration = ClusterPKI.defaultLeafValidity
        ) throws(ClusterError) -> Identity {
            var names: [GeneralName] = []
            var seen = Set<String>()
            for host in hosts + ["localhost", "127.0.0.1", "::1"] where seen.insert(host.lowercased()).inserted {
                if let bytes = IPAddressBytes.parse(host) {
                    names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))))
                } else if ClusterAddress.isDNSName(host) {
                    names.append(.dnsName(host))
                } else {
                    throw ClusterError(.invalidIdentifier, "\"\(host)\" is neither an IP address nor a DNS name")
                }
            }
            return try issue(
                commonName: hosts.first ?? "localhost",
                usage: .serverAuth,
                subjectAlternativeNames: SubjectAlternativeNames(names),
                now: now, validity: validity
            )
        }

        /// Issues a secondary's client certificate: a fresh P-256 key, CN = `secondaryID`,
        /// a random serial. The result travels in the activation bundle; the primary keeps
        /// no copy of its key.
        ///
        /// - Throws: ``ClusterError/Code/invalidIdentifier`` when the id fails
        ///   ``ClusterPKI/validateSecondaryID(_:)``.
        public func issueClientCertificate(
            secondaryID: String,
            now: Date,
            validity: Duration = ClusterPKI.defaultLeafValidity
        ) throws(ClusterError) -> Identity {
            try ClusterPKI.validateSecondaryID(secondaryID)
            return try issue(commonName: secondaryID, usage: .clientAuth, subjectAlternativeNames: nil, now: now, validity: validity)
        }

        private func issue(
            commonName: String,
            usage: ExtendedKeyUsage.Usage,
            subjectAlternativeNames: SubjectAlternativeNames?,
            now: Date,
            validity: Duration
        ) throws(ClusterError) -> Identity {
            let key = P256.Signing.PrivateKey()
            let extensions: Certificate.Extensions
            do {
                let authorityKeyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
                    ?? ClusterPKI.keyIdentifier(of: privateKey.publicKey)
                extensions = try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([usage])
                    SubjectKeyIdentifier(keyIdentifier: ClusterPKI.keyIdentifier(of: key.publicKey))
                    AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
                    if let subjectAlternativeNames { subjectAlternativeNames }
                }
            } catch {
                throw ClusterError(.invalidCertificate, "could not build the certificate's extensions", cause: error)
            }
            let leaf = try ClusterPKI.makeCertificate(
                subject: ClusterPKI.distinguishedName(commonName: commonName),
                publicKey: key.publicKey,
                issuer: certificate.subject,
                issuerKey: privateKey,
                extensions: extensions,
                now: now,
                validity: validity
            )
            return try Identity(certificate: leaf, privateKey: key)
        }

        public var description: String {
            "ClusterPKI.CertificateAuthority(\(certificate.subject), serial \(certificate.serialNumber), private key redacted)"
        }

        public var customMirror: Mirror {
            Mirror(self, children: ["certificate": certificate], displayStyle: .struct)
        }
    }
}
