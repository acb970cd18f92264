import CofferAuth
import CofferJSON
import CofferLogical
import Testing

@Suite("approle login")
struct AppRoleLoginTests {
    let harness = AppRoleHarness()
    var auth: AuthHarness<AppRoleBackend> { harness.auth }

    @Test func successfulLoginAnswersTheAuthBlock() async throws {
        try await auth.write("role/web", [
            "token_policies": "web", "token_ttl": "20m", "token_max_ttl": "30m", "token_type": "batch",
            "token_bound_cidrs": "127.0.0.0/8",
        ])
        let roleID = try await harness.roleID("web")
        let secret = try await harness.secret("web", ["metadata": #"{"host":"h1","role_name":"spoof"}"#])
        let info = try #require(try await harness.login(roleID, secret.id))
        #expect(info.clientToken == "" && info.accessor == "")
        #expect(info.policies == ["default", "web"])
        #expect(info.tokenPolicies == ["default", "web"])
        #expect(info.metadata == ["role_name": "web", "host": "h1"])
        #expect(info.leaseDurationSeconds == 1200)
        #expect(info.explicitMaxTTLSeconds == 1800)
        #expect(info.tokenType == "batch")
        #expect(info.renewable && info.orphan)
        #expect(info.boundCIDRs == ["127.0.0.0/8"])
        #expect(info.displayName == "approle")
    }

    @Test func unknownRoleIDAndWrongSecretIDAreIndistinguishable() async throws {
        try await auth.write("role/r", [:])
        let roleID = try await harness.roleID("r")
        let secret = try await harness.secret("r")
        let wrongSecret = try #require(await harness.loginFailure(roleID, "00000000-0000-4000-8000-000000000000"))
        let unknownRole = try #require(await harness.loginFailure("not-a-role-id", secret.id))
        let noSecret = try #require(await harness.loginFailure(roleID, nil))
        let noSecretUnknownRole = try #require(await harness.loginFailure("not-a-role-id", nil))
        for error in [wrongSecret, unknownRole, noSecret, noSecretUnknownRole] {
            #expect(error.code == .invalidRequest)
            #expect(error.messages == ["invalid role or secret ID"])
            #expect(error.data == nil)
            #expect(!String(describing: error).contains(secret.id))
        }
        #expect(await auth.failure(.update, "login", [:])?.messages == ["missing role_id"])
    }

    @Test func loginWithoutAnyRoles() async throws {
        #expect(await harness.loginFailure("anything", "anything")?.messages == [AppRoleBackend.invalidCredentials])
        #expect(harness.storage.keys.isEmpty, "a failed login writes nothing")
    }

    @Test func numUsesAreConsumedAndExhaust() async throws {
        try await auth.write("role/r", ["secret_id_num_uses": 2])
        let roleID = try await harness.roleID("r")
        let secret = try await harness.secret("r")
        #expect(try await harness.login(roleID, secret.id) != nil)
        let lookup = try await auth.write("role/r/secret-id/lookup", ["secret_id": .string(secret.id)])?.data
        #expect(lookup?["secret_id_num_uses"] == 1)
        #expect(lookup?["last_updated_time"] != nil)
        #expect(try await harness.login(roleID, secret.id) != nil)
        #expect(await harness.loginFailure(roleID, secret.id)?.messages == [AppRoleBackend.invalidCredentials])
        #expect(harness.storage.keys.allSatisfy { !$0.hasPrefix("secret_id/") && !$0.hasPrefix("accessor/") },
                "the last use deletes the secret ID and its accessor")
    }

    @Test func concurrentLoginsNeverOverspendUses() async throws {
        let harness = AppRoleHarness(yielding: true)
        try await harness.auth.write("role/r", ["secret_id_num_uses": 3])
        let roleID = try await harness.roleID("r")
        let secret = try await harness.secret("r")
        let successes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<12 {
                group.addTask { (try? await harness.login(roleID, secret.id)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(successes == 3)
    }

    @Test func ttlExpiresOnTheManualClock() async throws {
        try await auth.write("role/r", ["secret_id_ttl": "10m"])
        let roleID = try await harness.roleID("r")
        let secret = try await harness.secret("r")
        harness.time.advance(seconds: 599)
        #expect(try await harness.login(roleID, secret.id) != nil)
        harness.time.advance(seconds: 1)
        #expect(await harness.loginFailure(roleID, secret.id)?.messages == [AppRoleBackend.invalidCredentials])
        #expect(harness.storage.keys.allSatisfy { !$0.hasPrefix("secret_id/") && !$0.hasPrefix("accessor/") },
                "an expired secret ID met at login is deleted")
        #expect(try await auth.write("role/r/secret-id/lookup", ["secret_id": .string(secret.id)]) == nil)
    }

    @Test func expiryAlsoHoldsForLimitedUseSecretIDs() async throws {
        try await auth.write("role/r", [:])
        let roleID = try await harness.roleID("r")
        let secret = try await harness.secret("r", ["ttl": 30, "num_uses": 5])
        #expect(try await harness.login(roleID, secret.id) != nil)
        harness.time.advance(seconds: 31)
        #expect(await harness.loginFailure(roleID, secret.id)?.messages == [AppRoleBackend.invalidCredentials])
    }

    @Test func bindSecretIDFalseLogsInWithRoleIDAlone() async throws {
        try await auth.write("role/r", ["bind_secret_id": false, "secret_id_bound_cidrs": "10.0.0.0/8", "token_policies": "p"])
        let roleID = try await harness.roleID("r")
        let info = try #require(try await harness.login(roleID, nil, remote: "10.1.2.3"))
        #expect(info.policies == ["default", "p"])
        #expect(info.metadata == ["role_name": "r"])
        #expect(try await harness.login(roleID, "ignored", remote: "10.1.2.3") != nil)
        let outside = await harness.loginFailure(roleID, nil, remote: "192.168.1.1")
        #expect(outside?.code == .invalidRequest)
        #expect(outside?.messages.first?.contains("unauthorized through CIDR restrictions on the role") == true)
        #expect(await harness.loginFailure("wrong", nil, remote: "10.1.2.3")?.messages == [AppRoleBackend.invalidCredentials])
    }

    @Test func secretIDBoundCIDRsCheckTheRemoteAddress() async throws {
        try await auth.write("role/r", [:])
        let roleID = try await harness.roleID("r")
        let secret = try await harness.secret("r", ["cidr_list": "192.168.0.0/16", "num_uses": 1])
        let refused = await harness.loginFailure(roleID, secret.id, remote: "10.0.0.1")
        #expect(refused?.code == .invalidRequest)
        #expect(refused?.messages == [#"source address "10.0.0.1" unauthorized through CIDR restrictions on the secret ID"#])
        #expect(await harness.loginFailure(roleID, secret.id, remote: nil)?.code == .internalError)
        // The refusals consumed nothing: the single use is still there.
        #expect(try await harness.login(roleID, secret.id, remote: "192.168.4.5:53122") != nil)
        #expect(await harness.loginFailure(roleID, secret.id, remote: "192.168.4.5")?.messages == [AppRoleBackend.invalidCredentials])
    }

    @Test func tokenBoundCIDRsOfSecretIDOverrideTheRoles() async throws {
        try await auth.write("role/r", ["token_bound_cidrs": "10.0.0.0/8"])
        let roleID = try await harness.roleID("r")
        let narrow = try await harness.secret("r", ["token_bound_cidrs": "10.1.0.0/16"])
        let info = try #require(try await harness.login(roleID, narrow.id, remote: "10.1.0.9"))
        #expect(info.boundCIDRs == ["10.1.0.0/16"])
        #expect(await harness.loginFailure(roleID, narrow.id, remote: "10.2.0.9")?.code == .permissionDenied)
        let plain = try await harness.secret("r")
        #expect(try await harness.login(roleID, plain.id, remote: "10.2.0.9")?.boundCIDRs == ["10.0.0.0/8"])
    }

    @Test func roleIDIsTrimmedAndCaseSensitive() async throws {
        try await auth.write("role/r", ["role_id": "CaseSensitive"])
        let secret = try await harness.secret("r")
        #expect(try await harness.login("  CaseSensitive\n", secret.id) != nil)
        #expect(await harness.loginFailure("casesensitive", secret.id)?.messages == [AppRoleBackend.invalidCredentials])
    }

    @Test func deletedRoleSecretIDsDieWithIt() async throws {
        try await auth.write("role/r", [:])
        let roleID = try await harness.roleID("r")
        let secret = try await harness.secret("r")
        try await auth.send(.delete, "role/r")
        try await auth.write("role/r", ["role_id": .string(roleID)])
        #expect(await harness.loginFailure(roleID, secret.id)?.messages == [AppRoleBackend.invalidCredentials])
    }
}
