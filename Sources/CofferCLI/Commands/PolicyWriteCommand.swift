import CofferClient

/// `coffer policy write NAME FILE|-`: uploads a policy from a file or standard input
/// (`PUT sys/policies/acl/<name>`). The name is lower-cased, as the server stores it.
enum PolicyWriteCommand: CLICommand {
    static let path = ["policy", "write"]
    static let synopsis = "Uploads a named policy from a file"
    static let help = """
        Usage: coffer policy write [options] NAME PATH

          Uploads a policy with name NAME from the contents of a local file PATH or
          stdin. If PATH is "-", the policy is read from stdin. Otherwise, it is
          loaded from the file at the given path on the local disk.

          Upload a policy named "my-policy" from "/tmp/policy.hcl" on the local disk:

              $ coffer policy write my-policy /tmp/policy.hcl

          Upload a policy from stdin:

              $ cat my-policy.hcl | coffer policy write my-policy -
        """
    static let flagGroups: [FlagGroup] = [.http]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(2...2) { return status }
        let name = run.arguments[0].lowercased().trimmingWhitespace()
        let source = run.arguments[1].trimmingWhitespace()
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let bytes: [UInt8]
        if source == "-" {
            do {
                bytes = try run.context.stdin.readAll()
            } catch {
                run.error("Error reading policy: \(CommandRun.message(for: error))")
                return 2
            }
        } else {
            do {
                bytes = try FileReader.read(source)
            } catch {
                run.error("Error opening policy file: \(error.message)")
                return 2
            }
        }
        do {
            try await client.writePolicy(named: name, rules: String(decoding: bytes, as: UTF8.self))
        } catch {
            return run.fail("Error uploading policy", error)
        }
        run.output("Success! Uploaded policy: \(name)")
        return 0
    }
}
