import CofferClient

/// One way `coffer login -method=<type>` authenticates. Adding a method (`userpass`,
/// `approle`, ...) is one new file with a type conforming to this protocol, plus its name in
/// ``LoginMethods/all``.
protocol LoginMethod: Sendable {
    /// The auth method type `-method` names (`token`, `userpass`).
    static var type: String { get }
    /// Help for the method's `K=V` configuration.
    static var help: String { get }
    /// Authenticates and returns a secret whose `auth` block holds the new token.
    ///
    /// - Parameters:
    ///   - config: the `K=V` arguments (a bare first argument of `token` login arrives as
    ///     `token=<value>`), plus `mount`: the auth mount path (`-path`, else `<type>/`).
    ///   - client: a client without a token. It asks for response wrapping when `-wrap-ttl`
    ///     is set, so a login answer may come back wrapped (``LoginTokenExtraction`` unwraps
    ///     it); requests that only prepare or verify the login should go through
    ///     ``CommandRun/withoutWrapping(_:_:)``.
    /// - Throws: anything; `login` prints `Error authenticating: <error>` and exits 2.
    static func authenticate(config: [String: String], client: VaultClient, run: CommandRun) async throws -> VaultSecret
}

/// The login methods `coffer login` knows.
enum LoginMethods {
    static let all: [any LoginMethod.Type] = [
        TokenLoginMethod.self,
        UserpassLoginMethod.self,
        AppRoleLoginMethod.self,
    ]

    static func named(_ type: String) -> (any LoginMethod.Type)? {
        all.first { $0.type == type }
    }
}

/// A login failure with a message for the user (never containing the credential).
struct LoginError: Error, Sendable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
