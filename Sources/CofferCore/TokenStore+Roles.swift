import CofferBarrier
import CofferLogical

/// Token roles in storage (`sys/token/roles/<name>`).
extension TokenStore {
    /// The role named `name`, or nil.
    /// - Throws: a corrupt-state error when the stored role cannot be read.
    func role(named name: String) async throws -> TokenRole? {
        guard TokenRole.isValidName(name) else { return nil }
        guard let bytes = try await barrier.get(Self.rolePrefix + name) else { return nil }
        let role = try TokenRole(storageBytes: bytes)
        guard role.name == name else { throw CoreError.corrupt("token role is stored under another name") }
        return role
    }

    func putRole(_ role: TokenRole) async throws {
        guard TokenRole.isValidName(role.name) else { throw LogicalError.invalidRequest("invalid role name") }
        try await barrier.put(Self.rolePrefix + role.name, role.storageBytes)
    }

    /// Deleting a missing role is not an error.
    func deleteRole(named name: String) async throws {
        guard TokenRole.isValidName(name) else { return }
        try await barrier.delete(Self.rolePrefix + name)
    }

    /// Role names, sorted.
    func roleNames() async throws -> [String] {
        var names: [String] = []
        try await forEachKey(under: Self.rolePrefix) { name in
            if !name.hasSuffix("/") { names.append(name) }
        }
        return names
    }
}
