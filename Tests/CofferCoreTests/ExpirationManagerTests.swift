import CofferJSON
import CofferLogical
import CofferTestKit
import Testing
@testable import CofferCore

/// The shell over a real barrier and storage, with the manual clock.
@Suite struct ExpirationManagerTests {
    @Test func registrationStoresARecordAndAnIndexEntry() async throws {
        let harness = try await LeaseHarness.make()
        let record = try await harness.secret("db/creds/ro/", ttl: 60, maxTTL: 600)
        #expect(record.id.hasPrefix("db/creds/ro/"))
        #expect(record.id.split(separator: "/").count == 4)
        #expect(record.path == "db/creds/ro")
        #expect(record.issueTime == harness.now && record.expireTime == harness.now + 60)
        #expect(record.clientTokenID == LeaseHarness.tokenA && !record.isTokenLease)
        #expect(try await harness.stored(record.id) == record)
        let keys = try await harness.allKeys(under: "sys/expire/")
        #expect(keys == [
            "sys/expire/id/" + record.id,
            "sys/expire/token/\(LeaseHarness.tokenA)/" + LeaseRecord.indexName(leaseID: record.id),
        ])
        // The mount's cap applies at registration too.
        let capped = try await harness.secret(ttl: 5000, maxTTL: 600)
        #expect(capped.ttl == 600)
    }

    @Test func leasesAreRevokedWhenTheyExpire() async throws {
        let harness = try await LeaseHarness.make()
        harness.manager.start(restoring: false)
        let short = try await harness.secret(ttl: 60)
        let long = try await harness.secret(ttl: 120)
        try await harness.advance(59)
        #expect(harness.log.ids.isEmpty)
        #expect(harness.manager.machine.withLock { $0.due(of: short.id) } == LeaseHarness.base + 60)
        try await harness.advance(1)
        try await eventually("the short lease revoked") { try await harness.stored(short.id) == nil }
        #expect(harness.log.ids == [short.id])
        #expect(try await harness.stored(long.id) != nil)
        try await harness.advance(60)
        try await eventually("the long lease revoked") { try await harness.stored(long.id) == nil }
        #expect(harness.log.ids == [short.id, long.id])
        #expect(try await harness.allKeys(under: "sys/expire/").isEmpty)
        try await eventually("the machine empty") { harness.manager.trackedCounts.leases == 0 }
        await harness.manager.stop()
    }

    @Test func renewalExtendsALease() async throws {
        let harness = try await LeaseHarness.make()
        harness.manager.start(restoring: false)
        let lease = try await harness.secret(ttl: 60)
        try await harness.advance(30)
        let renewal = try await harness.manager.renew(id: lease.id, increment: 100)
        #expect(renewal.ttl == 100 && renewal.warnings.isEmpty)
        #expect(renewal.record.expireTime == harness.now + 100)
        #expect(renewal.record.lastRenewalTime == harness.now)
        #expect(try await harness.stored(lease.id)?.expireTime == harness.now + 100)
        try await harness.advance(40)  // past the original expiry
        #expect(harness.log.ids.isEmpty)
        #expect(harness.manager.machine.withLock { $0.due(of: lease.id) } == LeaseHarness.base + 130)
        #expect(try await harness.stored(lease.id) != nil)
        try await harness.advance(60)
        try await eventually("the renewed lease revoked") { harness.log.ids == [lease.id] }
        await harness.manager.stop()
    }

    @Test func renewalWithoutIncrementReusesTheLastTTLAndHonoursTheMaximum() async throws {
        let harness = try await LeaseHarness.make()
        let lease = try await harness.secret(ttl: 60, maxTTL: 100)
        harness.clock.advance(by: .seconds(10))
        #expect(try await harness.manager.renew(id: lease.id, increment: 0).ttl == 60)
        harness.clock.advance(by: .seconds(20))
        // 30 s into a 100 s life: a request for 500 s gets the 70 s left, with a warning.
        let capped = try await harness.manager.renew(id: lease.id, increment: 500)
        #expect(capped.ttl == 70)
        #expect(capped.record.expireTime == lease.issueTime + 100)
        #expect(capped.warnings.count == 1)
    }

    @Test func renewalRefusals() async throws {
        let harness = try await LeaseHarness.make()
        let fixed = try await harness.secret(ttl: 60, renewable: false)
        #expect(await logicalError { _ = try await harness.manager.renew(id: fixed.id, increment: 10) }?.messages
            == ["lease is not renewable"])
        #expect(await logicalError { _ = try await harness.manager.renew(id: "db/creds/ro/nope", increment: 10) }?.messages
            == ["lease not found"])
        let expiring = try await harness.secret(ttl: 60)
        harness.clock.advance(by: .seconds(60))
        #expect(await logicalError { _ = try await harness.manager.renew(id: expiring.id, increment: 10) }?.messages
            == ["lease expired"])
        let token = try #require(try await harness.manager.registerToken(Self.token(harness, id: LeaseHarness.tokenB)))
        #expect(await logicalError { _ = try await harness.manager.renew(id: token.id, increment: 10) }?.messages
            == ["tokens cannot be renewed through this endpoint"])
    }

    @Test func restoreAfterARestartRevokesExpiredLeasesPromptly() async throws {
        let first = try await LeaseHarness.make()
        first.manager.start(restoring: false)
        let soon = try await first.secret(ttl: 10)
        let later = try await first.secret(ttl: 1000)
        await first.manager.stop()
        #expect(first.clock.sleeperCount == 0)
        first.clock.advance(by: .seconds(100))  // "downtime": `soon` expired meanwhile

        let second = try await LeaseHarness.make(storage: first.storage, clock: first.clock)
        second.manager.start()
        try await eventually("the expired lease revoked after restore") { try await second.stored(soon.id) == nil }
        #expect(second.log.ids == [soon.id])
        #expect(try await second.stored(later.id) != nil)
        try await eventually("restored") { second.manager.trackedCounts.leases == 1 }
        try await second.advance(900)
        try await eventually("the later lease revoked") { try await second.stored(later.id) == nil }
        #expect(second.log.ids == [soon.id, later.id])
        await second.manager.stop()
    }

    @Test func revokePrefixRevokesADirectoryOrOneLease() async throws {
        let harness = try await LeaseHarness.make()
        let a = [try await harness.secret("db/creds/a"), try await harness.secret("db/creds/a"), try await harness.secret("db/creds/a/deep")]
        let b = [try await harness.secret("db/creds/b"), try await harness.secret("db/creds/b")]
        let other = try await harness.secret("db/creds/ab")
        #expect(try await harness.manager.revokePrefix("db/creds/a") == 3)
        #expect(Set(harness.log.ids) == Set(a.map(\.id)))
        #expect(try await harness.manager.list(prefix: "db/creds/") == ["ab/", "b/"])
        // A full lease id as the prefix revokes that lease (hvac does this).
        #expect(try await harness.manager.revokePrefix(b[0].id) == 1)
        #expect(try await harness.stored(b[0].id) == nil)
        #expect(try await harness.stored(b[1].id) != nil)
        #expect(try await harness.stored(other.id) != nil)
        #expect(try await harness.manager.revokePrefix("nothing/here/") == 0)
    }

    @Test func revokePrefixStopsAtAFailureUnlessForced() async throws {
        let harness = try await LeaseHarness.make()
        let leases = [try await harness.secret("x/y"), try await harness.secret("x/y")]
        harness.log.failAlways(leases[0].id)
        harness.log.failAlways(leases[1].id)
        await #expect(throws: LeaseRevocationLog.InjectedFailure.self) {
            try await harness.manager.revokePrefix("x/")
        }
        #expect(try await harness.stored(leases[0].id) != nil)
        #expect(try await harness.manager.revokePrefix("x/", force: true) == 2)
        #expect(try await harness.allKeys(under: "sys/expire/").isEmpty)
    }

    @Test func revokeByTokenDropsTheTokenLeaseAndExpiresItsSecrets() async throws {
        let harness = try await LeaseHarness.make()
        harness.manager.start(restoring: false)
        let mine = [try await harness.secret("db/creds/ro", ttl: 500), try await harness.secret("pki/issue/web", ttl: 900)]
        let theirs = try await harness.secret("db/creds/ro", ttl: 500, token: LeaseHarness.tokenB)
        let tokenLease = try #require(try await harness.manager.registerToken(Self.token(harness, id: LeaseHarness.tokenA)))
        #expect(tokenLease.id.hasPrefix("auth/token/create/h"))

        try await harness.manager.revokeByToken(tokenID: LeaseHarness.tokenA)
        // The token's own lease is gone without a revocation (the token is already going).
        #expect(try await harness.stored(tokenLease.id) == nil)
        try await eventually("the token's secrets revoked") { Set(harness.log.ids) == Set(mine.map(\.id)) }
        try await eventually("their records deleted") {
            let first = try await harness.stored(mine[0].id)
            let second = try await harness.stored(mine[1].id)
            return first == nil && second == nil
        }
        #expect(try await harness.stored(theirs.id) != nil)
        #expect(try await harness.allKeys(under: "sys/expire/token/\(LeaseHarness.tokenA)/").isEmpty)
        // Idempotent.
        try await harness.manager.revokeByToken(tokenID: LeaseHarness.tokenA)
        await harness.manager.stop()
    }

    @Test func aTokenLeaseRevokesItsTokenWhichMayCallBackIn() async throws {
        // Core's revoker revokes the token; the token store's hook then calls revokeByToken
        // for the very token whose lease is being revoked. That must not deadlock.
        let harness = try await LeaseHarness.make(revoke: { record, manager in
            if record.isTokenLease { try await manager.revokeByToken(tokenID: record.tokenID) }
        })
        harness.manager.start(restoring: false)
        let entry = Self.token(harness, id: LeaseHarness.tokenA, ttl: 50)
        let tokenLease = try #require(try await harness.manager.registerToken(entry))
        let secret = try await harness.secret(ttl: 1000)
        try await harness.advance(50)
        try await eventually("the token lease revoked") { try await harness.stored(tokenLease.id) == nil }
        try await eventually("the token's secret revoked") { try await harness.stored(secret.id) == nil }
        #expect(harness.log.records.first?.tokenID == LeaseHarness.tokenA)
        await harness.manager.stop()
    }

    @Test func aRenewedTokenKeepsItsLease() async throws {
        let harness = try await LeaseHarness.make()
        harness.manager.start(restoring: false)
        var entry = Self.token(harness, id: LeaseHarness.tokenA, ttl: 50)
        let lease = try #require(try await harness.manager.registerToken(entry))
        try await harness.advance(40)
        entry.expireTime = harness.now + 100
        entry.lastRenewalTime = harness.now
        #expect(try await harness.manager.registerToken(entry)?.id == lease.id)
        try await harness.advance(20)
        #expect(harness.log.ids.isEmpty)
        #expect(harness.manager.machine.withLock { $0.due(of: lease.id) } == LeaseHarness.base + 140)
        try await harness.advance(80)
        try await eventually("the token lease revoked") { harness.log.ids == [lease.id] }
        // Tokens without expiry and batch tokens have no lease.
        #expect(try await harness.manager.registerToken(Self.token(harness, id: LeaseHarness.tokenB, ttl: 0)) == nil)
        await harness.manager.stop()
    }

    @Test func failedRevocationsAreRetriedThenMarkedIrrevocable() async throws {
        let harness = try await LeaseHarness.make(configuration: .init(retryBase: 10, retryCap: 100, maxAttempts: 3))
        harness.manager.start(restoring: false)
        let lease = try await harness.secret(ttl: 5)
        harness.log.failAlways(lease.id)
        let base = LeaseHarness.base
        let due = { harness.manager.machine.withLock { $0.due(of: lease.id) } }
        try await harness.advance(5)
        // Each failure is reported with the time it happened: wait for it before moving on.
        try await eventually("first failure: retry in 10 s") { due() == base + 15 }
        #expect(harness.log.attempts == 1)
        try await harness.advance(9)
        #expect(harness.log.attempts == 1)
        try await harness.advance(1)
        try await eventually("second failure: retry in 20 s") { due() == base + 35 }
        #expect(harness.log.attempts == 2)
        try await harness.advance(20)
        try await eventually("marked irrevocable") { try await harness.stored(lease.id)?.isIrrevocable == true }
        #expect(harness.log.attempts == 3)
        #expect(harness.manager.trackedCounts.irrevocable == 1)
        try await harness.advance(10_000)
        #expect(harness.log.attempts == 3)
        // The operator fixes the engine and revokes it.
        harness.log.stopFailing()
        try await harness.manager.revoke(id: lease.id)
        #expect(try await harness.stored(lease.id) == nil)
        #expect(harness.manager.trackedCounts.leases == 0 && harness.manager.trackedCounts.irrevocable == 0)
        await harness.manager.stop()
    }

    @Test func revokeLaterHandsTheLeaseToExpiry() async throws {
        let harness = try await LeaseHarness.make()
        harness.manager.start(restoring: false)
        let lease = try await harness.secret(ttl: 3600)
        try await harness.manager.revokeLater(id: lease.id)
        try await eventually("revoked in the background") { try await harness.stored(lease.id) == nil }
        #expect(harness.log.ids == [lease.id])
        await harness.manager.stop()
    }

    @Test func tidyRevokesOrphanedLeasesAndDropsStrayIndexEntries() async throws {
        let harness = try await LeaseHarness.make(liveTokens: [LeaseHarness.tokenB])
        harness.manager.start(restoring: false)
        let orphaned = try await harness.secret(token: LeaseHarness.tokenA)
        let kept = try await harness.secret(token: LeaseHarness.tokenB)
        let stray = "sys/expire/token/\(LeaseHarness.tokenB)/" + LeaseRecord.indexName(leaseID: "gone/lease")
        try await harness.barrier.put(stray, LeaseIndexEntry.bytes(leaseID: "gone/lease"))

        let report = try #require(try await harness.manager.tidy())
        #expect(report.leasesScanned == 2)
        #expect(report.leasesRevoked == 1)
        #expect(report.indexEntriesDeleted == 1)
        try await eventually("the orphaned lease revoked") { try await harness.stored(orphaned.id) == nil }
        #expect(try await harness.stored(kept.id) != nil)
        #expect(try await harness.barrier.get(stray) == nil)
        await harness.manager.stop()
    }

    @Test func unreadableRecordsAreCountedSkippedAndForceDeleted() async throws {
        let harness = try await LeaseHarness.make()
        try await harness.secret("bad", ttl: 60)
        try await harness.barrier.put("sys/expire/id/bad/broken", Array("garbage".utf8))
        try await harness.barrier.put(
            ExpirationManager.indexKey(tokenID: LeaseHarness.tokenA, leaseID: "bad/broken"),
            LeaseIndexEntry.bytes(leaseID: "bad/broken")
        )
        let restored = try await harness.manager.restore()
        #expect(restored.leasesLoaded == 1 && restored.unreadableRecords == 1)
        // A token's revocation is not held up by it.
        try await harness.manager.revokeByToken(tokenID: LeaseHarness.tokenA)
        // Revocation without force fails on it; with force it is deleted.
        await #expect(throws: LogicalError.self) { try await harness.manager.revokePrefix("bad/") }
        try await harness.manager.revokePrefix("bad/", force: true)
        #expect(try await harness.allKeys(under: "sys/expire/id/").isEmpty)
        // Its index entry could not be named without the record; tidy drops it.
        let tidied = try #require(try await harness.manager.tidy())
        #expect(tidied.indexEntriesDeleted == 1)
        #expect(try await harness.allKeys(under: "sys/expire/").isEmpty)
    }

    @Test func stopEndsTheLoop() async throws {
        let harness = try await LeaseHarness.make()
        harness.manager.start(restoring: false)
        try await harness.clock.waitForSleepers(count: 1)
        await harness.manager.stop()
        #expect(harness.clock.sleeperCount == 0)
        // Stopping twice, or a manager never started, is fine.
        await harness.manager.stop()
    }

    static func token(_ harness: LeaseHarness, id: String, ttl: Int64 = 3600) -> TokenEntry {
        TokenEntry(
            id: id, accessor: "accessor", policies: ["default"], path: "auth/token/create", displayName: "token",
            creationTime: harness.now, ttl: ttl, renewable: true
        )
    }
}
