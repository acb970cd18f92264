import CofferClient

/// `coffer policy read NAME`: prints a policy's text as stored (`GET sys/policies/acl/<name>`);
/// with `-format=json`, `{"policy": "..."}`.
enum PolicyReadCommand: CLICommand {
    static let path = ["policy", "read"]
    static let synopsis = "Prints the contents of a policy"
    static let help = """
        Usage: coffer policy read [options] [NAME]

          Prints the contents and metadata of the Coffer policy named NAME. If the policy
          does not exist, an error is returned.

          Read the policy named "my-policy":

              $ coffer policy read my-policy
        """
    static let flagGroups: [FlagGroup] = [.http, .format]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        let name = run.arguments[0].trimmingWhitespace().lowercased()
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let rules: String?
        do {
            rules = try await client.policy(named: name)
        } catch {
            return run.fail("Error reading policy named \(name)", error)
        }
        guard let rules, !rules.isEmpty else {
            run.error("No policy named: \(name)")
            return 2
        }
        switch run.format {
        case .table: run.output(rules.trimmingWhitespace())
        case .json: run.printJSON(["policy": .string(rules)])
        }
        return 0
    }
}
