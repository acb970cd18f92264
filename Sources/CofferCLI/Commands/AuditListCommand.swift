import CofferClient
import CofferJSON

/// `coffer audit list [-detailed] [-format=json]`: the enabled audit devices
/// (`GET sys/audit`). With none, the table form says so and exits 2, as `vault` does.
enum AuditListCommand: CLICommand {
    static let path = ["audit", "list"]
    static let synopsis = "Lists enabled audit devices"
    static let help = """
        Usage: coffer audit list [options]

          Lists the enabled audit devices in the Coffer server. The output lists the
          enabled audit devices and the options for those devices.

          List all audit devices:

              $ coffer audit list

          List detailed output about the audit devices:

              $ coffer audit list -detailed
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Command Options", [
            FlagSpec(
                "detailed", kind: .bool, default: "false",
                usage: "Print detailed information such as options and replication status about each auth device."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...0) { return status }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        let devices: [String: AuditDevice]
        do {
            let answer = try await AuditAPI.list(client)
            if let status = run.printIfWrapped(answer) { return status }
            devices = try AuditAPI.devices(in: answer)
        } catch {
            return run.fail("Error listing audits", error)
        }
        switch run.format {
        case .json:
            run.printJSON(.object(devices.mapValues(\.json)))
        case .table:
            if devices.isEmpty {
                run.output("No audit devices are enabled.")
                return 2
            }
            let rows = run.flags.bool("detailed") == true ? detailedRows(devices) : simpleRows(devices)
            run.output(TableFormatter.table(header: rows.header, rows: rows.body))
        }
        return 0
    }

    static func simpleRows(_ devices: [String: AuditDevice]) -> (header: [String], body: [[String]]) {
        let body = MountTable.sortedPaths(devices).map { key -> [String] in
            let device = devices[key]!
            return [device.path.isEmpty ? key : device.path, device.type, device.description]
        }
        return (["Path", "Type", "Description"], body)
    }

    /// Options print as `k=v` pairs separated by spaces, sorted by key (`vault` leaves them
    /// in Go's random map order).
    static func detailedRows(_ devices: [String: AuditDevice]) -> (header: [String], body: [[String]]) {
        let body = MountTable.sortedPaths(devices).map { key -> [String] in
            let device = devices[key]!
            let options = (device.options ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return [
                key, device.type, device.description, MountTable.replication(local: device.local),
                options.joined(separator: " "),
            ]
        }
        return (["Path", "Type", "Description", "Replication", "Options"], body)
    }
}
