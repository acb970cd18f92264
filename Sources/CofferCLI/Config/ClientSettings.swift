import CofferClient
import CofferJSON

/// Resolves how to reach the server from flags, environment and `~/.vault-token`, in the
/// order `vault` uses:
///
/// | setting | flag | environment (first set wins) | default |
/// |---|---|---|---|
/// | address | `-address` | `VAULT_ADDR`, `COFFER_ADDR` | `https://127.0.0.1:8200` |
/// | token | — | `VAULT_TOKEN`, `COFFER_TOKEN`, then the file `~/.vault-token` | none |
/// | CA file | `-ca-cert` | `VAULT_CACERT`, `COFFER_CACERT` | system roots |
/// | skip TLS verify | `-tls-skip-verify` | `VAULT_SKIP_VERIFY`, `COFFER_SKIP_VERIFY` (Go bool) | false |
/// | namespace | `-namespace`, `-ns` | `VAULT_NAMESPACE`, `COFFER_NAMESPACE` | none |
/// | wrap TTL | `-wrap-ttl` | `VAULT_WRAP_TTL`, `COFFER_WRAP_TTL` | none |
/// | timeout | — | `VAULT_CLIENT_TIMEOUT`, `COFFER_CLIENT_TIMEOUT` (seconds or `90s`) | 60s |
/// | retries | — | `VAULT_MAX_RETRIES`, `COFFER_MAX_RETRIES` | 2 |
enum ClientSettings {
    /// The file the `vault` token helper keeps the token in.
    static let tokenFileName = ".vault-token"

    static func configuration(flags: ParsedFlags, context: CLIContext) throws(CLIError) -> VaultClientConfiguration {
        var configuration = VaultClientConfiguration()
        configuration.address = nonEmpty(flags.string("address")) ?? context.setting("ADDR") ?? VaultClientConfiguration.defaultAddress
        configuration.token = try token(context: context)
        configuration.caCertificateFile = nonEmpty(flags.string("ca-cert")) ?? context.setting("CACERT")
        if let skip = flags.bool("tls-skip-verify") {
            configuration.tlsSkipVerify = skip
        } else if let text = context.setting("SKIP_VERIFY") {
            guard let skip = GoFlagParser.parseBool(text) else {
                throw CLIError(.invalidInput, "could not parse VAULT_SKIP_VERIFY")
            }
            configuration.tlsSkipVerify = skip
        }
        configuration.namespace = nonEmpty(flags.string("namespace")) ?? context.setting("NAMESPACE")
        configuration.wrapTTL = nonEmpty(flags.string("wrap-ttl")) ?? context.setting("WRAP_TTL")
        if let text = context.setting("CLIENT_TIMEOUT") {
            guard let seconds = VaultDuration.parseSeconds(text), seconds > 0 else {
                throw CLIError(.invalidInput, "could not parse VAULT_CLIENT_TIMEOUT value \"\(text)\"")
            }
            configuration.timeout = .seconds(seconds)
        }
        configuration.maxRetries = 2
        if let text = context.setting("MAX_RETRIES") {
            guard let retries = Int(text), retries >= 0 else {
                throw CLIError(.invalidInput, "could not parse VAULT_MAX_RETRIES value \"\(text)\"")
            }
            configuration.maxRetries = retries
        }
        return configuration
    }

    /// `VAULT_TOKEN`, `COFFER_TOKEN`, else the trimmed contents of `<home>/.vault-token`.
    /// A missing file means no token; an unreadable one is an error.
    static func token(context: CLIContext) throws(CLIError) -> String? {
        if let token = context.setting("TOKEN") { return token }
        guard let home = context.homeDirectory, !home.isEmpty else { return nil }
        let path = home.hasSuffix("/") ? home + tokenFileName : home + "/" + tokenFileName
        do {
            let bytes = try FileReader.read(path)
            let token = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            return token.isEmpty ? nil : token
        } catch where error.code == .fileNotFound {
            return nil
        } catch {
            throw CLIError(.io, "Error reading token helper file: \(error.message)")
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

extension StringProtocol {
    /// Drops leading and trailing white space, as Go's `strings.TrimSpace`.
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}
