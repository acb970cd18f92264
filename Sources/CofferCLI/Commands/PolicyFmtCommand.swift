/// `coffer policy fmt FILE`: rewrites a local policy file in the canonical layout (see
/// ``PolicyFormatter``). Syntax errors and invalid keys are reported with their line and
/// column, and the file is left untouched.
enum PolicyFmtCommand: CLICommand {
    static let path = ["policy", "fmt"]
    static let synopsis = "Formats a policy on disk"
    static let help = """
        Usage: coffer policy fmt [options] PATH

          Formats a local policy file to the policy specification. This command will
          overwrite the file at the given PATH with the properly-formatted policy
          file contents.

          Format the local file "my-policy.hcl" as a policy file:

              $ coffer policy fmt my-policy.hcl
        """
    static let flagGroups: [FlagGroup] = []

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        let path = FileWriter.expandingHome(run.arguments[0].trimmingWhitespace(), home: run.context.homeDirectory)
        let source: [UInt8]
        do {
            source = try FileReader.read(path)
        } catch {
            run.error("Error reading source file: \(error.message)")
            return 1
        }
        let formatted: String
        do {
            formatted = try PolicyFormatter.format(String(decoding: source, as: UTF8.self))
        } catch {
            run.error(error.description)
            return 1
        }
        if Array(formatted.utf8) != source {
            do {
                try FileWriter.write(Array(formatted.utf8), to: path, mode: 0o644)
            } catch {
                run.error("Error writing result: \(error.message)")
                return 1
            }
        }
        run.output("Success! Formatted policy: \(path)")
        return 0
    }
}
