import CofferClient
import CofferJSON

/// `coffer policy list`: the policy names, one per line (`LIST sys/policies/acl`).
enum PolicyListCommand: CLICommand {
    static let path = ["policy", "list"]
    static let synopsis = "Lists the installed policies"
    static let help = """
        Usage: coffer policy list [options]

          Lists the names of the policies that are installed on the Coffer server.
        """
    static let flagGroups: [FlagGroup] = [.http, .format]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...0) { return status }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let names: [String]
        do {
            names = try await client.policyNames()
        } catch {
            return run.fail("Error listing policies", error)
        }
        switch run.format {
        case .table: for name in names { run.output(name) }
        case .json: run.printJSON(JSONValue(names))
        }
        return 0
    }
}
