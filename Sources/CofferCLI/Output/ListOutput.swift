import CofferClient

/// The answer of a `LIST` as `vault list` and `vault kv list` print it.
enum ListOutput {
    /// A wrapped answer prints as a secret; otherwise the sorted `Keys` column (or the JSON
    /// array). Nothing there: `No value found at <path>` (no data) or `No entries found at
    /// <path>` (data without keys) and exit 2; with `-format=json`, `{}` and exit 2.
    static func print(_ secret: VaultSecret?, path: String, run: CommandRun) -> Int32 {
        if let secret, let wrap = secret.wrapInfo, wrap.ttl != 0 {
            return SecretOutput.print(secret, run: run)
        }
        let keys = secret?.data?["keys"]?.arrayValue?.compactMap(\.stringValue)
        guard let secret, secret.data != nil, let keys else {
            if run.format == .json {
                run.printJSON(.object([:]))
            } else if secret?.data == nil {
                run.error("No value found at \(path)")
            } else {
                run.error("No entries found at \(path)")
            }
            return 2
        }
        SecretOutput.printList(keys, secret: secret, run: run)
        return 0
    }
}
