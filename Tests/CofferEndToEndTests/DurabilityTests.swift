import AsyncHTTPClient
import CofferJSON
import CofferTestKit
import Foundation
import Synchronization
import Testing

/// The real binary on SQLite: restart survival and no lost acknowledged write under kill -9.
@Suite("End to end: durability", .serialized)
struct DurabilityTests {
    @Test("init 5/3, unseal with 3, write, restart, unseal, read back")
    func restartKeepsSecrets() async throws {
        try await withWorkDirectory { directory, http in
            let server = try ServerProcess(directory: directory)
            let client = TestHTTPClient(baseURL: server.baseURL, http: http)
            try await server.start(client: client)
            let (keys, root) = try await client.initAndUnseal(shares: 5, threshold: 3)
            let mount = try await client.send("POST", "/v1/sys/mounts/secret", json: ["type": "kv"], token: root)
            #expect(mount.status == 204)
            let write = try await client.send("PUT", "/v1/secret/app/config", json: ["user": "svc", "pass": "hunter2"], token: root)
            #expect(write.status == 204)
            let health = try await client.send("GET", "/v1/sys/health")
            #expect(health.status == 200)
            let status = server.terminate()
            #expect(status == 0, "graceful shutdown exit status; log:\n\(server.logText())")

            try await server.start(client: client)
            let sealed = try await client.send("GET", "/v1/sys/seal-status")
            #expect(sealed.json?["sealed"] == true && sealed.json?["initialized"] == true)
            let noToken = try await client.send("GET", "/v1/sys/mounts", token: root)
            #expect(noToken.status == 503)
            // Any three keys unseal, not only the first three.
            try await client.unseal(keys: [keys[4], keys[2], keys[0]])
            let lookup = try await client.send("GET", "/v1/auth/token/lookup-self", token: root)
            #expect(lookup.status == 200, "root token survives restart")
            let read = try await client.send("GET", "/v1/secret/app/config", token: root)
            #expect(read.json?["data"] == ["user": "svc", "pass": "hunter2"])
            _ = server.terminate()
        }
    }

    @Test("kill -9 under concurrent write load loses no acknowledged write")
    func killNineLosesNothingAcknowledged() async throws {
        try await withWorkDirectory { directory, http in
            let server = try ServerProcess(directory: directory)
            let client = TestHTTPClient(baseURL: server.baseURL, http: http)
            try await server.start(client: client)
            let (keys, root) = try await client.initAndUnseal(shares: 3, threshold: 2)
            _ = try await client.send("POST", "/v1/sys/mounts/secret", json: ["type": "kv"], token: root)

            // 32 writers, each writing its own keys as fast as it can; the server is killed
            // once 400 writes were acknowledged, while writes are still in flight.
            let acknowledged = Acknowledged()
            let writers = 32, perWriter = 100, killAfter = 400
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        for i in 0..<perWriter {
                            let key = "load/w\(w)/k\(i)"
                            let value = "v-\(w)-\(i)-\(UUID().uuidString)"
                            guard let reply = try? await client.send(
                                "PUT", "/v1/" + "secret/" + key, json: ["value": .string(value)], token: root,
                                timeout: .seconds(10))
                            else { return }  // connection refused or reset: the server is gone
                            if reply.status == 204 { acknowledged.record(key, value) }
                        }
                    }
                }
                group.addTask {
                    while acknowledged.count < killAfter {
                        try await Task.sleep(for: .milliseconds(2))
                    }
                    server.kill9()
                }
                try await group.waitForAll()
            }
            let acked = acknowledged.all
            #expect(acked.count >= killAfter)
            #expect(acked.count < writers * perWriter, "the kill should interrupt the load")

            // A fresh client: the old one's pool is backing off after the refused connections.
            let http2 = HTTPClient(eventLoopGroupProvider: .singleton)
            let client2 = TestHTTPClient(baseURL: server.baseURL, http: http2)
            var missing = -1
            do {
                try await server.start(client: client2)
                try await client2.unseal(keys: [keys[1], keys[2]])
                missing = 0
                for (key, value) in acked {
                    let read = try await client2.send("GET", "/v1/secret/" + key, token: root)
                    if read.json?["data"]?["value"]?.stringValue != value { missing += 1 }
                }
            } catch {
                try? await http2.shutdown()
                throw error
            }
            try await http2.shutdown()
            #expect(missing == 0, "\(missing) of \(acked.count) acknowledged writes lost")
            _ = server.terminate()
        }
    }
}

/// Writes the server acknowledged, recorded from many tasks.
final class Acknowledged: Sendable {
    private let entries = Mutex<[String: String]>([:])
    func record(_ key: String, _ value: String) { entries.withLock { $0[key] = value } }
    var count: Int { entries.withLock { $0.count } }
    var all: [String: String] { entries.withLock { $0 } }
}
