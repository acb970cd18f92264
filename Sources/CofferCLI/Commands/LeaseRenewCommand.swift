import CofferClient

/// `coffer lease renew [-increment=D] ID`: extends a lease (`PUT sys/leases/renew`) and prints
/// the new lease.
enum LeaseRenewCommand: CLICommand {
    static let path = ["lease", "renew"]
    static let synopsis = "Renews the lease of a secret"
    static let help = """
        Usage: coffer lease renew [options] ID

          Renews the lease on a secret, extending the time that it can be used before
          it is revoked by Coffer.

          Every secret in Coffer has a lease associated with it. If the owner of the
          secret wants to use it longer than the lease, then it must be renewed.
          Renewing the lease does not change the contents of the secret. The ID is the
          full path lease ID.

          Renew a secret:

              $ coffer lease renew database/creds/readonly/2f6a614c...

          Lease renewal will fail if the secret is not renewable, the secret has already
          been revoked, or if the secret has already reached its maximum TTL.
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Command Options", [
            FlagSpec(
                "increment", kind: .string,
                usage: "Request a specific increment in seconds. Coffer is not required to honor this request."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        let increment: Int64
        do {
            increment = try DurationFlag("increment", in: run.flags).seconds
        } catch {
            run.error(error.message)
            return 1
        }
        guard let leaseID = LeaseArguments.leaseID(run, expected: "1-2") else { return 1 }
        return await run.secretCall("Error renewing \(leaseID)", onEmpty: { 0 }) { client in
            try await LeasesAPI.renew(client, leaseID: leaseID, increment: increment)
        }
    }
}
