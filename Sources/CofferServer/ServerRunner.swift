import CofferCluster
public import CofferCore
import CofferHTTP
import CofferReplication
import CofferStorage
import Foundation
public import Logging
import NIOCore
import NIOSSL
import Synchronization
import ServiceLifecycle

/// What `coffer server` runs: storage, core settings and listeners, resolved from a
/// configuration file or from dev-mode flags.
public struct ServerPlan: Sendable {
    /// Dev mode: initialise and unseal at start, print the root token and unseal key.
    public struct Dev: Sendable {
        public var rootTokenID: String?
        /// Where to save the root token for the CLI (`~/.vault-token`, as `vault server -dev`
        /// does); nil saves nothing.
        public var tokenFile: String?
        public init(rootTokenID: String? = nil, tokenFile: String? = nil) {
            self.rootTokenID = rootTokenID
            self.tokenFile = tokenFile
        }
    }

    public var storage: StorageConfig
    public var listeners: [ListenerConfig]
    public var core: CoreConfig
    public var logLevel: Logger.Level
    public var dev: Dev?

    public init(storage: StorageConfig, listeners: [ListenerConfig], core: CoreConfig, logLevel: Logger.Level = .info, dev: Dev? = nil) {
        self.storage = storage
        self.listeners = listeners
        self.core = core
        self.logLevel = logLevel
        self.dev = dev
    }
}

/// Composes and runs the server: storage → Core → HTTP listeners, under a service group
/// that shuts down gracefully on SIGTERM and SIGINT.
public enum ServerRunner {
    /// Runs until a termination signal. `onReady` is called once every listener is bound,
    /// with their addresses.
    public static func run(
        _ plan: ServerPlan,
        output: @escaping @Sendable (String) -> Void = ServerRunner.writeLine,
        onReady: (@Sendable ([String]) async -> Void)? = nil
    ) async throws {
        var logger = Logger(label: "coffer")
        logger.logLevel = plan.logLevel

        let backend: any StorageBackend
        switch plan.storage {
        case .inmem: backend = InMemoryBackend()
        case .sqlite(let path): backend = try SQLiteBackend(path: path, logger: logger)
        }
        let core = Core(storage: backend, config: plan.core, logger: logger)
        if let listener = plan.listeners.first, let cluster = try? ClusterAddress(parsing: listener.clusterAddress) {
            let advertised = plan.core.clusterAddress.isEmpty ? listener.clusterAddress : plan.core.clusterAddress
            core.setReplicationController(ReplicationManager(core: core, configuration: .init(
                clusterListenHost: cluster.host, clusterListenPort: cluster.port,
                clusterAddress: advertised, logger: logger)))
        }

        var banner: [String] = []
        if let dev = plan.dev {
            let (unsealKey, rootToken) = try await core.setUpDevMode(rootTokenID: dev.rootTokenID)
            if let file = dev.tokenFile {
                FileManager.default.createFile(
                    atPath: file, contents: Data(rootToken.utf8), attributes: [.posixPermissions: 0o600])
            }
            banner = devBanner(plan: plan, unsealKey: unsealKey, rootToken: rootToken, savedTo: dev.tokenFile)
        }

        let bound = BoundAddresses(expected: plan.listeners.count)
        var services: [any Service] = []
        for listener in plan.listeners {
            let (host, port) = (listener.host, listener.port)
            var tls: TLSConfiguration?
            if case .enabled(let cert, let key) = listener.tls {
                tls = try HTTPListener.tlsConfiguration(certificateFile: cert, keyFile: key)
            }
            let scheme = tls == nil ? "http" : "https"
            let http = HTTPListener(host: host, port: port, tls: tls)
            services.append(try http.makeService(core: core, logger: logger) { address in
                let text = address.map { "\(scheme)://\($0.ipAddress ?? host):\($0.port ?? port)" } ?? listener.address
                if let all = bound.add(text) { await onReady?(all) }
            })
        }

        output(startupSummary(plan: plan, storage: backend.name))
        for line in banner { output(line) }

        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        if let sqlite = backend as? SQLiteBackend { try await sqlite.close() }
        logger.info("coffer: shut down")
    }

    /// Writes a line to standard output unbuffered, so banners show at once in a log file.
    public static let writeLine: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }

    /// Turns a parsed configuration file into a plan.
    public static func plan(from config: ServerConfig) -> ServerPlan {
        let first = config.listeners.first
        let scheme = first.map { $0.tls == .disabled ? "http" : "https" } ?? "http"
        let core = CoreConfig(
            defaultLeaseTTL: config.defaultLeaseTTL,
            maxLeaseTTL: config.maxLeaseTTL,
            clusterName: config.clusterName ?? "",
            apiAddress: config.apiAddress ?? first.map { "\(scheme)://\($0.address)" } ?? "",
            clusterAddress: config.clusterAddress ?? first.map { "https://\($0.clusterAddress)" } ?? "",
            walRetention: config.replication?.logshipperBufferLength.map { Int(clamping: max(1, $0)) }
                ?? ReplicationLog.defaultRetention,
            walWaitMillis: config.replication?.bestEffortWALWaitSeconds.map { $0 * 1000 } ?? 2000,
            allowForwardingViaHeader: config.replication?.allowForwardingViaHeader ?? false
        )
        return ServerPlan(
            storage: config.storage, listeners: config.listeners, core: core,
            logLevel: config.logLevel?.loggerLevel ?? .info
        )
    }

    static func startupSummary(plan: ServerPlan, storage: String) -> String {
        var lines = ["==> Coffer server configuration:", ""]
        lines.append("             Api Address: \(plan.core.apiAddress)")
        lines.append("         Cluster Address: \(plan.core.clusterAddress)")
        for l in plan.listeners {
            lines.append("                Listener: tcp (addr: \"\(l.address)\", cluster address: \"\(l.clusterAddress)\", tls: \"\(l.tls == .disabled ? "disabled" : "enabled")\")")
        }
        lines.append("               Log Level: \(plan.logLevel)")
        lines.append("                 Storage: \(storage)")
        lines.append("                 Version: Coffer v\(CofferVersion.release) (Vault API \(CofferVersion.apiLevel))")
        lines.append("")
        lines.append("==> Coffer server started! Log data will stream in below:")
        return lines.joined(separator: "\n")
    }

    static func devBanner(plan: ServerPlan, unsealKey: [UInt8], rootToken: String, savedTo file: String?) -> [String] {
        let address = plan.listeners.first.map { "http://\($0.address)" } ?? ""
        return [
            "",
            "WARNING! dev mode is enabled! In this mode, Coffer runs entirely in-memory",
            "and starts unsealed with a single unseal key.",
            file.map { "The root token is saved in \($0), so the CLI is already authenticated." } ?? "",
            "",
            "You may need to set the following environment variables:",
            "",
            "    $ export VAULT_ADDR='\(address)'",
            "",
            "The unseal key and root token are displayed below in case you want to",
            "seal/unseal the Vault or re-authenticate.",
            "",
            "Unseal Key: \(Data(unsealKey).base64EncodedString())",
            "Root Token: \(rootToken)",
            "",
            "Development mode should NOT be used in production installations!",
            "",
        ]
    }
}

/// A startup failure with a message for the operator.
public struct ServerStartError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Collects listener addresses as they bind; reports once all are bound.
final class BoundAddresses: Sendable {
    private let state = Mutex<[String]>([])
    private let expected: Int

    init(expected: Int) {
        self.expected = expected
    }

    func add(_ address: String) -> [String]? {
        state.withLock { list in
            list.append(address)
            return list.count == expected ? list : nil
        }
    }
}
