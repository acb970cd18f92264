@testable import CofferCLI
import CofferClient
import CofferJSON
import Testing

private let auditListing = """
    {"request_id": "r", "data": {
      "file/": {"type": "file", "description": "main log", "options": {"file_path": "/var/log/a.log", "mode": "0600"},
                "local": false, "path": "file/"},
      "stdout/": {"type": "file", "description": "", "options": {"file_path": "stdout"}, "local": true,
                  "path": "stdout/"}}}
    """

@Suite("audit commands")
struct AuditCommandTests {
    @Test func enableSendsTypeOptionsAndPath() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/audit/file", status: 204)
        #expect(await cli.run("audit", "enable", "file", "file_path=/tmp/audit.log", "mode=0640") == 0)
        #expect(cli.out == "Success! Enabled the file audit device at: file/\n")
        #expect(cli.transport.routes == ["PUT sys/audit/file"])
        #expect(cli.transport.requests[0].json == [
            "type": "file", "description": "", "local": false,
            "options": ["file_path": "/tmp/audit.log", "mode": "0640"],
        ])
    }

    @Test func enableWithFlags() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/audit/team/log", status: 204)
        #expect(await cli.run(
            "audit", "enable", "-path=team/log", "-description=team log", "-local", "file", "file_path=stdout") == 0)
        #expect(cli.out == "Success! Enabled the file audit device at: team/log/\n")
        #expect(cli.transport.requests[0].json == [
            "type": "file", "description": "team log", "local": true, "options": ["file_path": "stdout"],
        ])
    }

    @Test func enableWithoutOptionsSendsAnEmptyMap() async {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/audit/syslog", status: 204)
        #expect(await cli.run("audit", "enable", "syslog") == 0)
        #expect(cli.transport.requests[0].json?["options"] == [:])
    }

    @Test func enableErrors() async {
        let none = CLIHarness()
        #expect(await none.run("audit", "enable") == 1)
        #expect(none.err == "Error enabling audit device: audit type missing. Valid types include 'file', 'socket' and 'syslog'.\n")

        let badData = CLIHarness()
        #expect(await badData.run("audit", "enable", "file", "file_path") == 1)
        #expect(badData.err.hasPrefix("Failed to parse K=V data: invalid key/value pair \"file_path\""))
        for cli in [none, badData] { #expect(cli.transport.requests.isEmpty) }

        let rejected = CLIHarness()
        rejected.transport.on("PUT", "sys/audit/file", status: 400, json: #"{"errors": ["file_path is required"]}"#)
        #expect(await rejected.run("audit", "enable", "file") == 2)
        #expect(rejected.err.hasPrefix("Error enabling audit device: Error making API request."))
        #expect(rejected.err.contains("* file_path is required"))
    }

    @Test func disable() async {
        let cli = CLIHarness()
        cli.transport.on("DELETE", "sys/audit/file", status: 204)
        #expect(await cli.run("audit", "disable", "file") == 0)
        #expect(cli.transport.routes == ["DELETE sys/audit/file"])
        #expect(cli.out == "Success! Disabled audit device (if it was enabled) at: file/\n")

        let denied = CLIHarness()
        denied.transport.on("DELETE", "sys/audit/file", status: 403, json: #"{"errors": ["permission denied"]}"#)
        #expect(await denied.run("audit", "disable", "file/") == 2)
        #expect(denied.err.hasPrefix("Error disabling audit device: Error making API request."))

        let none = CLIHarness()
        #expect(await none.run("audit", "disable") == 1)
        #expect(none.err == "Not enough arguments (expected 1, got 0)\n")
    }

    @Test func listTable() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/audit", json: auditListing)
        #expect(await cli.run("audit", "list") == 0)
        #expect(
            cli.out == """
                Path       Type    Description
                ----       ----    -----------
                file/      file    main log
                stdout/    file    n/a

                """)
    }

    @Test func listDetailedSortsTheOptions() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/audit", json: auditListing)
        #expect(await cli.run("audit", "list", "-detailed") == 0)
        #expect(
            cli.out == """
                Path       Type    Description    Replication    Options
                ----       ----    -----------    -----------    -------
                file/      file    main log       replicated     file_path=/var/log/a.log mode=0600
                stdout/    file    n/a            local          file_path=stdout

                """)
    }

    @Test func listJSONKeepsTheGoFields() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/audit", json: auditListing)
        #expect(await cli.run("audit", "list", "-format=json") == 0)
        let json = try JSONParser.parse(Array(cli.out.utf8))
        #expect(json["file/"] == [
            "type": "file", "description": "main log", "options": ["file_path": "/var/log/a.log", "mode": "0600"],
            "local": false, "path": "file/",
        ])
    }

    @Test func listWithoutDevicesExitsTwoInTableForm() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/audit", json: #"{"request_id": "r", "data": {}}"#)
        #expect(await cli.run("audit", "list") == 2)
        #expect(cli.out == "No audit devices are enabled.\n")

        let json = CLIHarness()
        json.transport.on("GET", "sys/audit", json: #"{"request_id": "r", "data": {}}"#)
        #expect(await json.run("audit", "list", "-format=json") == 0)
        #expect(json.out == "{}\n")
    }

    @Test func listError() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/audit", status: 403, json: #"{"errors": ["permission denied"]}"#)
        #expect(await cli.run("audit", "list") == 2)
        #expect(cli.err.hasPrefix("Error listing audits: Error making API request."))
    }
}
