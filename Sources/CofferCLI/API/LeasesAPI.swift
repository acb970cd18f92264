import CofferClient
import CofferJSON

/// Leases (`sys/leases`), as `vault lease` calls them. Lease IDs travel in the body, except
/// for the prefix revocations, whose prefix is part of the path as in the Go client.
enum LeasesAPI {
    /// How `lease revoke` revokes.
    enum Revocation: Sendable, Equatable {
        /// One lease (`sys/leases/revoke/<id>`).
        case lease
        /// Every lease under the prefix (`sys/leases/revoke-prefix/<prefix>`).
        case prefix
        /// Every lease under the prefix, ignoring backend errors (`sys/leases/revoke-force/<prefix>`).
        case force
    }

    /// `PUT sys/leases/lookup` with `{"lease_id"}`: nil for an empty answer.
    static func lookup(_ client: VaultClient, leaseID: String) async throws -> VaultSecret? {
        let response = try await client.request("PUT", "sys/leases/lookup", body: ["lease_id": .string(leaseID)])
        return try APIAnswer.secret(response)
    }

    /// `PUT sys/leases/renew` with `{"lease_id", "increment"}` (seconds; 0 lets the server choose).
    static func renew(_ client: VaultClient, leaseID: String, increment: Int64) async throws -> VaultSecret? {
        let body: JSONValue = ["lease_id": .string(leaseID), "increment": .int(increment)]
        let response = try await client.request("PUT", "sys/leases/renew", body: body)
        return try APIAnswer.secret(response)
    }

    /// `PUT sys/leases/revoke[-prefix|-force]/<id>`; `{"sync"}` except for force, which is
    /// always synchronous. Answers 204.
    static func revoke(_ client: VaultClient, _ id: String, how: Revocation, sync: Bool) async throws {
        let path: String
        switch how {
        case .lease: path = "sys/leases/revoke/"
        case .prefix: path = "sys/leases/revoke-prefix/"
        case .force: path = "sys/leases/revoke-force/"
        }
        let body: JSONValue? = how == .force ? nil : ["sync": .bool(sync)]
        _ = try await client.request("PUT", path + id, body: body)
    }
}
