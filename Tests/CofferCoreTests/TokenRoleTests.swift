import CofferJSON
import CofferLogical
import Testing
@testable import CofferCore

@Suite struct TokenRoleTests {
    @Test func roleLifecycle() async throws {
        let harness = try await TokenHarness.make()
        #expect(try await harness.call(.list, "roles") == nil)
        #expect(try await harness.call(.update, "roles/testrole") == nil)
        #expect(try await harness.call(.list, "roles")?.data?["keys"] == JSONValue(["testrole"]))
        let data = try #require(try await harness.call(.read, "roles/testrole")?.data)
        #expect(data["name"] == "testrole")
        #expect(data["allowed_policies"] == JSONValue([String]()))
        #expect(data["renewable"] == .bool(true))
        #expect(data["orphan"] == .bool(false))
        #expect(data["token_type"] == "default-service")
        // An update changes what it names and keeps the rest.
        _ = try await harness.call(.update, "roles/testrole", ["allowed_policies": "b,A", "orphan": true, "period": "1h"])
        _ = try await harness.call(.update, "roles/testrole", ["path_suffix": "v2"])
        let updated = try #require(try await harness.call(.read, "roles/testrole")?.data)
        #expect(updated["allowed_policies"] == JSONValue(["a", "b"]))
        #expect(updated["orphan"] == .bool(true))
        #expect(updated["period"] == .int(3600) && updated["token_period"] == .int(3600))
        #expect(updated["path_suffix"] == "v2")
        #expect(try await harness.backend.exists(
            Request(id: "x", operation: .update, path: "roles/testrole"), storage: NoStorage()
        ) == true)
        #expect(try await harness.call(.delete, "roles/testrole") == nil)
        #expect(try await harness.call(.read, "roles/testrole") == nil)
        #expect(try await harness.call(.list, "roles") == nil)
        #expect(try await harness.call(.delete, "roles/testrole") == nil)
    }

    @Test func roleValidation() async throws {
        let harness = try await TokenHarness.make()
        for name in ["-bad", "bad-", "a/b", "a..b", String(repeating: "r", count: 200)] {
            let error = await logicalError { _ = try await harness.call(.update, "roles/" + name) }
            #expect(error?.code == .invalidRequest, "role name \(name)")
        }
        let batchNonOrphan = await logicalError { _ = try await harness.call(.update, "roles/b", ["token_type": "batch"]) }
        #expect(batchNonOrphan?.messages == ["'token_type' cannot be 'batch' when role is set to generate non-orphan tokens"])
        let batchRenewable = await logicalError {
            _ = try await harness.call(.update, "roles/b", ["token_type": "batch", "orphan": true])
        }
        #expect(batchRenewable?.messages == ["'token_type' cannot be 'batch' when role is set to generate renewable tokens"])
        let type = await logicalError { _ = try await harness.call(.update, "roles/b", ["token_type": "nope"]) }
        #expect(type?.code == .invalidRequest)
        let glob = await logicalError { _ = try await harness.call(.update, "roles/b", ["allowed_policies_glob": ["a*"]]) }
        #expect(glob?.code == .invalidRequest)
        let suffix = await logicalError { _ = try await harness.call(.update, "roles/b", ["path_suffix": "../x"]) }
        #expect(suffix?.code == .invalidRequest)
        #expect(try await harness.call(.list, "roles") == nil)
        let unknown = await logicalError { _ = try await harness.create([:], path: "create/ghost") }
        #expect(unknown?.messages == ["unknown role ghost"])
    }

    @Test func allowedPoliciesReplaceTheSubsetRule() async throws {
        let harness = try await TokenHarness.make()
        _ = try await harness.call(.update, "roles/testrole", ["allowed_policies": "testpolicy"])
        let fromRoot = try await harness.create(["ttl": "1h"], path: "create/testrole")
        #expect(fromRoot.policies == ["default", "testpolicy"])
        #expect(try await harness.lookup(fromRoot.clientToken)?.path == "auth/token/create/testrole")
        // A caller without testpolicy can still get it through the role.
        let caller = try await harness.create(["policies": ["other"]])
        let viaRole = try await harness.create([:], path: "create/testrole", token: caller.clientToken)
        #expect(viaRole.policies == ["default", "testpolicy"])
        let outside = await logicalError {
            _ = try await harness.create(["policies": ["other"]], path: "create/testrole", token: caller.clientToken)
        }
        #expect(outside?.code == .invalidRequest)
        #expect(outside?.messages.first?.contains("must be subset of the role's allowed policies") == true)
        // role_name in the body works too (hvac's create_orphan sends it).
        let orphan = try await harness.create(["role_name": "testrole"], path: "create-orphan", token: caller.clientToken)
        #expect(orphan.orphan && orphan.policies == ["default", "testpolicy"])
    }

    @Test func disallowedPolicies() async throws {
        let harness = try await TokenHarness.make()
        _ = try await harness.call(.update, "roles/limited", ["disallowed_policies": ["secret", "default"]])
        let caller = try await harness.create(["policies": ["a", "secret"], "no_default_policy": true])
        let blocked = await logicalError { _ = try await harness.create([:], path: "create/limited", token: caller.clientToken) }
        #expect(blocked?.messages == ["token policy \"secret\" is disallowed by this role"])
        let fine = try await harness.create(["policies": ["a", "z"]], path: "create/limited", token: caller.clientToken)
        #expect(fine.policies == ["a", "z"])  // no default: the role disallows it
    }

    @Test func roleSettingsShapeTheToken() async throws {
        let harness = try await TokenHarness.make()
        _ = try await harness.call(.update, "roles/svc", [
            "allowed_policies": ["app"], "orphan": true, "renewable": false, "path_suffix": "v1",
            "token_explicit_max_ttl": "2h", "token_num_uses": 3,
        ])
        let caller = try await harness.create(["policies": ["x"]])
        let auth = try await harness.create(["ttl": "5h"], path: "create/svc", token: caller.clientToken)
        #expect(auth.orphan)
        #expect(!auth.renewable)
        #expect(auth.leaseDurationSeconds == 7200)
        #expect(auth.numUses == 3)
        let entry = try #require(try await harness.lookup(auth.clientToken))
        #expect(entry.path == "auth/token/create/svc/v1")
        #expect(entry.role == "svc")
        let data = try #require(try await harness.call(.update, "lookup", ["token": .string(auth.clientToken)])?.data)
        #expect(data["role"] == "svc")

        _ = try await harness.call(.update, "roles/periodic", ["allowed_policies": ["app"], "token_period": "15m"])
        let periodic = try await harness.create([:], path: "create/periodic", token: caller.clientToken)
        #expect(periodic.leaseDurationSeconds == 900)
        harness.clock.advance(600)
        // Renewal follows the role's current period.
        _ = try await harness.call(.update, "roles/periodic", ["token_period": "20m"])
        let renewed = try await harness.call(.update, "renew-self", token: periodic.clientToken)
        #expect(renewed?.auth?.leaseDurationSeconds == 1200)
        // Without its role the token cannot be renewed.
        _ = try await harness.call(.delete, "roles/periodic")
        let orphaned = await logicalError { _ = try await harness.call(.update, "renew-self", token: periodic.clientToken) }
        #expect(orphaned?.code == .invalidRequest)
    }

    @Test func batchRoles() async throws {
        let harness = try await TokenHarness.make()
        _ = try await harness.call(.update, "roles/batcher", [
            "allowed_policies": ["app"], "orphan": true, "renewable": false, "token_type": "batch",
        ])
        let auth = try await harness.create(["ttl": "10m"], path: "create/batcher")
        #expect(auth.tokenType == "batch")
        #expect(auth.clientToken.hasPrefix("hvb."))
        #expect(auth.accessor == "")
        _ = try await harness.call(.update, "roles/either", ["allowed_policies": ["app"], "token_type": "default-batch"])
        #expect(try await harness.create([:], path: "create/either").tokenType == "batch")
        #expect(try await harness.create(["type": "service"], path: "create/either").tokenType == "service")
    }
}

/// A storage view for calls that must not touch it.
struct NoStorage: StorageView {
    func get(_ key: String) async throws -> [UInt8]? { nil }
    func list(prefix: String) async throws -> [String] { [] }
    func commit(_ operations: [ViewOperation]) async throws {}
}
