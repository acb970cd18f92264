import CofferClient
import CofferJSON

/// One root token for every server of the demo.
///
/// Tokens are local to each cluster in performance replication (as in Vault): activation
/// wipes a secondary's own tokens and the primary's do not work there. So that one
/// `VAULT_TOKEN` works everywhere, the demo creates on every server an orphan root token
/// with the same chosen id: on the primary with its initial root token, on each secondary
/// with a root token made by `sys/generate-root` from the primary's unseal key (what an
/// operator of a real secondary does). The temporary tokens are revoked afterwards.
extension DemoCluster {
    /// A fresh id for the shared token: `demo-root-` and 32 random base62 characters (no
    /// `.`: chosen token ids may not contain one).
    static func makeSharedTokenID() -> String {
        "demo-root-" + RootTokenCodec.randomBase62(length: 32)
    }

    /// Creates the orphan root token `id` on `node` with `bootstrapToken` (a root token of
    /// that server), then revokes `bootstrapToken`.
    func installSharedRootToken(id: String, on node: DemoLayout.Node, using bootstrapToken: String) async throws {
        let bootstrap = try client(node).withToken(bootstrapToken)
        try await step("create the demo root token on \(node.name)", server: node.name) {
            _ = try await bootstrap.request("POST", "auth/token/create-orphan", body: [
                "id": .string(id), "policies": ["root"], "display_name": "demo-root",
            ])
        }
        try await step("revoke the temporary root token of \(node.name)", server: node.name) {
            _ = try await bootstrap.request("POST", "auth/token/revoke-self")
        }
    }

    /// A root token for `node` from `sys/generate-root`, completed with `unsealKey` (one
    /// share: the demo's threshold is 1) and decoded with the server's one-time password.
    func generateRootToken(on node: DemoLayout.Node, unsealKey: String) async throws -> String {
        let client = try client(node)
        let name = "generate a root token on \(node.name) with the primary's unseal key"
        let started = try await step(name, server: node.name) {
            try RootGenerationReply(try await client.request("PUT", "sys/generate-root/attempt", body: [:]))
        }
        guard !started.otp.isEmpty, !started.nonce.isEmpty else {
            throw DemoError(.stepFailed, step: name, server: node.name, "the server did not hand out a one-time password")
        }
        let finished = try await step(name, server: node.name) {
            try RootGenerationReply(try await client.request(
                "PUT", "sys/generate-root/update", body: ["key": .string(unsealKey), "nonce": .string(started.nonce)]))
        }
        let encoded = finished.encodedToken.isEmpty ? finished.encodedRootToken : finished.encodedToken
        guard finished.complete, !encoded.isEmpty else {
            throw DemoError(.stepFailed, step: name, server: node.name, "one key share did not complete the root generation")
        }
        switch RootTokenCodec.decode(encoded, otp: started.otp) {
        case .success(let token): return token
        case .failure(let error): throw DemoError(.stepFailed, step: name, server: node.name, error.message)
        }
    }
}
