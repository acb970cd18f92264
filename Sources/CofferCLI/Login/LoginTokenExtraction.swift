import CofferClient

/// Getting to the `auth` block of a login answer, which under `-wrap-ttl` is a wrapped
/// response holding it.
enum LoginTokenExtraction {
    /// How deep wrapped answers may nest before the CLI gives up (a server that wraps every
    /// unwrap answer would otherwise loop).
    static let maxDepth = 4

    /// The answer with the token, and whether it is still wrapped.
    ///
    /// - An answer with `auth` is returned as is.
    /// - A wrapped answer must wrap a token (`wrapped_accessor` set). With `unwrap` false
    ///   (`-token-only`, `-no-store`) it is returned as is, marked wrapped; otherwise it is
    ///   unwrapped with its wrapping token as the client token and without asking for
    ///   wrapping again, and the result examined in turn.
    /// - Anything else is an error.
    static func extract(
        _ answer: VaultSecret, unwrap: Bool, client: VaultClient, run: CommandRun
    ) async throws -> (secret: VaultSecret, wrapped: Bool) {
        var current = answer
        for _ in 0...maxDepth {
            if current.auth != nil { return (current, false) }
            guard let wrap = current.wrapInfo else { throw LoginError("no auth or wrapping info in response") }
            guard !wrap.wrappedAccessor.isEmpty else { throw LoginError("wrapped response does not contain a token") }
            guard unwrap else { return (current, true) }
            let unwrapped = try await run.withoutWrapping(client) { plain in
                try await WrappingAPI.unwrap(plain.withToken(wrap.token), token: nil)
            }
            guard let unwrapped else { throw LoginError("empty response from auth helper") }
            current = unwrapped
        }
        throw LoginError("too many nested wrapped responses")
    }
}
