import AsyncHTTPClient
import CofferJSON
import CofferTestKit
import Foundation
import Testing

/// `coffer operator generate-root` and `coffer operator rekey` against a real SQLite
/// server, as an operator types them; the new shares are proven across a seal.
@Suite("End to end: generate-root and rekey through the CLI", .serialized)
struct KeyOperationsCLITests {
    @Test("generate a root token with a CLI-made OTP, then rekey with verification and unseal with the new shares")
    func generateRootAndRekey() async throws {
        try await withWorkDirectory { directory, http in
            let server = try ServerProcess(directory: directory)
            try await server.start(client: TestHTTPClient(baseURL: server.baseURL, http: http))
            let env = ["VAULT_ADDR": server.baseURL, "VAULT_MAX_RETRIES": "0", "HOME": directory]
            func cli(_ args: String..., stdin: String? = nil, token: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
                var environment = env
                if let token { environment["VAULT_TOKEN"] = token }
                return try ServerProcess.runCLI(args, environment: environment, stdin: stdin)
            }
            func json(_ result: (status: Int32, stdout: String, stderr: String)) throws -> JSONValue {
                try JSONParser.parse(Array(result.stdout.utf8))
            }

            var r = try cli("operator", "init", "-key-shares=3", "-key-threshold=2", "-format=json")
            #expect(r.status == 0, "\(r)")
            let oldKeys = (try json(r)["unseal_keys_b64"]?.arrayValue ?? []).compactMap(\.stringValue)
            let initialRoot = try #require(try json(r)["root_token"]?.stringValue)
            for key in oldKeys.prefix(2) { _ = try cli("operator", "unseal", key) }

            // generate-root: OTP from the CLI, two shares (argument, then stdin), decode.
            r = try cli("operator", "generate-root", "-generate-otp")
            #expect(r.status == 0, "\(r)")
            let otp = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(otp.count == 28)
            r = try cli("operator", "generate-root", "-init", "-otp=\(otp)", "-format=json")
            #expect(r.status == 0, "\(r)")
            let nonce = try #require(try json(r)["nonce"]?.stringValue)
            r = try cli("operator", "generate-root", "-status")
            #expect(r.stdout.contains("Started       true") && r.stdout.contains("Progress      0/2"), "\(r)")
            r = try cli("operator", "generate-root", "-nonce=\(nonce)", oldKeys[2])
            #expect(r.status == 0 && r.stdout.contains("Progress    1/2"), "\(r)")
            r = try cli("operator", "generate-root", "-nonce=\(nonce)", "-format=json", "-", stdin: oldKeys[0])
            #expect(r.status == 0, "\(r)")
            #expect(try json(r)["complete"] == true)
            let encoded = try #require(try json(r)["encoded_token"]?.stringValue)
            #expect(!r.stdout.contains(otp))
            r = try cli("operator", "generate-root", "-decode=\(encoded)", "-otp=\(otp)")
            #expect(r.status == 0, "\(r)")
            let newRoot = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(newRoot.hasPrefix("hvs.") && newRoot.count == 28 && newRoot != initialRoot)
            r = try cli("token", "lookup", "-format=json", token: newRoot)
            #expect(r.status == 0, "\(r)")
            #expect(try json(r)["data"]?["policies"] == ["root"])
            // A wrong share after the attempt ended: a clear error, exit 1 (nothing in progress).
            r = try cli("operator", "generate-root", "-nonce=\(nonce)", oldKeys[1])
            #expect(r.status == 1 && r.stderr.contains("No root generation is in progress"), "\(r)")

            // rekey with verification: current shares, then the new ones.
            r = try cli("operator", "rekey", "-init", "-key-shares=4", "-key-threshold=3", "-verify", "-format=json")
            #expect(r.status == 0, "\(r)")
            let rekeyNonce = try #require(try json(r)["nonce"]?.stringValue)
            r = try cli("operator", "rekey", "-nonce=\(rekeyNonce)", oldKeys[1])
            #expect(r.status == 0 && r.stdout.contains("Rekey Progress           1/2"), "\(r)")
            r = try cli("operator", "rekey", "-nonce=\(rekeyNonce)", "-format=json", oldKeys[0])
            #expect(r.status == 0, "\(r)")
            let newKeys = (try json(r)["keys_base64"]?.arrayValue ?? []).compactMap(\.stringValue)
            let verifyNonce = try #require(try json(r)["verification_nonce"]?.stringValue)
            #expect(newKeys.count == 4)
            r = try cli("operator", "rekey", "-status", "-verify")
            #expect(r.stdout.contains("Verification Progress    0/3"), "\(r)")
            for key in newKeys.prefix(2) {
                r = try cli("operator", "rekey", "-verify", "-nonce=\(verifyNonce)", key)
                #expect(r.status == 0, "\(r)")
            }
            r = try cli("operator", "rekey", "-verify", "-nonce=\(verifyNonce)", newKeys[3])
            #expect(r.status == 0 && r.stdout.contains("Rekey verification successful."), "\(r)")

            // Across a seal: the old shares no longer unseal, the new ones do.
            r = try cli("operator", "seal", token: newRoot)
            #expect(r.status == 0, "\(r)")
            r = try cli("operator", "unseal", oldKeys[0])
            r = try cli("operator", "unseal", oldKeys[1])
            r = try cli("operator", "unseal", oldKeys[2])
            #expect(r.status == 2, "three old shares reach the new threshold and fail: \(r)")
            for key in newKeys.prefix(3) { r = try cli("operator", "unseal", key) }
            r = try cli("status", "-format=json")
            #expect(r.status == 0, "\(r)")
            #expect(try json(r)["sealed"] == false && json(r)["t"] == 3 && json(r)["n"] == 4)
            // Both root tokens survive.
            #expect(try cli("token", "lookup", token: initialRoot).status == 0)
            #expect(try cli("token", "lookup", token: newRoot).status == 0)
            _ = server.terminate()
        }
    }
}
