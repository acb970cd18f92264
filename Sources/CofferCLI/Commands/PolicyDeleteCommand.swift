import CofferClient

/// `coffer policy delete NAME` (`DELETE sys/policies/acl/<name>`); succeeds when there is no
/// such policy.
enum PolicyDeleteCommand: CLICommand {
    static let path = ["policy", "delete"]
    static let synopsis = "Deletes a policy by name"
    static let help = """
        Usage: coffer policy delete [options] NAME

          Deletes the policy named NAME in the Coffer server. Once the policy is deleted,
          all tokens associated with the policy are affected immediately.

          Delete the policy named "my-policy":

              $ coffer policy delete my-policy

          Note that it is not possible to delete the "default" or "root" policies.
          These are built-in policies.
        """
    static let flagGroups: [FlagGroup] = [.http]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        let name = run.arguments[0].lowercased().trimmingWhitespace()
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        do {
            try await client.deletePolicy(named: name)
        } catch {
            return run.fail("Error deleting \(name)", error)
        }
        run.output("Success! Deleted policy: \(name)")
        return 0
    }
}
