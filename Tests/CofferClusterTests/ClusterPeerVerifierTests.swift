import Foundation
import Logging
import Testing
import X509
@testable import CofferCluster

/// The listener's certificate decision, without sockets.
@Suite struct ClusterPeerVerifierTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    private func verifier(
        ca: ClusterPKI.CertificateAuthority,
        at time: Date? = nil,
        revoked: Set<String> = []
    ) -> ClusterPeerVerifier {
        let time = time ?? now
        return ClusterPeerVerifier(
            certificateAuthority: ca.certificate,
            isRevoked: { revoked.contains($0) },
            now: { time },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    }

    @Test func aSecondaryFromTheSetIsAcceptedWithItsID() async throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        let client = try ca.issueClientCertificate(secondaryID: "s1", now: now)
        let decision = await verifier(ca: ca).evaluate([client.certificate])
        #expect(decision == .accepted(secondaryID: "s1", chain: [client.certificate, ca.certificate]))
    }

    @Test func refusals() async throws {
        let ca = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        let other = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: now)
        let client = try ca.issueClientCertificate(secondaryID: "s1", now: now, validity: .seconds(3600))
        let foreign = try other.issueClientCertificate(secondaryID: "s1", now: now)
        let server = try ca.issueServerCertificate(hosts: ["127.0.0.1"], now: now)

        func isRejected(_ decision: ClusterPeerVerifier.Decision) -> Bool {
            if case .rejected = decision { true } else { false }
        }
        #expect(isRejected(await verifier(ca: ca).evaluate([])))
        #expect(isRejected(await verifier(ca: ca).evaluate([foreign.certificate])))
        // A foreign leaf does not become acceptable by presenting our CA alongside it.
        #expect(isRejected(await verifier(ca: ca).evaluate([foreign.certificate, ca.certificate])))
        // The CA certificate itself, presented as a leaf.
        #expect(isRejected(await verifier(ca: ca).evaluate([ca.certificate])))
        // A server certificate (serverAuth only) is not a client certificate.
        #expect(isRejected(await verifier(ca: ca).evaluate([server.certificate])))
        // Expired, and not yet valid.
        #expect(isRejected(await verifier(ca: ca, at: now.addingTimeInterval(7200)).evaluate([client.certificate])))
        #expect(isRejected(await verifier(ca: ca, at: now.addingTimeInterval(-3600)).evaluate([client.certificate])))
        // Revoked.
        #expect(await verifier(ca: ca, revoked: ["s1"]).evaluate([client.certificate]) == .rejected(reason: "secondary \"s1\" is revoked"))
        // Too many certificates.
        let many = Array(repeating: client.certificate, count: ClusterPeerVerifier.maxPresentedCertificates + 1)
        #expect(isRejected(await verifier(ca: ca).evaluate(many)))
    }
}
