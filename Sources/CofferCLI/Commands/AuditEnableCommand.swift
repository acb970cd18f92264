import CofferClient
import CofferJSON

/// `coffer audit enable [-path=P] [-description=D] [-local] TYPE [CONFIG K=V...]`: enables an
/// audit device (`PUT sys/audit/<path>`); the `K=V` arguments become its options and the
/// path defaults to the type.
enum AuditEnableCommand: CLICommand {
    static let path = ["audit", "enable"]
    static let synopsis = "Enables an audit device"
    static let help = """
        Usage: coffer audit enable [options] TYPE [CONFIG K=V...]

          Enables an audit device at a given path.

          This command enables an audit device of TYPE. Additional options for
          configuring the audit device can be specified after the type in the same
          format as the "coffer write" command in key/value pairs.

          For example, to configure the file audit device to write audit logs at the
          path "/var/log/audit.log":

              $ coffer audit enable file file_path=/var/log/audit.log
        """
    static let flagGroups: [FlagGroup] = [
        .http,
        FlagGroup("Command Options", [
            FlagSpec("description", kind: .string, usage: "Human-friendly description for the purpose of this audit device."),
            FlagSpec(
                "path", kind: .string,
                usage: "Place where the audit device will be accessible. This must be unique across all audit devices. "
                    + "This defaults to the \"type\" of the audit device."),
            FlagSpec(
                "local", kind: .bool, default: "false",
                usage: "Mark the audit device as a local-only device. Local devices are not replicated or removed by "
                    + "replication."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        guard let first = run.arguments.first else {
            run.error(
                "Error enabling audit device: audit type missing. Valid types include 'file', 'socket' and 'syslog'.")
            return 1
        }
        let auditType = first.trimmingWhitespace()
        var auditPath = run.flags.string("path").flatMap { $0.isEmpty ? nil : $0 } ?? auditType
        if !auditPath.hasSuffix("/") { auditPath += "/" }
        // -non-interactive: `K=-` reads nothing rather than waiting on the terminal.
        let stdin: any CLIInput = run.flags.bool("non-interactive") == true ? BufferedInput() : run.context.stdin
        let options: [String: String]
        do {
            options = try KeyValueArguments(stdin: stdin).parse(Array(run.arguments.dropFirst()))
                .mapValues(GoValueFormatter.format)
        } catch {
            run.error("Failed to parse K=V data: \(error.message)")
            return 1
        }
        let device = AuditDevice(
            type: auditType, description: run.flags.string("description") ?? "", options: options,
            local: run.flags.bool("local") ?? false)
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        do {
            try await AuditAPI.enable(client, at: auditPath, device)
        } catch {
            return run.fail("Error enabling audit device", error)
        }
        run.output("Success! Enabled the \(auditType) audit device at: \(auditPath)")
        return 0
    }
}
