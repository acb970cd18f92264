import CofferClient
import CofferJSON

/// `coffer token capabilities [TOKEN] PATH`: what a token may do on a path
/// (`sys/capabilities`, or `sys/capabilities-self` for the current token).
enum TokenCapabilitiesCommand: CLICommand {
    static let path = ["token", "capabilities"]
    static let synopsis = "Print capabilities of a token on a path"
    static let help = """
        Usage: coffer token capabilities [options] [TOKEN] PATH

          Fetches the capabilities of a token for a given path. If a TOKEN is provided
          as an argument, the "/sys/capabilities" endpoint and permission is used. If
          no TOKEN is provided, the "/sys/capabilities-self" endpoint and permission
          is used with the locally authenticated token.

          List capabilities for the local token on the "secret/foo" path:

              $ coffer token capabilities secret/foo

          List capabilities for a token on the "cubbyhole/foo" path:

              $ coffer token capabilities 96ddf4bc-d217-f3ba-f9bd-017055595017 cubbyhole/foo
        """
    static let flagGroups: [FlagGroup] = [.http, .format]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...2) { return status }
        let token = run.arguments.count == 2 ? run.arguments[0] : nil
        let path = run.arguments[run.arguments.count - 1]
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let capabilities: [String]?
        do {
            capabilities = try await client.capabilities(of: path, token: token)
        } catch {
            return run.fail("Error listing capabilities", error)
        }
        guard let capabilities else {
            run.error("No capabilities found")
            return 1
        }
        switch run.format {
        case .table: run.output(capabilities.sorted().joined(separator: ", "))
        case .json: run.printJSON(JSONValue(capabilities))
        }
        return 0
    }
}
