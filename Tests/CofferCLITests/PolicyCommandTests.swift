import CofferClient
import CofferJSON
import Foundation
import Testing

@Suite("policy commands")
struct PolicyCommandTests {
    @Test func writeFromFile() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/my-policy.hcl"
        let rules = "path \"secret/*\" {\n  capabilities = [\"read\"]\n}\n"
        try rules.write(toFile: file, atomically: true, encoding: .utf8)
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/policies/acl/my-policy", status: 204)
        #expect(await cli.run("policy", "write", " My-Policy ", file) == 0)
        #expect(cli.out == "Success! Uploaded policy: my-policy\n")
        #expect(cli.transport.routes == ["PUT sys/policies/acl/my-policy"])
        #expect(cli.transport.requests[0].json == ["policy": .string(rules)])
    }

    @Test func writeFromStdin() async {
        let cli = CLIHarness(stdin: "path \"a\" { policy = \"read\" }")
        cli.transport.on("PUT", "sys/policies/acl/p", status: 204)
        #expect(await cli.run("policy", "write", "p", "-") == 0)
        #expect(cli.transport.requests[0].json == ["policy": "path \"a\" { policy = \"read\" }"])
    }

    @Test func writeErrors() async {
        let missing = CLIHarness()
        #expect(await missing.run("policy", "write", "p", "/nonexistent/policy.hcl") == 2)
        #expect(missing.err == "Error opening policy file: open /nonexistent/policy.hcl: no such file or directory\n")
        #expect(missing.transport.requests.isEmpty)

        let rejected = CLIHarness(stdin: "nonsense")
        rejected.transport.on("PUT", "sys/policies/acl/p", status: 400, json: #"{"errors": ["failed to parse policy"]}"#)
        #expect(await rejected.run("policy", "write", "p", "-") == 2)
        #expect(rejected.err.hasPrefix("Error uploading policy: Error making API request."))

        let arguments = CLIHarness()
        #expect(await arguments.run("policy", "write", "p") == 1)
        #expect(arguments.err == "Not enough arguments (expected 2, got 1)\n")
    }

    @Test func readPrintsTheRawRules() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/policies/acl/deploy", json: """
            {"data": {"name": "deploy", "policy": "\\npath \\"secret/*\\" {\\n  capabilities = [\\"read\\"]\\n}\\n\\n"}}
            """)
        #expect(await cli.run("policy", "read", "Deploy") == 0)
        #expect(cli.transport.routes == ["GET sys/policies/acl/deploy"])
        #expect(cli.out == "path \"secret/*\" {\n  capabilities = [\"read\"]\n}\n")

        let json = CLIHarness()
        json.transport.on("GET", "sys/policies/acl/deploy", json: #"{"data": {"name": "deploy", "policy": "x"}}"#)
        #expect(await json.run("policy", "read", "-format=json", "deploy") == 0)
        #expect(try JSONParser.parse(Array(json.out.utf8)) == ["policy": "x"])
    }

    @Test func readMissingPolicy() async {
        let cli = CLIHarness()
        #expect(await cli.run("policy", "read", "nope") == 2)
        #expect(cli.err == "No policy named: nope\n")
    }

    @Test func list() async throws {
        let cli = CLIHarness()
        cli.transport.on("LIST", "sys/policies/acl", json: #"{"data": {"keys": ["default", "deploy", "root"]}}"#)
        #expect(await cli.run("policy", "list") == 0)
        #expect(cli.transport.routes == ["LIST sys/policies/acl"])
        #expect(cli.out == "default\ndeploy\nroot\n")

        let json = CLIHarness()
        json.transport.on("LIST", "sys/policies/acl", json: #"{"data": {"keys": ["default", "root"]}}"#)
        #expect(await json.run("policy", "list", "-format=json") == 0)
        #expect(try JSONParser.parse(Array(json.out.utf8)) == ["default", "root"])
    }

    @Test func delete() async {
        let cli = CLIHarness()
        cli.transport.on("DELETE", "sys/policies/acl/deploy", status: 204)
        #expect(await cli.run("policy", "delete", "deploy") == 0)
        #expect(cli.out == "Success! Deleted policy: deploy\n")

        let builtin = CLIHarness()
        builtin.transport.on("DELETE", "sys/policies/acl/default", status: 400, json: #"{"errors": ["cannot delete default policy"]}"#)
        #expect(await builtin.run("policy", "delete", "default") == 2)
        #expect(builtin.err.hasPrefix("Error deleting default: Error making API request."))
        #expect(builtin.err.hasSuffix("* cannot delete default policy\n"))
    }

    // MARK: fmt

    @Test func fmtRewritesTheFile() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/p.hcl"
        try "# Apps\npath \"secret/*\" { capabilities = [\"read\",\"list\"] }\npath \"sys/health\"{\ncapabilities=[\"read\"]\n}"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let cli = CLIHarness()
        #expect(await cli.run("policy", "fmt", file) == 0)
        #expect(cli.out == "Success! Formatted policy: \(file)\n")
        #expect(
            try String(contentsOfFile: file, encoding: .utf8) == """
                # Apps
                path "secret/*" {
                  capabilities = ["read", "list"]
                }

                path "sys/health" {
                  capabilities = ["read"]
                }

                """)
        #expect(cli.transport.requests.isEmpty, "fmt works offline")
    }

    @Test func fmtExpandsTheHomeDirectory() async throws {
        let directory = try TemporaryDirectory()
        try "path \"a\" {\n  capabilities = [\"read\"]\n}\n".write(toFile: directory.path + "/p.hcl", atomically: true, encoding: .utf8)
        let cli = CLIHarness(home: directory.path)
        #expect(await cli.run("policy", "fmt", "~/p.hcl") == 0)
        #expect(cli.out == "Success! Formatted policy: \(directory.path)/p.hcl\n")
    }

    @Test func fmtReportsLineAndColumnAndKeepsTheFile() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/bad.hcl"
        let original = "path \"secret/*\" {\n  capabilities = [\"read\"\n}\n"
        try original.write(toFile: file, atomically: true, encoding: .utf8)
        let cli = CLIHarness()
        #expect(await cli.run("policy", "fmt", file) == 1)
        #expect(cli.err.hasPrefix("failed to parse policy: line 3, column 1: "))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == original)

        let unknown = directory.path + "/unknown.hcl"
        try "path \"a\" {\n  capabilities = [\"read\"]\n  capabilites = [\"list\"]\n}\n".write(toFile: unknown, atomically: true, encoding: .utf8)
        let typo = CLIHarness()
        #expect(await typo.run("policy", "fmt", unknown) == 1)
        #expect(typo.err == "failed to parse policy: line 3, column 3: path \"a\": invalid key \"capabilites\"\n")
    }

    @Test func fmtMissingFile() async {
        let cli = CLIHarness()
        #expect(await cli.run("policy", "fmt", "/nonexistent.hcl") == 1)
        #expect(cli.err == "Error reading source file: open /nonexistent.hcl: no such file or directory\n")
    }
}

/// A fresh directory under the system temporary directory, removed when the value is.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/coffer-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
