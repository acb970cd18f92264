import AsyncHTTPClient
@testable import CofferCluster
import CofferCore
import CofferHTTP
import CofferJSON
import CofferStorage
import CofferTestKit
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// Consistency headers and replication metrics between a primary and a performance
/// secondary running in this process (real HTTP listeners, a real mTLS cluster link).
@Suite(.serialized) struct ReplicationConsistencyTests {
    @Test func aWritesIndexIsHonouredOnTheSecondaryAndEveryAnswerCarriesItsLag() async throws {
        try await ReplicatedPair.with { pair in
            let write = try await pair.primary.send("PUT", "/v1/kv1/a", json: ["v": "1"], token: "root")
            #expect(write.status == 204)
            let state = try #require(write.header("X-Vault-Index"), "a write on the primary returns its state")
            let decoded = String(decoding: Data(base64Encoded: state) ?? Data(), as: UTF8.self)
            #expect(decoded.hasPrefix("v1:\(pair.clusterID):0:"), "\(decoded)")

            let read = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [("X-Vault-Index", state)])
            #expect(read.status == 200 && read.json?["data"]?["v"] == "1", "\(read.status)")
            #expect(read.header("X-Coffer-Replication-Index").flatMap { UInt64($0) } != nil)
            #expect(read.header("X-Coffer-Replication-Lag-Ms") == "0")
            #expect(read.header("X-Vault-Index") != nil, "a read that required a state gets its own back")

            let plain = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root")
            #expect(plain.header("X-Vault-Index") == nil, "reads do not carry a state unless asked")
            #expect(plain.header("X-Coffer-Replication-Lag-Ms") != nil, "every secondary answer carries its lag")
            let asked = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [("X-Coffer-Record-Index", "true")])
            #expect(asked.header("X-Vault-Index") != nil)

            // A write forwarded through the secondary returns a state the secondary holds.
            let forwarded = try await pair.secondary.send("PUT", "/v1/kv1/b", json: ["v": "2"], token: "root")
            let forwardedState = try #require(forwarded.header("X-Vault-Index"))
            let readBack = try await pair.secondary.send("GET", "/v1/kv1/b", token: "root", headers: [("X-Vault-Index", forwardedState)])
            #expect(readBack.status == 200 && readBack.json?["data"]?["v"] == "2")
        }
    }

    @Test func aStateTheSecondaryCannotReachIs412OrForwarded() async throws {
        try await ReplicatedPair.with { pair in
            _ = try await pair.primary.send("PUT", "/v1/kv1/a", json: ["v": "1"], token: "root")
            // A genuine state of this set, ahead of anything written: nobody holds it.
            let ahead = try #require(pair.primaryManager.encodeState(replicated: 1_000_000))
            let started = ContinuousClock.now
            let refused = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [("X-Vault-Index", ahead)])
            #expect(refused.status == 412, "\(refused.status)")
            #expect(refused.json?["errors"] == ["required index state not present"])
            #expect(started.duration(to: .now) >= .milliseconds(250), "the secondary waits before the 412")
            let onPrimary = try await pair.primary.send("GET", "/v1/kv1/a", token: "root", headers: [("X-Vault-Index", ahead)])
            #expect(onPrimary.status == 412, "the primary does not hold a state from its future either")

            let forwarded = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [
                ("X-Vault-Index", ahead), ("X-Vault-Inconsistent", "forward-active-node"),
            ])
            #expect(forwarded.status == 200 && forwarded.json?["data"]?["v"] == "1", "forwarded to the primary: \(forwarded.status)")

            // A state with a forged signature is not this set's.
            var forged = Array(String(decoding: Data(base64Encoded: ahead)!, as: UTF8.self))
            forged[forged.count - 1] = forged.last == "0" ? "1" : "0"
            let bad = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [
                ("X-Vault-Index", Data(String(forged).utf8).base64EncodedString()),
            ])
            #expect(bad.status == 400, "\(bad.status)")
            let junk = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [("X-Vault-Index", "not base64!")])
            #expect(junk.status == 400)
        }
    }

    @Test func forwardActiveNodeServesFromThePrimary() async throws {
        try await ReplicatedPair.with { pair in
            // kv2 is filtered out for this secondary: only the primary holds its data.
            let filter = try await pair.primary.send(
                "PUT", "/v1/sys/replication/performance/primary/paths-filter/\(pair.secondaryID)",
                json: ["mode": "deny", "paths": ["kv2/"]], token: "root")
            #expect(filter.status == 204, "\(filter.status)")
            _ = try await pair.primary.send("PUT", "/v1/kv2/only-primary", json: ["v": "p"], token: "root")
            try await pair.waitStreaming()
            let local = try await pair.secondary.send("GET", "/v1/kv2/only-primary", token: "root")
            #expect(local.status == 404, "the filtered mount's data is not on the secondary")
            let forwarded = try await pair.secondary.send("GET", "/v1/kv2/only-primary", token: "root", headers: [("X-Vault-Forward", "active-node")])
            #expect(forwarded.status == 200 && forwarded.json?["data"]?["v"] == "p", "\(forwarded.status)")
        }
    }

    @Test func aFilterChangesResyncMarkIsClearedOnlyByTheSyncItForced() async throws {
        try await ReplicatedPair.with { pair in
            let id = pair.secondaryID
            let path = "/v1/sys/replication/performance/primary/paths-filter/\(id)"
            _ = try await pair.primary.send("PUT", "/v1/kv2/a", json: ["v": "1"], token: "root")
            try await pair.waitStreaming()
            #expect(!pair.primaryManager.resyncMark(id).marked)

            let deny = try await pair.primary.send("PUT", path, json: ["mode": "deny", "paths": ["kv2/"]], token: "root")
            #expect(deny.status == 204, "\(deny.status)")
            let first = pair.primaryManager.resyncMark(id)
            #expect(first.marked, "a filter change marks the secondary for a forced sync")
            // A sync forced under an older filter does not count once the filter changed again.
            let allow = try await pair.primary.send("PUT", path, json: ["mode": "allow", "paths": ["kv1/"]], token: "root")
            #expect(allow.status == 204, "\(allow.status)")
            await pair.primaryManager.resyncCompleted(id, generation: first.generation)
            #expect(pair.primaryManager.resyncMark(id).marked, "a stale completion leaves the mark")

            // The secondary's forced sync under the current filter completes: the mark goes,
            // and the filtered mount's data went with it.
            try await pair.waitStreaming()
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while pair.primaryManager.resyncMark(id).marked, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(!pair.primaryManager.resyncMark(id).marked, "the completed sync clears the mark")
            let gone = try await pair.secondary.send("GET", "/v1/kv2/a", token: "root")
            #expect(gone.status == 404, "kv2 is outside the allow list: \(gone.status)")
        }
    }

    @Test func aStalenessBoundIsKeptOrRefused() async throws {
        try await ReplicatedPair.with { pair in
            _ = try await pair.primary.send("PUT", "/v1/kv1/a", json: ["v": "1"], token: "root")
            try await pair.waitStreaming()
            let fresh = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [("X-Coffer-Max-Staleness-Ms", "0")])
            #expect(fresh.status == 200, "a caught-up secondary meets a zero bound")
            let malformed = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [("X-Coffer-Max-Staleness-Ms", "soon")])
            #expect(malformed.status == 400)

            // Cut off (revoked), the secondary falls behind by the clock.
            _ = try await pair.primary.send(
                "PUT", "/v1/sys/replication/performance/primary/revoke-secondary", json: ["id": .string(pair.secondaryID)], token: "root")
            _ = try await pair.primary.send("PUT", "/v1/kv1/a", json: ["v": "2"], token: "root")
            try await Task.sleep(for: .milliseconds(400))
            let stale = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [("X-Coffer-Max-Staleness-Ms", "100")])
            #expect(stale.status == 412, "\(stale.status)")
            #expect(stale.json?["errors"]?.arrayValue?.first?.stringValue?.contains("behind its primary") == true, "\(String(describing: stale.json))")
            #expect((stale.header("X-Coffer-Replication-Lag-Ms").flatMap { Int64($0) } ?? 0) > 100)
        }
    }

    @Test func replicationMetricsDescribeTheLink() async throws {
        try await ReplicatedPair.with { pair in
            _ = try await pair.primary.send("PUT", "/v1/kv1/a", json: ["v": "1"], token: "root")
            _ = try await pair.secondary.send("PUT", "/v1/kv1/b", json: ["v": "2"], token: "root")
            try await pair.waitStreaming()
            let primary = try await pair.primary.send("GET", "/v1/sys/metrics?format=prometheus", token: "root")
            let text = String(decoding: primary.bytes, as: UTF8.self)
            #expect(text.contains("vault_replication_secondary_connected{secondary_id=\"\(pair.secondaryID)\"} 1"), "\(text.prefix(2000))")
            #expect(text.contains("vault_replication_logshipper_queue_length{secondary_id=\"\(pair.secondaryID)\"}"))
            #expect(text.contains("vault_replication_records_shipped"))
            let secondary = try await pair.secondary.send("GET", "/v1/sys/metrics?format=prometheus", token: "root")
            let stext = String(decoding: secondary.bytes, as: UTF8.self)
            #expect(stext.contains("vault_replication_lag_ms"), "\(stext.prefix(2000))")
            #expect(stext.contains("vault_replication_state{state=\"stream-wals\"} 1"))
            #expect(stext.contains("vault_replication_forward_count") || stext.contains("vault_replication_forward_bucket"))
        }
    }

    @Test func forwardingHeadersNeedTheConfigurationToAllowThem() async throws {
        try await ReplicatedPair.with(allowForwarding: false) { pair in
            let forward = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [("X-Vault-Forward", "active-node")])
            #expect(forward.status == 400)
            #expect(forward.json?["errors"] == ["forwarding via header X-Vault-Forward disabled in configuration"])
            let inconsistent = try await pair.secondary.send("GET", "/v1/kv1/a", token: "root", headers: [("X-Vault-Inconsistent", "forward-active-node")])
            #expect(inconsistent.json?["errors"] == ["forwarding via header X-Vault-Inconsistent=forward-active-node disabled in configuration"])
        }
    }
}

/// A dev-mode primary and a performance secondary in this process, joined and streaming,
/// with KV v1 mounts `kv1/` and `kv2/` (both replicated) and the root token `root`.
struct ReplicatedPair: Sendable {
    let primary: Node
    let secondary: Node
    let primaryManager: ReplicationManager
    let clusterID: String
    let secondaryID = "s1"

    struct Node: Sendable {
        let baseURL: String
        let core: Core
        let http: HTTPClient

        func send(_ method: String, _ path: String, json: JSONValue? = nil, token: String? = nil,
                  headers: [(String, String)] = []) async throws -> TestHTTPClient.Reply {
            try await TestHTTPClient(baseURL: baseURL, http: http).send(method, path, json: json, token: token, headers: headers)
        }
    }

    func waitStreaming() async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            let p = try await primary.send("GET", "/v1/sys/replication/performance/status").json?["data"]
            let s = try await secondary.send("GET", "/v1/sys/replication/performance/status").json?["data"]
            if s?["state"] == "stream-wals", let last = p?["last_wal"]?.intValue, s?["last_remote_wal"]?.intValue == last { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("the secondary never caught up")
    }

    static func with(allowForwarding: Bool = true, _ body: @Sendable (ReplicatedPair) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let config = CoreConfig(walWaitMillis: 300, allowForwardingViaHeader: allowForwarding)
        let cores = [Core(storage: InMemoryBackend(), config: config, logger: logger),
                     Core(storage: InMemoryBackend(), config: config, logger: logger)]
        var managers: [ReplicationManager] = []
        for core in cores {
            let port = try LoopbackPort.free()
            let manager = ReplicationManager(core: core, configuration: .init(
                clusterListenHost: "127.0.0.1", clusterListenPort: port, clusterAddress: "127.0.0.1:\(port)", logger: logger))
            core.setReplicationController(manager)
            managers.append(manager)
            _ = try await core.setUpDevMode(rootTokenID: "root")
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var services: [any Service] = []
        for core in cores {
            services.append(try HTTPListener(host: "127.0.0.1", port: 0, tls: nil).makeService(core: core, logger: logger) {
                continuation.yield($0?.port ?? 0)
            })
        }
        let group = ServiceGroup(services: services, logger: logger)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { for core in cores { core.setReplicationController(nil) } }
            do {
                var iterator = ports.makeAsyncIterator()
                // Listeners bind in any order: match each port to its core by asking it.
                var bound: [Int] = []
                for _ in cores { bound.append(await iterator.next() ?? 0) }
                var nodes: [Node] = []
                for port in bound { nodes.append(Node(baseURL: "http://127.0.0.1:\(port)", core: cores[0], http: http)) }
                // Enable the primary on the first bound listener's core and identify it.
                try await Self.enablePrimary(on: nodes[0])
                let primaryIsFirstCore = managers[0].mode == .primary
                let primaryCore = primaryIsFirstCore ? cores[0] : cores[1]
                let secondaryCore = primaryIsFirstCore ? cores[1] : cores[0]
                let primary = Node(baseURL: nodes[0].baseURL, core: primaryCore, http: http)
                let secondary = Node(baseURL: nodes[1].baseURL, core: secondaryCore, http: http)
                let primaryManager = primaryIsFirstCore ? managers[0] : managers[1]
                for mount in ["kv1", "kv2"] {
                    let enabled = try await primary.send("POST", "/v1/sys/mounts/\(mount)", json: ["type": "kv", "options": ["version": "1"]], token: "root")
                    guard enabled.status == 204 else { throw TestFailure("mount \(mount): \(enabled.status)") }
                }
                let token = try await primary.send(
                    "PUT", "/v1/sys/replication/performance/primary/secondary-token", json: ["id": "s1"], token: "root")
                guard let jwt = token.json?["wrap_info"]?["token"]?.stringValue else { throw TestFailure("no activation token: \(token.status)") }
                let joined = try await secondary.send(
                    "PUT", "/v1/sys/replication/performance/secondary/enable",
                    json: ["token": .string(jwt), "primary_api_addr": .string(primary.baseURL)], token: "root")
                guard joined.status == 200 else { throw TestFailure("secondary enable: \(joined.status) \(String(describing: joined.json))") }
                let status = try await primary.send("GET", "/v1/sys/replication/performance/status").json?["data"]
                let pair = ReplicatedPair(
                    primary: primary, secondary: secondary, primaryManager: primaryManager,
                    clusterID: status?["cluster_id"]?.stringValue ?? "")
                try await pair.waitStreaming()
                try await body(pair)
            } catch {
                try? await http.shutdown()
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            try await http.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    private static func enablePrimary(on node: Node) async throws {
        let enabled = try await node.send("PUT", "/v1/sys/replication/performance/primary/enable", token: "root")
        guard enabled.status == 200 else { throw TestFailure("primary enable: \(enabled.status)") }
    }
}
