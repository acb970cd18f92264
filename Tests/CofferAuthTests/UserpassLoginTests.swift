@testable import CofferAuth
import CofferJSON
import CofferLogical
import Testing

@Suite("userpass login")
struct UserpassLoginTests {
    let harness = AuthHarness(UserpassBackend(hashing: cheapHashing), mountPoint: "auth/userpass/")

    @Test func successfulLoginAnswersTheAuthBlock() async throws {
        try await harness.write("users/alice", [
            "password": "correct horse", "token_policies": "dev,ops", "token_ttl": "1h", "token_max_ttl": "2h",
            "token_num_uses": 3, "token_period": 0, "token_type": "service", "token_bound_cidrs": "127.0.0.0/8",
        ])
        let response = try #require(try await harness.write("login/Alice", ["password": "correct horse"]))
        #expect(response.data == nil)
        let auth = try #require(response.auth)
        #expect(auth.clientToken == "" && auth.accessor == "", "Core mints the token")
        #expect(auth.policies == ["default", "dev", "ops"])
        #expect(auth.tokenPolicies == ["default", "dev", "ops"])
        #expect(auth.metadata == ["username": "alice"])
        #expect(auth.leaseDurationSeconds == 3600)
        #expect(auth.renewable)
        #expect(auth.tokenType == "service")
        #expect(auth.orphan)
        #expect(auth.numUses == 3)
        #expect(auth.explicitMaxTTLSeconds == 7200)
        #expect(auth.periodSeconds == 0)
        #expect(auth.boundCIDRs == ["127.0.0.0/8"])
        #expect(auth.displayName == "userpass-alice")
    }

    @Test func noDefaultPolicyAndRootAndExplicitMax() async throws {
        try await harness.write("users/a", ["password": "pw", "token_policies": "x", "token_no_default_policy": true,
                                            "token_explicit_max_ttl": 50, "token_max_ttl": 100])
        let a = try #require(try await harness.write("login/a", ["password": "pw"])?.auth)
        #expect(a.policies == ["x"])
        #expect(a.explicitMaxTTLSeconds == 50, "the smaller of explicit and max")
        #expect(a.tokenType == "default")

        try await harness.write("users/r", ["password": "pw", "token_policies": "root,dev"])
        #expect(try await harness.write("login/r", ["password": "pw"])?.auth?.policies == ["root"])
    }

    @Test func displayNameFollowsTheMount() async throws {
        let other = AuthHarness(UserpassBackend(hashing: cheapHashing), mountPoint: "auth/corp/people/")
        try await other.write("users/zed", ["password": "pw"])
        #expect(try await other.write("login/zed", ["password": "pw"])?.auth?.displayName == "corp-people-zed")
        let bare = AuthHarness(UserpassBackend(hashing: cheapHashing), mountPoint: "")
        try await bare.write("users/zed", ["password": "pw"])
        #expect(try await bare.write("login/zed", ["password": "pw"])?.auth?.displayName == "userpass-zed")
    }

    @Test func wrongPasswordAndUnknownUserFailIdentically() async throws {
        try await harness.write("users/alice", ["password": "right-password"])
        let wrong = try #require(await harness.failure(.update, "login/alice", ["password": "wrong-password"]))
        let unknown = try #require(await harness.failure(.update, "login/mallory", ["password": "wrong-password"]))
        #expect(wrong.code == .invalidRequest)
        #expect(wrong.messages == ["invalid username or password"])
        #expect(unknown.code == wrong.code)
        #expect(unknown.messages == wrong.messages)
        #expect(unknown.data == nil && wrong.data == nil)
        #expect(String(describing: unknown) == String(describing: wrong))
        #expect(!String(describing: wrong).contains("wrong-password"))
    }

    @Test func missingPassword() async throws {
        try await harness.write("users/alice", ["password": "pw"])
        #expect(await harness.failure(.update, "login/alice", [:])?.messages == ["missing password"])
        #expect(await harness.failure(.update, "login/alice", ["password": ""])?.messages == ["missing password"])
        #expect(await harness.failure(.update, "login/nobody", [:])?.messages == ["missing password"])
    }

    @Test func overlongPasswordsAreRefused() async throws {
        let long = String(repeating: "x", count: UserpassBackend.maxPasswordBytes + 1)
        #expect(await harness.failure(.update, "users/alice", ["password": .string(long)])?.code == .invalidRequest)
        try await harness.write("users/alice", ["password": "pw"])
        #expect(await harness.failure(.update, "login/alice", ["password": .string(long)])?.messages == [UserpassBackend.invalidCredentials])
    }

    @Test func boundCIDRsAreCheckedAfterThePassword() async throws {
        try await harness.write("users/alice", ["password": "pw", "token_bound_cidrs": "10.0.0.0/8"])
        #expect(try await harness.write("login/alice", ["password": "pw"], remote: "10.2.3.4")?.auth != nil)
        #expect(await harness.failure(.update, "login/alice", ["password": "pw"], remote: "192.168.0.1")?.code == .permissionDenied)
        #expect(await harness.failure(.update, "login/alice", ["password": "pw"], remote: nil)?.code == .permissionDenied)
        // Without the password the address changes nothing.
        #expect(await harness.failure(.update, "login/alice", ["password": "bad"], remote: "192.168.0.1")?.messages == [UserpassBackend.invalidCredentials])
    }

    @Test func deletedUserCannotLogIn() async throws {
        try await harness.write("users/alice", ["password": "pw"])
        try await harness.send(.delete, "users/alice")
        #expect(await harness.failure(.update, "login/alice", ["password": "pw"])?.messages == [UserpassBackend.invalidCredentials])
    }

    @Test func noPasswordOrHashMaterialLeavesTheBackend() async throws {
        try await harness.write("users/alice", ["password": "hunter2-very-secret"])
        #expect(!harness.storage.dump.contains("hunter2-very-secret"), "stored only as a hash")
        let data = try #require(try await harness.read("users/alice"))
        let user = try UserpassUser(bytes: try #require(harness.storage.raw("user/alice")), key: "user/alice")
        let salt = AuthRecord.base64(user.password.salt).stringValue!
        let hash = AuthRecord.base64(user.password.hash).stringValue!
        let shown = JSONValue.object(data).jsonString
        #expect(!shown.contains(salt) && !shown.contains(hash))
        for text in [String(describing: user.password), String(reflecting: user.password), String(describing: user)] {
            #expect(!text.contains(salt) && !text.contains(hash), "\(text)")
        }
    }

    /// An unknown user must cost what a wrong password costs (the dummy hash). With a
    /// moderately slow hash the hash dominates; without the dummy an unknown user would
    /// answer hundreds of times faster.
    @Test func unknownUserTakesAsLongAsWrongPassword() async throws {
        let hashing = try PasswordHashing(.scrypt(logN: 11, blockSize: 8, parallelism: 1))
        let harness = AuthHarness(UserpassBackend(hashing: hashing), mountPoint: "auth/userpass/")
        try await harness.write("users/alice", ["password": "right-password"])
        var unknown: [Double] = []
        var wrong: [Double] = []
        for round in 0..<15 {
            // Interleave so background load hits both kinds alike.
            let first = await milliseconds { _ = await harness.failure(.update, "login/mallory\(round)", ["password": "guess"]) }
            let second = await milliseconds { _ = await harness.failure(.update, "login/alice", ["password": "guess"]) }
            unknown.append(first)
            wrong.append(second)
        }
        let ratio = median(unknown) / median(wrong)
        #expect(ratio > 1.0 / 3 && ratio < 3, "unknown \(median(unknown)) ms vs wrong password \(median(wrong)) ms")
    }

    @Test func productionParametersOnce() async throws {
        let harness = AuthHarness(UserpassBackend(), mountPoint: "auth/userpass/")
        try await harness.write("users/prod", ["password": "production-password"])
        let record = try AuthRecord(bytes: try #require(harness.storage.raw("user/prod")), key: "user/prod")
        let password = try record.record("password")
        #expect(try password.string("algorithm") == "scrypt")
        #expect(try password.int("log_n") == 15)
        #expect(try password.int("block_size") == 8)
        #expect(try password.int("parallelism") == 1)
        var elapsed = 0.0
        let auth = try await {
            var response: Response?
            elapsed = try await milliseconds { response = try await harness.write("login/prod", ["password": "production-password"]) }
            return response?.auth
        }()
        #expect(auth?.metadata == ["username": "prod"])
        #expect(elapsed > 10, "a production hash is deliberately slow: \(elapsed) ms")
        #expect(await harness.failure(.update, "login/prod", ["password": "nope"])?.messages == [UserpassBackend.invalidCredentials])
    }
}
