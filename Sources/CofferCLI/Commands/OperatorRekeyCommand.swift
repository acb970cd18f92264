import CofferClient
import CofferJSON

/// `coffer operator rekey`: replaces the unseal key shares through `sys/rekey/*`, as
/// `vault operator rekey` does.
///
/// One of: `-backup-delete`, `-backup-retrieve`, `-cancel` (with `-verify`: restart the
/// verification only), `-init` (`-key-shares`, `-key-threshold`, `-verify`), `-status` (with
/// `-verify`: the verification's), or a key share: a current one, or with `-verify` one of
/// the new shares (argument, `-` for standard input, else prompt or a line of stdin).
enum OperatorRekeyCommand: CLICommand {
    static let path = ["operator", "rekey"]
    static let synopsis = "Generates new unseal keys"
    static let help = """
        Usage: coffer operator rekey [options] [KEY]

          Generates a new set of unseal keys. This can optionally change the total
          number of key shares or the required threshold of those key shares to
          reconstruct the root key. This operation is zero downtime, but it requires
          the server is unsealed and a quorum of existing unseal keys are provided.

          An unseal key may be provided directly on the command line as an argument to
          the command. If key is specified as "-", the command will read from stdin. If
          a TTY is available, the command will prompt for text.

          Initialize a rekey:

              $ coffer operator rekey -init -key-shares=15 -key-threshold=9

          Initialize a rekey whose new keys take effect only once verified:

              $ coffer operator rekey -init -verify

          Enter a current unseal key, then (with -verify) a new one:

              $ coffer operator rekey -nonce="..." KEY
              $ coffer operator rekey -verify -nonce="..." NEW-KEY

          PGP-encrypted key shares and their backups are not supported.
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Common Options", [
            FlagSpec(
                "init", kind: .bool, default: "false",
                usage: "Initialize the rekeying operation. This can only be done if no rekeying operation is in progress. Customize the new number of key shares and key threshold using the -key-shares and -key-threshold flags."),
            FlagSpec(
                "cancel", kind: .bool, default: "false",
                usage: "Reset the rekeying progress. This will discard any submitted unseal keys or configuration."),
            FlagSpec(
                "status", kind: .bool, default: "false",
                usage: "Print the status of the current attempt without providing an unseal key."),
            FlagSpec(
                "key-shares", aliases: ["n"], kind: .int, default: "5",
                usage: "Number of key shares to split the generated root key into. This is the number of \"unseal keys\" to generate."),
            FlagSpec(
                "key-threshold", aliases: ["t"], kind: .int, default: "3",
                usage: "Number of key shares required to reconstruct the root key. This must be less than or equal to -key-shares."),
            FlagSpec(
                "nonce", kind: .string,
                usage: "Nonce value provided at initialization. The same nonce value must be provided with each unseal key."),
            FlagSpec(
                "target", kind: .string, default: "barrier",
                usage: "Target for rekeying. Only \"barrier\" exists: Coffer's Shamir seal has no recovery keys."),
            FlagSpec(
                "verify", kind: .bool, default: "false",
                usage: "Indicates that the action (-status, -cancel, or providing a key share) will be affecting verification for the current rekey attempt. With -init, requires verification of the new keys before they take effect."),
            FlagSpec(
                "pgp-keys", kind: .string,
                usage: "Not supported by Coffer: the new unseal keys are returned unencrypted."),
        ]),
        FlagGroup("Backup Options", [
            FlagSpec(
                "backup", kind: .bool, default: "false",
                usage: "Not supported by Coffer: backups exist only for PGP-encrypted keys."),
            FlagSpec("backup-delete", kind: .bool, default: "false", usage: "Delete any stored backup unseal keys."),
            FlagSpec(
                "backup-retrieve", kind: .bool, default: "false",
                usage: "Retrieve the backed-up unseal keys. Coffer never stores any."),
        ]),
    ]

    static let initPath = "sys/rekey/init"
    static let updatePath = "sys/rekey/update"
    static let verifyPath = "sys/rekey/verify"
    static let backupPath = "sys/rekey/backup"

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...1) { return status }
        let target = (run.flags.string("target") ?? "barrier").trimmingWhitespace().lowercased()
        guard target == "barrier" else {
            run.error("Unknown target: \(target) (Coffer's Shamir seal only has the \"barrier\" target)")
            return 1
        }
        let verify = run.flags.bool("verify") == true
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        if run.flags.bool("backup-delete") == true {
            do {
                _ = try await client.request("DELETE", backupPath)
            } catch {
                return run.fail("Error deleting rekey stored keys", error)
            }
            run.output("Success! Delete stored keys (if they existed)")
            return 0
        }
        if run.flags.bool("backup-retrieve") == true {
            do {
                let object = try await client.request("GET", backupPath).requireJSONObject()
                switch run.format {
                case .json: run.printJSON(.object(object))
                case .table:
                    run.output(TableFormatter.keyValueTable(
                        object.keys.sorted().map { ($0, GoValueFormatter.format(object[$0]!)) }))
                }
                return 0
            } catch {
                return run.fail("Error retrieving rekey stored keys", error)
            }
        }
        if run.flags.bool("cancel") == true {
            do {
                _ = try await client.request("DELETE", verify ? verifyPath : initPath)
            } catch {
                return run.fail("Error canceling rekey", error)
            }
            run.output("Success! Canceled rekeying (if it was started)")
            return 0
        }
        if run.flags.bool("init") == true { return await start(client: client, verify: verify, run: run) }
        if run.flags.bool("status") == true { return await status(client: client, verify: verify, run: run) }
        return await provide(client: client, verify: verify, run: run)
    }

    // MARK: - Steps

    private static func start(client: VaultClient, verify: Bool, run: CommandRun) async -> Int32 {
        if let keys = run.flags.string("pgp-keys"), !keys.isEmpty {
            run.error("Error initializing rekey: -pgp-keys is not supported: Coffer returns the new unseal keys unencrypted")
            return 1
        }
        if run.flags.bool("backup") == true {
            run.error("Error initializing rekey: -backup is not supported: backups exist only for PGP-encrypted keys")
            return 1
        }
        let body: JSONValue = [
            "secret_shares": .int(Int64(run.flags.int("key-shares") ?? 5)),
            "secret_threshold": .int(Int64(run.flags.int("key-threshold") ?? 3)),
            "require_verification": .bool(verify),
        ]
        let status: RekeyStatusReply
        do {
            status = try RekeyStatusReply(try await client.request("PUT", initPath, body: body))
        } catch {
            return run.fail("Error initializing rekey", error)
        }
        if run.format == .table {
            run.error(TextWrap.wrap(
                "WARNING! If you lose the keys after they are returned, there is no recovery: store each new unseal key share safely as soon as it is printed."))
            run.output("")
        }
        return printStatus(status, run: run)
    }

    private static func status(client: VaultClient, verify: Bool, run: CommandRun) async -> Int32 {
        do {
            let response = try await client.request("GET", verify ? verifyPath : initPath)
            if verify { return printVerification(try RekeyVerificationReply(response), run: run) }
            return printStatus(try RekeyStatusReply(response), run: run)
        } catch {
            return run.fail("Error reading rekey status", error)
        }
    }

    /// Sends one share (current, or new with `-verify`) and prints what followed.
    private static func provide(client: VaultClient, verify: Bool, run: CommandRun) async -> Int32 {
        let started: Bool
        let nonce: String
        var rekeyStatus: RekeyStatusReply?
        do {
            if verify {
                let status = try RekeyVerificationReply(try await client.request("GET", verifyPath))
                (started, nonce) = (status.started, status.nonce)
            } else {
                let status = try RekeyStatusReply(try await client.request("GET", initPath))
                (started, nonce) = (status.started, status.nonce)
                rekeyStatus = status
            }
        } catch {
            return run.fail("Error getting rekey status", error)
        }
        guard started else {
            run.error(TextWrap.wrap(verify
                ? "No rekey verification is in progress. Start a rekey with \"coffer operator rekey -init -verify\" and provide a quorum of the current keys first."
                : "No rekey is in progress. Start a rekey process by running \"coffer operator rekey -init\"."))
            return 1
        }
        let key: String
        let chosenNonce: String
        let noncePrompt = verify ? "Rekey verification nonce" : "Rekey operation nonce"
        switch KeyShareInput.read(argument: run.arguments.first ?? "", noncePrompt: noncePrompt, status: nonce, run: run) {
        case .success(let entered): (key, chosenNonce) = entered
        case .failure(let exit): return exit.code
        }
        let response: VaultResponse
        do {
            response = try await client.request(
                "PUT", verify ? verifyPath : updatePath, body: ["key": .string(key), "nonce": .string(chosenNonce)])
        } catch {
            return run.fail("Error posting unseal key", error)
        }
        do {
            let object = try response.requireJSONObject()
            guard object["complete"]?.boolValue == true else {
                return await status(client: client, verify: verify, run: run)
            }
            if verify {
                run.output("Rekey verification successful.")
                return 0
            }
            return await printUnsealKeys(
                RekeyUpdateReply(object), status: rekeyStatus, client: client, run: run)
        } catch {
            return run.fail("Error posting unseal key", error)
        }
    }

    /// The new keys and what to do with them; with verification pending, the verification
    /// status after them.
    private static func printUnsealKeys(
        _ reply: RekeyUpdateReply, status before: RekeyStatusReply?, client: VaultClient, run: CommandRun
    ) async -> Int32 {
        if run.format == .json {
            run.printJSON(reply.json)
            return 0
        }
        run.output("")
        let keys = reply.keysBase64.count == reply.keys.count ? reply.keysBase64 : reply.keys
        for (index, key) in keys.enumerated() { run.output("Key \(index + 1): \(key)") }
        run.output("")
        run.output("Operation nonce: \(reply.nonce)")
        let shares = before?.newShares ?? keys.count
        let threshold = before?.newThreshold ?? 0
        run.output("")
        guard reply.verificationRequired else {
            run.output(TextWrap.wrap(
                "Vault rekeyed with \(shares) key shares and a key threshold of \(threshold). Please securely distribute the key shares printed above. When Vault is re-sealed, restarted, or stopped, you must supply at least \(threshold) of these keys to unseal it before it can start servicing requests."))
            return 0
        }
        run.output(TextWrap.wrap(
            "Vault has created a new key, split into \(shares) key shares and a key threshold of \(threshold). These will not be active until after verification is complete. Please securely distribute the key shares printed above. When Vault is re-sealed, restarted, or stopped, you must supply at least \(threshold) of these keys to unseal it before it can start servicing requests."))
        run.output("")
        run.error(TextWrap.wrap(
            "Again, these key shares are _not_ valid until verification is performed. Do not lose or discard your current key shares until after verification is complete or you will be unable to unseal Vault. If you cancel the rekey process or seal Vault before verification is complete the new shares will be discarded and the current shares will remain valid."))
        run.output("")
        run.error(TextWrap.wrap("The current verification status, including initial nonce, is shown below."))
        run.output("")
        return await status(client: client, verify: true, run: run)
    }

    static func printStatus(_ status: RekeyStatusReply, run: CommandRun) -> Int32 {
        switch run.format {
        case .json:
            run.printJSON(status.json)
        case .table:
            var rows: [(String, String)] = [("Nonce", status.nonce), ("Started", String(status.started))]
            if status.started {
                rows.append(("Rekey Progress", "\(status.progress)/\(status.required)"))
                rows.append(("New Shares", String(status.newShares)))
                rows.append(("New Threshold", String(status.newThreshold)))
                rows.append(("Verification Required", String(status.verificationRequired)))
            }
            run.output(TableFormatter.keyValueTable(rows))
        }
        return 0
    }

    static func printVerification(_ status: RekeyVerificationReply, run: CommandRun) -> Int32 {
        switch run.format {
        case .json:
            run.printJSON(status.json)
        case .table:
            run.output(TableFormatter.keyValueTable([
                ("Nonce", status.nonce), ("Started", String(status.started)),
                ("New Shares", String(status.newShares)), ("New Threshold", String(status.newThreshold)),
                ("Verification Progress", "\(status.progress)/\(status.newThreshold)"),
            ]))
        }
        return 0
    }
}

/// `sys/rekey/init` as Vault's `RekeyStatusResponse`; absent members take Go's zero values.
struct RekeyStatusReply: Sendable {
    var nonce: String
    var started: Bool
    var newThreshold: Int
    var newShares: Int
    var progress: Int
    var required: Int
    var verificationRequired: Bool
    var verificationNonce: String

    init(_ response: VaultResponse) throws {
        let object = try response.requireJSONObject()
        nonce = object["nonce"]?.stringValue ?? ""
        started = object["started"]?.boolValue ?? false
        newThreshold = Int(object["t"]?.intValue ?? 0)
        newShares = Int(object["n"]?.intValue ?? 0)
        progress = Int(object["progress"]?.intValue ?? 0)
        required = Int(object["required"]?.intValue ?? 0)
        verificationRequired = object["verification_required"]?.boolValue ?? false
        verificationNonce = object["verification_nonce"]?.stringValue ?? ""
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "nonce": .string(nonce), "started": .bool(started), "t": .int(Int64(newThreshold)),
            "n": .int(Int64(newShares)), "progress": .int(Int64(progress)), "required": .int(Int64(required)),
            "pgp_fingerprints": nil, "backup": false, "verification_required": .bool(verificationRequired),
        ]
        if !verificationNonce.isEmpty { members["verification_nonce"] = .string(verificationNonce) }
        return .object(members)
    }
}

/// `sys/rekey/verify` as Vault's `RekeyVerificationStatusResponse`.
struct RekeyVerificationReply: Sendable {
    var nonce: String
    var started: Bool
    var newThreshold: Int
    var newShares: Int
    var progress: Int

    init(_ response: VaultResponse) throws {
        let object = try response.requireJSONObject()
        nonce = object["nonce"]?.stringValue ?? ""
        started = object["started"]?.boolValue ?? false
        newThreshold = Int(object["t"]?.intValue ?? 0)
        newShares = Int(object["n"]?.intValue ?? 0)
        progress = Int(object["progress"]?.intValue ?? 0)
    }

    var json: JSONValue {
        [
            "nonce": .string(nonce), "started": .bool(started), "t": .int(Int64(newThreshold)),
            "n": .int(Int64(newShares)), "progress": .int(Int64(progress)),
        ]
    }
}

/// The completing `sys/rekey/update` answer (Vault's `RekeyUpdateResponse`): the new keys.
struct RekeyUpdateReply: Sendable {
    var nonce: String
    var keys: [String]
    var keysBase64: [String]
    var verificationRequired: Bool
    var verificationNonce: String

    init(_ object: [String: JSONValue]) {
        nonce = object["nonce"]?.stringValue ?? ""
        keys = object["keys"]?.stringArrayValue ?? []
        keysBase64 = object["keys_base64"]?.stringArrayValue ?? []
        verificationRequired = object["verification_required"]?.boolValue ?? false
        verificationNonce = object["verification_nonce"]?.stringValue ?? ""
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "nonce": .string(nonce), "complete": true, "keys": JSONValue(keys), "keys_base64": JSONValue(keysBase64),
            "pgp_fingerprints": nil, "backup": false, "verification_required": .bool(verificationRequired),
        ]
        if !verificationNonce.isEmpty { members["verification_nonce"] = .string(verificationNonce) }
        return .object(members)
    }
}
