import CofferJSON

/// One userpass user as stored at `user/<name>` (name lower-cased):
///
/// ```
/// {"format": 1, "password": <PasswordHash record>, "token": <TokenSettings record>}
/// ```
///
/// Reads show the token settings only; the password record never leaves the backend.
struct UserpassUser: Sendable, Hashable {
    var password: PasswordHash
    var token: TokenSettings

    static let keyPrefix = "user/"

    static func key(_ name: String) -> String { keyPrefix + name }

    init(password: PasswordHash, token: TokenSettings) {
        self.password = password
        self.token = token
    }

    init(bytes: [UInt8], key: String) throws(AuthMethodError) {
        let record = try AuthRecord(bytes: bytes, key: key)
        password = try PasswordHash(from: try record.record("password"))
        token = try TokenSettings(from: record)
    }

    func encoded() -> [UInt8] {
        AuthRecord.encode(["password": password.record, "token": token.record])
    }

    /// The `data` of a read: the token settings, never the password.
    var apiRepresentation: [String: JSONValue] { token.apiRepresentation }
}
