import Crypto
import FoundationEssentials
import SwiftASN1
public import X509

/// The replication set's public-key infrastructure: one self-signed P-256 CA per set,
/// which issues the primary's server certificate and one client certificate per
/// secondary (CN = secondary id). The CA's private key never leaves the primary.
///
/// Certificates (all ECDSA P-256 with SHA-256, X.509 v3, random 20-byte serials):
///
/// | certificate | basic constraints | key usage | extended key usage | names |
/// | --- | --- | --- | --- | --- |
/// | CA | CA, path length 0 (critical) | certSign, cRLSign (critical) | - | CN = the given name |
/// | primary | not a CA (critical) | digitalSignature (critical) | serverAuth | SANs: hosts + localhost, 127.0.0.1, ::1 |
/// | secondary | not a CA (critical) | digitalSignature (critical) | clientAuth | CN = secondary id |
///
/// Validity starts ``clockSkewAllowance`` before the `now` the caller passes, so a peer
/// whose clock is slightly behind still accepts a fresh certificate.
public enum ClusterPKI {
    /// Default lifetime of the set's CA: ten years. The set lives as long as replication
    /// stays enabled; rotating the CA means re-activating every secondary.
    public static let defaultCAValidity: Duration = .seconds(10 * 365 * 86_400)
    /// Default lifetime of server and client certificates: five years (within the CA's).
    public static let defaultLeafValidity: Duration = .seconds(5 * 365 * 86_400)
    /// How far before `now` a new certificate's validity starts.
    public static let clockSkewAllowance: Duration = .seconds(300)
    /// The longest secondary id accepted (the X.520 upper bound for a common name).
    public static let maxSecondaryIDLength = 64

    /// Checks that `id` can name a secondary in a certificate: 1 to 64 characters, no
    /// control characters, no leading or trailing whitespace.
    public static func validateSecondaryID(_ id: String) throws(ClusterError) {
        guard !id.isEmpty, id.count <= maxSecondaryIDLength else {
            throw ClusterError(.invalidIdentifier, "a secondary id must have 1 to \(maxSecondaryIDLength) characters")
        }
        guard !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
              id.first?.isWhitespace == false, id.last?.isWhitespace == false
        else {
            throw ClusterError(.invalidIdentifier, "a secondary id must not contain control characters or surrounding spaces")
        }
    }

    /// The single common name in `certificate`'s subject, or nil when it has none, more
    /// than one, or one that is not a string.
    public static func commonName(of certificate: Certificate) -> String? {
        var found: [String] = []
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                guard let name = String(attribute.value) else { return nil }
                found.append(name)
            }
        }
        return found.count == 1 ? found[0] : nil
    }

    // MARK: - Building certificates

    static func makeCertificate(
        subject: DistinguishedName,
        publicKey: P256.Signing.PublicKey,
        issuer: DistinguishedName,
        issuerKey: P256.Signing.PrivateKey,
        extensions: Certificate.Extensions,
        now: Date,
        validity: Duration
    ) throws(ClusterError) -> Certificate {
        guard validity > .zero else {
            throw ClusterError(.invalidCertificate, "a certificate's validity must be positive")
        }
        do {
            return try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(publicKey),
                notValidBefore: now - seconds(clockSkewAllowance),
                notValidAfter: now + seconds(validity),
                issuer: issuer,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: Certificate.PrivateKey(issuerKey)
            )
        } catch {
            throw ClusterError(.invalidCertificate, "could not build the certificate", cause: error)
        }
    }

    /// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subject public key bit string.
    static func keyIdentifier(of key: P256.Signing.PublicKey) -> ArraySlice<UInt8> {
        ArraySlice(Insecure.SHA1.hash(data: key.x963Representation))
    }

    static func distinguishedName(commonName: String) throws(ClusterError) -> DistinguishedName {
        do {
            return try DistinguishedName { CommonName(commonName) }
        } catch {
            throw ClusterError(.invalidCertificate, "could not build a distinguished name", cause: error)
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    // MARK: - PEM

    static func parseCertificate(pem: String) throws(ClusterError) -> Certificate {
        do {
            return try Certificate(pemEncoded: pem)
        } catch {
            throw ClusterError(.invalidCertificate, "not a PEM-encoded X.509 certificate", cause: error)
        }
    }

    /// Parses a PKCS#8 or SEC1 PEM P-256 private key. The parse error is not kept as the
    /// cause: it could describe the key's bytes.
    static func parsePrivateKey(pem: String) throws(ClusterError) -> P256.Signing.PrivateKey {
        do {
            return try P256.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw ClusterError(.invalidKey, "not a PEM-encoded P-256 private key")
        }
    }

    static func der(of certificate: Certificate) throws(ClusterError) -> [UInt8] {
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        } catch {
            throw ClusterError(.invalidCertificate, "could not encode the certificate", cause: error)
        }
    }

    static func pem(of certificate: Certificate) throws(ClusterError) -> String {
        do {
            return try certificate.serializeAsPEM().pemString
        } catch {
            throw ClusterError(.invalidCertificate, "could not encode the certificate", cause: error)
        }
    }
}
