import AsyncHTTPClient
import CofferJSON
import CofferTestKit
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `coffer demo` binary: it starts its own primary and secondary, and cleans up
/// after SIGINT.
@Suite("End to end: coffer demo", .serialized)
struct DemoEndToEndTests {
    @Test("demo -secondaries=1: ready banner, write on the primary, read on the secondary, forward, SIGINT cleans up")
    func demoRunsAndCleansUp() async throws {
        try await withWorkDirectory { directory, http in
            let basePort = try demoBasePort()
            let demo = try DemoRun(arguments: ["demo", "-secondaries=1", "-base-port=\(basePort)"], directory: directory)
            do {
                let banner = try await demo.waitForReady()
                let primary = try #require(banner.servers["primary"], "no primary row:\n\(banner.text)")
                let secondary = try #require(banner.servers["secondary-1"], "no secondary row:\n\(banner.text)")
                #expect(primary.address == "http://127.0.0.1:\(basePort)")
                #expect(secondary.address == "http://127.0.0.1:\(basePort + 10)")
                #expect(banner.folder.hasPrefix(directory + "/coffer-demo-"), "the folder is made in $TMPDIR: \(banner.folder)")
                #expect(FileManager.default.fileExists(atPath: primary.log) && FileManager.default.fileExists(atPath: secondary.log))
                #expect(banner.text.contains("export VAULT_ADDR='\(primary.address)'"))
                for pid in [primary.pid, secondary.pid] {
                    #expect(kill(pid, 0) == 0, "server \(pid) is running")
                }

                // Write on the primary through the printed address, read it on the secondary.
                let onPrimary = TestHTTPClient(baseURL: primary.address, http: http)
                let onSecondary = TestHTTPClient(baseURL: secondary.address, http: http)
                let write = try await onPrimary.send(
                    "PUT", "/v1/secret/data/demo-e2e", json: ["data": ["who": "primary"]], token: banner.rootToken)
                #expect(write.status == 200, "\(write.status) \(String(decoding: write.bytes, as: UTF8.self))")
                let replicated = try await poll(seconds: 15) {
                    let read = try await onSecondary.send("GET", "/v1/secret/data/demo-e2e", token: banner.rootToken)
                    return read.status == 200 && read.json?["data"]?["data"]?["who"] == "primary"
                }
                #expect(replicated, "the primary's write never became readable on the secondary with the printed root token")

                // A write through the secondary is forwarded to the primary.
                let forwarded = try await onSecondary.send(
                    "PUT", "/v1/secret/data/demo-forwarded", json: ["data": ["who": "secondary"]], token: banner.rootToken)
                #expect(forwarded.status == 200, "\(forwarded.status) \(String(decoding: forwarded.bytes, as: UTF8.self))")
                let onP = try await onPrimary.send("GET", "/v1/secret/data/demo-forwarded", token: banner.rootToken)
                #expect(onP.json?["data"]?["data"]?["who"] == "secondary", "\(onP.status)")

                // The unseal key is the primary's: it is what the status of both reports.
                let sealStatus = try await onSecondary.send("GET", "/v1/sys/seal-status")
                #expect(sealStatus.json?["sealed"] == false && sealStatus.json?["t"]?.intValue == 1)

                // SIGINT: every server stops, the folder goes, the demo exits 0.
                let status = try await demo.interrupt()
                #expect(status == 0, "exit status \(status)\n\(demo.output)")
                #expect(demo.stdout.contains("Stopped every server and removed \(banner.folder)"), "\(demo.output)")
                for pid in [primary.pid, secondary.pid] {
                    errno = 0
                    #expect(kill(pid, 0) == -1 && errno == ESRCH, "server \(pid) is still there after the demo stopped")
                }
                #expect(!FileManager.default.fileExists(atPath: banner.folder), "\(banner.folder) was not removed")
            } catch {
                Issue.record("demo output:\n\(demo.output)")
                demo.killEverything()
                throw error
            }
        }
    }

    @Test("a port that is taken: the demo names the step, starts nothing, removes its folder and exits 1")
    func takenPortFailsCleanly() async throws {
        try await withWorkDirectory { directory, _ in
            let basePort = try demoBasePort()
            // Hold the secondary's API port.
            let blocker = try ListeningSocket(port: basePort + 10)
            defer { blocker.close() }
            let demo = try DemoRun(arguments: ["demo", "-secondaries=1", "-base-port=\(basePort)"], directory: directory)
            let status = try await demo.waitForExit(seconds: 30)
            #expect(status == 1, "exit status \(status)\n\(demo.output)")
            #expect(demo.stderr.contains("failed at step \"check the ports\""), "\(demo.output)")
            #expect(demo.stderr.contains("port \(basePort + 10) (the API port of secondary-1)"), "\(demo.output)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("coffer-demo-") }
            #expect(leftovers.isEmpty, "the demo left \(leftovers) behind")
        }
    }
}

/// What the ready banner says.
private struct DemoBannerInfo {
    struct Server {
        var address: String
        var pid: pid_t
        var log: String
    }

    var text: String
    var servers: [String: Server] = [:]
    var rootToken = ""
    var folder = ""

    init(_ text: String) throws {
        self.text = text
        for line in text.split(separator: "\n").map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let cells = trimmed.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            // `name  performance primary|secondary  address  cluster  pid  log`
            if cells.count == 7, cells[1] == "performance", let pid = pid_t(cells[5]) {
                servers[cells[0]] = Server(address: cells[3], pid: pid, log: cells[6])
            } else if trimmed.hasPrefix("Root Token: ") {
                rootToken = String(trimmed.dropFirst("Root Token: ".count))
            } else if trimmed.hasPrefix("Data folder: ") {
                folder = String(trimmed.dropFirst("Data folder: ".count).prefix { $0 != " " })
            }
        }
        guard !rootToken.isEmpty, !folder.isEmpty else { throw TestKitFailure("the banner lacks the root token or the folder:\n\(text)") }
    }
}

/// `coffer demo ...` as a child process, its output in files of the work directory, with
/// `TMPDIR` pointing there too.
private final class DemoRun: @unchecked Sendable {
    // @unchecked: `process` is set in init and only read afterwards, from the test's task.
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    init(arguments: [String], directory: String) throws {
        stdoutPath = directory + "/demo.stdout"
        stderrPath = directory + "/demo.stderr"
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: try ServerProcess.binaryPath())
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = directory
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit { killEverything() }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    var output: String { "--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }

    /// Waits (3 minutes at most: the demo starts two servers on a busy machine) for the
    /// ready banner and the prompt after it.
    func waitForReady() async throws -> DemoBannerInfo {
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline {
            let text = stdout
            if let start = text.range(of: "==> Coffer demo cluster is ready."), text[start.upperBound...].contains("Press Ctrl-C") {
                return try DemoBannerInfo(String(text[start.lowerBound...]))
            }
            if !process.isRunning { throw TestKitFailure("the demo exited with \(process.terminationStatus) before it was ready") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestKitFailure("the demo was not ready within 180 s")
    }

    /// SIGINT, then waits for the exit status.
    func interrupt() async throws -> Int32 {
        process.interrupt()
        return try await waitForExit(seconds: 30)
    }

    func waitForExit(seconds: Double) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning {
            guard Date() < deadline else { throw TestKitFailure("the demo did not exit within \(seconds) s") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// After a failed test: SIGKILL the demo and any server it printed.
    func killEverything() {
        if let info = try? DemoBannerInfo(stdout) {
            for server in info.servers.values { kill(server.pid, SIGKILL) }
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A listening TCP socket on 127.0.0.1 (to make a port busy).
private final class ListeningSocket: Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestKitFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else {
            Glibc.close(fd)
            throw TestKitFailure("cannot listen on \(port)")
        }
    }

    func close() { Glibc.close(fd) }
}

/// A base port P such that P, P+1, P+10 and P+11 were free a moment ago.
private func demoBasePort() throws -> Int {
    for _ in 0..<100 {
        let port = try ServerProcess.freePort()
        guard port + 11 < 65536 else { continue }
        if [port, port + 1, port + 10, port + 11].allSatisfy(LoopbackPort.isFree) { return port }
    }
    throw TestKitFailure("no free port range for the demo")
}


