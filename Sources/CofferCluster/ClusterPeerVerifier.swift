import FoundationEssentials
import Logging
import NIOCore
import NIOSSL
import SwiftASN1
// The fixed-time initializer lets the validity check use the injected clock.
@_spi(FixedExpiryValidationTime) import X509

/// Decides, during the TLS handshake on the primary's cluster listener, whether a
/// secondary's client certificate is acceptable.
///
/// It replaces BoringSSL's chain verification (the transport's custom verification
/// callback), so it does all of it: the presented chain must build to the set's CA under
/// RFC 5280 rules at `now()` (signatures, validity, basic constraints), the leaf must be a
/// non-CA certificate with the `clientAuth` extended key usage and exactly one CN that is
/// a valid secondary id, and `isRevoked(id)` must be false. BoringSSL still checks the
/// handshake signature, so the peer proves it holds the certificate's key.
///
/// On success the promise carries the validated chain (leaf first, CA last). The
/// transport exposes that chain to every RPC on the connection as
/// `HTTP2ServerTransport.Posix.Context.peerCertificateChain`, which is where
/// ``ClusterReplicationService`` reads the caller's id from.
struct ClusterPeerVerifier: Sendable {
    /// The outcome for one presented chain.
    enum Decision: Sendable, Equatable {
        case accepted(secondaryID: String, chain: [Certificate])
        case rejected(reason: String)
    }

    /// The most certificates a client may present; a secondary presents one.
    static let maxPresentedCertificates = 4

    let certificateAuthority: Certificate
    let isRevoked: @Sendable (String) -> Bool
    let now: @Sendable () -> Date
    let logger: Logger

    /// The transport's custom verification callback. Runs on the connection's event
    /// loop; the chain building is async, so it completes the promise from a task.
    func verify(
        _ presented: [NIOSSLCertificate],
        promise: EventLoopPromise<NIOSSLVerificationResultWithMetadata>
    ) {
        promise.completeWithTask {
            await self.verify(presented)
        }
    }

    func verify(_ presented: [NIOSSLCertificate]) async -> NIOSSLVerificationResultWithMetadata {
        let certificates: [Certificate]
        do {
            certificates = try presented.prefix(Self.maxPresentedCertificates + 1).map {
                try Certificate(derEncoded: $0.toDERBytes())
            }
        } catch {
            logger.warning("cluster link: refused a client certificate that does not parse")
            return .failed
        }
        switch await evaluate(certificates) {
        case .accepted(let secondaryID, let chain):
            do {
                let validated = try chain.map { try NIOSSLCertificate(bytes: ClusterPKI.der(of: $0), format: .der) }
                logger.debug("cluster link: accepted secondary", metadata: ["secondary_id": "\(secondaryID)"])
                return .certificateVerified(VerificationMetadata(ValidatedCertificateChain(validated)))
            } catch {
                logger.error("cluster link: could not re-encode a validated chain", metadata: ["error": "\(error)"])
                return .failed
            }
        case .rejected(let reason):
            logger.warning("cluster link: refused a client certificate", metadata: ["reason": "\(reason)"])
            return .failed
        }
    }

    /// The decision for a presented chain (leaf first), without any TLS machinery.
    func evaluate(_ presented: [Certificate]) async -> Decision {
        guard let leaf = presented.first else {
            return .rejected(reason: "no client certificate")
        }
        guard presented.count <= Self.maxPresentedCertificates else {
            return .rejected(reason: "more than \(Self.maxPresentedCertificates) certificates presented")
        }
        var verifier = Verifier(rootCertificates: CertificateStore([certificateAuthority])) {
            RFC5280Policy(fixedExpiryValidationTime: now())
            ClusterClientPolicy()
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(presented.dropFirst()))
        guard case .validCertificate(let chain) = result else {
            return .rejected(reason: "the certificate does not chain to the replication set's CA or is not a valid client certificate")
        }
        guard let secondaryID = ClusterPKI.commonName(of: leaf),
              (try? ClusterPKI.validateSecondaryID(secondaryID)) != nil
        else {
            return .rejected(reason: "the certificate's subject does not name a secondary")
        }
        guard !isRevoked(secondaryID) else {
            return .rejected(reason: "secondary \"\(secondaryID)\" is revoked")
        }
        return .accepted(secondaryID: secondaryID, chain: Array(chain))
    }
}

/// What a secondary's certificate must be beyond RFC 5280 path validity: an end-entity
/// certificate (not the CA presented as a leaf) for TLS client authentication.
struct ClusterClientPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let leaf = chain.leaf
        guard chain.count >= 2 else {
            return .failsToMeetPolicy(reason: "the leaf is a trust root itself")
        }
        do {
            if case .isCertificateAuthority = try leaf.extensions.basicConstraints {
                return .failsToMeetPolicy(reason: "the leaf is a CA certificate")
            }
            guard let usage = try leaf.extensions.extendedKeyUsage, usage.contains(.clientAuth) else {
                return .failsToMeetPolicy(reason: "the leaf lacks the clientAuth extended key usage")
            }
        } catch {
            return .failsToMeetPolicy(reason: "the leaf's extensions are malformed")
        }
        return .meetsPolicy
    }
}
