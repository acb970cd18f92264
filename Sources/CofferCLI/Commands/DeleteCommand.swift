import CofferClient

/// `coffer delete PATH [K=V...]`: deletes at a logical path; extra `k=v` arguments become
/// request parameters.
enum DeleteCommand: CLICommand {
    static let path = ["delete"]
    static let synopsis = "Delete secrets and configuration"
    static let listing = CommandListing.common
    static let help = """
        Usage: coffer delete [options] PATH

          Deletes secrets and configuration from Coffer at the given path. The behavior
          of "delete" is delegated to the backend corresponding to the given path.

          Remove data in the status secret backend:

              $ coffer delete secret/my-secret
        """
    static let flagGroups: [FlagGroup] = [.http, .output]

    static func run(_ run: CommandRun) async -> Int32 {
        guard let rawPath = run.arguments.first else {
            run.error("Not enough arguments (expected 1, got 0)")
            return 1
        }
        let path = rawPath.sanitizedAPIPath
        guard let query = run.keyValueQuery(run.arguments.dropFirst()) else { return 1 }
        return await run.secretCall("Error deleting \(path)", printPartial: true, onEmpty: {
            if run.format == .table { run.output("Success! Data deleted (if it existed) at: \(path)") }
            return 0
        }) { try await $0.delete(path, query: query) }
    }
}
