@testable import CofferCLI
import CofferClient
import CofferJSON
import Foundation
import Testing

private let hvacOTP = "BMjzW3wAsEzINXCM05Wbas3u9zSl"
private let token = "hvs.AbCdEfGhIjKlMnOpQrStUvWx"

/// token XOR OTP, standard base64, optionally without padding (Vault ≥ 1.10 sends it unpadded).
private func encode(_ token: String, otp: String, padded: Bool = false) -> String {
    let mixed = zip(Array(token.utf8), Array(otp.utf8)).map { $0 ^ $1 }
    var text = Data(mixed).base64EncodedString()
    if !padded { while text.hasSuffix("=") { text.removeLast() } }
    return text
}

private func status(
    started: Bool, nonce: String = "", progress: Int = 0, complete: Bool = false, encoded: String = "", otp: String = "",
    otpLength: Int = 28
) -> String {
    """
    {"started": \(started), "nonce": "\(nonce)", "progress": \(progress), "required": 3, "complete": \(complete),
     "encoded_token": "\(encoded)", "encoded_root_token": "\(encoded)", "pgp_fingerprint": "", "otp": "\(otp)",
     "otp_length": \(otpLength)}
    """
}

@Suite("operator generate-root against a fake server")
struct GenerateRootCommandTests {
    @Test func initWithOTPSendsItAndPrintsTheStatus() async throws {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/generate-root/attempt", json: status(started: true, nonce: "n-1"))
        #expect(await cli.run("operator", "generate-root", "-init", "-otp=\(hvacOTP)") == 0)
        #expect(cli.transport.requests.first?.json == ["otp": .string(hvacOTP), "pgp_key": ""])
        #expect(cli.out == """
            Nonce         n-1
            Started       true
            Progress      0/3
            Complete      false
            OTP Length    28

            """)
        #expect(cli.err.isEmpty)
    }

    @Test func initWithoutOTPShowsTheGeneratedOneWithAWarning() async throws {
        let cli = CLIHarness()
        cli.transport.on("PUT", "sys/generate-root/attempt", json: status(started: true, nonce: "n-1", otp: hvacOTP))
        #expect(await cli.run("operator", "generate-root", "-init") == 0)
        #expect(cli.transport.requests.first?.json == ["otp": "", "pgp_key": ""])
        #expect(cli.out.contains("OTP           \(hvacOTP)\n"))
        #expect(cli.err.contains("One-Time-Password has been generated"))
    }

    @Test func statusAsJSONHasEveryField() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/generate-root/attempt", json: #"{"started": false, "required": 3, "otp_length": 28}"#)
        #expect(await cli.run("operator", "generate-root", "-status", "-format=json") == 0)
        #expect(try JSONParser.parse(Array(cli.out.utf8)) == [
            "nonce": "", "started": false, "progress": 0, "required": 3, "complete": false, "encoded_token": "",
            "encoded_root_token": "", "pgp_fingerprint": "", "otp": "", "otp_length": 28,
        ])
        // Idle: the table shows n/a for the empty nonce, as `vault` does.
        let table = CLIHarness()
        table.transport.on("GET", "sys/generate-root/attempt", json: #"{"started": false, "required": 3, "otp_length": 28}"#)
        #expect(await table.run("operator", "generate-root", "-status") == 0)
        #expect(table.out.hasPrefix("Nonce         n/a\nStarted       false\n"))
    }

    @Test("decode is local, accepts unpadded and padded input, and prints the bare token", arguments: [false, true])
    func decode(padded: Bool) async throws {
        let cli = CLIHarness()
        let encoded = encode(token, otp: hvacOTP, padded: padded)
        #expect(await cli.run("operator", "generate-root", "-decode", encoded, "-otp", hvacOTP) == 0)
        #expect(cli.out == token, "no newline when stdout is not a terminal")
        #expect(cli.transport.requests.isEmpty)

        let json = CLIHarness()
        #expect(await json.run("operator", "generate-root", "-decode=\(encoded)", "-otp=\(hvacOTP)", "-format=json") == 0)
        #expect(try JSONParser.parse(Array(json.out.utf8)) == ["token": .string(token)])
    }

    @Test func decodeFromStdin() async {
        let cli = CLIHarness(stdin: encode(token, otp: hvacOTP) + "\n")
        #expect(await cli.run("operator", "generate-root", "-decode=-", "-otp=\(hvacOTP)") == 0)
        #expect(cli.out == token)
    }

    @Test func decodeErrors() async {
        var cli = CLIHarness()
        #expect(await cli.run("operator", "generate-root", "-decode=abc") == 1)
        #expect(cli.err == "Missing otp: use -otp to supply it\n")
        cli = CLIHarness()
        #expect(await cli.run("operator", "generate-root", "-decode=!!notbase64", "-otp=\(hvacOTP)") == 1)
        #expect(cli.err.hasPrefix("Error decoding base64'd token"))
        cli = CLIHarness()
        #expect(await cli.run("operator", "generate-root", "-decode=\(encode(token, otp: hvacOTP))", "-otp=short") == 1)
        #expect(cli.err.hasPrefix("Error xoring token: the OTP is 5 bytes long but the encoded token is 28 bytes"))
        #expect(!cli.err.contains(token))
    }

    @Test func generateOTPUsesTheServersLength() async throws {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/generate-root/attempt", json: status(started: false, otpLength: 28))
        #expect(await cli.run("operator", "generate-root", "-generate-otp") == 0)
        #expect(cli.out.count == 28 && cli.out.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })

        let json = CLIHarness()
        json.transport.on("GET", "sys/generate-root/attempt", json: status(started: false, otpLength: 26))
        #expect(await json.run("operator", "generate-root", "-generate-otp", "-format=json") == 0)
        let parsed = try JSONParser.parse(Array(json.out.utf8))
        #expect(parsed["otp_length"] == 26 && parsed["otp"]?.stringValue?.count == 26)
    }

    @Test func provideKeyWithNonceFlag() async throws {
        let cli = CLIHarness()
        let encoded = encode(token, otp: hvacOTP)
        cli.transport.on("GET", "sys/generate-root/attempt", json: status(started: true, nonce: "n-1", progress: 2))
        cli.transport.on("PUT", "sys/generate-root/update",
                         json: status(started: true, nonce: "n-1", progress: 3, complete: true, encoded: encoded, otpLength: 0))
        #expect(await cli.run("operator", "generate-root", "-nonce=n-1", "qgE=") == 0)
        #expect(cli.transport.routes == ["GET sys/generate-root/attempt", "PUT sys/generate-root/update"])
        #expect(cli.transport.requests.last?.json == ["key": "qgE=", "nonce": "n-1"])
        #expect(cli.out == """
            Nonce            n-1
            Started          true
            Progress         3/3
            Complete         true
            Encoded Token    \(encoded)

            """)
    }

    @Test func provideKeyArgumentNeedsTheNonceFlag() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/generate-root/attempt", json: status(started: true, nonce: "n-1"))
        #expect(await cli.run("operator", "generate-root", "qgE=") == 1)
        #expect(cli.err == "Missing nonce value: specify it via the -nonce flag\n")
        #expect(cli.transport.routes == ["GET sys/generate-root/attempt"])
    }

    @Test func pipedKeyUsesTheAttemptsNonce() async {
        let cli = CLIHarness(stdin: " uwI= \n")
        cli.transport.on("GET", "sys/generate-root/attempt", json: status(started: true, nonce: "n-7"))
        cli.transport.on("PUT", "sys/generate-root/update", json: status(started: true, nonce: "n-7", progress: 1))
        #expect(await cli.run("operator", "generate-root") == 0)
        #expect(cli.transport.requests.last?.json == ["key": "uwI=", "nonce": "n-7"])
        #expect(cli.out.contains("Progress      1/3"))
    }

    @Test func promptShowsTheNonceAndHidesTheKey() async {
        let cli = CLIHarness(stdin: "zAM=\n", stdinIsTerminal: true)
        cli.transport.on("GET", "sys/generate-root/attempt", json: status(started: true, nonce: "n-9"))
        cli.transport.on("PUT", "sys/generate-root/update", json: status(started: true, nonce: "n-9", progress: 1))
        #expect(await cli.run("operator", "generate-root") == 0)
        #expect(cli.out.hasPrefix("Operation nonce: n-9\nUnseal Key (will be hidden): \n"))
        #expect(!cli.out.contains("zAM="))
        #expect(cli.transport.requests.last?.json == ["key": "zAM=", "nonce": "n-9"])
    }

    @Test func provideWithoutAnAttempt() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/generate-root/attempt", json: status(started: false))
        #expect(await cli.run("operator", "generate-root", "-nonce=x", "qgE=") == 1)
        #expect(cli.err.contains("No root generation is in progress."))
        #expect(cli.err.contains("28 characters"))
    }

    @Test func serverErrorsExitTwo() async {
        let cli = CLIHarness()
        cli.transport.on("GET", "sys/generate-root/attempt", json: status(started: true, nonce: "n-1"))
        cli.transport.on("PUT", "sys/generate-root/update", status: 400,
                         json: #"{"errors": ["given key has already been provided during this generation operation"]}"#)
        #expect(await cli.run("operator", "generate-root", "-nonce=n-1", "qgE=") == 2)
        #expect(cli.err.hasPrefix("Error posting unseal key: Error making API request."))
        #expect(!cli.err.contains("qgE="), "the share is not echoed in errors")

        let sealed = CLIHarness()
        sealed.transport.on("PUT", "sys/generate-root/attempt", status: 503, json: #"{"errors": ["Vault is sealed"]}"#)
        #expect(await sealed.run("operator", "generate-root", "-init") == 2)
        #expect(sealed.err.hasPrefix("Error initializing root generation: Error making API request."))
    }

    @Test func cancelAndUnsupportedPGP() async {
        let cli = CLIHarness()
        cli.transport.on("DELETE", "sys/generate-root/attempt", status: 204)
        #expect(await cli.run("operator", "generate-root", "-cancel") == 0)
        #expect(cli.out == "Success! Root token generation canceled (if it was started)\n")

        let pgp = CLIHarness()
        #expect(await pgp.run("operator", "generate-root", "-init", "-pgp-key=key.asc") == 1)
        #expect(pgp.transport.requests.isEmpty)
        #expect(pgp.err.contains("-pgp-key is not supported"))
    }

    @Test func codecRoundTrip() throws {
        let otp = RootTokenCodec.randomBase62(length: 28)
        #expect(otp.count == 28)
        #expect(try RootTokenCodec.decode(encode(token, otp: otp), otp: otp).get() == token)
        #expect(RootTokenCodec.base64Decode("AA") == [0])
        #expect(RootTokenCodec.base64Decode("AAA=") == [0, 0])
        #expect(RootTokenCodec.base64Decode("AAAAA") == nil)
        #expect(RootTokenCodec.base64Decode("AA=A") == nil)
    }
}
