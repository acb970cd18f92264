import CofferClient
import CofferJSON

/// The servers of one demo: starts them, turns them into a primary with streaming
/// performance secondaries through the HTTP API, watches them, and stops them.
///
/// Start-up, in order (each step is named in ``DemoError`` when it fails):
/// 1. every port of the layout is free; the folders and configuration files are written;
/// 2. every server is started (`<coffer> server -config=...`) and answers `sys/health`;
/// 3. the primary is initialised (1 key share, threshold 1) and unsealed, gets a KV v2
///    engine at `secret/`, and is enabled as performance primary;
/// 4. each secondary is initialised and unsealed with its own key, then activated with an
///    activation token minted for it (which wipes it and gives it the primary's keyring);
/// 5. every secondary reports `stream-wals` with the primary's Merkle root;
/// 6. every server gets the same root token (see `DemoCluster+RootToken.swift`): tokens
///    are local to each cluster, so the primary's would not work on the secondaries.
///
/// One task owns an instance. ``stop(grace:)`` must be called whatever happened: it is
/// what ends the children.
final class DemoCluster {
    /// How long one server may take to answer its first `sys/health`.
    static let listenTimeout: Duration = .seconds(30)
    /// How long the secondaries may take to reach `stream-wals` after activation.
    static let catchUpTimeout: Duration = .seconds(90)
    /// Between two polls of a server, a signal flag or the children.
    static let pollInterval: Duration = .milliseconds(100)

    let layout: DemoLayout
    let executable: String
    private let context: CLIContext
    private let report: (String) -> Void
    /// The children by server name; only servers that were started.
    private(set) var children: [String: DemoChildProcess] = [:]
    /// One API client per server, by name, until ``closeClients()``.
    private var clients: [String: VaultClient] = [:]
    private(set) var rootToken = ""
    private(set) var unsealKey = ""

    /// `report` prints one progress line.
    init(layout: DemoLayout, executable: String, context: CLIContext, report: @escaping (String) -> Void) {
        self.layout = layout
        self.executable = executable
        self.context = context
        self.report = report
    }

    /// The process IDs of the running servers, by name.
    var pids: [String: Int32] { children.mapValues { $0.pid } }

    // MARK: - Start-up

    /// Runs every start-up step; returns when the cluster is ready. Throws ``DemoError``.
    func start() async throws {
        try step("check the ports") {
            for node in layout.nodes {
                for (port, what) in [(node.apiPort, "API"), (node.clusterPort, "cluster")] where !DemoHost.isPortFree(port) {
                    throw CLIError(
                        .io, "port \(port) (the \(what) port of \(node.name)) on \(DemoLayout.host) is in use; choose another -base-port")
                }
            }
        }
        for node in layout.nodes {
            try step("write the configuration of \(node.name)") {
                try DemoFileSystem.makeFolder(node.directory)
                try FileWriter.write(Array(node.configText.utf8), to: node.configPath, mode: 0o600)
            }
        }
        for node in layout.nodes {
            try step("start \(node.name)") {
                children[node.name] = try DemoChildProcess.spawn(
                    executable: executable, arguments: ["server", "-config=\(node.configPath)"], logPath: node.logPath)
            }
            clients[node.name] = try step("make an API client for \(node.name)", server: node.name) {
                try context.makeClient(VaultClientConfiguration(
                    address: node.apiAddress, timeout: .seconds(15), maxRetries: 0))
            }
        }
        report("==> Started \(layout.nodes.count) servers in \(layout.root); setting them up...")
        for node in layout.nodes {
            try await waitUntilListening(node)
        }
        try await setUpPrimary()
        for node in layout.secondaries {
            try await setUpSecondary(node)
        }
        try await waitForSecondaries()
        for node in layout.secondaries {
            let temporary = try await generateRootToken(on: node, unsealKey: unsealKey)
            try await installSharedRootToken(id: rootToken, on: node, using: temporary)
        }
        report("    every server accepts the demo's root token")
    }

    private func waitUntilListening(_ node: DemoLayout.Node) async throws {
        let client = try client(node)
        var lastError = "no answer yet"
        let answered = try await poll("wait for \(node.name) to answer", server: node.name, timeout: Self.listenTimeout) {
            do {
                _ = try await client.health()
                return true
            } catch {
                lastError = CommandRun.message(for: error)
                return false
            }
        }
        guard answered else {
            throw DemoError(
                .stepFailed, step: "wait for \(node.name) to answer", server: node.name,
                "no answer on \(node.apiAddress) within \(Self.listenTimeout): \(lastError)")
        }
    }

    private func setUpPrimary() async throws {
        let node = layout.primary
        let client = try client(node)
        let initialized = try await step("initialise \(node.name)", server: node.name) {
            try await client.initialize(shares: 1, threshold: 1)
        }
        guard let key = initialized.keysBase64.first ?? initialized.keys.first, !initialized.rootToken.isEmpty else {
            throw DemoError(.stepFailed, step: "initialise \(node.name)", server: node.name, "the answer lacks the unseal key or the root token")
        }
        unsealKey = key
        try await unseal(node, key: key)
        rootToken = Self.makeSharedTokenID()
        try await installSharedRootToken(id: rootToken, on: node, using: initialized.rootToken)
        let root = client.withToken(rootToken)
        try await step("enable a KV version 2 engine at secret/ on \(node.name)", server: node.name) {
            try await root.enableMount(at: "secret", VaultMountInput(type: "kv", options: ["version": "2"]))
        }
        try await step("enable \(node.name) as performance primary", server: node.name) {
            _ = try await root.write("sys/replication/performance/primary/enable", data: [:])
        }
        report("    \(node.name): initialised, unsealed, secret/ mounted, enabled as performance primary")
    }

    private func setUpSecondary(_ node: DemoLayout.Node) async throws {
        let client = try client(node)
        let initialized = try await step("initialise \(node.name)", server: node.name) {
            try await client.initialize(shares: 1, threshold: 1)
        }
        guard let ownKey = initialized.keysBase64.first ?? initialized.keys.first, !initialized.rootToken.isEmpty else {
            throw DemoError(.stepFailed, step: "initialise \(node.name)", server: node.name, "the answer lacks the unseal key or the root token")
        }
        try await unseal(node, key: ownKey)
        let primary = try self.client(layout.primary).withToken(rootToken)
        let minted = try await step("mint an activation token for \(node.name) on the primary", server: layout.primary.name) {
            try await primary.write("sys/replication/performance/primary/secondary-token", data: ["id": .string(node.name)])
        }
        guard let activation = minted?.wrapInfo?.token, !activation.isEmpty else {
            throw DemoError(
                .stepFailed, step: "mint an activation token for \(node.name) on the primary", server: layout.primary.name,
                "the answer carries no wrapping token")
        }
        try await step("activate \(node.name) as performance secondary", server: node.name) {
            _ = try await client.withToken(initialized.rootToken)
                .write("sys/replication/performance/secondary/enable", data: ["token": .string(activation)])
        }
        report("    \(node.name): initialised, unsealed, activated as performance secondary")
    }

    private func unseal(_ node: DemoLayout.Node, key: String) async throws {
        let client = try client(node)
        let status = try await step("unseal \(node.name)", server: node.name) {
            try await client.unseal(key: key)
        }
        guard !status.sealed else {
            throw DemoError(.stepFailed, step: "unseal \(node.name)", server: node.name, "still sealed after the only key share")
        }
    }

    /// Waits until every secondary streams with the primary's Merkle root.
    private func waitForSecondaries() async throws {
        let primary = try client(layout.primary).withToken(rootToken)
        var behind = layout.secondaries.map(\.name)
        var last = "no status yet"
        let caughtUp = try await poll("wait for the secondaries to catch up", server: nil, timeout: Self.catchUpTimeout) {
            guard let root = try? await Self.performanceStatus(primary)?["merkle_root"]?.stringValue, !root.isEmpty else {
                last = "the primary reports no Merkle root"
                return false
            }
            var waiting: [String] = []
            for node in layout.secondaries {
                let status = try? await Self.performanceStatus(client(node).withToken(rootToken))
                let state = status?["state"]?.stringValue ?? "unknown"
                if state != "stream-wals" || status?["merkle_root"]?.stringValue != root {
                    waiting.append(node.name)
                    last = "\(node.name) is in state \(state)"
                }
            }
            behind = waiting
            return waiting.isEmpty
        }
        guard caughtUp else {
            throw DemoError(
                .stepFailed, step: "wait for the secondaries to catch up", server: behind.first,
                "\(behind.joined(separator: ", ")) did not reach stream-wals with the primary's Merkle root within \(Self.catchUpTimeout) (\(last))")
        }
        report("    every secondary streams from the primary (state stream-wals, same Merkle root)")
    }

    /// `data` of `GET sys/replication/performance/status`.
    private static func performanceStatus(_ client: VaultClient) async throws -> JSONValue? {
        try await client.read("sys/replication/performance/status")?.data.map { .object($0) }
    }

    // MARK: - Clients

    /// Closes the API clients (start-up is over, or failed).
    func closeClients() async {
        for client in clients.values { try? await client.shutdown() }
        clients = [:]
    }

    // MARK: - Helpers

    func client(_ node: DemoLayout.Node) throws -> VaultClient {
        guard let client = clients[node.name] else {
            throw DemoError(.stepFailed, step: "reach \(node.name)", server: node.name, "no API client")
        }
        return client
    }

    /// Runs one synchronous step; other errors become ``DemoError`` naming it.
    func step<T>(_ name: String, server: String? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DemoError {
            throw error
        } catch {
            throw DemoError(.stepFailed, step: name, server: server, CommandRun.message(for: error))
        }
    }

    /// Runs one API step. A termination signal or a server that died first is reported as
    /// such; other errors become ``DemoError`` naming the step.
    func step<T>(_ name: String, server: String?, _ body: () async throws -> T) async throws -> T {
        try checkInterruptions(during: name)
        do {
            return try await body()
        } catch let error as DemoError {
            throw error
        } catch {
            try checkInterruptions(during: name)
            throw DemoError(.stepFailed, step: name, server: server, CommandRun.message(for: error))
        }
    }

    /// Calls `condition` every ``pollInterval`` until it holds (true) or `timeout` passes
    /// (false); throws as soon as a signal arrives or a server dies.
    private func poll(
        _ name: String, server: String?, timeout: Duration, _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            try checkInterruptions(during: name)
            if try await condition() { return true }
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: Self.pollInterval)
        }
    }

    private func checkInterruptions(during step: String) throws {
        if DemoSignals.interrupted {
            throw DemoError(.interrupted, step: step, "received \(DemoSignals.lastSignalName)")
        }
        if let (name, exit) = firstExitedServer() {
            throw DemoError(.serverExited, step: step, server: name, "the server \(name) \(exit)")
        }
    }
}
