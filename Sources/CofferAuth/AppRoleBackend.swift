import CofferJSON
public import CofferLogical
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The approle auth method: roles that machines log in to with a role ID and (unless
/// `bind_secret_id` is off) a secret ID, answering Vault's `approle` API (paths relative
/// to the mount):
///
/// | path | operations |
/// | --- | --- |
/// | `role` | list |
/// | `role/<name>` | read, write, delete |
/// | `role/<name>/role-id` | read; write `{"role_id"}` sets a custom one |
/// | `role/<name>/secret-id` | write generates one; list gives accessors |
/// | `role/<name>/custom-secret-id` | write `{"secret_id", ...}` |
/// | `role/<name>/secret-id/lookup`, `.../destroy` | write `{"secret_id"}` (destroy also delete) |
/// | `role/<name>/secret-id-accessor/lookup`, `.../destroy` | write `{"secret_id_accessor"}` |
/// | `login` | write `{"role_id", "secret_id"}`, unauthenticated |
/// | `tidy/secret-id` | write: removes expired secret IDs and dangling index entries |
///
/// Role writes and deletes answer 204, as do secret-ID destroys.
///
/// **Secret IDs** are stored only as MACs under a random per-mount key
/// (``AppRoleStorage``). Their `ttl` and `num_uses` are enforced against the injected
/// clock: each limited use is consumed under the role's lock (one read-modify-write at a
/// time), the last use deletes the secret ID, and an expired one is deleted when a login
/// meets it (or by `tidy/secret-id`). Lookups treat expired secret IDs as absent.
///
/// Every failure of a login that a guesser could learn from (unknown role ID, wrong,
/// expired or used-up secret ID, missing secret ID on a role that needs one) answers 400
/// `invalid role or secret ID`.
///
/// Concurrency: role writes, role-ID changes and deletes hold a mount-wide index lock and
/// then the role's stripe lock; secret-ID changes hold the role's stripe lock only. Core
/// must keep one instance per mount for the locks to mean anything.
public struct AppRoleBackend: LogicalBackend {
    /// The one error of a failed login.
    public static let invalidCredentials = "invalid role or secret ID"
    /// Longer client-chosen identifiers (role IDs, custom secret IDs) are refused.
    public static let maxIdentifierBytes = 4096

    let now: @Sendable () -> Date
    let roleLocks = KeyedLockTable()
    /// Serialises changes of the role-ID index; always taken before a role lock.
    let indexLock = KeyedLockTable(stripeCount: 1)
    let saltLock = KeyedLockTable(stripeCount: 1)

    /// - Parameter now: the wall clock for secret-ID creation and expiry; tests inject a
    ///   manual one.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// `login`: Core serves it without a token.
    public var unauthenticatedPaths: [String] { ["login"] }

    /// Serves the paths above. A successful `login` answers `Response(auth: AuthInfo(...))`
    /// with: `policies` and `tokenPolicies` the role's `token_policies` sorted, with
    /// `default` unless `token_no_default_policy` (`["root"]` if it holds `root`; Core must
    /// refuse that as Vault does); `metadata` the secret ID's metadata plus
    /// `{"role_name": name}`; `leaseDurationSeconds` `token_ttl` (0: mount or system
    /// default); `renewable` true; `tokenType` the `token_type` as configured; `orphan`
    /// true; `numUses` `token_num_uses`; `explicitMaxTTLSeconds` the smaller non-zero of
    /// `token_explicit_max_ttl` and `token_max_ttl`; `periodSeconds` `token_period`;
    /// `boundCIDRs` the secret ID's `token_bound_cidrs`, else the role's (already checked
    /// against `remoteAddress`: outside them the login is 403 and no use is consumed);
    /// `displayName` the mount name, e.g. `approle`.
    public func handle(_ request: Request, storage: any StorageView) async throws -> Response? {
        switch AppRoleRoute(path: request.path) {
        case .roles:
            guard request.operation == .list else { throw LogicalError.unsupportedOperation }
            let names = try await storage.list(prefix: AppRoleStorage.rolePrefix).filter { !$0.hasSuffix("/") }
            return names.isEmpty ? nil : Response(data: ["keys": JSONValue(names)])
        case .role(let name):
            return try await handleRole(request, name: name, storage: storage)
        case .roleID(let name):
            return try await handleRoleID(request, name: name, storage: storage)
        case .secretID(let name):
            if request.operation == .list { return try await listSecretIDs(role: name, storage: storage) }
            try Self.requireWrite(request)
            return try await createSecretID(request, role: name, custom: false, storage: storage)
        case .customSecretID(let name):
            try Self.requireWrite(request)
            return try await createSecretID(request, role: name, custom: true, storage: storage)
        case .secretIDLookup(let name):
            try Self.requireWrite(request)
            return try await lookUpSecretID(request, role: name, storage: storage)
        case .secretIDDestroy(let name):
            try Self.requireWrite(request, orDelete: true)
            return try await destroySecretID(request, role: name, storage: storage)
        case .accessorLookup(let name):
            try Self.requireWrite(request)
            return try await lookUpAccessor(request, role: name, storage: storage)
        case .accessorDestroy(let name):
            try Self.requireWrite(request, orDelete: true)
            return try await destroyAccessor(request, role: name, storage: storage)
        case .login:
            try Self.requireWrite(request)
            return try await login(request, storage: storage)
        case .tidySecretIDs:
            try Self.requireWrite(request)
            return try await tidySecretIDs(storage: storage)
        case .unknown:
            throw LogicalError.unsupportedPath(request.mountPoint + request.path)
        }
    }

    /// A write to `role/<name>` is a create when the role does not exist yet.
    public func exists(_ request: Request, storage: any StorageView) async throws -> Bool? {
        guard case .role(let name) = AppRoleRoute(path: request.path) else { return nil }
        return try await storage.get(AppRoleStorage.roleKey(name)) != nil
    }

    var currentTime: Timestamp { Timestamp(now()) }

    static func requireWrite(_ request: Request, orDelete: Bool = false) throws {
        guard request.operation == .update || request.operation == .create || (orDelete && request.operation == .delete) else {
            throw LogicalError.unsupportedOperation
        }
    }

    static func noSuchRole(_ name: String) -> LogicalError {
        LogicalError.invalidRequest("role \"\(name)\" does not exist")
    }

    /// A client-chosen identifier: trimmed, non-empty, bounded. Nil when absent or blank.
    static func identifier(_ fields: RequestFields, _ name: String) throws -> String? {
        guard let raw = try fields.string(name) else { return nil }
        let text = Whitespace.trim(raw)
        guard !text.isEmpty else { return nil }
        guard text.utf8.count <= maxIdentifierBytes else {
            throw LogicalError.invalidRequest("\(name) is longer than \(maxIdentifierBytes) bytes")
        }
        return text
    }
}
