import CofferClient
import CofferJSON

/// `coffer secrets list [-detailed]`: the enabled secrets engines (`GET sys/mounts`).
enum SecretsListCommand: CLICommand {
    static let path = ["secrets", "list"]
    static let synopsis = "List enabled secrets engines"
    static let help = """
        Usage: coffer secrets list [options]

          Lists the enabled secret engines on the Coffer server. This command also
          outputs information about the enabled path including configured TTLs and
          human-friendly descriptions. A TTL of "system" indicates that the system
          default is in use.

          List all enabled secrets engines:

              $ coffer secrets list

          List all enabled secrets engines with detailed output:

              $ coffer secrets list -detailed
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Command Options", [
            FlagSpec(
                "detailed", kind: .bool, default: "false",
                usage: "Print detailed information such as TTLs and replication status about each secrets engine."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...0) { return status }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let mounts: [String: VaultMount]
        do {
            mounts = try await client.mounts()
        } catch {
            return run.fail("Error listing secrets engines", error)
        }
        switch run.format {
        case .json:
            run.printJSON(.object(mounts.mapValues(\.raw)))
        case .table:
            let rows = run.flags.bool("detailed") == true ? detailedRows(mounts) : simpleRows(mounts)
            run.output(TableFormatter.table(header: rows.header, rows: rows.body))
        }
        return 0
    }

    static func simpleRows(_ mounts: [String: VaultMount]) -> (header: [String], body: [[String]]) {
        let body = mounts.keys.sorted().map { path -> [String] in
            let mount = mounts[path]!
            return [path, mount.type, mount.accessor, mount.description]
        }
        return (["Path", "Type", "Accessor", "Description"], body)
    }

    static func detailedRows(_ mounts: [String: VaultMount]) -> (header: [String], body: [[String]]) {
        let header = [
            "Path", "Plugin", "Accessor", "Default TTL", "Max TTL", "Force No Cache", "Replication", "Seal Wrap",
            "External Entropy Access", "Options", "Description", "UUID", "Version", "Running Version",
            "Running SHA256", "Deprecation Status",
        ]
        // The system and cubbyhole mounts have no TTLs of their own; 0 means "system default".
        func ttl(_ mount: VaultMount, _ seconds: Int64) -> String {
            if mount.type == "system" || mount.type == "cubbyhole" { return "" }
            return seconds != 0 ? String(seconds) : "system"
        }
        let body = mounts.keys.sorted().map { path -> [String] in
            let mount = mounts[path]!
            let options = mount.options.map { GoValueFormatter.format(.object($0)) } ?? "map[]"
            return [
                path, mount.type == "plugin" ? mount.pluginName : mount.type, mount.accessor,
                ttl(mount, mount.defaultLeaseTTL), ttl(mount, mount.maxLeaseTTL), String(mount.forceNoCache),
                mount.local ? "local" : "replicated", String(mount.sealWrap), String(mount.externalEntropyAccess),
                options, mount.description, mount.uuid, mount.pluginVersion, mount.runningPluginVersion,
                mount.runningSHA256, mount.deprecationStatus,
            ]
        }
        return (header, body)
    }
}
