import CofferLogical

/// `login/<name>`.
extension UserpassBackend {
    /// Checks the password and answers the `auth` block Core mints a token from.
    ///
    /// Every failure that could tell a guesser whether the user exists answers the same
    /// 400 and does the same work: an unknown user's password is derived against
    /// ``dummy`` (same parameters as new hashes), and hashes compare in constant time.
    /// The CIDR check comes only after the password matched, so it reveals nothing to
    /// someone without the password.
    func login(_ request: Request, name: String, storage: any StorageView) async throws -> Response? {
        guard let password = try Self.password(RequestFields(request.data)) else {
            throw LogicalError.invalidRequest("missing password")
        }
        guard password.count <= Self.maxPasswordBytes else { throw LogicalError.invalidRequest(Self.invalidCredentials) }
        let user = try await loadUser(name, storage: storage)
        let matches = try await (user?.password ?? dummy).verify(password)
        guard let user, matches else { throw LogicalError.invalidRequest(Self.invalidCredentials) }
        guard CIDRList.allows(request.remoteAddress, user.token.boundCIDRs) else { throw LogicalError.permissionDenied }
        let auth = user.token.authInfo(
            metadata: ["username": name],
            displayName: LoginDisplayName.make(mountPoint: request.mountPoint, defaultMount: "userpass/", name: name)
        )
        return Response(auth: auth)
    }
}
