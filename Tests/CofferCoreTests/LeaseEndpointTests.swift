import CofferJSON
import CofferLogical
import CofferStorage
import Logging
import Testing
@testable import CofferCore

/// `sys/leases/*` and the legacy routes, calling the handler as the dispatch would.
@Suite struct LeaseEndpointTests {
    struct Fixture {
        let harness: LeaseHarness
        /// Owns the system backend's unowned `core` for the test's duration.
        let core: Core
        let backend: SystemBackend

        static func make() async throws -> Fixture {
            let harness = try await LeaseHarness.make()
            let core = Core(storage: InMemoryBackend(), logger: Logger(label: "test.core"))
            return Fixture(harness: harness, core: core, backend: SystemBackend(core: core))
        }

        func call(_ operation: CofferLogical.Operation, _ path: String, _ data: [String: JSONValue] = [:]) async throws -> Response? {
            let request = Request(
                id: "test", operation: operation, path: path, data: data,
                auth: AuthContext(accessor: "acc", policies: ["root"], tokenID: LeaseHarness.tokenA), mountPoint: "sys/"
            )
            return try await backend.handleLeases(request, expiration: harness.manager)
        }
    }

    @Test func lookupAnswersLikeVault() async throws {
        let fixture = try await Fixture.make()
        let lease = try await fixture.harness.secret("pki/issue/my-role", ttl: 3600)
        fixture.harness.clock.advance(by: .seconds(58))
        let response = try #require(try await fixture.call(.update, "leases/lookup", ["lease_id": .string(lease.id)]))
        let data = try #require(response.data)
        #expect(Set(data.keys) == ["id", "issue_time", "expire_time", "last_renewal", "renewable", "ttl"])
        #expect(data["id"] == .string(lease.id))
        #expect(data["ttl"] == .int(3542))
        #expect(data["renewable"] == .bool(true))
        #expect(data["last_renewal"] == .null)
        #expect(data["issue_time"] == .string(ISO8601.string(fromUnix: LeaseHarness.base)))
        #expect(data["expire_time"] == .string(ISO8601.string(fromUnix: LeaseHarness.base + 3600)))

        let unknown = await logicalError { _ = try await fixture.call(.update, "leases/lookup", ["lease_id": "pki/issue/x/y"]) }
        #expect(unknown?.code == .invalidRequest && unknown?.messages == ["invalid lease"])
        let missing = await logicalError { _ = try await fixture.call(.update, "leases/lookup") }
        #expect(missing?.code == .invalidRequest)
    }

    @Test func listShowsOneLevelAndAnswers404WhenEmpty() async throws {
        let fixture = try await Fixture.make()
        let lease = try await fixture.harness.secret("pki/issue/my-role")
        // hvac lists the prefix `pki` and expects `issue/`.
        #expect(try await fixture.call(.list, "leases/lookup/pki")?.data?["keys"] == ["issue/"])
        #expect(try await fixture.call(.list, "leases/lookup/pki/issue/")?.data?["keys"] == ["my-role/"])
        let leaf = String(lease.id.split(separator: "/").last!)
        #expect(try await fixture.call(.list, "leases/lookup/pki/issue/my-role")?.data?["keys"] == .array([.string(leaf)]))
        #expect(try await fixture.call(.list, "leases/lookup/")?.data?["keys"] == ["pki/"])
        #expect(try await fixture.call(.list, "leases/lookup/nothing") == nil)
        #expect(await logicalError { _ = try await fixture.call(.read, "leases/lookup/pki") }?.code == .unsupportedOperation)
    }

    @Test func renewAnswersWithTheLeaseInTheEnvelope() async throws {
        let fixture = try await Fixture.make()
        let lease = try await fixture.harness.secret(ttl: 60)
        let response = try #require(try await fixture.call(.update, "leases/renew", ["lease_id": .string(lease.id), "increment": 600]))
        #expect(response.data == nil)
        #expect(response.secret == SecretInfo(leaseID: lease.id, ttlSeconds: 600, renewable: true))
        // Legacy route with the id in the path; the increment as a duration string; hvac may send null.
        let legacy = try await fixture.call(.update, "renew/" + lease.id, ["increment": "30m"])
        #expect(legacy?.secret?.ttlSeconds == 1800)
        let defaulted = try await fixture.call(.update, "leases/renew/" + lease.id, ["increment": .null])
        #expect(defaulted?.secret?.ttlSeconds == 1800)
        let fixed = try await fixture.harness.secret(ttl: 60, renewable: false)
        let refused = await logicalError { _ = try await fixture.call(.update, "leases/renew", ["lease_id": .string(fixed.id)]) }
        #expect(refused?.code == .invalidRequest && refused?.messages == ["lease is not renewable"])
    }

    @Test func revokeByBodyOrPathAnswers204() async throws {
        let fixture = try await Fixture.make()
        let first = try await fixture.harness.secret("pki/issue/my-role")
        let second = try await fixture.harness.secret("pki/issue/my-role")
        #expect(try await fixture.call(.update, "leases/revoke", ["lease_id": .string(first.id)]) == nil)
        #expect(try await fixture.call(.update, "revoke/" + second.id) == nil)
        #expect(fixture.harness.log.ids == [first.id, second.id])
        #expect(try await fixture.call(.list, "leases/lookup/pki") == nil)
        // Revoking what is gone is not an error.
        #expect(try await fixture.call(.update, "leases/revoke/" + first.id) == nil)
        #expect(await logicalError { _ = try await fixture.call(.update, "leases/revoke") }?.code == .invalidRequest)
    }

    @Test func revokePrefixAndForce() async throws {
        let fixture = try await Fixture.make()
        let leases = [try await fixture.harness.secret("db/creds/a"), try await fixture.harness.secret("db/creds/a")]
        let survivor = try await fixture.harness.secret("db/creds/b")
        #expect(try await fixture.call(.update, "leases/revoke-prefix/db/creds/a") == nil)
        #expect(Set(fixture.harness.log.ids) == Set(leases.map(\.id)))

        fixture.harness.log.failAlways(survivor.id)
        await #expect(throws: LeaseRevocationLog.InjectedFailure.self) {
            _ = try await fixture.call(.update, "revoke-prefix/db/")
        }
        #expect(try await fixture.harness.stored(survivor.id) != nil)
        #expect(try await fixture.call(.update, "leases/revoke-force/db") == nil)
        #expect(try await fixture.harness.stored(survivor.id) == nil)
        #expect(await logicalError { _ = try await fixture.call(.update, "leases/revoke-prefix/") }?.code == .notFound)
    }

    @Test func tidyAnswers202WithItsReport() async throws {
        let fixture = try await Fixture.make()
        try await fixture.harness.secret()
        let response = try #require(try await fixture.call(.update, "leases/tidy"))
        #expect(response.statusCode == 202)
        #expect(response.data?["leases_scanned"] == .int(1))
        #expect(await logicalError { _ = try await fixture.call(.read, "leases/tidy") }?.code == .unsupportedOperation)
    }

    @Test func unknownPathsAndOperations() async throws {
        let fixture = try await Fixture.make()
        #expect(await logicalError { _ = try await fixture.call(.update, "leases/nope") }?.code == .notFound)
        #expect(await logicalError { _ = try await fixture.call(.read, "leases/renew") }?.code == .unsupportedOperation)
        #expect(SystemBackend.leasePathGroups.contains("revoke-force"))
    }
}
