import AsyncHTTPClient
import CofferTestKit
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The real `coffer` binary running `server -config=...` as a child process.
///
/// The binary is `$COFFER_BINARY`, or `coffer` beside the test bundle (where
/// `swift build` puts it). Output goes to `server.log` in the work directory, read back
/// when a test fails.
final class ServerProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in `start` and only read afterwards, from the
    // test's own task.
    let directory: String
    let port: Int
    let configPath: String
    private var process: Process?
    /// Arguments after `coffer`; `server -config=<configPath>` unless given.
    var arguments: [String]

    var baseURL: String { "http://127.0.0.1:\(port)" }

    deinit {
        // A failed test must not leave its server running.
        kill9()
    }
    var logPath: String { directory + "/server.log" }

    init(directory: String, extraConfig: String = "") throws {
        self.directory = directory
        self.port = try Self.freePort()
        self.configPath = directory + "/coffer.hcl"
        self.arguments = ["server", "-config=\(configPath)"]
        let config = """
            # written by the end-to-end tests
            storage "sqlite" {
              path = "\(directory)/coffer.db"
            }
            listener "tcp" {
              address     = "127.0.0.1:\(port)"
              tls_disable = true
            }
            disable_mlock = true
            log_level     = "warn"
            \(extraConfig)
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// A server in `directory` (created if missing) whose API port's successor, the
    /// default cluster port, is free too: what a replication test needs.
    static func withFreeClusterPort(directory: String, extraConfig: String = "") throws -> ServerProcess {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for _ in 0..<50 {
            let server = try ServerProcess(directory: directory, extraConfig: extraConfig)
            if LoopbackPort.isFree(server.port + 1) { return server }
        }
        throw TestKitFailure("no API port with a free cluster port beside it")
    }

    /// Starts `coffer server -dev` with `rootToken` in `directory`, on an API port whose
    /// successor (the default cluster port) is free too.
    static func startDev(in directory: String, rootToken: String, http: HTTPClient) async throws -> (ServerProcess, TestHTTPClient) {
        let process = try withFreeClusterPort(directory: directory)
        process.arguments = [
            "server", "-dev", "-dev-root-token-id=\(rootToken)", "-dev-listen-address=127.0.0.1:\(process.port)",
        ]
        let client = TestHTTPClient(baseURL: process.baseURL, http: http)
        try await process.start(client: client)
        return (process, client)
    }

    static func binaryPath() throws -> String {
        if let path = ProcessInfo.processInfo.environment["COFFER_BINARY"] { return path }
        var candidates: [String] = []
        for base in [CommandLine.arguments.first, Bundle.main.executablePath].compactMap({ $0 }) {
            var url = URL(fileURLWithPath: base)
            for _ in 0..<4 {
                url.deleteLastPathComponent()
                candidates.append(url.appendingPathComponent("coffer").path)
            }
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/debug/coffer")
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw TestKitFailure("no coffer binary found: run `swift build` first or set COFFER_BINARY")
    }

    /// Starts the server and waits until `sys/health` answers.
    func start(client: TestHTTPClient) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binaryPath())
        process.arguments = arguments
        // Dev mode saves the root token in $HOME/.vault-token: keep it in the work directory.
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory
        process.environment = environment
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if !process.isRunning { throw TestKitFailure("server exited at start:\n\(logText())") }
            if (try? await client.send("GET", "/v1/sys/health", timeout: .seconds(2))) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestKitFailure("server did not answer within 30 s:\n\(logText())")
    }

    /// SIGKILL: no shutdown code runs, as in a crash or power cut of the process.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait: the graceful path.
    func terminate() -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? 0 }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func logText() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)"
    }

    /// Runs the CLI (`coffer ARGS`) to completion with `environment` added; returns its
    /// exit status and output.
    static func runCLI(_ arguments: [String], environment extra: [String: String], stdin: String? = nil)
        throws -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binaryPath())
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr)
    }

    /// A TCP port that was free a moment ago on 127.0.0.1.
    static func freePort() throws -> Int { try LoopbackPort.free() }
}

/// Calls `condition` every `intervalMillis` until it holds or `seconds` pass; returns
/// whether it held.
func poll(seconds: Int, intervalMillis: Int = 100, _ condition: () async throws -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: .seconds(seconds))
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(intervalMillis))
    }
}

/// Runs `body` with a fresh work directory and HTTP client; removes the directory after.
func withWorkDirectory<T>(_ body: (String, HTTPClient) async throws -> T) async throws -> T {
    let directory = try makeTemporaryDirectory()
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let result = try await body(directory, http)
        try await http.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
        return result
    } catch {
        try? await http.shutdown()
        throw error
    }
}
