import CofferBarrier
import CofferJSON
import CofferLogical
import CofferStorage
import CofferTestKit
import Logging
import Synchronization
import Testing
@testable import CofferCore

/// What the test revoker was asked to revoke, and failures to inject.
final class LeaseRevocationLog: Sendable {
    private struct State {
        var revoked: [LeaseRecord] = []
        var failuresLeft = 0
        var failAlways: Set<String> = []
        var attempts = 0
    }

    private let state = Mutex(State())

    var records: [LeaseRecord] { state.withLock { $0.revoked } }
    var ids: [String] { records.map(\.id) }
    var attempts: Int { state.withLock { $0.attempts } }
    func failNext(_ count: Int) { state.withLock { $0.failuresLeft = count } }
    func failAlways(_ id: String) { state.withLock { _ = $0.failAlways.insert(id) } }
    func stopFailing() { state.withLock { $0.failAlways = []; $0.failuresLeft = 0 } }

    func record(_ record: LeaseRecord) throws {
        try state.withLock { state in
            state.attempts += 1
            if state.failAlways.contains(record.id) { throw InjectedFailure() }
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw InjectedFailure()
            }
            state.revoked.append(record)
        }
    }

    struct InjectedFailure: Error {}
}

/// An expiration manager over an unsealed in-memory barrier, driven by a ManualClock that
/// is also its wall clock (unix seconds = `base` + seconds elapsed on the manual clock).
struct LeaseHarness {
    static let unsealKey: [UInt8] = (0..<32).map { UInt8(($0 * 7 + 3) & 0xff) }
    static let base: Int64 = 1_700_000_000

    let storage: InMemoryBackend
    let barrier: SecurityBarrier
    let clock: ManualClock
    let log: LeaseRevocationLog
    let manager: ExpirationManager

    /// A fresh storage, or `storage` from an earlier harness (a restart: same data, new
    /// barrier and manager); pass the earlier clock to keep its time.
    static func make(
        storage existing: InMemoryBackend? = nil, clock: ManualClock = ManualClock(),
        configuration: ExpirationStateMachine.Configuration = .init(),
        liveTokens: Set<String>? = nil,
        revoke: (@Sendable (LeaseRecord, ExpirationManager) async throws -> Void)? = nil
    ) async throws -> LeaseHarness {
        let storage = existing ?? InMemoryBackend()
        let barrier = SecurityBarrier(storage: storage)
        if existing == nil { try await barrier.initialize(unsealKey: unsealKey) }
        try await barrier.unseal(unsealKey: unsealKey)
        let log = LeaseRevocationLog()
        let now: @Sendable () -> Int64 = { base + clock.now.offset.components.seconds }
        let expirationClock = ExpirationClock(now: now) { deadline in
            try await clock.sleep(until: ManualClock.Instant(offset: .seconds(deadline - base)))
        }
        let holder = ManagerHolder()
        var tokenExists: (@Sendable (String) async throws -> Bool)?
        if let liveTokens { tokenExists = { liveTokens.contains($0) } }
        let manager = ExpirationManager(
            barrier: barrier, clock: expirationClock, configuration: configuration,
            logger: Logger(label: "test.expiration"), tokenExists: tokenExists,
            revoke: { record in
                try log.record(record)
                if let revoke, let manager = holder.manager { try await revoke(record, manager) }
            }
        )
        holder.set(manager)
        return LeaseHarness(storage: storage, barrier: barrier, clock: clock, log: log, manager: manager)
    }

    var now: Int64 { Self.base + clock.now.offset.components.seconds }

    /// Moves time forward once the loop sleeps, and waits for it to sleep again (it has
    /// then handled everything that became due).
    func advance(_ seconds: Int64) async throws {
        try await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(seconds))
        try await clock.waitForSleepers(count: 1)
    }

    /// Registers a secret lease owned by `token` at `path`.
    @discardableResult
    func secret(
        _ path: String = "db/creds/ro", ttl: Int64 = 60, renewable: Bool = true, maxTTL: Int64 = 0,
        token: String = LeaseHarness.tokenA
    ) async throws -> LeaseRecord {
        try await manager.register(
            secret: SecretInfo(leaseID: "", ttlSeconds: ttl, renewable: renewable), path: path,
            auth: AuthContext(accessor: "acc", policies: ["default"], tokenID: token), maxTTL: maxTTL
        )
    }

    func stored(_ id: String) async throws -> LeaseRecord? { try await manager.lookup(id: id) }

    /// Storage keys under `prefix`, all levels (plaintext names, as stored).
    func allKeys(under prefix: String) async throws -> [String] {
        var keys: [String] = []
        var directories = [prefix]
        while let directory = directories.popLast() {
            for name in try await storage.list(prefix: directory) {
                if name.hasSuffix("/") { directories.append(directory + name) } else { keys.append(directory + name) }
            }
        }
        return keys.sorted()
    }

    static let tokenA = String(repeating: "a", count: 64)
    static let tokenB = String(repeating: "b", count: 64)
}

/// Lets the test revoker call back into the manager it belongs to.
final class ManagerHolder: Sendable {
    private let value = Mutex<ExpirationManager?>(nil)
    var manager: ExpirationManager? { value.withLock { $0 } }
    func set(_ manager: ExpirationManager) { value.withLock { $0 = manager } }
}

/// Waits (in real time) until `condition` holds; background revocations finish on their
/// own tasks. The bound is generous because the whole suite shares two cores on CI (a
/// passing run waits milliseconds); it only decides how long a real failure takes.
func eventually(
    _ what: String = "condition", within limit: Duration = .seconds(60), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(2))
    }
    Issue.record("timed out waiting for \(what)")
}

@Suite struct LeaseHarnessTests {
    @Test func theHarnessClockIsTheManagersWallClock() async throws {
        let harness = try await LeaseHarness.make()
        #expect(harness.manager.clock.now() == LeaseHarness.base)
        harness.clock.advance(by: .seconds(90))
        #expect(harness.manager.clock.now() == LeaseHarness.base + 90)
        let record = try await harness.secret(ttl: 60)
        #expect(record.expireTime == LeaseHarness.base + 150)
    }
}
