import CofferClient
import CofferJSON

/// `coffer write PATH K=V...`: writes data to a logical path (see ``KeyValueArguments`` for
/// `@file`, `-` and repeated keys).
enum WriteCommand: CLICommand {
    static let path = ["write"]
    static let synopsis = "Write data, configuration, and secrets"
    static let listing = CommandListing.common
    static let help = """
        Usage: coffer write [options] PATH [DATA K=V...]

          Writes data to Coffer at the given path. The data can be credentials, secrets,
          configuration, or arbitrary data. The specific behavior of this command is
          determined at the thing mounted at the path.

          Data is specified as "key=value" pairs. If the value begins with an "@", then it
          is loaded from a file. If the value is "-", Coffer will read the value from
          stdin. If the only argument is "-", stdin is read as a JSON object.

          Persist data in the generic secrets engine:

              $ coffer write secret/my-secret foo=bar

          Upload a file's contents:

              $ coffer write secret/my-secret key=@data.txt

          Send a JSON body from stdin:

              $ echo '{"foo": "bar"}' | coffer write secret/my-secret -
        """
    static let flagGroups: [FlagGroup] = [
        .http, .output,
        FlagGroup("Command Options", [
            FlagSpec(
                "force", aliases: ["f"], kind: .bool, default: "false",
                usage: "Allow the operation to continue with no key=value pairs. This allows writing to keys that do not need or expect data."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        guard let rawPath = run.arguments.first else {
            run.error("Not enough arguments (expected 1, got 0)")
            return 1
        }
        if run.arguments.count == 1 && run.flags.bool("force") != true {
            run.error("Must supply data or use -force")
            return 1
        }
        let path = rawPath.sanitizedAPIPath
        guard let data = run.keyValueData(run.arguments.dropFirst()) else { return 1 }
        return await run.secretCall("Error writing data to \(path)", printPartial: true, onEmpty: {
            if run.format == .table { run.output("Success! Data written to: \(path)") }
            return 0
        }) { try await $0.write(path, data: data) }
    }
}
