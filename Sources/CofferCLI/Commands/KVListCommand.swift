import CofferClient

/// `coffer kv list [-mount=M] [PATH]`: lists the keys under a path; KV v2 lists
/// `<mount>/metadata/<path>`.
enum KVListCommand: CLICommand {
    static let path = ["kv", "list"]
    static let synopsis = "List data or secrets"
    static let help = """
        Usage: coffer kv list [options] PATH

          Lists data from Coffer's key-value store at the given path.

          List values under the "my-app" folder of the key-value store:

              $ coffer kv list secret/my-app/
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Common Options", [KVOutput.mountFlag("metadata")]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        var argument = run.arguments.first ?? ""
        if run.arguments.isEmpty {
            // With -mount, no path lists the mount's root.
            guard let mount = run.flags.string("mount"), !mount.isEmpty else {
                run.error("Not enough arguments (expected 1, got 0)")
                return 1
            }
            argument = ""
        } else if run.arguments.count > 1 {
            run.error("Too many arguments (expected 1, got \(run.arguments.count))")
            return 1
        }
        let (client, kv): (VaultClient, KVPath)
        switch await KVPath.resolve(argument, run: run) {
        case .success(let resolved): (client, kv) = resolved
        case .failure(let exit): return exit.code
        }
        let path = kv.apiPath("metadata", skipIfExists: true)
        let secret: VaultSecret?
        do {
            secret = try await client.list(path)
        } catch {
            return run.fail("Error listing \(path)", error)
        }
        return ListOutput.print(secret, path: path, run: run)
    }
}
