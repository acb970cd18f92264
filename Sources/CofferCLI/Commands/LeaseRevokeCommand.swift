import CofferClient

/// `coffer lease revoke [-prefix] [-force] [-sync] ID`: revokes one lease or every lease
/// under a prefix (`PUT sys/leases/revoke[-prefix|-force]/<id>`). Without `-sync` the server
/// queues the revocation; `-force` (which needs `-prefix`) drops the leases even when their
/// backend cannot revoke them.
enum LeaseRevokeCommand: CLICommand {
    static let path = ["lease", "revoke"]
    static let synopsis = "Revokes leases and secrets"
    static let help = """
        Usage: coffer lease revoke [options] ID

          Revokes secrets by their lease ID. This command can revoke a single secret
          or multiple secrets based on a path-matched prefix.

          The default behavior when not using -force is to revoke asynchronously; Coffer
          will queue the revocation and keep trying if it fails (including across
          restarts). The -sync flag can be used to force a synchronous operation, but
          it is then up to the caller to retry on failure. Force mode always operates
          synchronously.

          Revoke a single lease:

              $ coffer lease revoke database/creds/readonly/2f6a614c...

          Revoke all leases for a role:

              $ coffer lease revoke -prefix aws/creds/deploy

          Force delete leases from Coffer even if secret engine revocation fails:

              $ coffer lease revoke -force -prefix consul/creds
        """
    static let flagGroups: [FlagGroup] = [
        .http,
        FlagGroup("Command Options", [
            FlagSpec(
                "force", aliases: ["f"], kind: .bool, default: "false",
                usage: "Delete the lease from Coffer even if the secret engine revocation fails. This is meant for "
                    + "recovery situations where the secret in the target secret engine was manually removed. If "
                    + "this flag is specified, -prefix is also required."),
            FlagSpec(
                "prefix", kind: .bool, default: "false",
                usage: "Treat the ID as a prefix instead of an exact lease ID. This can revoke multiple leases "
                    + "simultaneously."),
            FlagSpec(
                "sync", kind: .bool, default: "false",
                usage: "Force a synchronous operation; on failure it is up to the client to retry."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        let force = run.flags.bool("force") == true
        let prefix = run.flags.bool("prefix") == true
        let sync = run.flags.bool("sync") == true
        if force && !prefix {
            run.error("Specifying -force requires also specifying -prefix")
            return 1
        }
        let leaseID = run.arguments[0].trimmingWhitespace()
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        if force {
            run.error(TextWrap.balanced(
                "Warning! Force-removing leases can cause Coffer to become out of sync with secret engines!"))
        }
        do {
            try await LeasesAPI.revoke(client, leaseID, how: force ? .force : (prefix ? .prefix : .lease), sync: sync)
        } catch {
            if force { return run.fail("Error force revoking leases with prefix \(leaseID)", error) }
            if prefix { return run.fail("Error revoking leases with prefix \(leaseID)", error) }
            return run.fail("Error revoking lease \(leaseID)", error)
        }
        if force {
            run.output("Success! Force revoked any leases with prefix: \(leaseID)")
        } else if sync {
            run.output(prefix ? "Success! Revoked any leases with prefix: \(leaseID)" : "Success! Revoked lease: \(leaseID)")
        } else {
            run.output("All revocation operations queued successfully!")
        }
        return 0
    }
}
