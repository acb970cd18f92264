import CofferJSON
public import CofferLogical

/// The userpass auth method: users with a password and the token settings their logins
/// get, answering Vault's `userpass` API (paths relative to the mount):
///
/// | path | operations |
/// | --- | --- |
/// | `users` | list |
/// | `users/<name>` | read, write (`password`, `token_*`; legacy `policies`, `ttl`, `max_ttl`, `bound_cidrs`), delete |
/// | `users/<name>/password` | write `{"password"}` |
/// | `users/<name>/policies` | write `{"token_policies"}` (or legacy `policies`) |
/// | `login/<name>` | write `{"password"}`, unauthenticated |
///
/// Names are lower-cased. Writes answer 204; a read never shows the password or its hash.
///
/// **Passwords** are stored only as a ``PasswordHash`` (slow, salted, parameters kept
/// with the hash; new hashes use the backend's ``PasswordHashing``). Hashing runs on a
/// small process-wide pool of Dispatch threads, never on the caller's executor.
///
/// **Login** answers a ``Response`` whose ``AuthInfo`` has an empty client token and
/// accessor for Core to mint; see ``handle(_:storage:)``. A wrong password and an unknown
/// user fail alike (400 `invalid username or password`) and cost the same: an unknown
/// user's password is checked against a dummy hash of the current parameters.
///
/// Storage inside the mount's view: `user/<name>`, one ``UserpassUser`` record each.
///
/// Concurrency: writes to one user run under that name's stripe of a lock table, so a
/// password change and a policy change never lose each other. Core must keep one
/// instance per mount for the locks to mean anything.
public struct UserpassBackend: LogicalBackend {
    /// Vault's error for a failed login, whatever the reason.
    public static let invalidCredentials = "invalid username or password"
    /// Longer passwords are refused (they would only feed the hash more bytes).
    public static let maxPasswordBytes = 1024

    let hashing: PasswordHashing
    let locks = KeyedLockTable()
    /// What an unknown user's login is checked against.
    let dummy: PasswordHash

    /// - Parameter hashing: parameters for new password hashes; tests pass cheap ones.
    public init(hashing: PasswordHashing = .production) {
        self.hashing = hashing
        self.dummy = hashing.dummyHash()
    }

    /// `login/*`: Core serves it without a token.
    public var unauthenticatedPaths: [String] { ["login/*"] }

    /// Serves the paths above. A successful `login/<name>` answers
    /// `Response(auth: AuthInfo(...))` with: `policies` and `tokenPolicies` the user's
    /// `token_policies` sorted, with `default` unless `token_no_default_policy` (a list
    /// holding `root` is just `["root"]`; Core must refuse it as Vault does);
    /// `metadata` `{"username": name}`; `leaseDurationSeconds` `token_ttl` (0: the mount
    /// or system default); `renewable` true; `tokenType` the `token_type` as configured
    /// (`default`, `service`, `batch`, `default-service`, `default-batch`); `orphan` true;
    /// `numUses` `token_num_uses`; `explicitMaxTTLSeconds` the smaller non-zero of
    /// `token_explicit_max_ttl` and `token_max_ttl`; `periodSeconds` `token_period`;
    /// `boundCIDRs` `token_bound_cidrs` (already checked against `remoteAddress`: a
    /// client outside them gets 403); `displayName` `<mount>-<name>`, e.g.
    /// `userpass-alice`.
    public func handle(_ request: Request, storage: any StorageView) async throws -> Response? {
        switch UserpassRoute(path: request.path) {
        case .users:
            guard request.operation == .list else { throw LogicalError.unsupportedOperation }
            let names = try await storage.list(prefix: UserpassUser.keyPrefix).filter { !$0.hasSuffix("/") }
            return names.isEmpty ? nil : Response(data: ["keys": JSONValue(names)])
        case .user(let name):
            return try await handleUser(request, name: name, storage: storage)
        case .password(let name):
            try Self.requireWrite(request)
            return try await updatePassword(request, name: name, storage: storage)
        case .policies(let name):
            try Self.requireWrite(request)
            return try await updatePolicies(request, name: name, storage: storage)
        case .login(let name):
            try Self.requireWrite(request)
            return try await login(request, name: name, storage: storage)
        case .unknown:
            throw LogicalError.unsupportedPath(request.mountPoint + request.path)
        }
    }

    /// A write to `users/<name>` is a create when the user does not exist yet.
    public func exists(_ request: Request, storage: any StorageView) async throws -> Bool? {
        guard case .user(let name) = UserpassRoute(path: request.path) else { return nil }
        return try await storage.get(UserpassUser.key(name)) != nil
    }

    static func requireWrite(_ request: Request) throws {
        guard request.operation == .update || request.operation == .create else {
            throw LogicalError.unsupportedOperation
        }
    }

    func loadUser(_ name: String, storage: any StorageView) async throws -> UserpassUser? {
        let key = UserpassUser.key(name)
        guard let bytes = try await storage.get(key) else { return nil }
        return try UserpassUser(bytes: bytes, key: key)
    }

    /// The `password` member as bytes; nil when absent or empty.
    static func password(_ fields: RequestFields) throws -> [UInt8]? {
        guard let text = try fields.string("password"), !text.isEmpty else { return nil }
        return Array(text.utf8)
    }
}
