/// `coffer demo`: a performance replication set on this machine, for trying things out.
///
/// Starts a primary and `-secondaries` performance secondaries as child processes of this
/// executable (`coffer server -config=...`, SQLite in a fresh temporary folder), sets them
/// up through the API (see ``DemoCluster``), prints where they are and how to use them,
/// and waits. SIGINT or SIGTERM stops every server and removes the folder (exit 0); a
/// server that dies on its own is named, the others are stopped (exit 1). A start-up
/// failure names its step and shows the last lines of that server's log (exit 1).
///
/// The servers run in their own process groups so that a Ctrl-C reaches the demo only and
/// the demo stops them in order. The flip side: if the demo itself is killed with SIGKILL,
/// its servers keep running; their PIDs are in the banner.
enum DemoCommand: CLICommand {
    static let path = ["demo"]
    static let synopsis = "Start a local primary with performance secondaries"
    static let help = """
        Usage: coffer demo [options]

          Starts a throw-away performance replication set on this machine: one primary
          and one or more performance secondaries, each a "coffer server" child process
          listening on 127.0.0.1 over plain HTTP, with SQLite storage in a new temporary
          folder.

          The demo initialises and unseals every server (1 key share), mounts a KV
          version 2 engine at secret/ on the primary, enables replication and activates
          every secondary, waits until each one streams from the primary, creates one
          root token on every server (tokens are local to each server in performance
          replication), and then prints the addresses, the log files, the unseal key,
          the root token, and commands to try. Press Ctrl-C to stop every server and
          delete the folder.

          This is a demo: the credentials are printed and nothing is kept. Do not use it
          for real secrets.

          Server i (0 is the primary) listens on -base-port + 10*i for the API and on
          the port after that for cluster traffic.

          Start a primary and two secondaries on ports 8200, 8210 and 8220:

              $ coffer demo

          Start a primary and one secondary on ports 9200 and 9210:

              $ coffer demo -secondaries=1 -base-port=9200
        """
    static let flagGroups: [FlagGroup] = [
        FlagGroup("Command Options", [
            FlagSpec(
                "secondaries", kind: .int, default: String(DemoOptions.defaultSecondaries),
                usage: "Number of performance secondaries to start, from \(DemoOptions.secondaryLimit.lowerBound) to \(DemoOptions.secondaryLimit.upperBound)."),
            FlagSpec(
                "base-port", kind: .int, default: String(DemoOptions.defaultBasePort),
                usage: "API port of the primary. Server i uses this port plus 10*i for its API and the next port for cluster traffic."),
        ]),
    ]

    /// How long stopped servers get between SIGTERM and SIGKILL.
    static let stopGrace: Duration = .seconds(5)
    /// Log lines shown with a failure.
    static let logTailLines = 20

    static func run(_ run: CommandRun) async -> Int32 {
        let options: DemoOptions
        let executable: String
        do {
            options = try DemoOptions(flags: run.flags, arguments: run.arguments)
            executable = try DemoHost.executablePath(environment: run.context.environment)
        } catch {
            run.error(error.message)
            return 1
        }
        DemoSignals.install()
        let root: String
        do {
            root = try DemoFileSystem.makeTemporaryFolder(environment: run.context.environment)
        } catch {
            run.error("Error starting the demo: \(error.message)")
            return 1
        }
        let layout = DemoLayout(options: options, root: root)
        let cluster = DemoCluster(layout: layout, executable: executable, context: run.context) { run.output($0) }
        do {
            try await cluster.start()
        } catch {
            await cluster.closeClients()
            return await fail(cluster, error, run: run)
        }
        await cluster.closeClients()
        run.output(DemoBanner.text(
            layout: layout, pids: cluster.pids, rootToken: cluster.rootToken, unsealKey: cluster.unsealKey))
        return await watch(cluster, run: run)
    }

    /// Waits for a termination signal or a server's death, then stops everything.
    private static func watch(_ cluster: DemoCluster, run: CommandRun) async -> Int32 {
        while true {
            if DemoSignals.interrupted {
                run.output("\n==> Received \(DemoSignals.lastSignalName): stopping the servers...")
                await tearDown(cluster, run: run)
                return 0
            }
            if let (name, exit) = cluster.firstExitedServer() {
                run.error("\nError: the server \(name) \(exit) although nobody stopped it.")
                showLog(of: name, in: cluster.layout, run: run)
                run.error("Stopping the other servers...")
                await tearDown(cluster, run: run)
                return 1
            }
            try? await Task.sleep(for: DemoCluster.pollInterval)
        }
    }

    /// Reports a start-up failure (with the server's log), stops everything, exits 1.
    private static func fail(_ cluster: DemoCluster, _ error: any Error, run: CommandRun) async -> Int32 {
        if let error = error as? DemoError {
            switch error.code {
            case .interrupted:
                run.error("\nThe demo was interrupted (\(DemoSignals.lastSignalName)) during step \"\(error.step)\"; stopping the servers...")
            default:
                run.error("\nError: the demo failed at step \"\(error.step)\": \(error.message)")
                if let server = error.server { showLog(of: server, in: cluster.layout, run: run) }
            }
        } else {
            run.error("\nError: the demo failed: \(CommandRun.message(for: error))")
        }
        await tearDown(cluster, run: run)
        return 1
    }

    private static func showLog(of server: String, in layout: DemoLayout, run: CommandRun) {
        guard let node = layout.nodes.first(where: { $0.name == server }) else { return }
        run.error("Last lines of \(node.logPath):")
        run.error(DemoFileSystem.tail(node.logPath, lines: logTailLines).split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    " + $0 }.joined(separator: "\n"))
    }

    /// Stops the servers and removes the demo's folder, saying what happened.
    private static func tearDown(_ cluster: DemoCluster, run: CommandRun) async {
        let killed = await cluster.stop(grace: stopGrace)
        if !killed.isEmpty {
            run.error("Killed \(killed.joined(separator: ", ")) with SIGKILL: \(killed.count == 1 ? "it" : "they") did not stop within \(stopGrace) of SIGTERM.")
        }
        if DemoFileSystem.removeTree(cluster.layout.root) {
            run.output("==> Stopped every server and removed \(cluster.layout.root).")
        } else {
            run.error("Stopped every server, but could not remove everything in \(cluster.layout.root).")
        }
    }
}
