import CofferClient
import CofferJSON

/// Output shared by the `coffer kv` commands.
enum KVOutput {
    /// The answer of a KV write (`kv put`, `kv patch`): `-field`, a wrapped answer, or JSON as
    /// a secret; the table format shows the secret path and the new version's metadata:
    ///
    /// ```
    /// == Secret Path ==
    /// secret/data/foo
    ///
    /// ======= Metadata =======
    /// Key                Value
    /// ---                -----
    /// created_time       2024-01-01T00:00:00Z
    /// ...
    /// ```
    static func printWritten(_ secret: VaultSecret, path: String, run: CommandRun) -> Int32 {
        if let field = run.flags.string("field"), !field.isEmpty {
            return SecretOutput.printField(field, of: secret, run: run)
        }
        if let wrap = secret.wrapInfo, wrap.ttl != 0 {
            return SecretOutput.print(secret, run: run)
        }
        guard run.format == .table else { return SecretOutput.print(secret, run: run) }
        let metadata = secret.data ?? [:]
        run.output(SectionHeader.path(path, title: "Secret Path"))
        run.output(SectionHeader.forTable("Metadata", keys: metadata.keys))
        SecretOutput.printMap(metadata, run: run)
        return 0
    }

    /// `No versions provided, use the "-versions" flag to specify the version to <verb>.`
    /// when `-versions` is missing; otherwise the versions, each occurrence split at commas.
    static func versions(_ run: CommandRun, verb: String) -> [String]? {
        let versions = versionList(run)
        guard !versions.isEmpty else {
            run.error("No versions provided, use the \"-versions\" flag to specify the version to \(verb).")
            return nil
        }
        return versions
    }

    /// Every `-versions` occurrence split at commas, blanks dropped (`-versions=1,2 -versions=3`).
    static func versionList(_ run: CommandRun) -> [String] {
        run.flags.list("versions").flatMap { entry in
            entry.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        }
    }

    /// The `-mount` flag every `kv` command takes.
    static func mountFlag(_ prefix: String) -> FlagSpec {
        FlagSpec(
            "mount", kind: .string,
            usage: "Specifies the path where the KV backend is mounted. If specified, the next argument will be "
                + "interpreted as the secret path. If this flag is not specified, the next argument will be "
                + "interpreted as the combined mount path and secret path, with /\(prefix)/ automatically appended "
                + "between KV v2 secrets.")
    }
}

extension CommandRun {
    /// ``fail(_:_:)``, then any data or warnings the error body carried, printed as a secret
    /// (`vault` shows what the server sent along with a failed write).
    func failPrintingPartial(_ prefix: String, _ error: any Error) -> Int32 {
        let status = fail(prefix, error)
        if let apiError = error as? VaultAPIError, let body = apiError.body, let partial = VaultSecret(json: body),
            partial.data != nil || !partial.warnings.isEmpty
        {
            _ = SecretOutput.print(partial, run: self)
        }
        return status
    }
}
