import CofferClient
import CofferJSON

/// Prints a logical response (`read`, `write`, `delete`, `list`) in the chosen format, the way
/// `vault`'s table and JSON formatters do.
enum SecretOutput {
    /// The whole response. Table: warnings to stderr, then lease, auth, wrapping and data rows.
    /// JSON: the envelope, without null `auth` and `wrap_info` (Go omits them).
    static func print(_ secret: VaultSecret, run: CommandRun) -> Int32 {
        switch run.format {
        case .json:
            run.printJSON(jsonEnvelope(secret))
        case .table:
            printWarnings(secret, run: run)
            if let rows = tableRows(secret), !rows.isEmpty {
                run.output(TableFormatter.keyValueTable(rows))
            }
        }
        return 0
    }

    /// `-field=NAME`: the bare value (JSON-encoded with `-format=json`). Looks in the auth and
    /// wrapping blocks for their row names first, then in `data`. Exit 1 when absent.
    static func printField(_ field: String, of secret: VaultSecret, run: CommandRun) -> Int32 {
        guard let value = fieldValue(field, in: secret), value != .null else {
            run.error("Field \"\(field)\" not present in secret")
            return 1
        }
        switch run.format {
        case .json: run.printRaw(JSONWriter.string(value, pretty: true))
        case .table: run.printRaw(GoValueFormatter.format(value))
        }
        return 0
    }

    /// `list` output: a `Keys` column sorted, or the JSON array of keys.
    static func printList(_ keys: [String], secret: VaultSecret, run: CommandRun) {
        switch run.format {
        case .json:
            run.printJSON(.array(keys.map { .string($0) }))
        case .table:
            printWarnings(secret, run: run)
            guard !keys.isEmpty else { return }
            run.output(TableFormatter.table(header: ["Keys"], rows: keys.sorted().map { [$0] }))
        }
    }

    /// `WARNING! The following warnings were returned from Vault:` and the list, on stderr.
    static func printWarnings(_ secret: VaultSecret, run: CommandRun) {
        guard !secret.warnings.isEmpty else { return }
        run.error("WARNING! The following warnings were returned from Vault:\n")
        for warning in secret.warnings {
            run.error(TextWrap.wrap("* \(warning)", padding: 2))
            run.error("")
        }
    }

    /// The rows of the Key/Value table, in `vault`'s order: lease, token, wrapping, sorted data.
    static func tableRows(_ secret: VaultSecret) -> [(String, String)]? {
        var rows: [(String, String)] = []
        if secret.leaseDuration > 0 {
            let duration = GoValueFormatter.humanDuration(seconds: secret.leaseDuration)
            if !secret.leaseID.isEmpty {
                rows.append(("lease_id", secret.leaseID))
                rows.append(("lease_duration", duration))
                rows.append(("lease_renewable", String(secret.renewable)))
            } else {
                rows.append(("refresh_interval", duration))
            }
        }
        if let auth = secret.auth {
            rows.append(("token", auth.clientToken))
            rows.append(("token_accessor", auth.accessor))
            rows.append((
                "token_duration",
                auth.leaseDuration == 0 ? "∞" : GoValueFormatter.humanDuration(seconds: auth.leaseDuration)
            ))
            rows.append(("token_renewable", String(auth.renewable)))
            rows.append(("token_policies", GoValueFormatter.quotedList(auth.tokenPolicies)))
            rows.append(("identity_policies", GoValueFormatter.quotedList(auth.identityPolicies)))
            rows.append(("policies", GoValueFormatter.quotedList(auth.policies)))
            for key in auth.metadata.keys.sorted() {
                rows.append(("token_meta_\(key)", GoValueFormatter.format(auth.metadata[key]!)))
            }
        }
        if let wrap = secret.wrapInfo {
            rows.append(("wrapping_token:", wrap.token))
            rows.append(("wrapping_accessor:", wrap.accessor))
            rows.append(("wrapping_token_ttl:", GoValueFormatter.humanDuration(seconds: wrap.ttl)))
            rows.append(("wrapping_token_creation_time:", wrap.creationTime))
            rows.append(("wrapping_token_creation_path:", wrap.creationPath))
            if !wrap.wrappedAccessor.isEmpty {
                rows.append(("wrapped_accessor:", wrap.wrappedAccessor))
            }
        }
        if let data = secret.data {
            for key in data.keys.sorted() {
                rows.append((key, GoValueFormatter.cell(key: key, value: data[key]!)))
            }
        }
        return rows.isEmpty ? nil : rows
    }

    /// The envelope as `vault -format=json` prints it.
    static func jsonEnvelope(_ secret: VaultSecret) -> JSONValue {
        guard case .object(var members) = secret.raw else { return secret.raw }
        for key in ["auth", "wrap_info"] where members[key] == .null {
            members.removeValue(forKey: key)
        }
        return .object(members)
    }

    static func fieldValue(_ field: String, in secret: VaultSecret) -> JSONValue? {
        if let auth = secret.auth {
            switch field {
            case "token": return .string(auth.clientToken)
            case "token_accessor": return .string(auth.accessor)
            case "token_duration": return .int(auth.leaseDuration)
            case "token_renewable": return .bool(auth.renewable)
            case "token_policies": return JSONValue(auth.tokenPolicies)
            case "identity_policies": return JSONValue(auth.identityPolicies)
            case "policies": return JSONValue(auth.policies)
            default: return secret.data?[field]
            }
        }
        if let wrap = secret.wrapInfo {
            switch field {
            case "wrapping_token": return .string(wrap.token)
            case "wrapping_accessor": return .string(wrap.accessor)
            case "wrapping_token_ttl": return .int(wrap.ttl)
            case "wrapping_token_creation_time": return .string(wrap.creationTime)
            case "wrapping_token_creation_path": return .string(wrap.creationPath)
            case "wrapped_accessor": return .string(wrap.wrappedAccessor)
            default: return secret.data?[field]
            }
        }
        if field == "refresh_interval" { return .int(secret.leaseDuration) }
        return secret.data?[field]
    }
}
