import CofferBarrier
import CofferJSON
import CofferLogical
import CofferStorage
import Synchronization
import Testing
@testable import CofferCore

/// A manual unix-seconds clock for the token store.
final class TokenTestClock: Sendable {
    private let seconds = Mutex<Int64>(1_700_000_000)

    var now: Int64 { seconds.withLock { $0 } }
    func advance(_ delta: Int64) { seconds.withLock { $0 += delta } }
    var closure: @Sendable () -> Int64 { { [self] in now } }
}

/// Everything the token hook was shown, in order.
final class RevocationLog: Sendable {
    private let state = Mutex<(entries: [TokenEntry], failuresLeft: Int)>(([], 0))

    var entries: [TokenEntry] { state.withLock { $0.entries } }
    var ids: [String] { entries.map(\.id) }
    func failNext(_ count: Int) { state.withLock { $0.failuresLeft = count } }

    func record(_ batch: [TokenEntry]) throws {
        try state.withLock { state in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw HookFailure()
            }
            state.entries += batch
        }
    }

    struct HookFailure: Error {}
}

/// A token store over an unsealed in-memory barrier, with the token backend in front
/// of it and a manual clock.
struct TokenHarness {
    let storage: InMemoryBackend
    let barrier: SecurityBarrier
    let clock: TokenTestClock
    let log: RevocationLog
    let store: TokenStore
    let backend: TokenBackend
    let rootToken: String

    static let unsealKey: [UInt8] = (0..<32).map { UInt8(($0 * 13 + 5) & 0xff) }

    static func make(
        limits: TokenLimits = TokenLimits(),
        sudoPolicies: Set<String> = [],
        existingPolicies: Set<String>? = nil
    ) async throws -> TokenHarness {
        let storage = InMemoryBackend()
        let barrier = SecurityBarrier(storage: storage)
        try await barrier.initialize(unsealKey: unsealKey)
        try await barrier.unseal(unsealKey: unsealKey)
        let clock = TokenTestClock()
        let log = RevocationLog()
        let store = try await TokenStore.load(
            barrier: barrier, now: clock.closure, limits: limits, onRevoke: { try log.record($0) }
        )
        var policyExists: (@Sendable (String) async throws -> Bool)?
        if let known = existingPolicies {
            policyExists = { @Sendable name in known.contains(name) }
        }
        let backend = TokenBackend(
            tokens: store,
            hasSudo: { context, _ in context.isRoot || !sudoPolicies.isDisjoint(with: context.policies) },
            policyExists: policyExists
        )
        let root = try await store.createRootToken().token
        return TokenHarness(
            storage: storage, barrier: barrier, clock: clock, log: log, store: store, backend: backend, rootToken: root
        )
    }

    /// One request as Core would route it: the caller's token is resolved first.
    func call(
        _ operation: CofferLogical.Operation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil
    ) async throws -> Response? {
        let caller = token ?? rootToken
        guard let entry = try await store.lookup(token: caller) else { throw LogicalError.invalidToken }
        let request = Request(
            id: "test", operation: operation, path: path, data: data,
            auth: store.authContext(for: entry), mountPoint: "auth/token/"
        )
        return try await backend.handle(request, clientToken: caller)
    }

    /// `auth/token/create` (or another create path) returning the auth block.
    func create(
        _ data: [String: JSONValue] = [:], path: String = "create", token: String? = nil
    ) async throws -> AuthInfo {
        let response = try await call(.update, path, data, token: token)
        return try #require(response?.auth)
    }

    func lookup(_ token: String) async throws -> TokenEntry? { try await store.lookup(token: token) }

    /// Storage keys under the token store's prefix (plaintext names, as stored).
    func keys(under prefix: String) async throws -> [String] {
        try await storage.list(prefix: prefix)
    }
}

/// The ``LogicalError`` a body throws, or nil when it succeeds.
func logicalError(_ body: () async throws -> Void) async -> LogicalError? {
    do {
        try await body()
        return nil
    } catch let error as LogicalError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite struct TokenHarnessTests {
    @Test func harnessResolvesTheRootToken() async throws {
        let harness = try await TokenHarness.make()
        let root = try #require(try await harness.lookup(harness.rootToken))
        #expect(root.policies == ["root"])
        #expect(harness.rootToken.hasPrefix("hvs."))
        #expect(harness.rootToken.utf8.count == 95)
    }
}
