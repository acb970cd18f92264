import CofferClient
import CofferJSON

/// What `kv undelete` and `kv destroy` share: both write `{"versions": [...]}` to
/// `<mount>/<prefix>/<key>` on a KV v2 mount and refuse KV v1.
enum KVVersionsCommand {
    static func run(_ run: CommandRun, prefix: String, verb: String, refusal: String) async -> Int32 {
        if let status = run.checkArgumentCount(1...1) { return status }
        guard let versions = KVOutput.versions(run, verb: verb) else { return 1 }
        let (client, kv): (VaultClient, KVPath)
        switch await KVPath.resolve(run.arguments[0], run: run) {
        case .success(let resolved): (client, kv) = resolved
        case .failure(let exit): return exit.code
        }
        guard kv.isV2 else {
            run.error(refusal)
            return 1
        }
        let path = kv.apiPath(prefix)
        return await run.writeCall(path) { _ in
            try await client.write(path, data: ["versions": JSONValue(versions)])
        }
    }
}

extension CommandRun {
    /// A write whose answer is usually empty (`kv undelete`, `kv destroy`, `kv metadata put`):
    /// `Error writing data to <path>: ...` on failure, `Success! Data written to: <path>` (table
    /// format only) for 204, the secret otherwise.
    func writeCall(_ path: String, _ call: (VaultClient) async throws -> VaultSecret?) async -> Int32 {
        await secretCall("Error writing data to \(path)", printPartial: true, onEmpty: {
            if format == .table { output("Success! Data written to: \(path)") }
            return 0
        }, call)
    }
}
