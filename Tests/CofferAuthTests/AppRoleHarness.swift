import CofferTestKit
import CofferAuth
import CofferJSON
import CofferLogical
import Testing

/// An approle backend on a manual clock, with helpers for the usual steps.
struct AppRoleHarness {
    let time = ManualTime()
    let auth: AuthHarness<AppRoleBackend>

    init(yielding: Bool = false) {
        let time = self.time
        auth = AuthHarness(AppRoleBackend(now: { time.now }), mountPoint: "auth/approle/", yielding: yielding)
    }

    var storage: MemoryStorageView { auth.storage }

    func roleID(_ role: String) async throws -> String {
        try #require(try await auth.read("role/\(role)/role-id")?["role_id"]?.stringValue)
    }

    /// Generates a secret ID; returns the whole `data`.
    func generate(_ role: String, _ data: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        try #require(try await auth.write("role/\(role)/secret-id", data)?.data)
    }

    func secret(_ role: String, _ data: [String: JSONValue] = [:]) async throws -> (id: String, accessor: String) {
        let data = try await generate(role, data)
        return (try #require(data["secret_id"]?.stringValue), try #require(data["secret_id_accessor"]?.stringValue))
    }

    func login(_ roleID: String, _ secretID: String?, remote: String? = "127.0.0.1") async throws -> AuthInfo? {
        var body: [String: JSONValue] = ["role_id": .string(roleID)]
        if let secretID { body["secret_id"] = .string(secretID) }
        return try await auth.write("login", body, remote: remote)?.auth
    }

    func loginFailure(_ roleID: String, _ secretID: String?, remote: String? = "127.0.0.1") async -> LogicalError? {
        var body: [String: JSONValue] = ["role_id": .string(roleID)]
        if let secretID { body["secret_id"] = .string(secretID) }
        return await auth.failure(.update, "login", body, remote: remote)
    }
}
