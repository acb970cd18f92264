import AsyncHTTPClient
import CofferJSON
import CofferTestKit
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A performance secondary on SQLite that is killed with SIGKILL while the primary writes
/// far more than it retains in its WAL: after a restart and an unseal with the PRIMARY's
/// keys, the secondary must catch up by Merkle sync and hold exactly the primary's data.
///
/// Both sides are real `coffer server -config=...` processes in non-dev mode; the primary
/// keeps only 50 WAL records (`replication { logshipper_buffer_length = 50 }`).
@Suite("End to end: a performance secondary survives kill -9 on SQLite", .serialized)
struct ReplicationRestartEndToEndTests {
    /// WAL records the primary keeps; every test writes at least ten times as many while
    /// the secondary is down, so the stream cannot resume from the log.
    static let retainedWAL = 50

    @Test("kill -9 the secondary, write 500 keys (10× the retained WAL), overwrite and delete some, restart, unseal with the primary's keys, converge")
    func killedSecondaryCatchesUpByMerkleSync() async throws {
        try await withWorkDirectory { directory, http in
            try await RestartPair.with(in: directory, http: http) { pair in
                // Data from before activation, then activation and a first convergence.
                for i in 0..<20 {
                    try await pair.writeOnPrimary("before/key-\(i)", ["value": .string("before-\(i)"), "n": .int(Int64(i))])
                }
                try await pair.activateSecondary()
                try await pair.expectSameData(what: "after activation")

                // The secondary is killed: no shutdown code runs.
                pair.secondary.kill9()

                // Ten times the retained WAL, plus overwrites and deletes of earlier keys.
                try await pair.writeMany(count: 10 * Self.retainedWAL) { i in
                    ("bulk/key-\(i)", ["value": .string("bulk-\(i)"), "pad": .string(String(repeating: "x", count: i % 97))])
                }
                for i in [0, 3, 7, 11] {
                    try await pair.writeOnPrimary("before/key-\(i)", ["value": .string("overwritten-\(i)")])
                }
                for i in [1, 5, 13] {
                    try await pair.deleteOnPrimary("before/key-\(i)")
                }
                for i in [10, 250, 499] {
                    try await pair.deleteOnPrimary("bulk/key-\(i)")
                }
                let lastWAL = try await pair.primaryStatus()?["last_wal"]?.intValue ?? 0
                #expect(lastWAL > Int64(10 * Self.retainedWAL), "the primary's log moved well past what it retains: last_wal \(lastWAL)")

                // Restart, unseal with the primary's keys (the secondary's own are gone).
                try await pair.restartSecondary()
                try await pair.waitForConvergence(what: "after the restart")
                try await pair.expectLocalTokenSurvived()
                try await pair.expectSameData(what: "after the restart")
                for i in [1, 5, 13] {
                    let reply = try await pair.secondaryClient.send("GET", "/v1/kv1/before/key-\(i)", token: pair.secondaryToken)
                    #expect(reply.status == 404, "before/key-\(i) was deleted on the primary but the secondary answers \(reply.status)")
                }
                for i in [10, 250, 499] {
                    let reply = try await pair.secondaryClient.send("GET", "/v1/kv1/bulk/key-\(i)", token: pair.secondaryToken)
                    #expect(reply.status == 404, "bulk/key-\(i) was deleted on the primary but the secondary answers \(reply.status)")
                }
                let overwritten = try await pair.secondaryClient.send("GET", "/v1/kv1/before/key-7", token: pair.secondaryToken)
                #expect(overwritten.json?["data"] == ["value": "overwritten-7"], "\(overwritten.status)")

                pair.expectMerkleCatchUpAndCleanLogs()
            }
        }
    }

    @Test("kill -9 the secondary while a writer runs on the primary, stop the writer, restart, unseal, converge")
    func killedDuringContinuousWritesConverges() async throws {
        try await withWorkDirectory { directory, http in
            try await RestartPair.with(in: directory, http: http) { pair in
                try await pair.writeOnPrimary("seed/key", ["value": "seed"])
                try await pair.activateSecondary()

                // A writer that overwrites a small set of keys and adds new ones, as fast as
                // it can, until told to stop; the secondary dies while it runs.
                let writer = ContinuousWriter()
                let killAfter = 100
                let stopAfter = killAfter + 10 * Self.retainedWAL
                let primaryClient = pair.primaryClient
                let root = pair.root
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        var i = 0
                        while !writer.shouldStop {
                            let path = i % 3 == 0 ? "hot/key-\(i % 17)" : "cold/key-\(i)"
                            let reply = try await primaryClient.send(
                                "PUT", "/v1/kv1/" + path, json: ["value": .string("w-\(i)")], token: root)
                            guard reply.status == 204 else {
                                throw TestKitFailure("write \(i) to \(path) answered \(reply.status)")
                            }
                            if i % 23 == 22 {
                                let delete = try await primaryClient.send("DELETE", "/v1/kv1/cold/key-\(i - 11)", token: root)
                                guard delete.status == 204 else { throw TestKitFailure("delete answered \(delete.status)") }
                            }
                            i += 1
                            writer.record(i)
                        }
                    }
                    group.addTask {
                        while writer.count < killAfter { try await Task.sleep(for: .milliseconds(5)) }
                        pair.secondary.kill9()
                        while writer.count < stopAfter { try await Task.sleep(for: .milliseconds(5)) }
                        writer.stop()
                    }
                    try await group.waitForAll()
                }
                #expect(writer.count >= stopAfter)

                try await pair.restartSecondary()
                try await pair.waitForConvergence(what: "after the restart")
                try await pair.expectLocalTokenSurvived()
                try await pair.expectSameData(what: "after the restart")
                pair.expectMerkleCatchUpAndCleanLogs()
            }
        }
    }
}

/// A primary and a secondary on SQLite, both initialised and unsealed, the primary
/// enabled for replication with a KV v1 mount at `kv1/`.
private final class RestartPair: Sendable {
    let primary: ServerProcess
    let secondary: ServerProcess
    let primaryClient: TestHTTPClient
    let secondaryClient: TestHTTPClient
    /// The primary's root token. Tokens are local to each cluster (docs/architecture.md,
    /// "tokens and leases stay local", as in Vault): it does not work on the secondary.
    let root: String
    /// The primary's unseal keys; after activation they unseal the secondary too.
    let primaryKeys: [String]
    let primaryThreshold = 2
    /// The secondary's own root token, for the activation call only (activation wipes it).
    private let secondaryRoot: String
    /// A root token of the secondary made after activation with `sys/generate-root` and the
    /// primary's unseal keys; local, so it survives the restart and the Merkle sync.
    private let generatedSecondaryRoot = Mutex("")
    var secondaryToken: String { generatedSecondaryRoot.withLock { $0 } }
    /// The secondary's `server.log` as it was when it was killed.
    private let secondaryLogBeforeRestart = Mutex("")
    /// Every secret of the run, to check that none reaches a log.
    private let secrets = Mutex<[String]>([])

    private init(
        primary: ServerProcess, secondary: ServerProcess, primaryClient: TestHTTPClient, secondaryClient: TestHTTPClient,
        root: String, primaryKeys: [String], secondaryKeys: [String], secondaryRoot: String
    ) {
        self.primary = primary
        self.secondary = secondary
        self.primaryClient = primaryClient
        self.secondaryClient = secondaryClient
        self.root = root
        self.primaryKeys = primaryKeys
        self.secondaryRoot = secondaryRoot
        secrets.withLock { $0 = primaryKeys + secondaryKeys + [secondaryRoot, root] }
    }

    /// Starts a pair, runs `body`, stops the pair; when `body` throws, both servers' logs
    /// are recorded first.
    static func with(in directory: String, http: HTTPClient, _ body: (RestartPair) async throws -> Void) async throws {
        let pair = try await start(in: directory, http: http)
        do {
            try await body(pair)
            pair.stop()
        } catch {
            pair.recordLogs()
            pair.stop()
            throw error
        }
    }

    /// How every restart test ends: the catch-up went through a Merkle sync (the WAL tail
    /// it needed was gone), and no log holds a secret.
    func expectMerkleCatchUpAndCleanLogs() {
        let afterRestart = secondaryLogSinceRestart()
        #expect(afterRestart.contains("merkle-diff"), "no merkle-diff transition after the restart:\n\(afterRestart)")
        expectNoSecretsInLogs()
    }

    static func start(in directory: String, http: HTTPClient) async throws -> RestartPair {
        let primary = try ServerProcess.withFreeClusterPort(
            directory: directory + "/primary",
            extraConfig: "replication {\n  logshipper_buffer_length = \(ReplicationRestartEndToEndTests.retainedWAL)\n}\nlog_level = \"info\"")
        let secondary = try ServerProcess.withFreeClusterPort(directory: directory + "/secondary", extraConfig: "log_level = \"info\"")
        let primaryClient = TestHTTPClient(baseURL: primary.baseURL, http: http)
        let secondaryClient = TestHTTPClient(baseURL: secondary.baseURL, http: http)
        do {
            try await primary.start(client: primaryClient)
            try await secondary.start(client: secondaryClient)
            // Different seal configurations: after activation only the primary's work.
            let (primaryKeys, root) = try await primaryClient.initAndUnseal(shares: 3, threshold: 2)
            let (secondaryKeys, secondaryRoot) = try await secondaryClient.initAndUnseal(shares: 1, threshold: 1)
            let pair = RestartPair(
                primary: primary, secondary: secondary, primaryClient: primaryClient, secondaryClient: secondaryClient,
                root: root, primaryKeys: primaryKeys, secondaryKeys: secondaryKeys, secondaryRoot: secondaryRoot)
            let enable = try await primaryClient.send(
                "PUT", "/v1/sys/replication/performance/primary/enable", json: [:], token: root)
            guard enable.status == 200 || enable.status == 204 else {
                throw TestKitFailure("primary/enable answered \(enable.status): \(String(decoding: enable.bytes, as: UTF8.self))")
            }
            let mount = try await primaryClient.send(
                "POST", "/v1/sys/mounts/kv1", json: ["type": "kv", "options": ["version": "1"]], token: root)
            guard mount.status == 204 else { throw TestKitFailure("enabling kv1/ answered \(mount.status)") }
            return pair
        } catch {
            Issue.record("primary log:\n\(primary.logText())\nsecondary log:\n\(secondary.logText())")
            primary.kill9()
            secondary.kill9()
            throw error
        }
    }

    func writeOnPrimary(_ path: String, _ data: [String: JSONValue]) async throws {
        let reply = try await primaryClient.send("PUT", "/v1/kv1/" + path, json: .object(data), token: root)
        guard reply.status == 204 else { throw TestKitFailure("write \(path) answered \(reply.status)") }
    }

    func deleteOnPrimary(_ path: String) async throws {
        let reply = try await primaryClient.send("DELETE", "/v1/kv1/" + path, token: root)
        guard reply.status == 204 else { throw TestKitFailure("delete \(path) answered \(reply.status)") }
    }

    /// `count` writes on the primary, eight at a time.
    func writeMany(count: Int, _ item: @escaping @Sendable (Int) -> (String, [String: JSONValue])) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    for i in stride(from: lane, to: count, by: 8) {
                        let (path, data) = item(i)
                        try await self.writeOnPrimary(path, data)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Mints an activation token on the primary, enables the secondary with it, waits for
    /// the first convergence and makes the secondary's root token.
    func activateSecondary() async throws {
        let minted = try await primaryClient.send(
            "PUT", "/v1/sys/replication/performance/primary/secondary-token", json: ["id": "restart-sec"], token: root)
        guard minted.status == 200, let token = minted.json?["wrap_info"]?["token"]?.stringValue else {
            throw TestKitFailure("secondary-token answered \(minted.status)")
        }
        secrets.withLock { $0.append(token) }
        let enable = try await secondaryClient.send(
            "PUT", "/v1/sys/replication/performance/secondary/enable", json: ["token": .string(token)], token: secondaryRoot)
        guard enable.status == 200 || enable.status == 204 else {
            throw TestKitFailure("secondary/enable answered \(enable.status): \(String(decoding: enable.bytes, as: UTF8.self))")
        }
        try await waitForConvergence(what: "after activation")
        // Activation wiped the secondary's tokens, and the primary's are local to the
        // primary: a root token for the secondary comes from generate-root with the
        // primary's unseal keys, as an operator of a Vault performance secondary does it.
        // (Only once the first sync has brought the mount tables: before, even
        // auth/token/ is not routed.)
        let lookup = try await secondaryClient.send("GET", "/v1/auth/token/lookup-self", token: root)
        #expect(lookup.status == 403, "tokens are local: the primary's root token should not work on the secondary (\(lookup.status))")
        let generated = try await generateRoot(on: secondaryClient, keys: Array(primaryKeys.prefix(primaryThreshold)))
        generatedSecondaryRoot.withLock { $0 = generated }
        secrets.withLock { $0.append(generated) }
        let check = try await secondaryClient.send("GET", "/v1/auth/token/lookup-self", token: generated)
        guard check.status == 200 else { throw TestKitFailure("the generated root token does not work on the secondary: \(check.status)") }
    }

    /// `sys/generate-root` with a server-made OTP and `keys`; the decoded root token.
    private func generateRoot(on client: TestHTTPClient, keys: [String]) async throws -> String {
        // Activation answers before the secondary has reloaded its seal configuration
        // everywhere; the attempt is retried briefly.
        var attempt: TestHTTPClient.Reply?
        for _ in 0..<50 {
            let reply = try await client.send("PUT", "/v1/sys/generate-root/attempt", json: [:])
            if reply.status == 200 { attempt = reply; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let attempt, let nonce = attempt.json?["nonce"]?.stringValue, let otp = attempt.json?["otp"]?.stringValue,
            !otp.isEmpty
        else { throw TestKitFailure("generate-root/attempt did not start: \(String(describing: attempt?.status))") }
        var encoded: String?
        for key in keys {
            let update = try await client.send(
                "PUT", "/v1/sys/generate-root/update", json: ["key": .string(key), "nonce": .string(nonce)])
            guard update.status == 200 else {
                throw TestKitFailure("generate-root/update answered \(update.status): \(String(decoding: update.bytes, as: UTF8.self))")
            }
            if update.json?["complete"] == true { encoded = update.json?["encoded_token"]?.stringValue }
        }
        guard var base64 = encoded else { throw TestKitFailure("generate-root did not complete with \(keys.count) keys") }
        while base64.count % 4 != 0 { base64 += "=" }
        guard let mixed = Data(base64Encoded: base64), mixed.count == otp.utf8.count else {
            throw TestKitFailure("generate-root answered an encoded token that does not decode with its OTP")
        }
        return String(decoding: zip(mixed, otp.utf8).map { $0 ^ $1 }, as: UTF8.self)
    }

    /// Starts the killed secondary again and unseals it with the primary's keys.
    func restartSecondary() async throws {
        secondaryLogBeforeRestart.withLock { $0 = secondary.logText() }
        try await secondary.start(client: secondaryClient)
        let sealed = try await secondaryClient.send("GET", "/v1/sys/seal-status")
        #expect(sealed.json?["sealed"] == true, "a restarted server starts sealed")
        #expect(
            sealed.json?["t"]?.intValue == Int64(primaryThreshold),
            "the secondary took the primary's seal configuration: \(String(decoding: sealed.bytes, as: UTF8.self))")
        try await secondaryClient.unseal(keys: Array(primaryKeys.prefix(primaryThreshold)))
    }

    /// What the secondary logged since ``restartSecondary()`` (`ServerProcess.start`
    /// starts a new `server.log`; should it ever append instead, the old part is cut off).
    func secondaryLogSinceRestart() -> String {
        let before = secondaryLogBeforeRestart.withLock { $0 }
        let now = secondary.logText()
        return !before.isEmpty && now.hasPrefix(before) ? String(now.dropFirst(before.count)) : now
    }

    func primaryStatus() async throws -> JSONValue? {
        try await primaryClient.send("GET", "/v1/sys/replication/performance/status", token: root).json?["data"]
    }

    func secondaryStatus() async throws -> JSONValue? {
        try await secondaryClient.send("GET", "/v1/sys/replication/performance/status").json?["data"]
    }

    /// Waits (60 s at most) until the secondary streams WALs with the primary's Merkle
    /// root and last index.
    func waitForConvergence(what: String) async throws {
        var last = ""
        let converged = try await poll(seconds: 60, intervalMillis: 200) {
            let p = try? await primaryStatus()
            let s = try? await secondaryStatus()
            last = "primary \(p.map { JSONWriter.string($0) } ?? "-"), secondary \(s.map { JSONWriter.string($0) } ?? "-")"
            guard let p, let s, let root = p["merkle_root"]?.stringValue, !root.isEmpty else { return false }
            return s["state"] == "stream-wals" && s["merkle_root"]?.stringValue == root
                && s["last_remote_wal"]?.intValue == p["last_wal"]?.intValue
        }
        try #require(converged, "the secondary did not converge \(what) within 60 s: \(last)")
    }

    /// The secondary's generated root token is local data: neither the kill nor the Merkle
    /// sync (which only touches replicated keys) may lose it.
    func expectLocalTokenSurvived() async throws {
        let lookup = try await secondaryClient.send("GET", "/v1/auth/token/lookup-self", token: secondaryToken)
        #expect(lookup.status == 200, "the secondary's own root token is gone after the restart: \(lookup.status)")
    }

    /// Every key under `kv1/` reads the same on both sides (the primary's root token on the
    /// primary, the generated one on the secondary).
    func expectSameData(what: String) async throws {
        let primaryKeys = try await listAll(primaryClient, token: root)
        let secondaryKeys = try await listAll(secondaryClient, token: secondaryToken)
        #expect(!primaryKeys.isEmpty)
        #expect(
            primaryKeys == secondaryKeys,
            "\(what): keys only on the primary \(primaryKeys.subtracting(secondaryKeys).sorted().prefix(20)), only on the secondary \(secondaryKeys.subtracting(primaryKeys).sorted().prefix(20))")
        var mismatches: [String] = []
        for key in primaryKeys.sorted() {
            let p = try await primaryClient.send("GET", "/v1/kv1/" + key, token: root)
            let s = try await secondaryClient.send("GET", "/v1/kv1/" + key, token: secondaryToken)
            if p.status != 200 || s.status != p.status || p.json?["data"] != s.json?["data"] {
                mismatches.append("\(key): primary \(p.status) \(p.json?["data"].map { JSONWriter.string($0) } ?? "-"), secondary \(s.status) \(s.json?["data"].map { JSONWriter.string($0) } ?? "-")")
            }
        }
        #expect(mismatches.isEmpty, "\(what): \(mismatches.count) keys differ: \(mismatches.prefix(10))")
    }

    /// Every key path below `kv1/`, recursively.
    private func listAll(_ client: TestHTTPClient, token: String) async throws -> Set<String> {
        var result: Set<String> = []
        var folders = [""]
        while let folder = folders.popLast() {
            let reply = try await client.send("LIST", "/v1/kv1/" + folder, token: token)
            if reply.status == 404 { continue }
            guard reply.status == 200, let keys = reply.json?["data"]?["keys"]?.arrayValue else {
                throw TestKitFailure("LIST kv1/\(folder) on \(client.baseURL) answered \(reply.status)")
            }
            for case .string(let key) in keys {
                if key.hasSuffix("/") { folders.append(folder + key) } else { result.insert(folder + key) }
            }
        }
        return result
    }

    /// No unseal key, root token or activation token reached either server's log.
    func expectNoSecretsInLogs() {
        let values = secrets.withLock { $0 }
        let logs = [
            (primary.logPath, primary.logText()), (secondary.logPath, secondary.logText()),
            (secondary.logPath + " (before the restart)", secondaryLogBeforeRestart.withLock { $0 }),
        ]
        for (path, log) in logs {
            for secret in values where !secret.isEmpty {
                #expect(!log.contains(secret), "a secret (\(secret.count) characters) leaked into \(path)")
            }
        }
    }

    func recordLogs() {
        Issue.record("primary log:\n\(primary.logText())")
        Issue.record("secondary log before the restart:\n\(secondaryLogBeforeRestart.withLock { $0 })")
        Issue.record("secondary log:\n\(secondary.logText())")
    }

    func stop() {
        _ = secondary.terminate()
        _ = primary.terminate()
    }
}

/// Counts the continuous writer's acknowledged writes and tells it when to stop.
private final class ContinuousWriter: Sendable {
    private let state = Mutex((count: 0, stop: false))
    var count: Int { state.withLock { $0.count } }
    var shouldStop: Bool { state.withLock { $0.stop } }
    func record(_ written: Int) { state.withLock { $0.count = written } }
    func stop() { state.withLock { $0.stop = true } }
}


