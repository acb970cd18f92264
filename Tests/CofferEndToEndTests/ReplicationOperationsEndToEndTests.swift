import AsyncHTTPClient
import CofferJSON
import CofferTestKit
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Running a performance replication set with real `coffer server -dev` processes on
/// loopback: failover and failback (demote, promote, update-primary), revocation, paths
/// filters, disabling either side, and reindex. Operator actions go through the CLI,
/// checks through the HTTP API.
///
/// Every test starts its own primary `P` (root token `root`) and secondary `S` (root token
/// `sroot` until activation replaces it by the primary's `root`), each with a KV v1 mount
/// at `kv1/` and `kv2/` made on the primary.
@Suite("End to end: operating a performance replication set between real servers", .serialized)
struct ReplicationOperationsEndToEndTests {
    @Test("failover (demote P, promote S, P follows S without a wipe) and failback (demote S, promote P, S follows P)",
          .timeLimit(.minutes(5)))
    func failoverAndFailback() async throws {
        try await withReplicationPair { p, s in
            try await activate(s, from: p, id: "s-eu")

            // Local mounts on both sides: a follower that is wiped would lose them.
            var r = try p.cli().run("secrets", "enable", "-path=p-local", "-local", "-version=1", "kv")
            try #require(r.status == 0, "\(r)")
            #expect(try await p.put("p-local/marker", ["m": "on-p"]).status == 204)
            r = try s.cli().run("secrets", "enable", "-path=s-local", "-local", "-version=1", "kv")
            try #require(r.status == 0, "\(r)")
            #expect(try await s.put("s-local/marker", ["m": "on-s"]).status == 204)
            #expect(try await p.put("kv1/before", ["v": "1"]).status == 204)
            try await waitForConvergence(primary: p, secondary: s, "before the failover")
            #expect(try await s.value("kv1/before", "v") == "1")
            let clusterID = try await p.status()["cluster_id"]?.stringValue ?? ""
            #expect(!clusterID.isEmpty)

            // Failover, step 1: demote P. It refuses writes from now on.
            r = try p.cli().run("write", "-f", "sys/replication/performance/primary/demote")
            try #require(r.status == 0, "\(r)")
            try await expectReadOnlyRefusal(p, "kv1/on-demoted-p", "a demoted primary")
            let demoted = try await p.status()
            #expect(demoted["mode"] == "secondary", "\(demoted.jsonString)")
            #expect(demoted["state"] == "idle", "\(demoted.jsonString)")
            // Between demote and promote nobody takes a write: S cannot forward to P.
            try await expectWriteRefused(s, "kv1/on-s-before-promote", "a secondary whose primary was demoted")

            // Step 2: promote S: same set, same data, takes writes.
            r = try s.cli().run("write", "-f", "sys/replication/performance/secondary/promote")
            try #require(r.status == 0, "\(r)")
            let promoted = try await s.status()
            #expect(promoted["mode"] == "primary", "\(promoted.jsonString)")
            #expect(promoted["cluster_id"]?.stringValue == clusterID, "promotion keeps the set: \(promoted.jsonString)")
            #expect(try await s.put("kv1/on-new-primary", ["v": "2"]).status == 204)
            #expect(try await s.value("kv1/before", "v") == "1", "the promoted secondary kept its data")
            try await expectReadOnlyRefusal(p, "kv1/on-demoted-p-2", "the demoted primary after the promotion")

            // Step 3: P follows S with a token S issues, without a wipe.
            let tokenForP = try mintActivationToken(on: s, id: "p-follower")
            r = try p.cli().run("write", "sys/replication/performance/secondary/update-primary", "token=\(tokenForP)")
            try #require(r.status == 0, "\(r)")
            try await waitForConvergence(primary: s, secondary: p, "after P follows S")
            #expect(try await p.value("kv1/on-new-primary", "v") == "2", "P reads S's write")
            #expect(try await p.value("p-local/marker", "m") == "on-p", "P's local mount survived update-primary: no wipe")
            r = try p.cli().run("secrets", "list", "-format=json")
            #expect(r.status == 0 && (try? JSONParser.parse(Array(r.stdout.utf8)))?["p-local/"] != nil, "\(r)")
            #expect(try await p.put("p-local/while-following", ["m": "local"]).status == 204, "a follower writes its local mounts")
            let follower = try await p.status()
            #expect(follower["secondary_id"] == "p-follower", "\(follower.jsonString)")
            try await expectSecondaryConnected(s, id: "p-follower")

            // Writes flow S → P, and P forwards its clients' writes to S.
            #expect(try await s.put("kv1/streamed-to-p", ["v": "3"]).status == 204)
            try await expectValue(p, "kv1/streamed-to-p", "v", "3", "a write on S streamed to P")
            #expect(try await p.put("kv1/forwarded-from-p", ["v": "4"]).status == 204, "P forwards to its new primary")
            #expect(try await s.value("kv1/forwarded-from-p", "v") == "4")
            try await waitForConvergence(primary: s, secondary: p, "after writes on the new primary")

            // Failback: demote S, promote P, S follows P.
            r = try s.cli().run("write", "-f", "sys/replication/performance/primary/demote")
            try #require(r.status == 0, "\(r)")
            try await expectReadOnlyRefusal(s, "kv1/on-demoted-s", "the demoted new primary")
            try await expectWriteRefused(p, "kv1/on-p-before-promote", "a secondary whose primary was demoted")
            r = try p.cli().run("write", "-f", "sys/replication/performance/secondary/promote")
            try #require(r.status == 0, "\(r)")
            let repromoted = try await p.status()
            #expect(repromoted["mode"] == "primary", "\(repromoted.jsonString)")
            #expect(repromoted["cluster_id"]?.stringValue == clusterID, "\(repromoted.jsonString)")
            #expect(try await p.put("kv1/after-failback", ["v": "5"]).status == 204)
            try await expectReadOnlyRefusal(s, "kv1/on-demoted-s-2", "the demoted S after P's promotion")

            let tokenForS = try mintActivationToken(on: p, id: "s-eu-back")
            r = try s.cli().run("write", "sys/replication/performance/secondary/update-primary", "token=\(tokenForS)")
            try #require(r.status == 0, "\(r)")
            try await waitForConvergence(primary: p, secondary: s, "after the failback")
            #expect(try await s.value("kv1/after-failback", "v") == "5")
            #expect(try await s.value("kv1/forwarded-from-p", "v") == "4")
            #expect(try await s.value("s-local/marker", "m") == "on-s", "S's local mount survived its update-primary")
            #expect(try await p.value("p-local/marker", "m") == "on-p")
            #expect(try await p.value("p-local/while-following", "m") == "local")
            try await expectSecondaryConnected(p, id: "s-eu-back")

            // Writes flow P → S again, and S forwards to P.
            #expect(try await p.put("kv1/flows-again", ["v": "6"]).status == 204)
            try await expectValue(s, "kv1/flows-again", "v", "6", "a write on P streamed to S after the failback")
            #expect(try await s.put("kv1/forwarded-after-failback", ["v": "7"]).status == 204)
            #expect(try await p.value("kv1/forwarded-after-failback", "v") == "7")
            try await waitForConvergence(primary: p, secondary: s, "at the end")
        }
    }

    @Test("revoke-secondary: the stream closes, reconnects and forwarded writes fail, the id cannot be issued again",
          .timeLimit(.minutes(3)))
    func revokeSecondary() async throws {
        try await withReplicationPair { p, s in
            try await activate(s, from: p, id: "s-revoked")
            #expect(try await p.put("kv1/before", ["v": "1"]).status == 204)
            try await waitForConvergence(primary: p, secondary: s, "before the revocation")
            try await expectSecondaryConnected(p, id: "s-revoked")

            let r = try p.cli().run("write", "sys/replication/performance/primary/revoke-secondary", "id=s-revoked")
            try #require(r.status == 0, "\(r)")

            var last = ""
            let disconnected = try await poll(seconds: 10, intervalMillis: 200) {
                let status = try await p.status()
                last = status.jsonString
                let entry = status["secondaries"]?.arrayValue?.first { $0["node_id"] == "s-revoked" }
                return entry != nil && entry?["connection_status"] != "connected"
            }
            #expect(disconnected, "the primary still shows the revoked secondary connected: \(last)")

            // A write on P never reaches S (S keeps trying to reconnect meanwhile).
            #expect(try await p.put("kv1/after-revoke", ["v": "2"]).status == 204)
            let primaryLast = try await p.status()["last_wal"]?.intValue ?? 0
            let reached = try await poll(seconds: 5, intervalMillis: 200) { try await s.value("kv1/after-revoke", "v") != nil }
            #expect(!reached, "a write on the primary reached the revoked secondary")
            // S sees its link down. (Each refused reconnect shows stream-wals / ready for an
            // instant, so this waits for a sample between attempts, not any one sample.)
            var secondaryStatus = try await s.status()
            let linkDown = try await poll(seconds: 10, intervalMillis: 200) {
                secondaryStatus = try await s.status()
                return secondaryStatus["connection_state"] != "ready" && secondaryStatus["state"] != "stream-wals"
            }
            #expect(linkDown, "the revoked secondary still shows a live link: \(secondaryStatus.jsonString)")
            #expect(
                (secondaryStatus["last_remote_wal"]?.intValue ?? 0) < primaryLast,
                "the revoked secondary applied the primary's last WAL: \(secondaryStatus.jsonString)")

            // A write on S cannot be forwarded any more.
            let forwarded = try await s.put("kv1/from-revoked", ["v": "3"])
            #expect(forwarded.status >= 400, "a forwarded write from a revoked secondary answered \(forwarded.status)")
            #expect(!forwarded.errors.isEmpty && forwarded.errors.allSatisfy { !$0.isEmpty }, "\(forwarded.errors)")
            #expect(try await p.get("kv1/from-revoked").status == 404, "the revoked secondary's write reached the primary")
            #expect(try await s.value("kv1/before", "v") == "1", "the revoked secondary keeps the data it had")

            // The id stays revoked: it cannot be issued again.
            let again = try p.cli().run(
                "write", "-field=wrapping_token", "sys/replication/performance/primary/secondary-token", "id=s-revoked")
            #expect(again.status != 0 && again.stdout.isEmpty, "\(again)")
            #expect(again.stderr.contains("already exists"), "\(again)")
        }
    }

    @Test("paths-filter deny drops one mount's data and its new writes; delete brings it back; allow keeps only the listed mounts",
          .timeLimit(.minutes(4)))
    func pathsFilterDenyAndAllow() async throws {
        try await withReplicationPair { p, s in
            #expect(try await p.put("kv1/a", ["v": "1a"]).status == 204)
            #expect(try await p.put("kv2/a", ["v": "2a"]).status == 204)
            #expect(try await p.send("PUT", "/v1/secret/data/a", ["data": ["v": "sa"]]).status == 200)
            try await activate(s, from: p, id: "s-filtered")
            try await waitForConvergence(primary: p, secondary: s, "before any filter")
            #expect(try await s.value("kv2/a", "v") == "2a")
            let filterPath = "sys/replication/performance/primary/paths-filter/s-filtered"

            // No filter yet.
            #expect(try await p.send("GET", "/v1/" + filterPath).status == 404)

            // deny kv2/: its existing data goes, kv1/ keeps replicating.
            var r = try p.cli().run("write", filterPath, "mode=deny", "paths=kv2/")
            try #require(r.status == 0, "\(r)")
            let read = try await p.send("GET", "/v1/" + filterPath)
            #expect(read.status == 200, "\(read.status)")
            #expect(read.json?["data"]?["mode"] == "deny", "\(read.json?.jsonString ?? "-")")
            #expect(read.json?["data"]?["paths"] == ["kv2/"], "\(read.json?.jsonString ?? "-")")
            try await expectAbsent(s, "kv2/a", "a denied mount's existing key after the Merkle sync")
            #expect(try await s.value("kv1/a", "v") == "1a", "an unfiltered mount lost its data")
            #expect(try await s.value("secret/data/a", "data") != nil, "secret/ is not denied")

            #expect(try await p.put("kv2/b", ["v": "2b"]).status == 204)
            #expect(try await p.put("kv1/b", ["v": "1b"]).status == 204)
            // kv1/b was written after kv2/b: once it is on S, kv2/b would have been too.
            try await expectValue(s, "kv1/b", "v", "1b", "an unfiltered mount kept replicating")
            try await waitForCaughtUp(primary: p, secondary: s, "under the deny filter")
            #expect(try await s.get("kv2/b").status == 404, "a new write to a denied mount reached the secondary")
            #expect(try await s.get("kv2/a").status == 404)
            // The mount itself (cluster-wide record) still exists on S.
            r = try s.cli().run("secrets", "list", "-format=json")
            #expect(r.status == 0 && (try? JSONParser.parse(Array(r.stdout.utf8)))?["kv2/"] != nil, "\(r)")

            // delete the filter: kv2/ comes back, old and new keys.
            r = try p.cli().run("delete", filterPath)
            try #require(r.status == 0, "\(r)")
            #expect(try await p.send("GET", "/v1/" + filterPath).status == 404)
            try await expectValue(s, "kv2/a", "v", "2a", "a key of the mount after the filter was deleted")
            try await expectValue(s, "kv2/b", "v", "2b", "a key written under the filter, after it was deleted")
            try await waitForConvergence(primary: p, secondary: s, "after deleting the filter")

            // allow kv1/: only kv1/ data; kv2/ and secret/ go.
            r = try p.cli().run("write", filterPath, "mode=allow", "paths=kv1/")
            try #require(r.status == 0, "\(r)")
            let allow = try await p.send("GET", "/v1/" + filterPath)
            #expect(allow.json?["data"]?["mode"] == "allow", "\(allow.json?.jsonString ?? "-")")
            #expect(allow.json?["data"]?["paths"] == ["kv1/"], "\(allow.json?.jsonString ?? "-")")
            try await expectAbsent(s, "kv2/a", "a mount not in the allow list")
            try await expectAbsent(s, "secret/data/a", "secret/, not in the allow list")
            #expect(try await s.get("kv2/b").status == 404)
            #expect(try await s.value("kv1/a", "v") == "1a")
            #expect(try await p.put("kv2/c", ["v": "2c"]).status == 204)
            #expect(try await p.put("kv1/c", ["v": "1c"]).status == 204)
            try await expectValue(s, "kv1/c", "v", "1c", "an allowed mount kept replicating")
            try await waitForCaughtUp(primary: p, secondary: s, "under the allow filter")
            #expect(try await s.get("kv2/c").status == 404, "a write to a mount outside the allow list reached the secondary")
            // The primary is untouched by any of it.
            #expect(try await p.value("kv2/a", "v") == "2a")
            #expect(try await p.value("kv2/c", "v") == "2c")
        }
    }

    @Test("secondary/disable keeps the data and takes writes; primary/disable leaves mode disabled", .timeLimit(.minutes(3)))
    func disable() async throws {
        try await withReplicationPair { p, s in
            #expect(try await p.put("kv1/before", ["v": "1"]).status == 204)
            try await activate(s, from: p, id: "s-leaving")
            #expect(try await p.put("kv1/streamed", ["v": "2"]).status == 204)
            try await waitForConvergence(primary: p, secondary: s, "before disabling")

            var r = try s.cli().run("write", "-f", "sys/replication/performance/secondary/disable")
            try #require(r.status == 0, "\(r)")
            let status = try await s.status()
            #expect(status["mode"] == "disabled", "\(status.jsonString)")
            #expect(try await s.value("kv1/before", "v") == "1", "the ex-secondary keeps its data")
            #expect(try await s.value("kv1/streamed", "v") == "2", "the ex-secondary keeps its data")
            let direct = try await s.put("kv1/direct", ["v": "3"])
            #expect(direct.status == 204, "a write on the ex-secondary answered \(direct.status): \(direct.errors)")
            #expect(try await s.value("kv1/direct", "v") == "3")
            #expect(try await p.get("kv1/direct").status == 404, "the ex-secondary's write was forwarded to the primary")
            #expect(try await p.put("kv1/after-disable", ["v": "4"]).status == 204)
            let reached = try await poll(seconds: 3, intervalMillis: 200) { try await s.value("kv1/after-disable", "v") != nil }
            #expect(!reached, "the ex-secondary still follows the primary")

            r = try p.cli().run("write", "-f", "sys/replication/performance/primary/disable")
            try #require(r.status == 0, "\(r)")
            let primaryStatus = try await p.status()
            #expect(primaryStatus["mode"] == "disabled", "\(primaryStatus.jsonString)")
            let health = try await p.client.send("GET", "/v1/sys/health")
            #expect(health.json?["replication_performance_mode"] == "disabled", "\(health.json?.jsonString ?? "-")")
            #expect(try await p.put("kv1/after-primary-disable", ["v": "5"]).status == 204)
            #expect(try await p.value("kv1/before", "v") == "1", "the ex-primary keeps its data")
        }
    }

    @Test("reindex on the primary and on the secondary completes and leaves the Merkle root as it was",
          .timeLimit(.minutes(3)))
    func reindex() async throws {
        try await withReplicationPair { p, s in
            for i in 0..<20 { #expect(try await p.put("kv1/key-\(i)", ["v": .string("value-\(i)")]).status == 204) }
            try await activate(s, from: p, id: "s-reindexed")
            try await waitForConvergence(primary: p, secondary: s, "before the reindex")
            let before = try await p.status()
            let root = before["merkle_root"]?.stringValue ?? ""
            #expect(!root.isEmpty)
            #expect(before["last_reindex_epoch"] == "0", "\(before.jsonString)")

            for node in [p, s] {
                let started = try await node.send("POST", "/v1/sys/replication/reindex", [:])
                #expect(started.status == 200 || started.status == 204, "\(node.name): reindex answered \(started.status): \(started.errors)")
                var last = ""
                let done = try await poll(seconds: 30, intervalMillis: 200) {
                    let status = try await node.status()
                    last = status.jsonString
                    return status["reindex_in_progress"] == false
                        && (status["last_reindex_epoch"]?.stringValue.flatMap { Int64($0) } ?? 0) > 0
                }
                #expect(done, "\(node.name): the reindex never completed: \(last)")
                let after = try await node.status()
                #expect(after["merkle_root"]?.stringValue == root, "\(node.name): the reindex changed the Merkle root: \(after.jsonString)")
                #expect(after["mode"] == (node.name == "P" ? "primary" : "secondary"), "\(after.jsonString)")
            }

            // Replication goes on after both reindexes.
            #expect(try await p.put("kv1/after-reindex", ["v": "x"]).status == 204)
            try await expectValue(s, "kv1/after-reindex", "v", "x", "a write after the reindex")
            try await waitForConvergence(primary: p, secondary: s, "after the reindex")
        }
    }
}

// MARK: - scenario

/// Starts P and S (dev servers), enables P as a primary with KV v1 mounts `kv1/` and
/// `kv2/`, runs `body`, and stops both; on a thrown error their logs go into the report.
private func withReplicationPair(_ body: (OpsNode, OpsNode) async throws -> Void) async throws {
    try await withWorkDirectory { directory, http in
        let cliHome = directory + "/cli-home"
        try FileManager.default.createDirectory(atPath: cliHome, withIntermediateDirectories: false)
        let p = try await OpsNode.start(name: "P", in: directory + "/primary", rootToken: "root", cliHome: cliHome, http: http)
        let s: OpsNode
        do {
            s = try await OpsNode.start(name: "S", in: directory + "/secondary", rootToken: "sroot", cliHome: cliHome, http: http)
        } catch {
            _ = p.process.terminate()
            throw error
        }
        do {
            let r = try p.cli().run("write", "-f", "sys/replication/performance/primary/enable")
            try #require(r.status == 0, "\(r)")
            for mount in ["kv1", "kv2"] {
                let reply = try await p.send("POST", "/v1/sys/mounts/" + mount, ["type": "kv", "options": ["version": "1"]])
                try #require(reply.status == 204, "enabling \(mount)/ answered \(reply.status): \(reply.errors)")
            }
            try await body(p, s)
        } catch {
            for node in [p, s] { Issue.record("log of \(node.name) (\(node.process.logPath)):\n\(node.process.logText())") }
            _ = s.process.terminate()
            _ = p.process.terminate()
            throw error
        }
        _ = s.process.terminate()
        _ = p.process.terminate()
    }
}

/// Mints an activation token for `id` on `primary` (CLI, `-field=wrapping_token`).
private func mintActivationToken(on primary: OpsNode, id: String) throws -> String {
    let r = try primary.cli().run(
        "write", "-field=wrapping_token", "sys/replication/performance/primary/secondary-token", "id=\(id)")
    let jwt = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    try #require(r.status == 0 && jwt.split(separator: ".").count == 3, "\(primary.name): no activation JWT for \(id): \(r)")
    return jwt
}

/// `secondary/enable` on `secondary` (with its own root token, which the wipe replaces by
/// the primary's) with a token from `primary`, then waits for the first convergence.
private func activate(_ secondary: OpsNode, from primary: OpsNode, id: String) async throws {
    let jwt = try mintActivationToken(on: primary, id: id)
    let r = try secondary.cli(token: secondary.bootstrapToken)
        .run("write", "sys/replication/performance/secondary/enable", "token=\(jwt)")
    try #require(r.status == 0, "\(secondary.name): secondary/enable failed: \(r)")
    try await waitForConvergence(primary: primary, secondary: secondary, "after activating \(id)")
}

/// Waits (30 s at most) until `secondary` streams from `primary` with its Merkle root and
/// last WAL index.
private func waitForConvergence(primary: OpsNode, secondary: OpsNode, _ what: String) async throws {
    var last = ""
    let converged = try await poll(seconds: 30, intervalMillis: 200) {
        let p = try await primary.pollStatus()
        let s = try await secondary.pollStatus()
        last = "\(primary.name) \(p.jsonString)\n\(secondary.name) \(s.jsonString)"
        guard p["mode"] == "primary", let root = p["merkle_root"]?.stringValue, !root.isEmpty else { return false }
        return s["mode"] == "secondary" && s["state"] == "stream-wals" && s["merkle_root"]?.stringValue == root
            && s["last_remote_wal"]?.intValue == p["last_wal"]?.intValue
    }
    try #require(converged, "\(secondary.name) did not converge with \(primary.name) \(what) within 30 s:\n\(last)")
}

/// Waits (30 s at most) until a filtered `secondary` streams and has applied the
/// primary's last WAL index (its Merkle root differs by design).
private func waitForCaughtUp(primary: OpsNode, secondary: OpsNode, _ what: String) async throws {
    var last = ""
    let caughtUp = try await poll(seconds: 30, intervalMillis: 200) {
        let p = try await primary.pollStatus()
        let s = try await secondary.pollStatus()
        last = "\(primary.name) \(p.jsonString)\n\(secondary.name) \(s.jsonString)"
        return s["state"] == "stream-wals" && s["last_remote_wal"]?.intValue == p["last_wal"]?.intValue
    }
    try #require(caughtUp, "\(secondary.name) did not catch up with \(primary.name) \(what) within 30 s:\n\(last)")
}

/// Waits (30 s at most) until `primary`'s status lists `id` as connected.
private func expectSecondaryConnected(_ primary: OpsNode, id: String) async throws {
    var last = ""
    let connected = try await poll(seconds: 30, intervalMillis: 200) {
        let status = try await primary.status()
        last = status.jsonString
        return status["known_secondaries"]?.arrayValue?.contains(.string(id)) == true
            && status["secondaries"]?.arrayValue?.first(where: { $0["node_id"] == .string(id) })?["connection_status"] == "connected"
    }
    #expect(connected, "\(primary.name) never showed \(id) connected: \(last)")
}

/// Waits (30 s at most) until `path` reads `field == value` on `node`.
private func expectValue(_ node: OpsNode, _ path: String, _ field: String, _ value: String, _ what: String) async throws {
    var last: String?
    let arrived = try await poll(seconds: 30, intervalMillis: 200) {
        last = try await node.value(path, field)
        return last == value
    }
    #expect(arrived, "\(what): \(node.name) reads \(path).\(field) as \(last ?? "nothing"), not \(value)")
}

/// Waits (30 s at most) until `path` answers 404 on `node`.
private func expectAbsent(_ node: OpsNode, _ path: String, _ what: String) async throws {
    var last = 0
    let gone = try await poll(seconds: 30, intervalMillis: 200) {
        last = try await node.get(path).status
        return last == 404
    }
    #expect(gone, "\(what): \(node.name) still answers \(last) for \(path)")
}

/// A client write on `node` is refused with 400 `cannot write to readonly storage…` and
/// changes nothing there.
private func expectReadOnlyRefusal(_ node: OpsNode, _ path: String, _ what: String) async throws {
    let reply = try await node.put(path, ["v": "refused"])
    #expect(reply.status == 400, "\(what): a write answered \(reply.status): \(reply.errors)")
    #expect(reply.errors.first?.hasPrefix("cannot write to readonly storage") == true, "\(what): \(reply.errors)")
    #expect(try await node.get(path).status == 404, "\(what): the refused write is readable")
}

/// A client write on `node` fails (any error status, with a message) and changes nothing.
private func expectWriteRefused(_ node: OpsNode, _ path: String, _ what: String) async throws {
    let reply = try await node.put(path, ["v": "refused"])
    #expect(reply.status >= 400, "\(what): a write answered \(reply.status)")
    #expect(!reply.errors.isEmpty, "\(what): a refusal without a message")
    #expect(try await node.get(path).status == 404, "\(what): the refused write is readable")
}

// MARK: - one server

/// A dev server of a replication scenario: its process, HTTP client and CLI.
private struct OpsNode {
    let name: String
    let process: ServerProcess
    let client: TestHTTPClient
    /// The token before activation (a secondary's own root token; the wipe replaces it).
    let bootstrapToken: String
    let cliHome: String
    /// After activation every node uses the first primary's dev root token.
    static let rootToken = "root"

    /// Starts `coffer server -dev` in `directory` on an API port whose successor (the
    /// default cluster port) is free too.
    static func start(name: String, in directory: String, rootToken: String, cliHome: String, http: HTTPClient) async throws -> OpsNode {
        let (process, client) = try await ServerProcess.startDev(in: directory, rootToken: rootToken, http: http)
        return OpsNode(name: name, process: process, client: client, bootstrapToken: rootToken, cliHome: cliHome)
    }

    func cli(token: String = OpsNode.rootToken) -> OpsCLI {
        OpsCLI(environment: [
            "VAULT_ADDR": process.baseURL, "VAULT_TOKEN": token, "COFFER_TOKEN": "", "VAULT_MAX_RETRIES": "0",
            "HOME": cliHome,
        ])
    }

    func send(_ method: String, _ path: String, _ json: JSONValue? = nil) async throws -> TestHTTPClient.Reply {
        try await client.send(method, path, json: json, token: Self.rootToken)
    }

    func put(_ path: String, _ data: JSONValue) async throws -> TestHTTPClient.Reply {
        try await send("PUT", "/v1/" + path, data)
    }

    func get(_ path: String) async throws -> TestHTTPClient.Reply {
        try await send("GET", "/v1/" + path)
    }

    /// `data[field]` of `path` as a string (JSON text for a non-string), nil unless 200.
    func value(_ path: String, _ field: String) async throws -> String? {
        let reply = try await get(path)
        guard reply.status == 200, let value = reply.json?["data"]?[field] else { return nil }
        return value.stringValue ?? value.jsonString
    }

    /// `sys/replication/performance/status`'s data (an unauthenticated path).
    func status() async throws -> JSONValue {
        let reply = try await client.send("GET", "/v1/sys/replication/performance/status")
        guard reply.status == 200, let data = reply.json?["data"] else {
            throw TestKitFailure("\(name): status answered \(reply.status): \(reply.errors)")
        }
        return data
    }

    /// ``status()`` for polling: a just-activated secondary answers 403 until its first
    /// Merkle sync brings the mount table (the activation warns that it is unavailable
    /// until then); that reads as an object saying so.
    func pollStatus() async throws -> JSONValue {
        let reply = try await client.send("GET", "/v1/sys/replication/performance/status")
        guard reply.status == 200, let data = reply.json?["data"] else {
            return ["unavailable": .int(Int64(reply.status)), "errors": .array(reply.errors.map { .string($0) })]
        }
        return data
    }
}

/// `coffer` run against one node with a fixed environment.
private struct OpsCLI {
    let environment: [String: String]

    func run(_ arguments: String...) throws -> (status: Int32, stdout: String, stderr: String) {
        try ServerProcess.runCLI(arguments, environment: environment)
    }
}

extension TestHTTPClient.Reply {
    /// The `errors` of a Vault error body.
    fileprivate var errors: [String] { json?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
}


