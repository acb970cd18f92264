import CofferAuth
import CofferJSON
import CofferLogical
import Testing

@Suite("approle roles")
struct AppRoleRoleTests {
    let harness = AppRoleHarness()
    var auth: AuthHarness<AppRoleBackend> { harness.auth }

    @Test func lifecycle() async throws {
        #expect(try await auth.send(.list, "role") == nil, "no roles: 404")
        #expect(try await auth.write("role/Web", ["token_policies": "web,db", "secret_id_ttl": "10m", "secret_id_num_uses": 5]) == nil)
        let data = try #require(try await auth.read("role/web"))
        #expect(data["bind_secret_id"] == true)
        #expect(data["secret_id_ttl"] == 600)
        #expect(data["secret_id_num_uses"] == 5)
        #expect(data["secret_id_bound_cidrs"] == JSONValue([String]()))
        #expect(data["local_secret_ids"] == false)
        #expect(data["token_policies"] == JSONValue(["db", "web"]))
        #expect(data["token_type"] == "default")
        #expect(data["role_id"] == nil, "role-id has its own path")

        try await auth.write("role/api", ["policies": "api", "period": "1h"])
        let api = try #require(try await auth.read("role/api"))
        #expect(api["policies"] == JSONValue(["api"]))
        #expect(api["period"] == 3600)
        #expect(api["token_period"] == 3600)
        #expect(try await auth.send(.list, "role")?.data?["keys"] == JSONValue(["api", "web"]))
        #expect(try await auth.send(.list, "role/")?.data?["keys"] == JSONValue(["api", "web"]))

        #expect(try await auth.send(.delete, "role/web") == nil)
        #expect(try await auth.read("role/web") == nil)
        #expect(try await auth.send(.delete, "role/web") == nil, "idempotent")
        #expect(try await auth.send(.list, "role")?.data?["keys"] == JSONValue(["api"]))
    }

    @Test func updateKeepsUnmentionedFieldsAndRoleID() async throws {
        try await auth.write("role/r", ["token_ttl": "5m", "secret_id_num_uses": 2])
        let roleID = try await harness.roleID("r")
        try await auth.write("role/r", ["token_ttl": "6m"])
        let data = try #require(try await auth.read("role/r"))
        #expect(data["token_ttl"] == 360)
        #expect(data["secret_id_num_uses"] == 2)
        #expect(try await harness.roleID("r") == roleID)
    }

    @Test func roleIDReadAndSet() async throws {
        try await auth.write("role/r", [:])
        let generated = try await harness.roleID("r")
        #expect(generated.count == 36, "a UUID")
        #expect(try await auth.write("role/r/role-id", ["role_id": "my-custom-role-id"]) == nil)
        #expect(try await harness.roleID("r") == "my-custom-role-id")

        let secret = try await harness.secret("r")
        #expect(await harness.loginFailure(generated, secret.id)?.messages == [AppRoleBackend.invalidCredentials])
        #expect(try await harness.login("my-custom-role-id", secret.id) != nil)

        try await auth.write("role/other", ["role_id": "other-id"])
        #expect(try await harness.roleID("other") == "other-id")
        #expect(await auth.failure(.update, "role/r/role-id", ["role_id": "other-id"])?.messages == ["role_id already in use"])
        #expect(await auth.failure(.update, "role/fresh", ["role_id": "other-id"])?.messages == ["role_id already in use"])
        #expect(try await auth.read("role/fresh") == nil)
        #expect(await auth.failure(.update, "role/r/role-id", [:])?.messages == ["missing role_id"])
        #expect(await auth.failure(.update, "role/ghost/role-id", ["role_id": "x"])?.code == .invalidRequest)
        #expect(try await auth.read("role/ghost/role-id") == nil)
    }

    @Test func deleteRemovesIndexAndSecretIDs() async throws {
        try await auth.write("role/r", [:])
        let roleID = try await harness.roleID("r")
        _ = try await harness.secret("r")
        _ = try await harness.secret("r")
        try await auth.send(.delete, "role/r")
        #expect(harness.storage.keys == ["salt"], "\(harness.storage.keys)")
        // A new role of the same name must not inherit anything.
        try await auth.write("role/r", ["role_id": .string(roleID)])
        #expect(try await auth.send(.list, "role/r/secret-id") == nil)
    }

    @Test func bindSecretIDOffNeedsAnotherConstraint() async throws {
        let error = await auth.failure(.update, "role/r", ["bind_secret_id": false])
        #expect(error?.messages == ["at least one constraint should be enabled on the role"])
        try await auth.write("role/r", ["bind_secret_id": false, "secret_id_bound_cidrs": "10.0.0.0/8"])
        #expect(try await auth.read("role/r")?["bind_secret_id"] == false)
    }

    @Test(arguments: [
        ["token_type": JSONValue("bogus")],
        ["secret_id_num_uses": -1],
        ["secret_id_bound_cidrs": "1.2.3.4/40"],
        ["local_secret_ids": true],
        ["token_ttl": "2h", "token_max_ttl": "1h"],
        ["policies": "a", "token_policies": "b"],
    ] as [[String: JSONValue]])
    func invalidRoleWritesAre400(_ body: [String: JSONValue]) async throws {
        #expect(await auth.failure(.update, "role/r", body)?.code == .invalidRequest)
        #expect(try await auth.read("role/r") == nil)
    }

    @Test func unsupportedTokenTypeMessage() async throws {
        let error = await auth.failure(.update, "role/r", ["token_type": "bogus"])
        #expect(error?.messages.first?.contains("unsupported token_type") == true)
    }

    @Test func pathsAndOperations() async throws {
        #expect(await auth.failure(.read, "role/bad@name")?.code == .notFound)
        #expect(await auth.failure(.read, "roles")?.code == .notFound)
        #expect(await auth.failure(.read, "role/r/unknown")?.code == .notFound)
        #expect(await auth.failure(.read, "login")?.code == .unsupportedOperation)
        #expect(await auth.failure(.read, "role")?.code == .unsupportedOperation)
        #expect(await auth.failure(.delete, "role/r/role-id")?.code == .unsupportedOperation)
        #expect(auth.backend.unauthenticatedPaths == ["login"])
        #expect(auth.backend.isUnauthenticated("login"))
        #expect(!auth.backend.isUnauthenticated("login/x"))
        let request = Request(id: "t", operation: .update, path: "role/r", mountPoint: "auth/approle/")
        #expect(try await auth.backend.exists(request, storage: harness.storage) == false)
        try await auth.write("role/r", [:])
        #expect(try await auth.backend.exists(request, storage: harness.storage) == true)
    }

    @Test func storedKeysHoldNoRoleIDs() async throws {
        try await auth.write("role/r", ["role_id": "visible-role-id"])
        #expect(!harness.storage.keys.joined().contains("visible-role-id"))
    }

    @Test func concurrentCustomRoleIDsCannotBothWin() async throws {
        let harness = AppRoleHarness(yielding: true)
        try await harness.auth.write("role/a", [:])
        try await harness.auth.write("role/b", [:])
        await withTaskGroup(of: Void.self) { group in
            for role in ["a", "b"] {
                group.addTask { _ = try? await harness.auth.write("role/\(role)/role-id", ["role_id": "contested"]) }
            }
        }
        let a = try await harness.roleID("a")
        let b = try await harness.roleID("b")
        #expect([a, b].filter { $0 == "contested" }.count == 1, "exactly one role holds the contested role ID")
    }
}
