@testable import CofferAuth
import CofferJSON
import CofferLogical
import Testing

@Suite("approle secret IDs")
struct AppRoleSecretIDTests {
    let harness = AppRoleHarness()
    var auth: AuthHarness<AppRoleBackend> { harness.auth }

    @Test func generateAnswersVaultsFields() async throws {
        try await auth.write("role/r", ["secret_id_ttl": 600, "secret_id_num_uses": 50])
        let data = try await harness.generate("r")
        #expect(Set(data.keys) == ["secret_id", "secret_id_accessor", "secret_id_ttl", "secret_id_num_uses"])
        #expect(data["secret_id_ttl"] == 600)
        #expect(data["secret_id_num_uses"] == 50)
        let id = try #require(data["secret_id"]?.stringValue)
        let accessor = try #require(data["secret_id_accessor"]?.stringValue)
        #expect(id.count == 36 && accessor.count == 36 && id != accessor)
        #expect(!harness.storage.dump.contains(id), "the secret ID is stored only as a MAC")
        #expect(!harness.storage.keys.joined().contains(accessor))
    }

    @Test func lookupAndDestroyByValue() async throws {
        try await auth.write("role/r", ["secret_id_ttl": "1h"])
        let secret = try await harness.secret("r", ["metadata": #"{"team":"blue"}"#, "cidr_list": "127.0.0.0/8"])
        let data = try #require(try await auth.write("role/r/secret-id/lookup", ["secret_id": .string(secret.id)])?.data)
        #expect(data["secret_id_accessor"] == .string(secret.accessor))
        #expect(data["secret_id_num_uses"] == 0)
        #expect(data["secret_id_ttl"] == 3600)
        #expect(data["metadata"] == JSONValue(["team": "blue"]))
        #expect(data["cidr_list"] == JSONValue(["127.0.0.0/8"]))
        #expect(data["token_bound_cidrs"] == JSONValue([String]()))
        #expect(data["creation_time"] == "2023-11-14T22:13:20.25Z")
        #expect(data["last_updated_time"] == "2023-11-14T22:13:20.25Z")
        #expect(data["expiration_time"] == "2023-11-14T23:13:20.25Z")
        #expect(data["secret_id"] == nil)

        #expect(try await auth.write("role/r/secret-id/lookup", ["secret_id": "not-a-secret"]) == nil)
        #expect(try await auth.write("role/r/secret-id/destroy", ["secret_id": .string(secret.id)]) == nil)
        #expect(try await auth.write("role/r/secret-id/lookup", ["secret_id": .string(secret.id)]) == nil)
        #expect(try await auth.write("role/r/secret-id/destroy", ["secret_id": .string(secret.id)]) == nil, "idempotent")
        #expect(harness.storage.keys.allSatisfy { !$0.hasPrefix("secret_id/") && !$0.hasPrefix("accessor/") })
        #expect(await auth.failure(.update, "role/r/secret-id/lookup", [:])?.messages == ["missing secret_id"])
    }

    @Test func destroyByValueAlsoAcceptsDelete() async throws {
        try await auth.write("role/r", [:])
        let secret = try await harness.secret("r")
        #expect(try await auth.send(.delete, "role/r/secret-id/destroy", ["secret_id": .string(secret.id)]) == nil)
        #expect(try await auth.send(.list, "role/r/secret-id") == nil)
    }

    @Test func lookupAndDestroyByAccessor() async throws {
        try await auth.write("role/r", [:])
        let secret = try await harness.secret("r")
        let data = try #require(try await auth.write("role/r/secret-id-accessor/lookup", ["secret_id_accessor": .string(secret.accessor)])?.data)
        #expect(data["secret_id_accessor"] == .string(secret.accessor))
        #expect(data["expiration_time"] == "0001-01-01T00:00:00Z", "no TTL: Go's zero time")

        let unknown = await auth.failure(.update, "role/r/secret-id-accessor/lookup", ["secret_id_accessor": .string(secret.id)])
        #expect(unknown?.code == .notFound)
        #expect(unknown.map { !String(describing: $0).contains(secret.id) } == true, "the value is not echoed")

        #expect(try await auth.write("role/r/secret-id-accessor/destroy", ["secret_id_accessor": .string(secret.accessor)]) == nil)
        #expect(await harness.loginFailure(try await harness.roleID("r"), secret.id)?.messages == [AppRoleBackend.invalidCredentials])
        #expect(await auth.failure(.update, "role/r/secret-id-accessor/destroy", ["secret_id_accessor": .string(secret.accessor)])?.code == .notFound)
        #expect(await auth.failure(.update, "role/r/secret-id-accessor/lookup", [:])?.messages == ["missing secret_id_accessor"])
    }

    @Test func listGivesAccessorsOfLiveSecretIDs() async throws {
        try await auth.write("role/r", [:])
        #expect(try await auth.send(.list, "role/r/secret-id") == nil)
        let a = try await harness.secret("r")
        let b = try await harness.secret("r", ["ttl": 60])
        let keys = try #require(try await auth.send(.list, "role/r/secret-id/")?.data?["keys"]?.stringArrayValue)
        #expect(keys == [a.accessor, b.accessor].sorted())
        harness.time.advance(seconds: 61)
        #expect(try await auth.send(.list, "role/r/secret-id")?.data?["keys"] == JSONValue([a.accessor]))
        #expect(await auth.failure(.list, "role/ghost/secret-id")?.code == .invalidRequest)
    }

    @Test func customSecretID() async throws {
        try await auth.write("role/r", ["secret_id_num_uses": 3])
        let data = try #require(try await auth.write("role/r/custom-secret-id", ["secret_id": "my-own-secret-value"])?.data)
        #expect(data["secret_id"] == "my-own-secret-value")
        #expect(data["secret_id_num_uses"] == 3)
        #expect(await auth.failure(.update, "role/r/custom-secret-id", ["secret_id": "my-own-secret-value"])?.messages == ["SecretID is already registered"])
        #expect(await auth.failure(.update, "role/r/custom-secret-id", [:])?.messages == ["missing secret_id"])
        #expect(try await harness.login(try await harness.roleID("r"), "my-own-secret-value") != nil)
        #expect(!harness.storage.dump.contains("my-own-secret-value"))
    }

    @Test func requestedLimitsMayOnlyNarrowTheRole() async throws {
        try await auth.write("role/r", ["secret_id_ttl": 600, "secret_id_num_uses": 5])
        let narrow = try await harness.generate("r", ["ttl": 60, "num_uses": 2])
        #expect(narrow["secret_id_ttl"] == 60 && narrow["secret_id_num_uses"] == 2)
        #expect(await auth.failure(.update, "role/r/secret-id", ["ttl": 601])?.messages == ["ttl cannot be longer than the role's secret_id_ttl"])
        #expect(await auth.failure(.update, "role/r/secret-id", ["ttl": 0])?.code == .invalidRequest)
        #expect(await auth.failure(.update, "role/r/secret-id", ["num_uses": 6])?.messages == ["num_uses cannot be higher than the role's secret_id_num_uses"])
        #expect(await auth.failure(.update, "role/r/secret-id", ["num_uses": 0])?.code == .invalidRequest)
        #expect(await auth.failure(.update, "role/r/secret-id", ["num_uses": -1])?.code == .invalidRequest)

        try await auth.write("role/open", [:])
        let free = try await harness.generate("open", ["ttl": "2h", "num_uses": 9])
        #expect(free["secret_id_ttl"] == 7200 && free["secret_id_num_uses"] == 9)
    }

    @Test func secretIDCIDRsMustLieInsideTheRoles() async throws {
        try await auth.write("role/r", ["secret_id_bound_cidrs": "10.0.0.0/8", "token_bound_cidrs": "10.1.0.0/16"])
        _ = try await harness.generate("r", ["cidr_list": "10.5.0.0/16,10.9.9.9", "token_bound_cidrs": "10.1.2.0/24"])
        #expect(await auth.failure(.update, "role/r/secret-id", ["cidr_list": "11.0.0.0/8"])?.code == .invalidRequest)
        #expect(await auth.failure(.update, "role/r/secret-id", ["cidr_list": "0.0.0.0/0"])?.code == .invalidRequest)
        #expect(await auth.failure(.update, "role/r/secret-id", ["token_bound_cidrs": "10.2.0.0/16"])?.code == .invalidRequest)
        #expect(await auth.failure(.update, "role/r/secret-id", ["cidr_list": "garbage"])?.code == .invalidRequest)
    }

    @Test func metadataForms() async throws {
        try await auth.write("role/r", [:])
        _ = try await harness.generate("r", ["metadata": ["k": "v"]])
        _ = try await harness.generate("r", ["metadata": ""])
        #expect(await auth.failure(.update, "role/r/secret-id", ["metadata": "{not json"])?.code == .invalidRequest)
        #expect(await auth.failure(.update, "role/r/secret-id", ["metadata": #"{"k":{"nested":1}}"#])?.code == .invalidRequest)
        #expect(await auth.failure(.update, "role/r/secret-id", ["metadata": "[1]"])?.code == .invalidRequest)
    }

    @Test func noSecretIDsWithoutBindSecretIDOrRole() async throws {
        try await auth.write("role/r", ["bind_secret_id": false, "token_bound_cidrs": "127.0.0.1/32"])
        #expect(await auth.failure(.update, "role/r/secret-id", [:])?.messages == ["bind_secret_id is not set on the role"])
        #expect(await auth.failure(.update, "role/ghost/secret-id", [:])?.messages == ["role \"ghost\" does not exist"])
        #expect(await auth.failure(.update, "role/ghost/secret-id/lookup", ["secret_id": "x"])?.code == .invalidRequest)
    }

    @Test func secretIDsAreScopedToTheirRole() async throws {
        try await auth.write("role/a", [:])
        try await auth.write("role/b", [:])
        let secret = try await harness.secret("a")
        #expect(try await auth.write("role/b/secret-id/lookup", ["secret_id": .string(secret.id)]) == nil)
        #expect(await harness.loginFailure(try await harness.roleID("b"), secret.id)?.messages == [AppRoleBackend.invalidCredentials])
        #expect(await auth.failure(.update, "role/b/secret-id-accessor/lookup", ["secret_id_accessor": .string(secret.accessor)])?.code == .notFound)
    }

    @Test func tidyRemovesExpiredAndDangling() async throws {
        try await auth.write("role/r", [:])
        let keep = try await harness.secret("r")
        _ = try await harness.secret("r", ["ttl": 10])
        harness.storage.plant("accessor/r/" + String(repeating: "0", count: 64), #"{"format":1,"secret_id_mac":"\#(String(repeating: "a", count: 64))"}"#)
        harness.storage.plant("secret_id/gone/" + String(repeating: "b", count: 64), "{}")
        harness.time.advance(seconds: 11)
        let response = try #require(try await auth.write("tidy/secret-id"))
        #expect(response.statusCode == 202)
        let secretKeys = harness.storage.keys.filter { $0.hasPrefix("secret_id/") }
        let accessorKeys = harness.storage.keys.filter { $0.hasPrefix("accessor/") }
        #expect(secretKeys.count == 1 && accessorKeys.count == 1, "\(harness.storage.keys)")
        #expect(try await harness.login(try await harness.roleID("r"), keep.id) != nil)
    }

    @Test func descriptionsHideSecrets() throws {
        let entry = AppRoleSecretID(accessor: "acc", numUses: 1, ttl: 0, now: .never, metadata: ["k": "v"], cidrList: [], tokenBoundCIDRs: [])
        #expect(String(describing: entry) == "AppRoleSecretID(accessor: acc, uses left: 1)")
    }
}
