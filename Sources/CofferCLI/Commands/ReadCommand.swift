import CofferClient

/// `coffer read PATH [K=V...]`: reads a logical path; extra `k=v` arguments become request
/// parameters.
enum ReadCommand: CLICommand {
    static let path = ["read"]
    static let synopsis = "Read data and retrieves secrets"
    static let listing = CommandListing.common
    static let help = """
        Usage: coffer read [options] PATH

          Reads data from Coffer at the given path. This can be used to read secrets,
          generate dynamic credentials, get configuration details, and more.

          Read a secret from the static secrets engine:

              $ coffer read secret/my-secret

          Print only one field, without a trailing newline when piped:

              $ coffer read -field=password secret/my-secret
        """
    static let flagGroups: [FlagGroup] = [.http, .output]

    static func run(_ run: CommandRun) async -> Int32 {
        guard let rawPath = run.arguments.first else {
            run.error("Not enough arguments (expected 1, got 0)")
            return 1
        }
        let path = rawPath.sanitizedAPIPath
        guard let query = run.keyValueQuery(run.arguments.dropFirst()) else { return 1 }
        return await run.secretCall("Error reading \(path)", onEmpty: {
            run.error("No value found at \(path)")
            return 2
        }) { try await $0.read(path, query: query) }
    }
}
