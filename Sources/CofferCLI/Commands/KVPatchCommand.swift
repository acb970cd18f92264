import CofferClient
import CofferJSON

/// `coffer kv patch [-mount=M] [-cas=N] [-method=patch|rw] [-remove-data=K] KEY K=V...`:
/// updates some keys of the latest KV v2 version. By default an HTTP `PATCH` (JSON merge
/// patch); when the server answers 405 (no PATCH support) or 403 (no `patch` capability) it
/// falls back to read, merge locally, and write with check-and-set.
enum KVPatchCommand: CLICommand {
    static let path = ["kv", "patch"]
    static let synopsis = "Sets or updates data in the KV store without overwriting"
    static let help = """
        Usage: coffer kv patch [options] KEY [DATA]

          *NOTE*: This is only supported for KV v2 engine mounts.

          Writes the data to the corresponding path in the key-value store. The data can be of
          any type.

              $ coffer kv patch -mount=secret foo bar=baz

          The deprecated path-like syntax can also be used, but this should be avoided,
          as the fact that it is not actually the full API path to
          the secret (secret/data/foo) can cause confusion:

              $ coffer kv patch secret/foo bar=baz

          To perform a Check-And-Set operation, specify the -cas flag with the
          appropriate version number corresponding to the key you want to perform
          the CAS operation on:

              $ coffer kv patch -mount=secret -cas=1 foo bar=baz

          By default, this operation will attempt an HTTP PATCH operation. If your
          policy does not allow that, it will fall back to a read/local update/write approach.
          If you wish to specify which method this command should use, you may do so
          with the -method flag. When -method=patch is specified, only an HTTP PATCH
          operation will be tried. If it fails, the entire command will fail.

              $ coffer kv patch -mount=secret -method=patch foo bar=baz

          When -method=rw is specified, only a read/local update/write approach will be tried.

              $ coffer kv patch -mount=secret -method=rw foo bar=baz

          To remove data from the corresponding path in the key-value store, kv patch can be used.

              $ coffer kv patch -mount=secret -remove-data=bar foo
        """
    static let flagGroups: [FlagGroup] = [
        .http, .output,
        FlagGroup("Common Options", [
            FlagSpec(
                "cas", kind: .int, default: "0",
                usage: "Specifies to use a Check-And-Set operation. If set to 0 or not set, the patch will be allowed. "
                    + "If the index is non-zero the patch will only be allowed if the key's current version matches "
                    + "the version specified in the cas parameter."),
            FlagSpec(
                "method", kind: .string,
                usage: "Specifies which method of patching to use. If set to \"patch\", then an HTTP PATCH request "
                    + "will be issued. If set to \"rw\", then a read will be performed, then a local update, followed "
                    + "by a remote update."),
            KVOutput.mountFlag("data"),
            FlagSpec(
                "remove-data", kind: .string,
                usage: "Key to remove from data. To specify multiple values, specify this flag multiple times."),
        ]),
    ]

    static func run(_ run: CommandRun) async -> Int32 {
        let removals = run.flags.list("remove-data")
        if run.arguments.isEmpty {
            run.error("Not enough arguments (expected >1, got 0)")
            return 1
        }
        if removals.isEmpty && run.arguments.count == 1 {
            run.error("Must supply data")
            return 1
        }
        guard var changes = run.keyValueData(run.arguments.dropFirst()) else { return 1 }
        let (client, kv): (VaultClient, KVPath)
        switch await KVPath.target(run) {
        case .success(let resolved): (client, kv) = resolved
        case .failure(let exit): return exit.code
        }
        guard kv.isV2 else {
            run.error("K/V engine mount must be version 2 for patch support")
            return 2
        }
        let path = kv.apiPath("data")
        // In a JSON merge patch, null removes the key.
        for key in removals { changes[key] = .null }

        let outcome: Outcome
        switch run.flags.string("method") ?? "" {
        case "rw": outcome = await readThenWrite(path, changes: changes, client: client, run: run)
        case "patch": outcome = await mergePatch(path, changes: changes, fallback: false, client: client, run: run)
        case "": outcome = await mergePatch(path, changes: changes, fallback: true, client: client, run: run)
        case let other:
            run.error("Unsupported method provided to -method flag: \(other)")
            return 2
        }
        switch outcome {
        case .done(let status): return status
        case .written(let secret): return KVOutput.printWritten(secret, path: path, run: run)
        }
    }

    private enum Outcome {
        /// Finished (printed, or failed) with this exit status.
        case done(Int32)
        /// The server answered with the new version's metadata, still to be printed.
        case written(VaultSecret)
    }

    private static func mergePatch(
        _ path: String, changes: [String: JSONValue], fallback: Bool, client: VaultClient, run: CommandRun
    ) async -> Outcome {
        var options: [String: JSONValue] = [:]
        if let cas = run.flags.int("cas"), cas > 0 { options["cas"] = .int(Int64(cas)) }
        let secret: VaultSecret?
        do {
            secret = try await client.patch(path, data: ["data": .object(changes), "options": .object(options)])
        } catch let error as VaultAPIError where fallback && error.status == 405 {
            return await readThenWrite(path, changes: changes, client: client, run: run)
        } catch let error as VaultAPIError where fallback && error.status == 403 {
            run.error(
                "Data was written to \(path) but we recommend that you add the \"patch\" capability to your ACL "
                    + "policy in order to use HTTP PATCH in the future.")
            return await readThenWrite(path, changes: changes, client: client, run: run)
        } catch {
            return .done(run.fail("Error writing data to \(path)", error))
        }
        return written(secret, path: path, run: run)
    }

    /// Reads the latest version, applies the changes locally and writes the result with
    /// `cas` set to the version read, so that a concurrent write is not lost.
    private static func readThenWrite(
        _ path: String, changes: [String: JSONValue], client: VaultClient, run: CommandRun
    ) async -> Outcome {
        let current: VaultSecret?
        do {
            current = try await client.read(path)
        } catch {
            return .done(run.fail("Error doing pre-read at \(path)", error))
        }
        guard let current, let envelope = current.data else {
            run.error("No value found at \(path)")
            return .done(2)
        }
        guard let rawMetadata = envelope["metadata"], rawMetadata != .null else {
            run.error("No metadata found at \(path); patch only works on existing data")
            return .done(2)
        }
        guard case .object(let metadata) = rawMetadata else {
            run.error("Metadata found at \(path) is not the expected type (JSON object)")
            return .done(2)
        }
        guard let rawData = envelope["data"], rawData != .null else {
            run.error("No data found at \(path); patch only works on existing data")
            return .done(2)
        }
        guard case .object(var data) = rawData else {
            run.error("Data found at \(path) is not the expected type (JSON object)")
            return .done(2)
        }
        for (key, value) in changes {
            if value == .null { data.removeValue(forKey: key) } else { data[key] = value }
        }
        let body: [String: JSONValue] = [
            "data": .object(data), "options": ["cas": metadata["version"] ?? .null],
        ]
        let secret: VaultSecret?
        do {
            secret = try await client.write(path, data: body)
        } catch {
            return .done(run.fail("Error writing data to \(path)", error))
        }
        return written(secret, path: path, run: run)
    }

    private static func written(_ secret: VaultSecret?, path: String, run: CommandRun) -> Outcome {
        guard let secret else {
            if run.format == .table { run.output("Success! Data written to: \(path)") }
            return .done(0)
        }
        return .written(secret)
    }
}
