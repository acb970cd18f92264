import CofferClient

/// `coffer status`: seal status and HA status. Exit 0 unsealed, 2 sealed, 1 on error.
enum StatusCommand: CLICommand {
    static let path = ["status"]
    static let synopsis = "Print seal and HA status"
    static let listing = CommandListing.common
    static let help = """
        Usage: coffer status [options]

          Prints the current state of Coffer including whether it is sealed and if HA
          mode is enabled. This command prints regardless of whether the server is sealed.

          The exit code reflects the seal status:

              - 0 - unsealed
              - 1 - error
              - 2 - sealed

        """
    static let flagGroups: [FlagGroup] = [.http, .format]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...0) { return status }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure: return 1
        }
        let status: VaultSealStatus
        do {
            status = try await client.sealStatus()
        } catch {
            run.error("Error checking seal status: \(CommandRun.message(for: error))")
            return 1
        }
        let printed = await SealStatusOutput.print(status, client: client, run: run)
        if printed != 0 { return printed }
        return status.sealed ? 2 : 0
    }
}
