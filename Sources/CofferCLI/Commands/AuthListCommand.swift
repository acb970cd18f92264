import CofferClient
import CofferJSON

/// `coffer auth list [-detailed] [-format=json]`: the enabled auth methods (`GET sys/auth`).
enum AuthListCommand: CLICommand {
    static let path = ["auth", "list"]
    static let synopsis = "Lists enabled auth methods"
    static let help = """
        Usage: coffer auth list [options]

          Lists the enabled auth methods on the Coffer server. This command also outputs
          information about the method including configuration and human-friendly
          descriptions. A TTL of "system" indicates that the system default is in use.

          List all enabled auth methods:

              $ coffer auth list

          List all enabled auth methods with detailed output:

              $ coffer auth list -detailed
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Command Options", [
            FlagSpec(
                "detailed", kind: .bool, default: "false",
                usage: "Print detailed information such as configuration and replication status about each auth "
                    + "method. This option is only applicable to table-formatted output."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...0) { return status }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let methods: [String: VaultMount]
        do {
            let answer = try await AuthMethodsAPI.list(client)
            if let status = run.printIfWrapped(answer) { return status }
            methods = try AuthMethodsAPI.methods(in: answer)
        } catch {
            return run.fail("Error listing enabled authentications", error)
        }
        switch run.format {
        case .json:
            run.printJSON(.object(methods.mapValues(\.raw)))
        case .table:
            let rows = run.flags.bool("detailed") == true ? detailedRows(methods) : simpleRows(methods)
            run.output(TableFormatter.table(header: rows.header, rows: rows.body))
        }
        return 0
    }

    static func simpleRows(_ methods: [String: VaultMount]) -> (header: [String], body: [[String]]) {
        let body = MountTable.sortedPaths(methods).map { path -> [String] in
            let method = methods[path]!
            return [path, method.type, method.accessor, method.description, method.pluginVersion]
        }
        return (["Path", "Type", "Accessor", "Description", "Version"], body)
    }

    static func detailedRows(_ methods: [String: VaultMount]) -> (header: [String], body: [[String]]) {
        let header = [
            "Path", "Plugin", "Accessor", "Default TTL", "Max TTL", "Token Type", "Replication", "Seal Wrap",
            "External Entropy Access", "Options", "Description", "UUID", "Version", "Running Version",
            "Running SHA256", "Deprecation Status",
        ]
        let body = MountTable.sortedPaths(methods).map { path -> [String] in
            let method = methods[path]!
            return [
                path, MountTable.plugin(method), method.accessor,
                MountTable.ttl(method, method.defaultLeaseTTL), MountTable.ttl(method, method.maxLeaseTTL),
                MountTable.config(method, "token_type"), MountTable.replication(local: method.local),
                String(method.sealWrap), String(method.externalEntropyAccess), MountTable.options(method),
                method.description, method.uuid, method.pluginVersion, method.runningPluginVersion,
                method.runningSHA256, method.deprecationStatus,
            ]
        }
        return (header, body)
    }
}
