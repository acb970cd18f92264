import CofferJSON
import CofferLogical
import CofferReplication
import CofferStorage
import Foundation
import Logging
import Synchronization
import Testing
@testable import CofferCore

// MARK: fixtures

/// A replication controller that records what it is asked to forward and answers with
/// `answer` (by default a canned response).
final class RecordingReplicationController: ReplicationController {
    let mode: ReplicationMode
    private let calls = Mutex<[(request: Request, auth: AuthContext?)]>([])
    private let answer: @Sendable (Request, AuthContext?) async throws -> Response?

    static let canned = Response(data: ["forwarded": true, "version": 7])

    init(mode: ReplicationMode = .secondary,
         answer: @escaping @Sendable (Request, AuthContext?) async throws -> Response? = { _, _ in canned }) {
        self.mode = mode
        self.answer = answer
    }

    var forwarded: [(request: Request, auth: AuthContext?)] { calls.withLock { $0 } }

    func handle(_ request: Request) async throws -> Response? { nil }
    func performanceStatus() async -> JSONValue { .null }
    func forward(_ request: Request, auth: AuthContext?) async throws -> Response? {
        calls.withLock { $0.append((request, auth)) }
        return try await answer(request, auth)
    }
    func coreUnsealed() async {}
    func coreSealing() async {}
}

/// Forwards to a primary Core through the wire codecs, then ships the primary's new WAL
/// records to the secondary before answering (what the cluster link does, in-process).
final class LoopbackReplicationController: ReplicationController {
    let mode = ReplicationMode.secondary
    let primary: Core
    private let secondaryCore = Mutex<Core?>(nil)
    private let count = Mutex(0)

    init(primary: Core) { self.primary = primary }

    func attach(_ secondary: Core) { secondaryCore.withLock { $0 = secondary } }
    var forwardCount: Int { count.withLock { $0 } }

    func handle(_ request: Request) async throws -> Response? { nil }
    func performanceStatus() async -> JSONValue { .null }
    func coreUnsealed() async {}
    func coreSealing() async {}

    func forward(_ request: Request, auth: AuthContext?) async throws -> Response? {
        count.withLock { $0 += 1 }
        let (sent, identity) = try ForwardedRequestCodec.decode(ForwardedRequestCodec.encode(request, auth: auth))
        let (response, walIndex) = try await primary.handleForwarded(sent, auth: identity)
        try await sync(through: walIndex)
        return try response.map { try ResponseCodec.decode(ResponseCodec.encode($0)) }
    }

    /// Applies the primary's records the secondary has not applied yet.
    func sync(through index: UInt64? = nil) async throws {
        guard let secondary = secondaryCore.withLock({ $0 }), let log = primary.replicationLog else { return }
        while true {
            let applied = try await secondary.lastRemoteWAL()
            if let index, applied >= index { return }
            guard case .records(let records) = try await log.records(after: applied, limit: 10_000), let last = records.last
            else { return }
            try await secondary.applyReplicated(records, lastRemoteIndex: last.index)
        }
    }
}

/// Signs nothing: `eyJ.<token with dots as underscores>.fake-signature`.
struct FakeWrappingJWTCodec: WrappingTokenCodec {
    static let signature = "fake-signature"

    func encode(tokenID: String, creationTime: Int64, ttl: Int64) throws -> String {
        "eyJ." + tokenID.replacingOccurrences(of: ".", with: "_") + "." + Self.signature
    }

    func decode(_ jwt: String) -> String? {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "eyJ", parts[2] == Self.signature else { return nil }
        return parts[1].replacingOccurrences(of: "_", with: ".")
    }
}

/// A dev-mode Core over in-memory storage (KV v2 at `secret/`) with root token `root`.
struct ReplicationCoreHarness {
    let core: Core
    static let root = "replication-root-token"

    static func make(logMode: ReplicationLog.Mode? = nil) async throws -> ReplicationCoreHarness {
        var logger = Logger(label: "test.replication-core")
        logger.logLevel = .critical
        let core = Core(storage: InMemoryBackend(), logger: logger)
        if let logMode { core.replicationLog?.setMode(logMode) }
        _ = try await core.setUpDevMode(rootTokenID: root)
        return ReplicationCoreHarness(core: core)
    }

    /// Makes this core a performance secondary in front of `controller`.
    func becomeSecondary(_ controller: any ReplicationController) {
        core.replicationLog?.setMode(.secondary)
        core.setReplicationController(controller)
    }

    @discardableResult
    func send(
        _ operation: CofferLogical.Operation, _ path: String, _ data: [String: JSONValue] = [:],
        token: String? = root, wrapTTL: Int64? = nil
    ) async throws -> Response? {
        try await core.handle(
            Request(id: UUID().uuidString, operation: operation, path: path, data: data, wrapTTL: wrapTTL),
            clientToken: token)
    }

    func putPolicy(_ name: String, _ text: String) async throws {
        try await send(.update, "sys/policy/\(name)", ["policy": .string(text)])
    }

    func createToken(policies: [String]) async throws -> String {
        let response = try await send(.update, "auth/token/create", ["policies": JSONValue(policies)])
        return try #require(response?.auth?.clientToken)
    }

    static let writerPolicy = #"path "secret/*" { capabilities = ["create", "update", "read", "list"] }"#
    static let readerPolicy = #"path "secret/*" { capabilities = ["read", "list"] }"#
}

/// Runs `body` and checks it throws a ``LogicalError`` with `code` (and `text` in a message).
func expectLogicalError(
    _ code: LogicalError.Code, _ text: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected a \(code) error, got success", sourceLocation: sourceLocation)
    } catch let error as LogicalError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        if let text {
            #expect(error.messages.contains { $0.contains(text) }, "\(error.messages)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a LogicalError, got \(error)", sourceLocation: sourceLocation)
    }
}

// MARK: secondary

@Suite("Replication in Core: the secondary's side")
struct ReplicationSecondaryTests {
    @Test("a KV write is forwarded with the caller's identity, not stored, and the answer is the primary's")
    func kvWriteForwarded() async throws {
        let h = try await ReplicationCoreHarness.make()
        try await h.putPolicy("writer", ReplicationCoreHarness.writerPolicy)
        let token = try await h.createToken(policies: ["writer"])
        let controller = RecordingReplicationController()
        h.becomeSecondary(controller)

        let answer = try await h.send(.update, "secret/data/app", ["data": ["password": "hunter2"]], token: token)
        #expect(answer?.data?["forwarded"] == true)
        #expect(answer?.mountType == "kv")
        let calls = controller.forwarded
        try #require(calls.count == 1)
        #expect(calls[0].request.path == "secret/data/app")
        #expect(calls[0].request.operation == .update)
        #expect(calls[0].request.data["data"]?["password"] == "hunter2")
        #expect(calls[0].request.wrapTTL == nil)
        #expect(calls[0].request.mountPoint == "")
        #expect(calls[0].request.auth == nil)
        let auth = try #require(calls[0].auth)
        #expect(auth.policies.contains("writer"))
        #expect(!auth.policies.contains("root"))
        // Nothing reached local storage.
        #expect(try await h.send(.read, "secret/data/app") == nil)
        #expect(controller.forwarded.count == 1)
    }

    @Test("reads are served locally")
    func readsLocal() async throws {
        let h = try await ReplicationCoreHarness.make()
        try await h.send(.update, "secret/data/existing", ["data": ["k": "v"]])
        let controller = RecordingReplicationController()
        h.becomeSecondary(controller)

        let read = try await h.send(.read, "secret/data/existing")
        #expect(read?.data?["data"]?["k"] == "v")
        let list = try await h.send(.list, "secret/metadata/")
        #expect(list?.data?["keys"] == ["existing"])
        #expect(controller.forwarded.isEmpty)
    }

    @Test("the ACL is checked before forwarding: a write the caller may not do is 403 and never forwarded")
    func aclBeforeForwarding() async throws {
        let h = try await ReplicationCoreHarness.make()
        try await h.putPolicy("reader", ReplicationCoreHarness.readerPolicy)
        let token = try await h.createToken(policies: ["reader"])
        let controller = RecordingReplicationController()
        h.becomeSecondary(controller)

        await expectLogicalError(.permissionDenied) {
            try await h.send(.update, "secret/data/app", ["data": ["k": "v"]], token: token)
        }
        #expect(controller.forwarded.isEmpty)
    }

    @Test("a forwarded write asked to be wrapped is sent without the wrap TTL and wrapped here, once")
    func forwardedWriteWrappedLocally() async throws {
        let h = try await ReplicationCoreHarness.make()
        let controller = RecordingReplicationController()
        h.becomeSecondary(controller)

        let wrapped = try await h.send(.update, "secret/data/app", ["data": ["k": "v"]], wrapTTL: 300)
        let info = try #require(wrapped?.wrapInfo)
        #expect(wrapped?.data == nil)
        #expect(info.creationPath == "secret/data/app")
        #expect(controller.forwarded.count == 1)
        #expect(controller.forwarded[0].request.wrapTTL == nil)

        let unwrapped = try await h.send(.update, "sys/wrapping/unwrap", ["token": .string(info.token)])
        #expect(unwrapped?.data?["forwarded"] == true)
        #expect(unwrapped?.wrapInfo == nil)
    }

    @Test("policy writes are forwarded; the forwarding error of the primary reaches the client")
    func sysWritesForwarded() async throws {
        let h = try await ReplicationCoreHarness.make()
        let controller = RecordingReplicationController { _, _ in
            throw LogicalError.invalidRequest("refused by the primary")
        }
        h.becomeSecondary(controller)

        await expectLogicalError(.invalidRequest, "refused by the primary") {
            try await h.putPolicy("new", ReplicationCoreHarness.readerPolicy)
        }
        #expect(controller.forwarded.map(\.request.path) == ["sys/policy/new"])
        #expect(controller.forwarded.first?.auth?.isRoot == true)
    }

    @Test("without a controller, or with one that is not a secondary, a replicated write is a 400, not a 500")
    func readOnlyWithoutController() async throws {
        let h = try await ReplicationCoreHarness.make()
        h.core.replicationLog?.setMode(.secondary)
        await expectLogicalError(.invalidRequest, "cannot write to readonly storage") {
            try await h.send(.update, "secret/data/app", ["data": ["k": "v"]])
        }
        let primaryMode = RecordingReplicationController(mode: .primary)
        h.core.setReplicationController(primaryMode)
        await expectLogicalError(.invalidRequest, "cannot write to readonly storage") {
            try await h.putPolicy("p", ReplicationCoreHarness.readerPolicy)
        }
        #expect(primaryMode.forwarded.isEmpty)
    }

    @Test("a local mount can be created, written and read on a secondary; a replicated one cannot be created")
    func mountsOnSecondary() async throws {
        let h = try await ReplicationCoreHarness.make()
        let controller = RecordingReplicationController()
        h.becomeSecondary(controller)

        try await h.send(.update, "sys/mounts/here", ["type": "kv", "local": true, "options": ["version": "2"]])
        try await h.send(.update, "here/data/x", ["data": ["k": "local"]])
        let read = try await h.send(.read, "here/data/x")
        #expect(read?.data?["data"]?["k"] == "local")
        try await h.send(.update, "sys/mounts/here/tune", ["description": "tuned locally"])
        try await h.send(.delete, "sys/mounts/here")
        #expect(controller.forwarded.isEmpty)

        await expectLogicalError(.invalidRequest, "cannot create a non-local mount on a replication secondary") {
            try await h.send(.update, "sys/mounts/shared", ["type": "kv"])
        }
        await expectLogicalError(.invalidRequest, "cannot create a non-local mount on a replication secondary") {
            try await h.send(.update, "sys/auth/approle", ["type": "approle"])
        }
        #expect(controller.forwarded.isEmpty)
        #expect(h.core.active?.mounts.contains { $0.path == "shared/" } == false)
    }

    @Test("disabling or tuning a replicated mount on a secondary is forwarded and changes nothing locally")
    func replicatedMountChangesForwarded() async throws {
        let h = try await ReplicationCoreHarness.make()
        try await h.send(.update, "secret/data/keep", ["data": ["k": "v"]])
        let controller = RecordingReplicationController { _, _ in nil }
        h.becomeSecondary(controller)

        try await h.send(.update, "sys/mounts/secret/tune", ["description": "tuned"])
        try await h.send(.delete, "sys/mounts/secret")
        #expect(controller.forwarded.map(\.request.path) == ["sys/mounts/secret/tune", "sys/mounts/secret"])
        #expect(controller.forwarded.map(\.request.operation) == [.update, .delete])
        let mount = try #require(h.core.active?.mounts.first { $0.path == "secret/" })
        #expect(mount.description != "tuned")
        #expect(try await h.send(.read, "secret/data/keep")?.data?["data"]?["k"] == "v")
    }

    @Test("a token created on a secondary is local and works there")
    func localTokens() async throws {
        let h = try await ReplicationCoreHarness.make()
        try await h.send(.update, "secret/data/existing", ["data": ["k": "v"]])
        try await h.putPolicy("reader", ReplicationCoreHarness.readerPolicy)
        let controller = RecordingReplicationController()
        h.becomeSecondary(controller)

        let token = try await h.createToken(policies: ["reader"])
        let me = try await h.send(.read, "auth/token/lookup-self", token: token)
        #expect(me?.data?["policies"]?.stringArrayValue?.contains("reader") == true)
        #expect(try await h.send(.read, "secret/data/existing", token: token)?.data?["data"]?["k"] == "v")
        try await h.send(.update, "cubbyhole/note", ["n": "1"], token: token)
        #expect(try await h.send(.read, "cubbyhole/note", token: token)?.data?["n"] == "1")
        #expect(controller.forwarded.isEmpty)
    }

    @Test("end to end through a primary: login, write, read-after-write; the token stays local to the secondary")
    func loopbackThroughPrimary() async throws {
        let primary = try await ReplicationCoreHarness.make(logMode: .primary)
        try await primary.putPolicy("writer", ReplicationCoreHarness.writerPolicy)
        try await primary.send(.update, "sys/auth/approle", ["type": "approle"])
        try await primary.send(.update, "auth/approle/role/app", ["token_policies": "writer", "secret_id_num_uses": 3])
        let roleID = try #require(try await primary.send(.read, "auth/approle/role/app/role-id")?.data?["role_id"])
        let secretID = try #require(try await primary.send(.update, "auth/approle/role/app/secret-id")?.data?["secret_id"])

        var logger = Logger(label: "test.replication-core.secondary")
        logger.logLevel = .critical
        let secondary = ReplicationCoreHarness(core: Core(storage: InMemoryBackend(), logger: logger))
        let link = LoopbackReplicationController(primary: primary.core)
        let material = try await primary.core.bootstrapMaterial()
        try await secondary.core.installBootstrap(
            entries: material.entries, rootKey: material.rootKey, devRootToken: material.devRootToken, afterWipe: {})
        secondary.core.setReplicationController(link)
        link.attach(secondary.core)
        try await link.sync()
        #expect(secondary.core.active?.authMounts.contains { $0.path == "approle/" } == true)

        // The login spends a secret-ID use (a replicated write): the primary runs it, and
        // the token is minted here.
        let login = try await secondary.send(.update, "auth/approle/login", ["role_id": roleID, "secret_id": secretID], token: nil)
        let token = try #require(login?.auth?.clientToken)
        #expect(!token.isEmpty)
        #expect(link.forwardCount == 1)
        #expect(login?.auth?.policies.contains("writer") == true)
        #expect(try await secondary.send(.read, "auth/token/lookup-self", token: token)?.data?["policies"] != nil)
        await expectLogicalError(.permissionDenied) {
            try await primary.send(.read, "auth/token/lookup-self", token: token)
        }

        // A write with that token: forwarded, applied on the primary, replicated back
        // before the answer, so the secondary reads its own write.
        try await secondary.send(.update, "secret/data/app", ["data": ["k": "from-secondary"]], token: token)
        #expect(link.forwardCount == 2)
        #expect(try await primary.send(.read, "secret/data/app")?.data?["data"]?["k"] == "from-secondary")
        #expect(try await secondary.send(.read, "secret/data/app", token: token)?.data?["data"]?["k"] == "from-secondary")
    }
}

// MARK: primary

@Suite("Replication in Core: the primary's side (handleForwarded)")
struct ReplicationPrimaryTests {
    static func forwarded(
        _ operation: CofferLogical.Operation, _ path: String, _ data: [String: JSONValue] = [:], wrapTTL: Int64? = nil
    ) -> Request {
        Request(id: UUID().uuidString, operation: operation, path: path, data: data, wrapTTL: wrapTTL)
    }

    static func identity(_ policies: [String]) -> AuthContext {
        AuthContext(accessor: "acc-on-secondary", policies: policies, displayName: "token", tokenID: "salted-id-on-secondary")
    }

    @Test("runs with the given identity; the ACL is this cluster's; the WAL index follows the write")
    func executesWithIdentity() async throws {
        let h = try await ReplicationCoreHarness.make(logMode: .primary)
        try await h.putPolicy("writer", ReplicationCoreHarness.writerPolicy)
        try await h.putPolicy("reader", ReplicationCoreHarness.readerPolicy)
        let before = try #require(h.core.replicationLog?.lastIndex)

        await expectLogicalError(.permissionDenied) {
            _ = try await h.core.handleForwarded(
                Self.forwarded(.update, "secret/data/app", ["data": ["k": "v"]]), auth: Self.identity(["reader"]))
        }
        #expect(h.core.replicationLog?.lastIndex == before)

        let (response, walIndex) = try await h.core.handleForwarded(
            Self.forwarded(.update, "secret/data/app", ["data": ["k": "v"]], wrapTTL: 60), auth: Self.identity(["writer"]))
        #expect(walIndex > before)
        #expect(walIndex == h.core.replicationLog?.lastIndex)
        #expect(response?.wrapInfo == nil)
        #expect(response?.data?["version"] == 1)
        #expect(try await h.send(.read, "secret/data/app")?.data?["data"]?["k"] == "v")

        let (read, _) = try await h.core.handleForwarded(Self.forwarded(.read, "secret/data/app"), auth: Self.identity(["reader"]))
        #expect(read?.data?["data"]?["k"] == "v")
    }

    @Test("without an identity only unauthenticated paths run")
    func anonymous() async throws {
        let h = try await ReplicationCoreHarness.make(logMode: .primary)
        await expectLogicalError(.permissionDenied) {
            _ = try await h.core.handleForwarded(Self.forwarded(.update, "secret/data/app", ["data": ["k": "v"]]), auth: nil)
        }
        await expectLogicalError(.permissionDenied) {
            _ = try await h.core.handleForwarded(Self.forwarded(.read, "nowhere/x"), auth: nil)
        }
    }

    @Test("a forwarded login comes back without a token: the secondary mints it")
    func loginUnminted() async throws {
        let h = try await ReplicationCoreHarness.make(logMode: .primary)
        try await h.send(.update, "sys/auth/approle", ["type": "approle"])
        try await h.send(.update, "auth/approle/role/app", ["token_policies": "writer", "secret_id_num_uses": 2])
        let roleID = try #require(try await h.send(.read, "auth/approle/role/app/role-id")?.data?["role_id"])
        let secretID = try #require(try await h.send(.update, "auth/approle/role/app/secret-id")?.data?["secret_id"])
        let tokensBefore = try await h.send(.list, "auth/token/accessors")?.data?["keys"]?.arrayValue?.count

        let (response, _) = try await h.core.handleForwarded(
            Self.forwarded(.update, "auth/approle/login", ["role_id": roleID, "secret_id": secretID]), auth: nil)
        let auth = try #require(response?.auth)
        #expect(auth.clientToken.isEmpty)
        #expect(auth.policies.contains("writer"))
        #expect(try await h.send(.list, "auth/token/accessors")?.data?["keys"]?.arrayValue?.count == tokensBefore)
    }

    @Test("what is local to each cluster is refused with 400", arguments: [
        ("sys/replication/performance/primary/enable", [String: JSONValue]()),
        ("sys/wrapping/wrap", [:]),
        ("sys/leases/revoke", ["lease_id": "x"]),
        ("sys/rotate", [:]),
        ("cubbyhole/x", ["k": "v"]),
        ("auth/token/create", [:]),
        ("sys/mounts/somewhere", ["type": "kv", "local": true]),
        ("sys/auth/somewhere", ["type": "approle", "local": true]),
    ])
    func localRefused(path: String, data: [String: JSONValue]) async throws {
        let h = try await ReplicationCoreHarness.make(logMode: .primary)
        await expectLogicalError(.invalidRequest, "cannot be forwarded") {
            _ = try await h.core.handleForwarded(Self.forwarded(.update, path, data), auth: Self.identity(["root"]))
        }
    }

    @Test("a mount local to the primary is refused; token roles are forwarded")
    func localMountAndTokenRoles() async throws {
        let h = try await ReplicationCoreHarness.make(logMode: .primary)
        try await h.send(.update, "sys/mounts/mine", ["type": "kv", "local": true])
        await expectLogicalError(.invalidRequest, "cannot be forwarded") {
            _ = try await h.core.handleForwarded(Self.forwarded(.update, "mine/x", ["k": "v"]), auth: Self.identity(["root"]))
        }
        let (_, index) = try await h.core.handleForwarded(
            Self.forwarded(.update, "auth/token/roles/ops", ["allowed_policies": "default"]), auth: Self.identity(["root"]))
        #expect(index > 0)
        #expect(try await h.send(.read, "auth/token/roles/ops") != nil)
    }
}

// MARK: codecs

@Suite("Replication in Core: wire codecs")
struct ReplicationCodecTests {
    @Test("a response round-trips, every member")
    func responseRoundTrip() throws {
        var response = Response(
            data: ["k": "v", "n": 3, "nested": ["a": [1, 2]]], warnings: ["careful"],
            secret: SecretInfo(leaseID: "kv/lease/1", ttlSeconds: 60, renewable: true),
            auth: AuthInfo(
                clientToken: "", accessor: "acc", policies: ["default", "p"], tokenPolicies: ["p"],
                metadata: ["role": "app"], leaseDurationSeconds: 600, renewable: true, entityID: "e",
                tokenType: "batch", orphan: true, numUses: 4, explicitMaxTTLSeconds: 900, periodSeconds: 30,
                boundCIDRs: ["10.0.0.0/8"], displayName: "approle"),
            statusCode: 404, injectDataAtTopLevel: true)
        response.mountType = "approle"
        response.forcedWrapTTL = 120
        response.wrapFormatJWT = true
        response.wrapInfo = WrapInfo(
            token: "hvs.x", accessor: "wacc", ttlSeconds: 120, creationTime: "2024-01-01T00:00:00Z",
            creationPath: "sys/x", wrappedAccessor: "acc")

        let decoded = try ResponseCodec.decode(ResponseCodec.encode(response))
        #expect(decoded.data == response.data)
        #expect(decoded.warnings == response.warnings)
        #expect(decoded.secret == response.secret)
        #expect(decoded.auth == response.auth)
        #expect(decoded.statusCode == 404)
        #expect(decoded.injectDataAtTopLevel)
        #expect(decoded.mountType == "approle")
        #expect(decoded.forcedWrapTTL == 120)
        #expect(decoded.wrapFormatJWT)
        #expect(decoded.wrapInfo == response.wrapInfo)

        let empty = try ResponseCodec.decode(ResponseCodec.encode(Response()))
        #expect(empty.data == nil && empty.auth == nil && empty.secret == nil && empty.wrapInfo == nil)
        #expect(empty.forcedWrapTTL == nil && !empty.wrapFormatJWT && empty.statusCode == nil)
    }

    @Test("a forwarded request and its identity round-trip")
    func requestRoundTrip() throws {
        let request = Request(
            id: "req-1", operation: .patch, path: "secret/data/app", data: ["data": ["k": "v"]], wrapTTL: 30,
            remoteAddress: "192.0.2.7")
        let auth = AuthContext(
            accessor: "acc", policies: ["default", "writer"], metadata: ["user": "bob"], displayName: "userpass-bob",
            tokenID: "salted", entityID: "entity-1")
        let (decoded, identity) = try ForwardedRequestCodec.decode(ForwardedRequestCodec.encode(request, auth: auth))
        #expect(decoded.id == "req-1")
        #expect(decoded.operation == .patch)
        #expect(decoded.path == "secret/data/app")
        #expect(decoded.data == request.data)
        #expect(decoded.wrapTTL == 30)
        #expect(decoded.remoteAddress == "192.0.2.7")
        #expect(decoded.auth == nil)
        #expect(identity == auth)

        let (anonymous, none) = try ForwardedRequestCodec.decode(
            ForwardedRequestCodec.encode(Request(id: "r", operation: .update, path: "auth/approle/login"), auth: nil))
        #expect(none == nil)
        #expect(anonymous.wrapTTL == nil && anonymous.remoteAddress == nil && anonymous.data.isEmpty)

        #expect(try AuthContextCodec.decode(AuthContextCodec.encode(auth)) == auth)
    }

    @Test("malformed input is a WireFormatError, never a trap", arguments: [
        "", "not json", "[]", "{}", #"{"version":2}"#, #"{"version":"1"}"#,
        #"{"version":1,"data":"text"}"#, #"{"version":1,"warnings":[1]}"#, #"{"version":1,"auth":{"accessor":"a"}}"#,
        #"{"version":1,"auth":{"client_token":"t","accessor":"a","metadata":{"k":1}}}"#,
        #"{"version":1,"status_code":42}"#, #"{"version":1,"lease_duration":1.5}"#, #"{"version":1,"auth":[]}"#,
        #"{"version":1,"wrap_info":{"accessor":"a"}}"#, #"{"version":1,"auth":{"client_token":"t","accessor":"a","num_uses":-1}}"#,
    ])
    func malformedResponses(text: String) {
        #expect(throws: WireFormatError.self) { try ResponseCodec.decode(Array(text.utf8)) }
    }

    @Test("malformed forwarded requests are a WireFormatError", arguments: [
        "", "{", #"{"version":1}"#, #"{"version":1,"request":{}}"#,
        #"{"version":1,"request":{"id":"r","operation":"fly","path":"x"}}"#,
        #"{"version":1,"request":{"id":"r","operation":"read","path":""}}"#,
        #"{"version":1,"request":{"id":"r","operation":"read","path":"x","data":[]}}"#,
        #"{"version":1,"request":{"id":"r","operation":"read","path":"x","wrap_ttl":"1m"}}"#,
        #"{"version":1,"request":{"id":"r","operation":"read","path":"x"},"auth":{"accessor":"a"}}"#,
        #"{"version":1,"request":{"id":"r","operation":"read","path":"x"},"auth":{"accessor":"a","policies":"p","token_id":"t"}}"#,
        #"{"version":9,"request":{"id":"r","operation":"read","path":"x"}}"#,
    ])
    func malformedRequests(text: String) {
        #expect(throws: WireFormatError.self) { try ForwardedRequestCodec.decode(Array(text.utf8)) }
    }

    @Test("oversized input is refused before parsing")
    func oversized() {
        let big = [UInt8](repeating: UInt8(ascii: " "), count: AuthContextCodec.maximumBytes + 1)
        let error = #expect(throws: WireFormatError.self) { try AuthContextCodec.decode(big) }
        #expect(error?.code == .tooLarge)
    }

    @Test("a wrapped response stored before this codec still unwraps")
    func storedFormatCompatible() throws {
        let inner = #"{"auth":null,"data":{"k":"v"},"inject_data":false,"lease_duration":0,"lease_id":"","mount_type":"kv","renewable":false,"version":1,"warnings":[]}"#
        let stored = JSONWriter.bytes(["response": .string(inner)])
        let wrapped = try WrappedResponse(storageBytes: stored)
        #expect(wrapped.response.data?["k"] == "v")
        #expect(wrapped.response.mountType == "kv")
        #expect(try WrappedResponse(storageBytes: wrapped.storageBytes).response.data == wrapped.response.data)
        #expect(throws: LogicalError.self) { try WrappedResponse(storageBytes: Array(#"{"response":"{}"}"#.utf8)) }
    }
}

// MARK: JWT wrapping tokens

@Suite("Replication in Core: JWT-format wrapping tokens")
struct WrappingJWTTests {
    /// Wraps `data` as the pipeline does for a response that asks for the JWT format.
    static func wrapJWT(_ core: Core, _ data: [String: JSONValue]) async throws -> Response {
        var response = Response(data: data)
        response.wrapFormatJWT = true
        let active = try #require(core.active)
        return try await core.wrapResponse(
            response, ttl: 600, context: RequestContext(request: Request(id: "r", operation: .update, path: "sys/replication/x")),
            active: active)
    }

    @Test("wrap_info.token is the codec's JWT; lookup and unwrap accept it, in the body or as the caller's token")
    func jwtWrapping() async throws {
        let h = try await ReplicationCoreHarness.make()
        h.core.setWrappingTokenCodec(FakeWrappingJWTCodec())

        let wrapped = try await Self.wrapJWT(h.core, ["bundle": "secret-material"])
        let jwt = try #require(wrapped.wrapInfo?.token)
        #expect(jwt.hasPrefix("eyJ.hvs_"))
        #expect(jwt.hasSuffix("." + FakeWrappingJWTCodec.signature))
        #expect(wrapped.warnings.isEmpty)

        let lookup = try await h.send(.update, "sys/wrapping/lookup", ["token": .string(jwt)], token: nil)
        #expect(lookup?.data?["creation_ttl"] == 600)
        #expect(lookup?.data?["creation_path"] == "sys/replication/x")

        let unwrapped = try await h.send(.update, "sys/wrapping/unwrap", ["token": .string(jwt)])
        #expect(unwrapped?.data?["bundle"] == "secret-material")
        await expectLogicalError(.invalidRequest, "wrapping token is not valid or does not exist") {
            try await h.send(.update, "sys/wrapping/unwrap", ["token": .string(jwt)])
        }

        // As the caller's own token.
        let second = try #require(try await Self.wrapJWT(h.core, ["n": 2]).wrapInfo?.token)
        let own = try await h.send(.update, "sys/wrapping/unwrap", token: second)
        #expect(own?.data?["n"] == 2)
    }

    @Test("a JWT the codec does not verify is not a wrapping token")
    func forgedJWT() async throws {
        let h = try await ReplicationCoreHarness.make()
        h.core.setWrappingTokenCodec(FakeWrappingJWTCodec())
        let jwt = try #require(try await Self.wrapJWT(h.core, ["k": "v"]).wrapInfo?.token)
        let forged = jwt.replacingOccurrences(of: FakeWrappingJWTCodec.signature, with: "forged-signature")

        await expectLogicalError(.invalidRequest, "wrapping token is not valid or does not exist") {
            try await h.send(.update, "sys/wrapping/lookup", ["token": .string(forged)], token: nil)
        }
        await expectLogicalError(.invalidRequest, "wrapping token is not valid or does not exist") {
            try await h.send(.update, "sys/wrapping/unwrap", ["token": .string(forged)])
        }
        await expectLogicalError(.permissionDenied) {
            try await h.send(.update, "sys/wrapping/unwrap", token: forged)
        }
        // The real one is still unspent.
        #expect(try await h.send(.update, "sys/wrapping/unwrap", ["token": .string(jwt)])?.data?["k"] == "v")
    }

    @Test("without a codec the default format is used, with a warning; ordinary wrapping never yields a JWT")
    func withoutCodec() async throws {
        let h = try await ReplicationCoreHarness.make()
        let wrapped = try await Self.wrapJWT(h.core, ["k": "v"])
        let token = try #require(wrapped.wrapInfo?.token)
        #expect(token.hasPrefix("hvs."))
        #expect(!Core.isJWTShaped(token))
        #expect(wrapped.warnings.count == 1)

        h.core.setWrappingTokenCodec(FakeWrappingJWTCodec())
        let ordinary = try await h.send(.update, "sys/wrapping/wrap", ["k": "v"], wrapTTL: 60)
        #expect(ordinary?.wrapInfo?.token.hasPrefix("hvs.") == true)
    }
}
