/// The token helper file `~/.vault-token`, which ``ClientSettings`` reads when `VAULT_TOKEN`
/// is not set.
enum TokenFile {
    /// Writes `token` (no line break) to `<home>/.vault-token`, mode 0600 even when the file
    /// existed with a looser mode.
    static func store(_ token: String, home: String?) throws(CLIError) {
        guard let home, !home.isEmpty else {
            throw CLIError(.io, "no home directory to store the token in")
        }
        let path = home.hasSuffix("/") ? home + ClientSettings.tokenFileName : home + "/" + ClientSettings.tokenFileName
        try FileWriter.write(Array(token.utf8), to: path, mode: 0o600, enforceMode: true)
    }
}
