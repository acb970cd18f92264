import CofferClient

/// `coffer lease lookup ID`: a lease's issue and expiry times and TTL
/// (`PUT sys/leases/lookup`).
enum LeaseLookupCommand: CLICommand {
    static let path = ["lease", "lookup"]
    static let synopsis = "Lookup the lease of a secret"
    static let help = """
        Usage: coffer lease lookup ID

          Lookup the lease information of a secret.

          Every secret in Coffer has a lease associated with it. Users can look up
          information on the lease by referencing the lease ID.

          Lookup lease of a secret:

              $ coffer lease lookup database/creds/readonly/2f6a614c...
        """
    static let flagGroups: [FlagGroup] = [.http, .format]

    static func run(_ run: CommandRun) async -> Int32 {
        guard let leaseID = LeaseArguments.leaseID(run, expected: "1") else { return 1 }
        return await run.secretCall("error looking up lease id \(leaseID)", onEmpty: { 0 }) { client in
            try await LeasesAPI.lookup(client, leaseID: leaseID)
        }
    }
}
