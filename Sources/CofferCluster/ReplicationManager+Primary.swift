import CofferCore
import CofferJSON
import CofferLogical
import CofferReplication
import CofferStorage
import Foundation
import Logging
import X509

/// The primary: enabling the set, activation tokens, and the cluster listener's services.
extension ReplicationManager {
    /// The replicated record of the set (Vault keeps it at `core/cluster/replicated/info`);
    /// writing it on enable also gives the log a first index, so a new secondary always
    /// starts with a Merkle sync of everything written before replication began.
    static let setInfoKey = "core/cluster/replicated/info"

    /// The cluster address a new primary advertises: `primary_cluster_addr`, else the
    /// server's `cluster_addr`; 400 when it is not host:port.
    func advertisedClusterAddress(_ request: Request) throws -> (text: String, address: ClusterAddress) {
        let given = request.data["primary_cluster_addr"]?.stringValue ?? ""
        let advertised = given.isEmpty ? configuration.clusterAddress : given
        do {
            return (advertised, try ClusterAddress(parsing: advertised))
        } catch {
            throw LogicalError.invalidRequest("primary_cluster_addr \"\(advertised.prefix(100))\" is not host:port")
        }
    }

    func enablePrimary(_ request: Request) async throws -> Response? {
        guard mode == .disabled else {
            throw LogicalError.invalidRequest("performance replication is already enabled on this cluster (mode \(mode.rawValue))")
        }
        guard let log = core.replicationLog else {
            throw LogicalError.invalidRequest("this storage backend cannot keep a replication log")
        }
        let (advertised, address) = try advertisedClusterAddress(request)
        let clusterID = UUID().uuidString.lowercased()
        let next = try Self.primaryState(clusterID: clusterID, advertised: advertised, host: address.host, apiAddress: core.apiAddress)
        state.withLock { $0 = next }
        log.setMode(.primary)
        try await persist()
        try await core.writeReplicated(Self.setInfoKey, JSONWriter.bytes([
            "cluster_id": .string(clusterID), "primary_cluster_addr": .string(advertised),
        ]))
        await loadIndexKey(create: true)
        try await startListener()
        logger.info("replication: enabled as performance primary", metadata: ["cluster_id": "\(clusterID)"])
        return Response(warnings: [
            "This cluster is being enabled as a primary for replication. Vault will be unavailable for a brief period and will resume service shortly.",
        ])
    }

    func secondaryToken(_ request: Request) async throws -> Response? {
        guard mode == .primary else {
            throw LogicalError.invalidRequest("this cluster is not a performance primary: enable it with sys/replication/performance/primary/enable")
        }
        guard let id = request.data["id"]?.stringValue, !id.isEmpty else {
            throw LogicalError.invalidRequest("id is required")
        }
        do { try ClusterPKI.validateSecondaryID(id) } catch {
            throw LogicalError.invalidRequest("id \"\(id.prefix(64))\" is not usable: letters, digits, '-', '_' and '.' only")
        }
        var ttl: Int64 = 1800
        if let value = request.data["ttl"] {
            guard let seconds = VaultDuration.parseSeconds(value), seconds > 0 else {
                throw LogicalError.invalidRequest("ttl must be a positive duration")
            }
            ttl = seconds
        }
        let persisted = state.withLock { $0 }
        guard persisted.secondaries[id] == nil else {
            throw LogicalError.invalidRequest("a secondary with id \"\(id)\" already exists; ids must be unique (revoke it to reuse the id)")
        }
        let ca = try ClusterPKI.CertificateAuthority(certificatePEM: persisted.caCertificatePEM, privateKeyPEM: persisted.caKeyPEM)
        let client = try ca.issueClientCertificate(secondaryID: id, now: Date())
        state.withLock { $0.secondaries[id] = false }
        try await persist()
        var response = Response(data: [
            "cluster_id": .string(persisted.clusterID),
            "secondary_id": .string(id),
            "primary_cluster_addr": .string(persisted.primaryClusterAddress),
            "primary_api_addr": .string(persisted.primaryAPIAddress),
            "ca_cert": .string(persisted.caCertificatePEM),
            "client_cert": .string(client.certificatePEM),
            "client_key": .string(client.privateKeyPEM),
        ])
        response.forcedWrapTTL = ttl
        response.wrapFormatJWT = true
        if persisted.primaryAPIAddress.isEmpty {
            response.warnings.append("No api_addr is set on this server so none could be encoded in the token. You may need to supply the primary's API address (primary_api_addr) when enabling the secondary.")
        }
        return response
    }

    /// Starts the cluster listener with the persisted identity (primary only).
    func startListener() async throws {
        let persisted = state.withLock { $0 }
        let ca = try ClusterPKI.CertificateAuthority(certificatePEM: persisted.caCertificatePEM, privateKeyPEM: persisted.caKeyPEM)
        let identity = try ClusterPKI.Identity(certificatePEM: persisted.serverCertificatePEM, privateKeyPEM: persisted.serverKeyPEM)
        let signing = try ActivationToken.SigningKey(pemRepresentation: persisted.jwtKeyPEM)
        core.setWrappingTokenCodec(ActivationWrappingCodec(key: signing, address: persisted.primaryAPIAddress))
        var serverConfiguration = ClusterServer.Configuration(
            host: configuration.clusterListenHost, port: configuration.clusterListenPort,
            identity: identity, certificateAuthority: ca.certificate,
            isRevoked: { [weak self] id in self?.state.withLock { $0.secondaries[id] ?? true } ?? true })
        serverConfiguration.logger = logger
        let server = try ClusterServer(configuration: serverConfiguration, handler: PrimaryService(manager: self))
        let task = Task { [logger] in
            do { try await server.run() } catch {
                logger.error("replication: cluster listener stopped", metadata: ["error": "\(error)"])
            }
        }
        runtime.withLock { $0.server = server; $0.serverTask = task }
        logger.info("replication: cluster listener started", metadata: [
            "address": "\(configuration.clusterListenHost):\(configuration.clusterListenPort)"])
    }
}

/// Mints and reads activation tokens: JWT-format wrapping tokens signed with the set's key.
struct ActivationWrappingCodec: WrappingTokenCodec {
    let key: ActivationToken.SigningKey
    let address: String

    func encode(tokenID: String, creationTime: Int64, ttl: Int64) async throws -> String {
        let token = ActivationToken(
            address: address, wrappingTokenID: tokenID,
            issuedAt: Date(timeIntervalSince1970: Double(creationTime)),
            expiresAt: Date(timeIntervalSince1970: Double(creationTime + ttl)))
        return try await key.sign(token)
    }

    func decode(_ jwt: String) async -> String? {
        try? await key.verify(jwt, now: Date()).wrappingTokenID
    }
}
