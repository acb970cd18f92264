import CofferJSON
import CofferLogical
import CofferStorage
import CofferTestKit
import Foundation
import Logging
import Testing
@testable import CofferCore

/// A dev-mode Core with a KV v1 mount at `kv/` and a temporary directory for audit files.
struct AuditCoreHarness {
    let core: Core
    let dir: String
    let unsealKey: [UInt8]
    static let root = "dev-root-token-8d1f"

    static func with(_ body: (AuditCoreHarness) async throws -> Void) async throws {
        try await withTemporaryDirectory(prefix: "coffer-audit") { dir in
            var logger = Logger(label: "test.audit")
            logger.logLevel = .critical
            let core = Core(storage: InMemoryBackend(), logger: logger)
            let (key, _) = try await core.setUpDevMode(rootTokenID: root)
            try await core.enableMount(
                path: "kv", type: "kv", description: "", local: false, options: [:], defaultLeaseTTL: 0, maxLeaseTTL: 0)
            try await body(AuditCoreHarness(core: core, dir: dir, unsealKey: key))
        }
    }

    @discardableResult
    func send(_ operation: CofferLogical.Operation, _ path: String, _ data: [String: JSONValue] = [:]) async throws -> Response? {
        try await core.handle(
            Request(id: UUID().uuidString, operation: operation, path: path, data: data), clientToken: Self.root)
    }

    func enableFile(_ name: String, options extra: [String: String] = [:]) async throws -> String {
        let path = dir + "/" + name
        try await core.enableAudit(path: name, type: "file", options: ["file_path": path].merging(extra) { $1 })
        return path
    }

    /// The JSON entries of an audit file, one per line (a line that does not parse fails).
    static func entries(_ path: String) throws -> [JSONValue] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}

@Suite("Audit devices in Core")
struct AuditCoreTests {
    @Test("concurrent requests: every entry is one whole JSON line, each request has both entries, secrets only as HMACs")
    func concurrentRequests() async throws {
        try await AuditCoreHarness.with { h in
            let file = try await h.enableFile("file")
            let tasks = 16
            let perTask = 30
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for n in 0..<perTask {
                            let key = "kv/t\(task)/k\(n)"
                            try await h.send(.update, key, ["value": .string("secret-\(task)-\(n)")])
                            let read = try await h.send(.read, key)
                            #expect(read?.data?["value"] == .string("secret-\(task)-\(n)"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let entries = try AuditCoreHarness.entries(file)
            #expect(entries.count == tasks * perTask * 2 * 2)
            var kinds: [String: [String]] = [:]
            for entry in entries {
                guard let id = entry["request"]?["id"]?.stringValue, let type = entry["type"]?.stringValue else {
                    Issue.record("entry without request.id or type")
                    continue
                }
                kinds[id, default: []].append(type)
            }
            #expect(kinds.count == tasks * perTask * 2)
            #expect(kinds.values.allSatisfy { $0.sorted() == ["request", "response"] })
            let text = AuditCoreHarness.text(file)
            #expect(!text.contains("secret-3-7"))
            #expect(!text.contains("\"\(AuditCoreHarness.root)\""))
            #expect(text.contains(try h.core.auditHash(path: "file", input: "secret-3-7")))
            #expect(text.contains(try h.core.auditHash(path: "file/", input: AuditCoreHarness.root)))
        }
    }

    @Test("fail closed: with every device failing, the request fails before the backend runs")
    func failClosed() async throws {
        try await AuditCoreHarness.with { h in
            let good = try await h.enableFile("good")
            try await h.core.enableAudit(path: "full", type: "file", options: ["file_path": "/dev/full"])
            // One device of two logs: the request goes through.
            try await h.send(.update, "kv/a", ["value": "1"])
            #expect(try AuditCoreHarness.entries(good).count == 2)

            try await h.core.disableAudit(path: "good")
            do {
                try await h.send(.update, "kv/b", ["value": "2"])
                Issue.record("a request nobody could audit succeeded")
            } catch let error as LogicalError {
                #expect(error.code == .internalError)
                #expect(error.messages == ["internal error"])
            }
            try await h.core.disableAudit(path: "full")
            #expect(try await h.send(.read, "kv/b") == nil)  // the backend never ran
            #expect(try await h.send(.read, "kv/a")?.data?["value"] == "1")
        }
    }

    @Test("the broker fails a response entry nobody could write, and tolerates one failing device among several")
    func brokerRule() throws {
        let input = AuditFormatterTests.input()
        let full = try AuditDevice(
            entry: MountEntry(path: "full/", type: "file", uuid: "u1", accessor: "a1", options: ["file_path": "/dev/full"]),
            salt: .generate())
        let discard = try AuditDevice(
            entry: MountEntry(path: "null/", type: "file", uuid: "u2", accessor: "a2", options: ["file_path": "discard"]),
            salt: .generate())
        var logger = Logger(label: "test.audit.broker")
        logger.logLevel = .critical
        #expect(throws: LogicalError.self) { try AuditBroker(devices: [full]).logResponse(input, logger: logger) }
        #expect(throws: LogicalError.self) { try AuditBroker(devices: [full]).logRequest(input, logger: logger) }
        try AuditBroker(devices: [full, discard]).logResponse(input, logger: logger)
        try AuditBroker().logRequest(input, logger: logger)
    }

    @Test("enabling refuses unopenable files, taken paths and shared files with 400s")
    func enableErrors() async throws {
        try await AuditCoreHarness.with { h in
            let missing = h.dir + "/nowhere/audit.log"
            await Self.expect400(containing: ["cannot enable the audit device", missing, "No such file or directory"]) {
                try await h.core.enableAudit(path: "file", type: "file", options: ["file_path": missing])
            }
            let file = try await h.enableFile("file")
            await Self.expect400(containing: ["path already in use"]) {
                try await h.core.enableAudit(path: "file", type: "file", options: ["file_path": h.dir + "/other"])
            }
            await Self.expect400(containing: ["already used by the audit device at \"file/\""]) {
                try await h.core.enableAudit(path: "second", type: "file", options: ["file_path": file])
            }
            #expect(try h.core.auditDeviceListing().keys.sorted() == ["file/"])
        }
    }

    @Test("seal closes the audit file; unseal reopens it with the same salt")
    func sealAndUnseal() async throws {
        try await AuditCoreHarness.with { h in
            let file = try await h.enableFile("file")
            let before = try h.core.auditHash(path: "file", input: "x")
            #expect(Self.isOpen(file))
            try await h.core.seal(clientToken: AuditCoreHarness.root)
            #expect(!Self.isOpen(file))
            _ = try await h.core.unseal(share: h.unsealKey)
            #expect(Self.isOpen(file))
            #expect(try h.core.auditHash(path: "file", input: "x") == before)
            try await h.send(.update, "kv/after", ["value": "v"])
            #expect(try AuditCoreHarness.entries(file).count == 2)
        }
    }

    @Test("an unseal whose only audit device cannot open its file fails (Vault's rule) until the file can be opened")
    func unsealNeedsADevice() async throws {
        try await AuditCoreHarness.with { h in
            let sub = h.dir + "/logs"
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
            try await h.core.enableAudit(path: "file", type: "file", options: ["file_path": sub + "/audit.log"])
            try await h.core.seal(clientToken: AuditCoreHarness.root)
            try FileManager.default.removeItem(atPath: sub)
            await #expect(throws: LogicalError.self) { _ = try await h.core.unseal(share: h.unsealKey) }
            #expect(h.core.isSealed)
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
            _ = try await h.core.unseal(share: h.unsealKey)
            #expect(!h.core.isSealed)
            try await h.send(.read, "kv/none")
            #expect(try AuditCoreHarness.entries(sub + "/audit.log").count == 2)
        }
    }

    @Test("a local device's row and salt live in the local table and key space")
    func localDevice() async throws {
        try await AuditCoreHarness.with { h in
            try await h.core.enableAudit(path: "loc", type: "file", local: true, options: ["file_path": "discard"])
            #expect(try await h.core.loadTable(StorageKeys.localAudit).map(\.path) == ["loc/"])
            #expect(try await h.core.loadTable(StorageKeys.audit).isEmpty)
            let uuid = try #require(try await h.core.loadTable(StorageKeys.localAudit).first?.uuid)
            #expect(try await h.core.barrier.get(StorageKeys.localAuditSaltPrefix + uuid) != nil)
            try await h.core.disableAudit(path: "loc")
            #expect(try await h.core.barrier.get(StorageKeys.localAuditSaltPrefix + uuid) == nil)
            #expect(try await h.core.loadTable(StorageKeys.localAudit).isEmpty)
        }
    }

    /// Whether this process holds a descriptor open on `path`.
    static func isOpen(_ path: String) -> Bool {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return fds.contains { fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd) else {
                return false
            }
            return target == path || target == resolved
        }
    }

    static func expect400(containing parts: [String], _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected a 400 containing \(parts)")
        } catch let error as LogicalError {
            #expect(error.code == .invalidRequest)
            let message = error.messages.joined()
            for part in parts { #expect(message.contains(part), "\(message)") }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite("Audit of refused requests")
struct AuditRefusedRequestTests {
    @Test("a bad token and an ACL refusal are audited with the error, the token only as an HMAC")
    func refusedRequestsAreAudited() async throws {
        try await AuditCoreHarness.with { h in
            let file = try await h.enableFile("file")
            let badToken = "hvs.not-a-real-token-5521"
            await #expect(throws: LogicalError.self) {
                _ = try await h.core.handle(Request(id: "r-bad", operation: .read, path: "kv/a"), clientToken: badToken)
            }
            let entries = try AuditCoreHarness.entries(file).filter { $0["request"]?["id"]?.stringValue == "r-bad" }
            #expect(entries.map { $0["type"]?.stringValue } == ["request", "response"])
            #expect(entries.last?["error"]?.stringValue?.contains("permission denied") == true)
            #expect(!AuditCoreHarness.text(file).contains(badToken))
            #expect(entries.first?["request"]?["client_token"]?.stringValue?.hasPrefix("hmac-sha256:") == true)
        }
    }
}
