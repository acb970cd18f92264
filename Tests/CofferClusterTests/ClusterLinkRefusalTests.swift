import Foundation
import Synchronization
import Testing
@testable import CofferCluster

#if canImport(Glibc)
import Glibc
#endif

/// Who the cluster listener (and the client) refuse.
@Suite struct ClusterLinkRefusalTests {
    /// A call that must fail at the TLS layer, whatever the server's handler would say.
    private func expectRefused(
        _ configuration: ClusterClient.Configuration,
        presentsIdentity: Bool = true,
        handler: RecordingHandler,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let client = try ClusterClient(configuration: configuration, presentsIdentity: presentsIdentity)
        let error = try await client.runningDuring { client in
            await #expect(throws: ClusterError.self, sourceLocation: sourceLocation) {
                _ = try await client.bootstrap(timeout: .seconds(5))
            }
        }
        #expect(error?.code == .unavailable, "got \(String(describing: error))", sourceLocation: sourceLocation)
        #expect(handler.calls.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func aClientWithoutACertificateIsRefused() async throws {
        let pki = try TestPKI()
        let handler = RecordingHandler()
        try await withTestServer(pki.serverConfiguration(), handler: handler) { _, address in
            try await expectRefused(pki.clientConfiguration(address: address), presentsIdentity: false, handler: handler)
        }
    }

    @Test func aClientCertificateFromAnotherCAIsRefused() async throws {
        let pki = try TestPKI()
        let stranger = try TestPKI(secondaryID: "secondary-a")
        let handler = RecordingHandler()
        try await withTestServer(pki.serverConfiguration(), handler: handler) { _, address in
            // Same CN as a legitimate secondary, but issued by a different CA.
            try await expectRefused(
                pki.clientConfiguration(address: address, identity: stranger.client),
                handler: handler
            )
        }
    }

    @Test func aRevokedSecondaryIsRefusedAtTheHandshake() async throws {
        let pki = try TestPKI(secondaryID: "secondary-r")
        let handler = RecordingHandler()
        let consulted = Mutex<[String]>([])
        let configuration = pki.serverConfiguration { id in
            consulted.withLock { $0.append(id) }
            return id == "secondary-r"
        }
        try await withTestServer(configuration, handler: handler) { _, address in
            try await expectRefused(pki.clientConfiguration(address: address), handler: handler)
        }
        #expect(consulted.withLock { $0 }.contains("secondary-r"))
    }

    @Test func aSecondaryRevokedWhileConnectedCannotStartCalls() async throws {
        let pki = try TestPKI(secondaryID: "secondary-r")
        let revoked = Mutex(false)
        let handler = RecordingHandler()
        let configuration = pki.serverConfiguration { _ in revoked.withLock { $0 } }
        try await withTestServer(configuration, handler: handler) { _, address in
            try await ClusterClient.withClient(configuration: pki.clientConfiguration(address: address)) { client in
                _ = try await client.bootstrap()
                revoked.withLock { $0 = true }
                let error = await #expect(throws: ClusterError.self) { try await client.merklePages() }
                #expect(error?.code == .permissionDenied)
            }
        }
        #expect(handler.calls.map(\.method) == ["bootstrap"])
    }

    @Test func theClientRefusesAServerFromAnotherCA() async throws {
        let pki = try TestPKI()
        let impostor = try TestPKI()
        let handler = RecordingHandler()
        // The impostor's server accepts our client (it trusts our CA) but presents a
        // certificate from its own CA.
        var configuration = impostor.serverConfiguration()
        configuration.certificateAuthority = pki.ca.certificate
        try await withTestServer(configuration, handler: handler) { _, address in
            try await expectRefused(pki.clientConfiguration(address: address), handler: handler)
        }
    }

    @Test func aSecondarysCertificateCannotServeAsThePrimary() async throws {
        let pki = try TestPKI()
        let handler = RecordingHandler()
        var configuration = pki.serverConfiguration()
        // A secondary's client certificate (clientAuth only, no SANs) as the server's.
        configuration.identity = try pki.ca.issueClientCertificate(secondaryID: "secondary-x", now: TestPKI.now)
        try await withTestServer(configuration, handler: handler) { _, address in
            try await expectRefused(pki.clientConfiguration(address: address), handler: handler)
        }
    }

    @Test func aConnectionThatNeverHandshakesIsClosed() async throws {
        let pki = try TestPKI()
        var configuration = pki.serverConfiguration()
        configuration.handshakeTimeout = .milliseconds(300)
        try await withTestServer(configuration) { _, address in
            let clock = ContinuousClock()
            let started = clock.now
            let outcome = try silentConnection(to: address.port, waitingUpTo: 5)
            #expect(outcome == .closedByPeer)
            #expect(clock.now - started < .seconds(4))
        }
    }

    @Test func theListenerOnlyBindsIPAddresses() throws {
        let pki = try TestPKI()
        var configuration = pki.serverConfiguration()
        configuration.host = "primary.example"
        #expect(throws: ClusterError.self) { try ClusterServer(configuration: configuration, handler: RecordingHandler()) }
    }
}

enum SilentConnectionOutcome: Equatable {
    case closedByPeer
    case stillOpen
}

/// Opens a TCP connection to 127.0.0.1:`port`, sends nothing, and reports whether the
/// peer closed it within `seconds`.
func silentConnection(to port: Int, waitingUpTo seconds: Int) throws -> SilentConnectionOutcome {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var byte: UInt8 = 0
    let count = recv(fd, &byte, 1, 0)
    return count <= 0 && (count == 0 || errno != EAGAIN) ? .closedByPeer : .stillOpen
}
