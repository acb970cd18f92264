import CofferClient
import CofferJSON

/// `coffer list PATH`: lists the keys under a path (HTTP method `LIST`).
enum ListCommand: CLICommand {
    static let path = ["list"]
    static let synopsis = "List data or secrets"
    static let listing = CommandListing.common
    static let help = """
        Usage: coffer list [options] PATH

          Lists data from Coffer at the given path. This can be used to list keys in a
          given secrets engine.

          List values under the "my-app" folder of the generic secrets engine:

              $ coffer list secret/my-app/
        """
    static let flagGroups: [FlagGroup] = [.http, .format]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        let path = run.arguments[0].sanitizedAPIPath + "/"
        let secret: VaultSecret?
        switch run.clientOrExit() {
        case .failure(let exit): return exit.code
        case .success(let client):
            do {
                secret = try await client.list(path)
            } catch {
                return run.fail("Error listing \(path)", error)
            }
        }
        return ListOutput.print(secret, path: path, run: run)
    }
}
