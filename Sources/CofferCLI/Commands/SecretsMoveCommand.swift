import CofferClient

/// `coffer secrets move SOURCE DESTINATION`: moves a mount (`POST sys/remount`). A server
/// that moves asynchronously (Vault 1.10+) answers with a migration ID; the command then
/// polls `sys/remount/status/<id>` until the move succeeded or failed. A server that moves
/// at once answers 204.
enum SecretsMoveCommand: CLICommand {
    static let path = ["secrets", "move"]
    static let synopsis = "Move a secrets engine to a new path"
    static let help = """
        Usage: coffer secrets move [options] SOURCE DESTINATION

          Moves an existing secrets engine to a new path. Any leases from the old
          secrets engine are revoked, but all configuration associated with the engine
          is preserved. It initiates the migration and intermittently polls its status,
          exiting if a final state is reached.

          WARNING! Moving a secrets engine will revoke any leases from the
          old engine.

          Move the secrets engine at secret/ to generic/:

              $ coffer secrets move secret/ generic/
        """
    static let flagGroups: [FlagGroup] = [.http]

    /// How long to wait between two status checks of a running move.
    static let pollInterval: Duration = .seconds(10)

    static func run(_ run: CommandRun) async -> Int32 {
        await move(run, pollInterval: pollInterval)
    }

    /// The command with an injectable wait between status checks (tests use zero).
    static func move(_ run: CommandRun, pollInterval: Duration) async -> Int32 {
        if let status = run.checkArgumentCount(2...2) { return status }
        let source = withSlash(run.arguments[0])
        let destination = withSlash(run.arguments[1])
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let migrationID: String?
        do {
            migrationID = try await client.startRemount(from: source, to: destination)
        } catch {
            return run.fail("Error moving secrets engine \(source) to \(destination)", error)
        }
        guard let migrationID else {
            run.output("Success! Moved secrets engine \(source) to: \(destination)")
            return 0
        }
        let what = "secrets engine \(source) to \(destination), with migration ID \(migrationID)"
        run.output("Started moving \(what)")
        while true {
            let status: VaultRemountStatus
            do {
                status = try await client.remountStatus(migrationID)
            } catch {
                return run.fail("Error checking migration status of secrets engine \(source) to \(destination)", error)
            }
            switch status.status {
            case VaultRemountStatus.success:
                run.output("Success! Finished moving \(what)")
                return 0
            case VaultRemountStatus.failure:
                // `vault` exits 0 here; a failed move is a server-side failure, so exit 2.
                run.error("Failure! Error encountered moving \(what)")
                return 2
            default:
                run.output("Waiting for terminal status in migration of \(what)")
                do {
                    try await Task.sleep(for: pollInterval)
                } catch {
                    return 2
                }
            }
        }
    }

    private static func withSlash(_ path: String) -> String {
        path.hasSuffix("/") ? path : path + "/"
    }
}
