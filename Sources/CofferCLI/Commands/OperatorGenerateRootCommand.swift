import CofferClient
import CofferJSON

/// `coffer operator generate-root`: makes a new root token from a quorum of unseal key
/// shares, through `sys/generate-root/*`, as `vault operator generate-root` does.
///
/// One of: `-generate-otp` (print an OTP of the server's `otp_length`), `-decode=<encoded>
/// -otp=<otp>` (XOR the encoded token with the OTP, locally), `-cancel`, `-init [-otp=...]`
/// (without `-otp` the server makes the OTP and it is printed once), `-status`, or a key
/// share (argument, `-` for standard input, else prompt or a line of standard input).
enum OperatorGenerateRootCommand: CLICommand {
    static let path = ["operator", "generate-root"]
    static let synopsis = "Generates a new root token"
    static let help = """
        Usage: coffer operator generate-root [options] [KEY]

          Generates a new root token by combining a quorum of share holders. The
          resulting token is XORed with a one-time password (OTP) when it is returned:
          give your own with -otp when starting (-generate-otp prints a suitable one), or
          let the server generate it; it is then shown once, in the OTP field. Use
          -decode with the OTP to print the final token. PGP encryption of the token is
          not supported.

          An unseal key may be provided directly on the command line as an argument to
          the command. If key is specified as "-", the command will read from stdin. If
          a TTY is available, the command will prompt for text.

          Generate an OTP code for the final token:

              $ coffer operator generate-root -generate-otp

          Start a root token generation:

              $ coffer operator generate-root -init -otp="..."

          Enter an unseal key to progress root token generation:

              $ coffer operator generate-root -nonce="..." KEY

          Decode the encoded token once the quorum is reached:

              $ coffer operator generate-root -decode="..." -otp="..."
        """
    static let flagGroups: [FlagGroup] = [
        .http, .format,
        FlagGroup("Command Options", [
            FlagSpec(
                "init", kind: .bool, default: "false",
                usage: "Start a root token generation. This can only be done if there is not currently one in progress."),
            FlagSpec(
                "cancel", kind: .bool, default: "false",
                usage: "Reset the root token generation progress. This will discard any submitted unseal keys or configuration."),
            FlagSpec(
                "status", kind: .bool, default: "false",
                usage: "Print the status of the current attempt without providing an unseal key."),
            FlagSpec(
                "decode", kind: .string,
                usage: "The value to decode; setting this triggers a decode operation. \"-\" reads it from stdin."),
            FlagSpec(
                "generate-otp", kind: .bool, default: "false",
                usage: "Generate and print a high-entropy one-time-password (OTP) suitable for use with the \"-init\" flag."),
            FlagSpec("otp", kind: .string, usage: "OTP code to use with \"-decode\" or \"-init\"."),
            FlagSpec(
                "pgp-key", kind: .string,
                usage: "Not supported by Coffer: the generated token can only be protected with an OTP."),
            FlagSpec(
                "nonce", kind: .string,
                usage: "Nonce value provided at initialization. The same nonce value must be provided with each unseal key."),
        ]),
    ]

    static let attemptPath = "sys/generate-root/attempt"
    static let updatePath = "sys/generate-root/update"

    static func run(_ run: CommandRun) async -> Int32 {
        if let status = run.checkArgumentCount(0...1) { return status }
        let otp = run.flags.string("otp") ?? ""
        if run.flags.bool("generate-otp") != true, let decode = run.flags.string("decode"), !decode.isEmpty {
            return self.decode(decode, otp: otp, run: run)
        }
        if let pgpKey = run.flags.string("pgp-key"), !pgpKey.isEmpty {
            run.error("Error: -pgp-key is not supported: Coffer protects the generated root token with an OTP only (use -otp, or let the server generate one)")
            return 1
        }
        let client: VaultClient
        switch run.clientOrExit() {
        case .success(let made): client = made
        case .failure(let exit): return exit.code
        }
        if run.flags.bool("generate-otp") == true { return await generateOTP(client: client, run: run) }
        if run.flags.bool("cancel") == true {
            do {
                _ = try await client.request("DELETE", attemptPath)
            } catch {
                return run.fail("Error canceling root token generation", error)
            }
            run.output("Success! Root token generation canceled (if it was started)")
            return 0
        }
        if run.flags.bool("init") == true {
            let status: RootGenerationReply
            do {
                status = try RootGenerationReply(try await client.request(
                    "PUT", attemptPath, body: ["otp": .string(otp), "pgp_key": ""]))
            } catch {
                return run.fail("Error initializing root generation", error)
            }
            return printStatus(status, run: run)
        }
        if run.flags.bool("status") == true {
            do {
                return printStatus(try RootGenerationReply(try await client.request("GET", attemptPath)), run: run)
            } catch {
                return run.fail("Error getting root generation status", error)
            }
        }
        return await provide(client: client, run: run)
    }

    // MARK: - Steps

    /// Prints a random base62 OTP as long as the server's root tokens.
    private static func generateOTP(client: VaultClient, run: CommandRun) async -> Int32 {
        let length: Int
        do {
            length = try RootGenerationReply(try await client.request("GET", attemptPath)).otpLength
        } catch {
            return run.fail("Error getting root generation status", error)
        }
        guard length > 0, length <= 1024 else {
            run.error("Error generating OTP: the server reported an unusable OTP length (\(length))")
            return 2
        }
        let otp = RootTokenCodec.randomBase62(length: length)
        switch run.format {
        case .table: run.printRaw(otp)
        case .json: run.printJSON(["otp": .string(otp), "otp_length": .int(Int64(length))])
        }
        return 0
    }

    /// `-decode`: base64 (padded or not) of token XOR OTP, undone locally. The OTP is as long
    /// as the token, so no server round trip is needed.
    private static func decode(_ flag: String, otp: String, run: CommandRun) -> Int32 {
        var encoded = flag
        if flag == "-" {
            do {
                encoded = String(decoding: try run.context.stdin.readAll(), as: UTF8.self)
            } catch {
                run.error("Failed to read from stdin: \(CommandRun.message(for: error))")
                return 1
            }
        }
        encoded = encoded.trimmingWhitespace()
        if encoded.isEmpty {
            run.error("Missing encoded value: use -decode=<string> to supply it")
            return 1
        }
        if otp.isEmpty {
            run.error("Missing otp: use -otp to supply it")
            return 1
        }
        let token: String
        switch RootTokenCodec.decode(encoded, otp: otp) {
        case .success(let decoded): token = decoded
        case .failure(let error):
            run.error(error.message)
            return 1
        }
        switch run.format {
        case .table: run.printRaw(token)
        case .json: run.printJSON(["token": .string(token)])
        }
        return 0
    }

    /// Sends one key share with the attempt's nonce and prints the status after it.
    private static func provide(client: VaultClient, run: CommandRun) async -> Int32 {
        let status: RootGenerationReply
        do {
            status = try RootGenerationReply(try await client.request("GET", attemptPath))
        } catch {
            return run.fail("Error getting root generation status", error)
        }
        guard status.started else {
            run.error(TextWrap.wrap(
                "No root generation is in progress. Start a root generation by running \"coffer operator generate-root -init\"."))
            run.error(TextWrap.wrap(
                "If starting root generation using the OTP method and generating your own OTP, the length of the OTP string needs to be \(status.otpLength) characters in length."))
            return 1
        }
        let key: String
        let nonce: String
        switch KeyShareInput.read(argument: run.arguments.first ?? "", noncePrompt: "Operation nonce", status: status.nonce, run: run) {
        case .success(let entered): (key, nonce) = entered
        case .failure(let exit): return exit.code
        }
        do {
            let answer = try RootGenerationReply(try await client.request(
                "PUT", updatePath, body: ["key": .string(key), "nonce": .string(nonce)]))
            return printStatus(answer, run: run)
        } catch {
            return run.fail("Error posting unseal key", error)
        }
    }

    /// The status as `vault` prints it: a column list without header, or the JSON object.
    static func printStatus(_ status: RootGenerationReply, run: CommandRun) -> Int32 {
        switch run.format {
        case .json:
            run.printJSON(status.json)
        case .table:
            var rows: [[String]] = [
                ["Nonce", status.nonce],
                ["Started", String(status.started)],
                ["Progress", "\(status.progress)/\(status.required)"],
                ["Complete", String(status.complete)],
            ]
            if !status.pgpFingerprint.isEmpty { rows.append(["PGP Fingerprint", status.pgpFingerprint]) }
            if !status.encodedToken.isEmpty {
                rows.append(["Encoded Token", status.encodedToken])
            } else if !status.encodedRootToken.isEmpty {
                rows.append(["Encoded Root Token", status.encodedRootToken])
            }
            if !status.otp.isEmpty {
                run.error(TextWrap.wrap(
                    "A One-Time-Password has been generated for you and is shown in the OTP field. You will need this value to decode the resulting root token, so keep it safe."))
                rows.append(["OTP", status.otp])
            }
            if status.otpLength != 0 { rows.append(["OTP Length", String(status.otpLength)]) }
            run.output(TableFormatter.columns(rows))
        }
        return 0
    }
}

/// The answer of `sys/generate-root/attempt` and `/update` (Vault's
/// `GenerateRootStatusResponse`); absent members take Go's zero values.
struct RootGenerationReply: Sendable {
    var nonce = ""
    var started = false
    var progress = 0
    var required = 0
    var complete = false
    var encodedToken = ""
    var encodedRootToken = ""
    var pgpFingerprint = ""
    var otp = ""
    var otpLength = 0

    init(_ response: VaultResponse) throws {
        let object = try response.requireJSONObject()
        nonce = object["nonce"]?.stringValue ?? ""
        started = object["started"]?.boolValue ?? false
        progress = Int(object["progress"]?.intValue ?? 0)
        required = Int(object["required"]?.intValue ?? 0)
        complete = object["complete"]?.boolValue ?? false
        encodedToken = object["encoded_token"]?.stringValue ?? ""
        encodedRootToken = object["encoded_root_token"]?.stringValue ?? ""
        pgpFingerprint = object["pgp_fingerprint"]?.stringValue ?? ""
        otp = object["otp"]?.stringValue ?? ""
        otpLength = Int(object["otp_length"]?.intValue ?? 0)
    }

    /// `-format=json`: every member, as the Go client marshals its struct.
    var json: JSONValue {
        [
            "nonce": .string(nonce), "started": .bool(started), "progress": .int(Int64(progress)),
            "required": .int(Int64(required)), "complete": .bool(complete), "encoded_token": .string(encodedToken),
            "encoded_root_token": .string(encodedRootToken), "pgp_fingerprint": .string(pgpFingerprint),
            "otp": .string(otp), "otp_length": .int(Int64(otpLength)),
        ]
    }
}

/// The generate-root token encoding: standard base64 (Vault sends it unpadded; padded is
/// accepted too) of `token XOR otp`, byte by byte; and random base62 OTPs.
enum RootTokenCodec {
    static func decode(_ encoded: String, otp: String) -> Result<String, CLIError> {
        guard let mixed = base64Decode(encoded) else {
            return .failure(CLIError(.invalidInput, "Error decoding base64'd token: the value is not valid base64"))
        }
        let key = Array(otp.utf8)
        guard mixed.count == key.count else {
            return .failure(CLIError(.invalidInput,
                "Error xoring token: the OTP is \(key.count) bytes long but the encoded token is \(mixed.count) bytes; use the OTP the generation was started with"))
        }
        var token = [UInt8](repeating: 0, count: key.count)
        for index in token.indices { token[index] = mixed[index] ^ key[index] }
        return .success(String(decoding: token, as: UTF8.self))
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let base64Values: [UInt8: UInt8] = {
        var table: [UInt8: UInt8] = [:]
        for (index, char) in base64Alphabet.enumerated() { table[char] = UInt8(index) }
        return table
    }()

    /// Standard base64 (RFC 4648 §4), with or without `=` padding; nil when malformed.
    static func base64Decode(_ text: String) -> [UInt8]? {
        var chars = Array(text.utf8)
        var padding = 0
        while chars.last == UInt8(ascii: "=") {
            chars.removeLast()
            padding += 1
        }
        guard padding <= 2, chars.count % 4 != 1 else { return nil }
        if padding > 0 && (chars.count + padding) % 4 != 0 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for char in chars {
            guard let value = base64Values[char] else { return nil }
            buffer = (buffer << 6 | UInt32(value)) & 0xFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }

    private static let base62Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// Random base62 text from the system's secure generator.
    static func randomBase62(length: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for _ in 0..<length { bytes.append(base62Alphabet[Int(rng.next(upperBound: UInt64(base62Alphabet.count)))]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// How the key-share commands (`operator generate-root`, `operator rekey`) take a share:
/// the argument; `-` for all of standard input; else a hidden prompt on a terminal (which
/// shows the operation's nonce and uses it) or the first line of a non-terminal stdin.
/// With the share given as an argument or `-`, the nonce must come from `-nonce`, as in
/// `vault`: a share is never sent to an operation the user did not name.
enum KeyShareInput {
    static let prompt = "Unseal Key (will be hidden): "

    static func read(
        argument: String, noncePrompt: String, status nonce: String, run: CommandRun
    ) -> Result<(key: String, nonce: String), ExitStatus> {
        let flagNonce = run.flags.string("nonce") ?? ""
        var key = argument.trimmingWhitespace()
        var chosenNonce = flagNonce
        let input = run.context.stdin
        if key == "-" {
            do {
                key = String(decoding: try input.readAll(), as: UTF8.self)
            } catch {
                run.error("Failed to read from stdin: \(CommandRun.message(for: error))")
                return .failure(ExitStatus(1))
            }
        } else if key.isEmpty {
            if chosenNonce.isEmpty { chosenNonce = nonce }
            if input.isTerminal && run.flags.bool("non-interactive") == true {
                run.error("An unseal key is required: give it as the argument; -non-interactive forbids prompting for it.")
                return .failure(ExitStatus(1))
            }
            let line: String?
            do {
                if input.isTerminal {
                    run.output("\(noncePrompt): \(chosenNonce)")
                    line = try input.readSecretLine(prompt: prompt, output: run.context.stdout)
                } else {
                    line = try input.readLine()
                }
            } catch {
                run.error(TextWrap.wrap(
                    "An error occurred attempting to ask for the unseal key. Pass the key as the argument, or \"-\" to read it from stdin. The raw error was: \(CommandRun.message(for: error))"))
                return .failure(ExitStatus(1))
            }
            key = line ?? ""
        }
        key = key.trimmingWhitespace()
        guard !key.isEmpty else {
            run.error("No unseal key given: standard input was empty.")
            return .failure(ExitStatus(1))
        }
        guard !chosenNonce.isEmpty else {
            run.error("Missing nonce value: specify it via the -nonce flag")
            return .failure(ExitStatus(1))
        }
        return .success((key, chosenNonce))
    }
}
