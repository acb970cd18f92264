@testable import CofferAuth
import CofferJSON
import CofferLogical
import Testing

@Suite("userpass users")
struct UserpassUserTests {
    let harness = AuthHarness(UserpassBackend(hashing: cheapHashing), mountPoint: "auth/userpass/")

    @Test func createReadListDelete() async throws {
        #expect(try await harness.write("users/Alice", ["password": "s3cret-pw", "token_policies": "dev, Ops,dev"]) == nil)
        let data = try #require(try await harness.read("users/alice"))
        #expect(data["token_policies"] == JSONValue(["dev", "ops"]))
        #expect(data["token_ttl"] == 0)
        #expect(data["token_type"] == "default")
        #expect(data["token_bound_cidrs"] == JSONValue([String]()))
        #expect(data["token_no_default_policy"] == false)
        #expect(data["password"] == nil)
        #expect(data["policies"] == nil, "legacy names show only when written")

        try await harness.write("users/bob", ["password": "other-pw"])
        let list = try #require(try await harness.send(.list, "users"))
        #expect(list.data?["keys"] == JSONValue(["alice", "bob"]))
        #expect(try await harness.send(.list, "users/")?.data?["keys"] == JSONValue(["alice", "bob"]))

        #expect(try await harness.send(.delete, "users/ALICE") == nil)
        #expect(try await harness.read("users/alice") == nil)
        #expect(try await harness.send(.list, "users")?.data?["keys"] == JSONValue(["bob"]))
        try await harness.send(.delete, "users/bob")
        #expect(try await harness.send(.list, "users") == nil, "an empty list is 404")
    }

    @Test func everyTokenFieldRoundTrips() async throws {
        try await harness.write("users/carol", [
            "password": "pw", "token_policies": ["a", "b"], "token_ttl": "1h", "token_max_ttl": 7200,
            "token_explicit_max_ttl": "3h", "token_period": "30m", "token_num_uses": 5,
            "token_no_default_policy": true, "token_type": "service", "token_bound_cidrs": "10.0.0.0/8, 192.168.1.7",
        ])
        let data = try #require(try await harness.read("users/carol"))
        #expect(data["token_ttl"] == 3600)
        #expect(data["token_max_ttl"] == 7200)
        #expect(data["token_explicit_max_ttl"] == 10800)
        #expect(data["token_period"] == 1800)
        #expect(data["token_num_uses"] == 5)
        #expect(data["token_no_default_policy"] == true)
        #expect(data["token_type"] == "service")
        #expect(data["token_bound_cidrs"] == JSONValue(["10.0.0.0/8", "192.168.1.7"]))
    }

    @Test func updateKeepsUnmentionedFieldsAndThePassword() async throws {
        try await harness.write("users/dave", ["password": "first-pw", "token_policies": "dev", "token_ttl": 60])
        try await harness.write("users/dave", ["token_ttl": 120])
        let data = try #require(try await harness.read("users/dave"))
        #expect(data["token_ttl"] == 120)
        #expect(data["token_policies"] == JSONValue(["dev"]))
        #expect(try await harness.write("login/dave", ["password": "first-pw"])?.auth != nil)
    }

    @Test func legacyNamesAreAcceptedAndEchoed() async throws {
        try await harness.write("users/erin", ["password": "pw", "policies": "web", "ttl": "10m", "bound_cidrs": "10.1.0.0/16"])
        var data = try #require(try await harness.read("users/erin"))
        #expect(data["policies"] == JSONValue(["web"]))
        #expect(data["token_policies"] == JSONValue(["web"]))
        #expect(data["ttl"] == 600)
        #expect(data["bound_cidrs"] == JSONValue(["10.1.0.0/16"]))
        try await harness.write("users/erin", ["token_policies": "db"])
        data = try #require(try await harness.read("users/erin"))
        #expect(data["policies"] == nil, "writing the new name retires the legacy one")
        #expect(data["token_policies"] == JSONValue(["db"]))
        let both = await harness.failure(.update, "users/erin", ["policies": "a", "token_policies": "b"])
        #expect(both?.code == .invalidRequest)
    }

    @Test func createNeedsAPassword() async throws {
        let error = await harness.failure(.update, "users/frank", ["token_policies": "dev"])
        #expect(error?.code == .invalidRequest)
        #expect(error?.messages == ["missing password"])
        #expect(try await harness.read("users/frank") == nil)
        let hashError = await harness.failure(.update, "users/frank", ["password_hash": "$2a$10$abc"])
        #expect(hashError?.code == .invalidRequest)
    }

    @Test(arguments: [
        ["token_type": JSONValue("weird")],
        ["token_ttl": "2h", "token_max_ttl": "1h"],
        ["token_num_uses": -1],
        ["token_type": "batch", "token_period": "1h"],
        ["token_type": "batch", "token_num_uses": 3],
        ["token_bound_cidrs": "10.0.0.0/33"],
        ["token_bound_cidrs": "not-an-ip"],
        ["token_ttl": "soon"],
    ] as [[String: JSONValue]])
    func invalidTokenSettingsAre400(_ fields: [String: JSONValue]) async throws {
        var body = fields
        body["password"] = "pw"
        let error = await harness.failure(.update, "users/gina", body)
        #expect(error?.code == .invalidRequest)
        #expect(try await harness.read("users/gina") == nil, "nothing is stored on a bad write")
    }

    @Test func invalidTokenTypeSaysUnsupported() async throws {
        let error = await harness.failure(.update, "users/gina", ["password": "pw", "token_type": "weird"])
        #expect(error?.messages.first?.contains("unsupported token_type") == true)
    }

    @Test func passwordEndpointReplacesTheHash() async throws {
        try await harness.write("users/hank", ["password": "old-pw"])
        let before = try #require(harness.storage.raw("user/hank"))
        #expect(try await harness.write("users/hank/password", ["password": "new-pw"]) == nil)
        #expect(harness.storage.raw("user/hank") != before)
        #expect(await harness.failure(.update, "login/hank", ["password": "old-pw"])?.messages == [UserpassBackend.invalidCredentials])
        #expect(try await harness.write("login/hank", ["password": "new-pw"])?.auth != nil)

        #expect(await harness.failure(.update, "users/hank/password", [:])?.messages == ["missing password"])
        #expect(await harness.failure(.update, "users/nobody/password", ["password": "x"])?.messages == ["username does not exist"])
    }

    @Test func policiesEndpointChangesOnlyPolicies() async throws {
        try await harness.write("users/ivy", ["password": "pw", "token_policies": "a", "token_ttl": 300])
        #expect(try await harness.write("users/ivy/policies", ["token_policies": "b,c", "token_ttl": 5]) == nil)
        let data = try #require(try await harness.read("users/ivy"))
        #expect(data["token_policies"] == JSONValue(["b", "c"]))
        #expect(data["token_ttl"] == 300, "the policies path ignores other members")
        try await harness.write("users/ivy/policies", ["policies": "legacy"])
        #expect(try await harness.read("users/ivy")?["policies"] == JSONValue(["legacy"]))
        #expect(await harness.failure(.update, "users/nobody/policies", ["token_policies": "a"])?.code == .invalidRequest)
        #expect(await harness.failure(.update, "users/ivy/policies", [:])?.code == .invalidRequest)
    }

    @Test func existsDrivesCreateVersusUpdate() async throws {
        let request = Request(id: "t", operation: .update, path: "users/jo", mountPoint: "auth/userpass/")
        #expect(try await harness.backend.exists(request, storage: harness.storage) == false)
        try await harness.write("users/jo", ["password": "pw"])
        #expect(try await harness.backend.exists(request, storage: harness.storage) == true)
        let login = Request(id: "t", operation: .update, path: "login/jo", mountPoint: "auth/userpass/")
        #expect(try await harness.backend.exists(login, storage: harness.storage) == nil)
    }

    @Test func unknownPathsAndOperations() async throws {
        #expect(await harness.failure(.read, "nope")?.code == .notFound)
        #expect(await harness.failure(.read, "users/bad name")?.code == .notFound)
        #expect(await harness.failure(.read, "users/-leading")?.code == .notFound)
        #expect(await harness.failure(.read, "users/a/b/c")?.code == .notFound)
        #expect(await harness.failure(.read, "login/alice")?.code == .unsupportedOperation)
        #expect(await harness.failure(.read, "users")?.code == .unsupportedOperation)
        #expect(await harness.failure(.list, "users/alice")?.code == .unsupportedOperation)
        #expect(await harness.failure(.read, "users/alice/password")?.code == .unsupportedOperation)
    }

    @Test func emailStyleNamesAreAllowed() async throws {
        try await harness.write("users/Ops.Team@Example.com", ["password": "pw"])
        #expect(try await harness.send(.list, "users")?.data?["keys"] == JSONValue(["ops.team@example.com"]))
    }

    @Test func unauthenticatedPathsAreJustLogin() {
        #expect(harness.backend.unauthenticatedPaths == ["login/*"])
        #expect(harness.backend.isUnauthenticated("login/alice"))
        #expect(!harness.backend.isUnauthenticated("users/alice"))
    }

    @Test func concurrentUpdatesToOneUserAreNotLost() async throws {
        let harness = AuthHarness(UserpassBackend(hashing: cheapHashing), mountPoint: "auth/userpass/", yielding: true)
        try await harness.write("users/kim", ["password": "pw"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await harness.write("users/kim/policies", ["token_policies": "p1"]) }
            group.addTask { try await harness.write("users/kim/password", ["password": "pw2"]) }
            try await group.waitForAll()
        }
        #expect(try await harness.read("users/kim")?["token_policies"] == JSONValue(["p1"]))
        #expect(try await harness.write("login/kim", ["password": "pw2"])?.auth != nil)
    }
}
