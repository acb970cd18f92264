import CofferClient

/// `coffer audit disable PATH`: disables the audit device at PATH (`DELETE sys/audit/<path>`).
enum AuditDisableCommand: CLICommand {
    static let path = ["audit", "disable"]
    static let synopsis = "Disables an audit device"
    static let help = """
        Usage: coffer audit disable [options] PATH

          Disables an audit device. Once an audit device is disabled, no future audit
          logs are dispatched to it. The data associated with the audit device is not
          affected.

          The argument corresponds to the PATH of audit device, not the TYPE!

          Disable the audit device enabled at "file/":

              $ coffer audit disable file/
        """
    static let flagGroups: [FlagGroup] = [.http]

    static func run(_ run: CommandRun) async -> Int32 {
        await run.disablePath(
            failure: { _ in "Error disabling audit device" },
            success: { "Success! Disabled audit device (if it was enabled) at: \($0)" }
        ) { client, path in try await AuditAPI.disable(client, at: path) }
    }
}
