import CofferJSON
import CofferLogical
import Crypto

/// The approle storage layout over a mount's ``StorageView``:
///
/// ```
/// salt                                 {"format": 1, "key": "<base64, 32 bytes>"}    MAC key of this mount
/// role/<name>                          AppRoleRole
/// role_id/<mac("role_id", id)>         {"format": 1, "role": "<name>"}
/// secret_id/<name>/<mac("secret_id", s)>   AppRoleSecretID
/// accessor/<name>/<mac("accessor", a)>     {"format": 1, "secret_id_mac": "<hex>"}
/// ```
///
/// MACs are HMAC-SHA256 under the mount's random key, over a domain label, a NUL and the
/// value, in lower-case hex: secret IDs are stored only that way, and role IDs and
/// accessors never appear in key names (which the barrier does not encrypt).
struct AppRoleStorage {
    static let saltKey = "salt"
    static let rolePrefix = "role/"

    let view: any StorageView
    /// The mount's MAC key; nil only before the first role exists.
    let macKey: SymmetricKey?

    /// Reads the mount's MAC key, if any.
    static func open(_ view: any StorageView) async throws -> AppRoleStorage {
        AppRoleStorage(view: view, macKey: try await readSalt(view))
    }

    /// Reads the MAC key, creating it under `lock` when absent.
    static func openCreating(_ view: any StorageView, lock: KeyedLockTable) async throws -> AppRoleStorage {
        if let key = try await readSalt(view) { return AppRoleStorage(view: view, macKey: key) }
        let key = try await lock.withLock(saltKey) {
            if let key = try await readSalt(view) { return key }
            let bytes = SecureRandom.bytes(32)
            try await view.put(saltKey, AuthRecord.encode(["key": AuthRecord.base64(bytes)]))
            return SymmetricKey(data: bytes)
        }
        return AppRoleStorage(view: view, macKey: key)
    }

    private static func readSalt(_ view: any StorageView) async throws -> SymmetricKey? {
        guard let bytes = try await view.get(saltKey) else { return nil }
        let record = try AuthRecord(bytes: bytes, key: saltKey)
        return SymmetricKey(data: try record.bytes("key", count: 32...32))
    }

    /// The MAC of `value` in `domain`. With no key yet nothing is stored, so any key
    /// will do: a fixed one keeps the work (and timing) the same.
    func mac(_ domain: String, _ value: String) -> String {
        let key = macKey ?? SymmetricKey(data: [UInt8](repeating: 0, count: 32))
        var message = Array(domain.utf8)
        message.append(0)
        message += Array(value.utf8)
        return Hex.encode(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    static func roleKey(_ name: String) -> String { rolePrefix + name }
    func roleIDKey(_ roleID: String) -> String { "role_id/" + mac("role_id", roleID) }
    static func secretIDPrefix(_ role: String) -> String { "secret_id/" + role + "/" }
    func secretIDMAC(_ secretID: String) -> String { mac("secret_id", secretID) }
    static func secretIDKey(_ role: String, mac: String) -> String { secretIDPrefix(role) + mac }
    static func accessorPrefix(_ role: String) -> String { "accessor/" + role + "/" }
    func accessorKey(_ role: String, _ accessor: String) -> String { Self.accessorPrefix(role) + mac("accessor", accessor) }

    func role(_ name: String) async throws -> AppRoleRole? {
        let key = Self.roleKey(name)
        guard let bytes = try await view.get(key) else { return nil }
        return try AppRoleRole(bytes: bytes, key: key)
    }

    /// The name of the role whose role ID is `roleID`, from the index.
    func roleName(forRoleID roleID: String) async throws -> String? {
        let key = roleIDKey(roleID)
        guard let bytes = try await view.get(key) else { return nil }
        return try AuthRecord(bytes: bytes, key: key).string("role")
    }

    func secretID(_ role: String, mac: String) async throws -> AppRoleSecretID? {
        let key = Self.secretIDKey(role, mac: mac)
        guard let bytes = try await view.get(key) else { return nil }
        return try AppRoleSecretID(bytes: bytes, key: key)
    }

    /// The MAC of the secret ID that `accessor` names, from the index.
    func secretIDMAC(_ role: String, accessor: String) async throws -> String? {
        let key = accessorKey(role, accessor)
        guard let bytes = try await view.get(key) else { return nil }
        let mac = try AuthRecord(bytes: bytes, key: key).string("secret_id_mac")
        guard mac.utf8.count == 64, mac.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw AuthMethodError(.corrupt, key: key, detail: "member secret_id_mac is not a hex MAC")
        }
        return mac
    }

    func putRoleIndex(_ roleID: String, role: String) -> ViewOperation {
        .put(key: roleIDKey(roleID), value: AuthRecord.encode(["role": .string(role)]))
    }

    func putSecretID(_ role: String, mac: String, _ entry: AppRoleSecretID) -> [ViewOperation] {
        [
            .put(key: Self.secretIDKey(role, mac: mac), value: entry.encoded()),
            .put(key: accessorKey(role, entry.accessor), value: AuthRecord.encode(["secret_id_mac": .string(mac)])),
        ]
    }

    func deleteSecretID(_ role: String, mac: String, _ entry: AppRoleSecretID) -> [ViewOperation] {
        [.delete(key: Self.secretIDKey(role, mac: mac)), .delete(key: accessorKey(role, entry.accessor))]
    }
}
