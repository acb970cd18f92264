@testable import CofferCLI
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("coffer demo: options, layout, configuration text, banner")
struct DemoCommandTests {
    // MARK: - Options

    private func options(_ arguments: String...) throws -> DemoOptions {
        let parsed = try GoFlagParser(groups: DemoCommand.flagGroups).parse(arguments)
        return try DemoOptions(flags: parsed.flags, arguments: parsed.positionals)
    }

    private func optionsError(_ arguments: String...) -> CLIError? {
        optionsError(arguments)
    }

    private func optionsError(_ arguments: [String]) -> CLIError? {
        do {
            let parsed = try GoFlagParser(groups: DemoCommand.flagGroups).parse(arguments)
            _ = try DemoOptions(flags: parsed.flags, arguments: parsed.positionals)
            return nil
        } catch {
            return error
        }
    }

    @Test("no flags: two secondaries from port 8200")
    func defaults() throws {
        #expect(try options() == DemoOptions(secondaries: 2, basePort: 8200))
    }

    @Test("both flags, in every Go spelling")
    func flags() throws {
        #expect(try options("-secondaries=3", "-base-port=9000") == DemoOptions(secondaries: 3, basePort: 9000))
        #expect(try options("--secondaries", "1", "-base-port", "18200") == DemoOptions(secondaries: 1, basePort: 18200))
    }

    @Test("the highest port may be 65535, not more")
    func portCeiling() throws {
        #expect(try options("-secondaries=2", "-base-port=65514") == DemoOptions(secondaries: 2, basePort: 65514))
        let error = optionsError("-secondaries=2", "-base-port=65515")
        #expect(error?.code == .usage)
        #expect(error?.message.contains("ports 65515 to 65536") == true, "\(String(describing: error))")
    }

    @Test(
        "out-of-range values are usage errors naming the flag",
        arguments: [
            (["-secondaries=0"], "-secondaries must be between 1 and 9, got 0"),
            (["-secondaries=10"], "-secondaries must be between 1 and 9, got 10"),
            (["-secondaries=-1"], "-secondaries must be between 1 and 9, got -1"),
            (["-base-port=0"], "-base-port 0 does not leave room"),
            (["-base-port=-5"], "-base-port -5 does not leave room"),
            (["extra"], "Too many arguments (expected 0, got 1)"),
        ])
    func rejected(_ arguments: [String], _ message: String) {
        let error = optionsError(arguments)
        #expect(error?.code == .usage)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test("a value that is not a number is refused by the flag parser")
    func notANumber() {
        #expect(optionsError("-secondaries=two")?.code == .usage)
    }

    // MARK: - Layout

    @Test("server i listens on base + 10·i for the API and the next port for the cluster")
    func portLayout() {
        let layout = DemoLayout(options: DemoOptions(secondaries: 2, basePort: 8200), root: "/tmp/demo")
        #expect(layout.nodes.map(\.name) == ["primary", "secondary-1", "secondary-2"])
        #expect(layout.nodes.map(\.role) == [.primary, .secondary(1), .secondary(2)])
        #expect(layout.nodes.map(\.apiPort) == [8200, 8210, 8220])
        #expect(layout.nodes.map(\.clusterPort) == [8201, 8211, 8221])
        #expect(layout.ports == [8200, 8201, 8210, 8211, 8220, 8221])
        #expect(layout.primary.isPrimary && layout.secondaries.allSatisfy { !$0.isPrimary })
        #expect(layout.secondaries.map(\.name) == ["secondary-1", "secondary-2"])
        let second = layout.nodes[2]
        #expect(second.apiAddress == "http://127.0.0.1:8220")
        #expect(second.clusterAddress == "127.0.0.1:8221")
        #expect(second.directory == "/tmp/demo/secondary-2")
        #expect(second.configPath == "/tmp/demo/secondary-2/coffer.hcl")
        #expect(second.databasePath == "/tmp/demo/secondary-2/coffer.db")
        #expect(second.logPath == "/tmp/demo/secondary-2/server.log")
        #expect(Set(layout.ports).count == layout.ports.count, "no port is used twice")
    }

    @Test("the largest demo stays within its port range", arguments: DemoOptions.secondaryLimit)
    func portsFitTheCheckedRange(_ secondaries: Int) throws {
        let options = try options("-secondaries=\(secondaries)", "-base-port=20000")
        let layout = DemoLayout(options: options, root: "/r")
        #expect(layout.nodes.count == secondaries + 1)
        #expect(layout.ports.max() == 20000 + 10 * secondaries + 1)
    }

    // MARK: - Configuration text

    @Test("the primary's configuration file")
    func primaryConfig() {
        let layout = DemoLayout(options: DemoOptions(secondaries: 1, basePort: 8200), root: "/tmp/coffer-demo-abc")
        #expect(layout.primary.configText == """
            # Written by `coffer demo` for the performance primary "primary"; removed when the demo stops.
            storage "sqlite" {
              path = "/tmp/coffer-demo-abc/primary/coffer.db"
            }

            listener "tcp" {
              address         = "127.0.0.1:8200"
              cluster_address = "127.0.0.1:8201"
              tls_disable     = true
            }

            api_addr      = "http://127.0.0.1:8200"
            cluster_addr  = "https://127.0.0.1:8201"
            cluster_name  = "coffer-demo-primary"
            disable_mlock = true
            log_level     = "info"

            """)
    }

    @Test("a secondary's configuration file has its own ports, folder and name")
    func secondaryConfig() {
        let layout = DemoLayout(options: DemoOptions(secondaries: 2, basePort: 9100), root: "/d")
        let text = layout.nodes[2].configText
        #expect(text.contains("path = \"/d/secondary-2/coffer.db\""))
        #expect(text.contains("address         = \"127.0.0.1:9120\""))
        #expect(text.contains("cluster_address = \"127.0.0.1:9121\""))
        #expect(text.contains("api_addr      = \"http://127.0.0.1:9120\""))
        #expect(text.contains("cluster_addr  = \"https://127.0.0.1:9121\""))
        #expect(text.contains("cluster_name  = \"coffer-demo-secondary-2\""))
        #expect(text.contains("performance secondary \"secondary-2\""))
    }

    @Test(
        "paths are written as HCL strings that read back unchanged",
        arguments: [
            ("/tmp/plain", #""/tmp/plain""#),
            (#"/tmp/quote"d"#, #""/tmp/quote\"d""#),
            (#"C:\temp"#, #""C:\\temp""#),
            ("/tmp/${HOME}", #""/tmp/\u0024{HOME}""#),
            ("/tmp/line\nbreak\ttab", #""/tmp/line\nbreak\ttab""#),
            ("/tmp/bell\u{07}", #""/tmp/bell\u0007""#),
            ("/tmp/ünïcode", #""/tmp/ünïcode""#),
        ])
    func hclStrings(_ path: String, _ literal: String) {
        #expect(DemoLayout.hclString(path) == literal)
    }

    // MARK: - Child status and banner

    @Test("waitpid status words decode as WIFEXITED/WTERMSIG do")
    func exitDecoding() {
        #expect(DemoChildProcess.decode(0) == .exited(0))
        #expect(DemoChildProcess.decode(3 << 8) == .exited(3))
        #expect(DemoChildProcess.decode(9) == .signaled(9))
        #expect(DemoChildProcess.decode(15 | 0x80) == .signaled(15), "a core-dump bit does not hide the signal")
        #expect(DemoChildProcess.Exit.signaled(SIGKILL).description.contains("SIGKILL"))
        #expect(DemoChildProcess.Exit.exited(1).description == "exited with status 1")
    }

    @Test("the ready banner: first line, servers, credentials with a warning, commands to try")
    func banner() {
        let layout = DemoLayout(options: DemoOptions(secondaries: 2, basePort: 8200), root: "/tmp/coffer-demo-x")
        let text = DemoBanner.text(
            layout: layout, pids: ["primary": 101, "secondary-1": 102, "secondary-2": 103],
            rootToken: "demo-root-TOKEN", unsealKey: "KEY64==")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == DemoBanner.readyLine)
        #expect(text.contains("Data folder: /tmp/coffer-demo-x (deleted when the demo stops)"))
        for (name, port, pid) in [("primary", 8200, 101), ("secondary-1", 8210, 102), ("secondary-2", 8220, 103)] {
            let row = lines.first { $0.hasPrefix("    \(name) ") }
            #expect(row != nil, "no row for \(name)")
            let cells = row?.split(separator: " ").map(String.init) ?? []
            #expect(cells.contains("http://127.0.0.1:\(port)"))
            #expect(cells.contains("127.0.0.1:\(port + 1)"))
            #expect(cells.contains(String(pid)))
            #expect(cells.last == "/tmp/coffer-demo-x/\(name)/server.log")
        }
        #expect(lines.contains("Unseal Key: KEY64=="))
        #expect(lines.contains("Root Token: demo-root-TOKEN"))
        #expect(text.contains("WARNING!") && text.contains("NOT for real secrets"))
        #expect(text.contains("$ export VAULT_ADDR='http://127.0.0.1:8200' VAULT_TOKEN='demo-root-TOKEN'"))
        #expect(text.contains("$ VAULT_ADDR='http://127.0.0.1:8210' coffer kv get secret/hello"))
        #expect(text.contains("$ VAULT_ADDR='http://127.0.0.1:8210' coffer kv put secret/from-secondary x=1"))
        #expect(text.contains("Ctrl-C"))
    }

    @Test("banner columns line up")
    func table() {
        let lines = DemoBanner.table([["a", "bb", "c"], ["ccc", "d", "eeee"]])
        #expect(lines == ["a    bb  c", "ccc  d   eeee"])
        #expect(DemoBanner.table([]) == [])
    }

    // MARK: - The command

    @Test("`coffer demo` with a bad flag exits 1 before starting anything")
    func usageErrors() async {
        let cli = CLIHarness()
        #expect(await cli.run("demo", "-secondaries=0") == 1)
        #expect(cli.err.contains("-secondaries must be between 1 and 9"))
        #expect(cli.out.isEmpty)
        #expect(cli.clientConfigurations.isEmpty, "no server was contacted")
        let extra = CLIHarness()
        #expect(await extra.run("demo", "now") == 1)
        #expect(extra.err.contains("Too many arguments"))
    }

    @Test("help: the command's text and flags, and its place in the top-level listing")
    func help() async {
        let cli = CLIHarness()
        #expect(await cli.run("demo", "-h") == 0)
        #expect(cli.err.contains("Usage: coffer demo [options]"))
        #expect(cli.err.contains("-secondaries=<int>"))
        #expect(cli.err.contains("-base-port=<int>"))
        #expect(cli.err.contains("The default is 8200."))
        let top = CLIHarness()
        #expect(await top.run("-h") == 0)
        #expect(top.err.contains("demo") && top.err.contains(DemoCommand.synopsis))
    }

    // MARK: - Files

    @Test("the temporary folder is made under TMPDIR and removed with all its contents, links not followed")
    func folders() throws {
        let outside = try DemoFileSystem.makeTemporaryFolder(environment: [:])
        defer { DemoFileSystem.removeTree(outside) }
        try FileWriter.write(Array("keep".utf8), to: outside + "/keep.txt", mode: 0o600)

        let root = try DemoFileSystem.makeTemporaryFolder(environment: ["TMPDIR": outside + "/"])
        #expect(root.hasPrefix(outside + "/coffer-demo-"))
        try DemoFileSystem.makeFolder(root + "/primary")
        try FileWriter.write(Array("a\nb\nc\n".utf8), to: root + "/primary/server.log", mode: 0o600)
        #expect(symlink(outside, root + "/link") == 0)
        #expect(DemoFileSystem.tail(root + "/primary/server.log", lines: 2) == "b\nc")
        #expect(DemoFileSystem.tail(root + "/missing.log", lines: 2).contains("cannot be read"))

        #expect(DemoFileSystem.removeTree(root))
        #expect(!DemoFileSystem.exists(root))
        #expect(DemoFileSystem.exists(outside + "/keep.txt"), "removing a link must not remove its target")
        #expect(DemoFileSystem.removeTree(root), "a missing folder counts as removed")
    }
}
