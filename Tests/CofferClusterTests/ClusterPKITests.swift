import Crypto
import Foundation
import Testing
import X509
@testable import CofferCluster

@Suite struct ClusterPKITests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    @Test func theCAIsASelfSignedP256CA() throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "Coffer replication CA c-1", now: now)
        let certificate = ca.certificate
        #expect(certificate.subject == certificate.issuer)
        #expect(ClusterPKI.commonName(of: certificate) == "Coffer replication CA c-1")
        #expect(P256.Signing.PublicKey(certificate.publicKey) != nil)
        #expect(try certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try certificate.extensions.keyUsage?.keyCertSign == true)
        #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        #expect(certificate.notValidBefore <= now)
        #expect(certificate.notValidAfter > now.addingTimeInterval(9 * 365 * 86_400))
    }

    @Test func theCARoundTripsThroughPEMAndStillIssues() throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        #expect(ca.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(ca.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))

        let loaded = try ClusterPKI.CertificateAuthority(certificatePEM: ca.certificatePEM, privateKeyPEM: ca.privateKeyPEM)
        #expect(loaded.certificate == ca.certificate)
        let issued = try loaded.issueClientCertificate(secondaryID: "s1", now: now)
        #expect(ca.certificate.publicKey.isValidSignature(issued.certificate.signature, for: issued.certificate))
    }

    @Test func aCAKeyThatDoesNotMatchIsRefused() throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        let other = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        let error = #expect(throws: ClusterError.self) {
            try ClusterPKI.CertificateAuthority(certificatePEM: ca.certificatePEM, privateKeyPEM: other.privateKeyPEM)
        }
        #expect(error?.code == .invalidCertificate)
        let leaf = try ca.issueClientCertificate(secondaryID: "s1", now: now)
        let notACA = #expect(throws: ClusterError.self) {
            try ClusterPKI.CertificateAuthority(certificatePEM: leaf.certificatePEM, privateKeyPEM: leaf.privateKeyPEM)
        }
        #expect(notACA?.code == .invalidCertificate)
        let garbage = #expect(throws: ClusterError.self) {
            try ClusterPKI.CertificateAuthority(certificatePEM: ca.certificatePEM, privateKeyPEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
        }
        #expect(garbage?.code == .invalidKey)
    }

    @Test func aClientCertificateNamesTheSecondaryAndAuthenticatesClientsOnly() throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        let first = try ca.issueClientCertificate(secondaryID: "us-east", now: now)
        let second = try ca.issueClientCertificate(secondaryID: "us-east", now: now)
        let certificate = first.certificate

        #expect(first.commonName == "us-east")
        #expect(certificate.issuer == ca.certificate.subject)
        #expect(try certificate.extensions.extendedKeyUsage == ExtendedKeyUsage([.clientAuth]))
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(try certificate.extensions.keyUsage?.digitalSignature == true)
        #expect(try certificate.extensions.authorityKeyIdentifier?.keyIdentifier
            == ca.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        #expect(P256.Signing.PublicKey(certificate.publicKey) != nil)
        #expect(ca.certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        // Fresh key and random serial every time.
        #expect(certificate.serialNumber != second.certificate.serialNumber)
        #expect(certificate.publicKey != second.certificate.publicKey)
        #expect(certificate.serialNumber.bytes.count >= 16)
    }

    @Test func theServerCertificateCoversItsHostAndLoopback() throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        let byIP = try ca.issueServerCertificate(hosts: ["10.1.2.3"], now: now)
        let names = try #require(try byIP.certificate.extensions.subjectAlternativeNames)
        let addresses = names.compactMap { name -> [UInt8]? in
            if case .ipAddress(let octets) = name { Array(octets.bytes) } else { nil }
        }
        #expect(addresses == [[10, 1, 2, 3], [127, 0, 0, 1], [UInt8](repeating: 0, count: 15) + [1]])
        #expect(names.contains(.dnsName("localhost")))
        #expect(try byIP.certificate.extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
        #expect(byIP.commonName == "10.1.2.3")

        let byName = try ca.issueServerCertificate(hosts: ["primary.vault.internal"], now: now)
        let dnsNames = try #require(try byName.certificate.extensions.subjectAlternativeNames)
        #expect(dnsNames.contains(.dnsName("primary.vault.internal")))
        #expect(dnsNames.filter { $0 == .dnsName("localhost") }.count == 1)

        #expect(throws: ClusterError.self) { try ca.issueServerCertificate(hosts: ["not a host"], now: now) }
    }

    @Test func anIdentityRoundTripsThroughPEMAndRefusesAForeignKey() throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        let identity = try ca.issueClientCertificate(secondaryID: "s1", now: now)
        let loaded = try ClusterPKI.Identity(certificatePEM: identity.certificatePEM, privateKeyPEM: identity.privateKeyPEM)
        #expect(loaded.certificate == identity.certificate)
        #expect(loaded.privateKeyPEM == identity.privateKeyPEM)

        let other = try ca.issueClientCertificate(secondaryID: "s2", now: now)
        let error = #expect(throws: ClusterError.self) {
            try ClusterPKI.Identity(certificatePEM: identity.certificatePEM, privateKeyPEM: other.privateKeyPEM)
        }
        #expect(error?.code == .invalidCertificate)
        let notPEM = #expect(throws: ClusterError.self) {
            try ClusterPKI.Identity(certificatePEM: "hello", privateKeyPEM: identity.privateKeyPEM)
        }
        #expect(notPEM?.code == .invalidCertificate)
    }

    @Test func privateKeysNeverShowInDescriptions() throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        let identity = try ca.issueClientCertificate(secondaryID: "s1", now: now)
        let keyBody = { (pem: String) in pem.split(separator: "\n")[1] }
        for text in [
            "\(ca)", String(reflecting: ca), dumped(ca),
            "\(identity)", String(reflecting: identity), dumped(identity),
        ] {
            #expect(!text.contains("PRIVATE KEY"))
            #expect(!text.contains(keyBody(ca.privateKeyPEM)))
            #expect(!text.contains(keyBody(identity.privateKeyPEM)))
        }
        #expect("\(identity)".contains("redacted"))
    }

    @Test(arguments: ["", String(repeating: "x", count: 65), "tab\tinside", " leading", "trailing ", "new\nline"])
    func unusableSecondaryIDsAreRefused(_ id: String) throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        let error = #expect(throws: ClusterError.self) { try ca.issueClientCertificate(secondaryID: id, now: now) }
        #expect(error?.code == .invalidIdentifier)
    }

    @Test(arguments: ["us-east-1", "dc2 secondary", "ünïcode", String(repeating: "x", count: 64)])
    func usableSecondaryIDsAreAccepted(_ id: String) throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        #expect(try ca.issueClientCertificate(secondaryID: id, now: now).commonName == id)
    }

    private func dumped(_ value: Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }
}
