/// What `coffer demo` prints once every secondary is streaming: the servers, the
/// credentials (it is a demo, so they are shown, as `vault server -dev` shows its own), and
/// commands to try. Pure, so that tests can read it.
enum DemoBanner {
    /// The first line of the banner; scripts and tests wait for it.
    static let readyLine = "==> Coffer demo cluster is ready."

    /// The banner for `layout`, whose servers run as `pids` (by server name).
    static func text(layout: DemoLayout, pids: [String: Int32], rootToken: String, unsealKey: String) -> String {
        let secondaries = layout.secondaries.count
        var lines = [
            readyLine,
            "",
            "    1 performance primary and \(secondaries) performance secondar\(secondaries == 1 ? "y" : "ies"), on SQLite.",
            "    Data folder: \(layout.root) (deleted when the demo stops)",
            "",
        ]
        let header = ["Server", "Role", "API address", "Cluster", "PID", "Log file"]
        var rows = [header]
        for node in layout.nodes {
            rows.append([
                node.name, node.roleDescription, node.apiAddress, node.clusterAddress,
                pids[node.name].map { String($0) } ?? "-", node.logPath,
            ])
        }
        lines += table(rows).map { "    " + $0 }
        let primary = layout.primary
        let firstSecondary = layout.secondaries.first ?? primary
        lines += [
            "",
            "WARNING! This is a throw-away demo, NOT for real secrets: the servers listen on",
            "127.0.0.1 over plain HTTP, the data folder is deleted when the demo stops, and the",
            "unseal key and root token are printed below. The unseal key unseals every server:",
            "the secondaries took the primary's keys when they joined. Tokens are local to each",
            "server in performance replication, so the demo created this root token on each one.",
            "",
            "Unseal Key: \(unsealKey)",
            "Root Token: \(rootToken)",
            "",
            "Try it (a KV version 2 engine is mounted at secret/):",
            "",
            "    # Write on the primary:",
            "    $ export VAULT_ADDR='\(primary.apiAddress)' VAULT_TOKEN='\(rootToken)'",
            "    $ coffer kv put secret/hello who=world",
            "",
            "    # Read it on \(firstSecondary.name):",
            "    $ VAULT_ADDR='\(firstSecondary.apiAddress)' coffer kv get secret/hello",
            "",
            "    # Write through \(firstSecondary.name) (forwarded to the primary), read it on the primary:",
            "    $ VAULT_ADDR='\(firstSecondary.apiAddress)' coffer kv put secret/from-secondary x=1",
            "    $ coffer kv get secret/from-secondary",
            "",
            "    # Replication status:",
            "    $ coffer read sys/replication/performance/status",
            "",
            "Press Ctrl-C to stop every server and delete \(layout.root).",
        ]
        return lines.joined(separator: "\n")
    }

    /// Left-aligned columns two spaces apart; the last column is not padded.
    static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max(), columns > 0 else { return [] }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                line += cell
                if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - cell.count + 2) }
            }
            return line
        }
    }
}
