import CofferClient

extension CommandRun {
    /// The `secrets|auth|audit disable PATH` commands: one path argument (a trailing `/`
    /// added), one call, and vault's messages. `failure` and `success` get the path.
    func disablePath(
        failure: (String) -> String,
        success: (String) -> String,
        _ call: (VaultClient, String) async throws -> Void
    ) async -> Int32 {
        if let status = checkArgumentCount(1...1) { return status }
        let path = arguments[0].sanitizedAPIPath + "/"
        let client: VaultClient
        switch clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        do {
            try await call(client, path)
        } catch {
            return fail(failure(path), error)
        }
        output(success(path))
        return 0
    }
}
