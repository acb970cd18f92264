import CofferJSON
import Foundation
import Testing

/// `sys/generate-root/attempt` and `/update` through real HTTP, with the shapes hvac and the
/// `vault` CLI read (vault-core-api.md §5).
@Suite("Generate root API")
struct GenerateRootAPITests {
    /// hvac's fixed OTP for Vault ≥ 1.10 (tests/utils `get_generate_root_otp`).
    static let hvacOTP = "BMjzW3wAsEzINXCM05Wbas3u9zSl"

    /// Undoes the encoding: standard base64 (padding optional) of token XOR OTP.
    static func decode(_ encoded: String, otp: String) throws -> String {
        var padded = encoded
        while padded.count % 4 != 0 { padded += "=" }
        guard let mixed = Data(base64Encoded: padded) else { throw TestFailure("not base64: \(encoded)") }
        let key = Array(otp.utf8)
        guard mixed.count == key.count else { throw TestFailure("length \(mixed.count) != OTP length \(key.count)") }
        return String(decoding: zip(mixed, key).map { $0 ^ $1 }, as: UTF8.self)
    }

    @Test("hvac's flow: fixed 28-character OTP, three shares, the decoded token is a working root token")
    func fullFlowWithClientOTP() async throws {
        try await TestServer.with { server in
            let (keys, _) = try await server.initAndUnseal(shares: 5, threshold: 3)
            var reply = try await server.send("GET", "/v1/sys/generate-root/attempt")
            #expect(reply.status == 200)
            #expect(reply.json == [
                "started": false, "nonce": "", "progress": 0, "required": 3, "complete": false,
                "encoded_token": "", "encoded_root_token": "", "pgp_fingerprint": "", "otp": "", "otp_length": 28,
            ])

            reply = try await server.send("PUT", "/v1/sys/generate-root/attempt", json: ["otp": .string(Self.hvacOTP)])
            #expect(reply.status == 200)
            let nonce = try #require(reply.json?["nonce"]?.stringValue)
            #expect(!nonce.isEmpty)
            #expect(reply.json?["started"] == true && reply.json?["otp"] == "" && reply.json?["otp_length"] == 28)

            reply = try await server.send("GET", "/v1/sys/generate-root/attempt")
            #expect(reply.json?["started"] == true && reply.json?["nonce"] == .string(nonce) && reply.json?["progress"] == 0)

            for (index, key) in keys.prefix(2).enumerated() {
                reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(key), "nonce": .string(nonce)])
                #expect(reply.status == 200)
                #expect(reply.json?["progress"] == .int(Int64(index + 1)) && reply.json?["complete"] == false)
                #expect(reply.json?["encoded_token"] == "" && reply.json?["required"] == 3)
            }
            reply = try await server.send("POST", "/v1/sys/generate-root/update", json: ["key": .string(keys[4]), "nonce": .string(nonce)])
            #expect(reply.status == 200)
            #expect(reply.json?["complete"] == true && reply.json?["progress"] == 3)
            let encoded = try #require(reply.json?["encoded_token"]?.stringValue)
            #expect(reply.json?["encoded_root_token"] == .string(encoded))
            #expect(!encoded.contains("="), "Vault ≥ 1.10 encodes without padding; its CLI decodes with RawStdEncoding")

            let token = try Self.decode(encoded, otp: Self.hvacOTP)
            #expect(token.hasPrefix("hvs.") && token.count == 28)
            let lookup = try await server.send("GET", "/v1/auth/token/lookup-self", token: token)
            #expect(lookup.status == 200)
            #expect(lookup.json?["data"]?["policies"] == ["root"])
            #expect(lookup.json?["data"]?["ttl"] == 0)

            // The attempt is over.
            reply = try await server.send("GET", "/v1/sys/generate-root/attempt")
            #expect(reply.json?["started"] == false && reply.json?["nonce"] == "")
        }
    }

    @Test("without an OTP the server generates one (base62, 28 characters) and returns it once")
    func serverGeneratedOTP() async throws {
        try await TestServer.with { server in
            let init_ = try await server.send("PUT", "/v1/sys/init", json: ["secret_shares": 3, "secret_threshold": 2])
            let b64 = (init_.json?["keys_base64"]?.arrayValue ?? []).compactMap(\.stringValue)
            try await server.client.unseal(keys: Array(b64.prefix(2)))

            var reply = try await server.send("POST", "/v1/sys/generate-root/attempt", body: Array("".utf8))
            #expect(reply.status == 200)
            let otp = try #require(reply.json?["otp"]?.stringValue)
            #expect(otp.count == 28 && otp.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            let nonce = try #require(reply.json?["nonce"]?.stringValue)
            // The OTP is never shown again.
            reply = try await server.send("GET", "/v1/sys/generate-root/attempt")
            #expect(reply.json?["otp"] == "")

            _ = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(b64[2]), "nonce": .string(nonce)])
            reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(b64[0]), "nonce": .string(nonce)])
            #expect(reply.json?["complete"] == true)
            let token = try Self.decode(try #require(reply.json?["encoded_token"]?.stringValue), otp: otp)
            let lookup = try await server.send("GET", "/v1/auth/token/lookup-self", token: token)
            #expect(lookup.status == 200 && lookup.json?["data"]?["policies"] == ["root"])
        }
    }

    @Test("wrong nonce and a repeated share are 400s that change nothing; cancel ends the attempt")
    func nonceDuplicateAndCancel() async throws {
        try await TestServer.with { server in
            let (keys, _) = try await server.initAndUnseal(shares: 5, threshold: 3)
            var reply = try await server.send("PUT", "/v1/sys/generate-root/attempt", json: ["otp": .string(Self.hvacOTP)])
            let nonce = try #require(reply.json?["nonce"]?.stringValue)

            reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(keys[0]), "nonce": "not-the-nonce"])
            #expect(reply.status == 400)
            #expect(reply.json == ["errors": [.string("incorrect nonce supplied; nonce for this root generation operation is \"\(nonce)\"")]])
            reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(keys[0])])
            #expect(reply.status == 400, "a missing nonce never matches")

            reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(keys[0]), "nonce": .string(nonce)])
            #expect(reply.json?["progress"] == 1)
            reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(keys[0]), "nonce": .string(nonce)])
            #expect(reply.status == 400)
            #expect(reply.json == ["errors": ["given key has already been provided during this generation operation"]])
            reply = try await server.send("GET", "/v1/sys/generate-root/attempt")
            #expect(reply.json?["progress"] == 1 && reply.json?["nonce"] == .string(nonce))

            // One attempt at a time.
            reply = try await server.send("PUT", "/v1/sys/generate-root/attempt", json: [:])
            #expect(reply.status == 400 && reply.json == ["errors": ["root generation already in progress"]])

            reply = try await server.send("DELETE", "/v1/sys/generate-root/attempt")
            #expect(reply.status == 204 && reply.bytes.isEmpty)
            reply = try await server.send("GET", "/v1/sys/generate-root/attempt")
            #expect(reply.json?["started"] == false && reply.json?["progress"] == 0)
            reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(keys[1]), "nonce": .string(nonce)])
            #expect(reply.status == 400 && reply.json == ["errors": ["no root generation in progress"]])
            // Cancelling nothing is fine.
            #expect(try await server.send("DELETE", "/v1/sys/generate-root/attempt").status == 204)
        }
    }

    @Test("shares that do not reconstruct the unseal key abort the round but keep the attempt")
    func wrongSharesKeepAttempt() async throws {
        try await TestServer.with { server in
            let (keys, _) = try await server.initAndUnseal(shares: 3, threshold: 2)
            var reply = try await server.send("PUT", "/v1/sys/generate-root/attempt", json: ["otp": .string(Self.hvacOTP)])
            let nonce = try #require(reply.json?["nonce"]?.stringValue)
            // Two well-formed 33-byte shares of some other key.
            _ = try await server.send("PUT", "/v1/sys/generate-root/update", json: [
                "key": .string(String(repeating: "ab", count: 33)), "nonce": .string(nonce),
            ])
            reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: [
                "key": .string(String(repeating: "cd", count: 33)), "nonce": .string(nonce),
            ])
            #expect(reply.status == 400)
            #expect(reply.json == ["errors": ["root generation aborted: the key shares do not reconstruct this Vault's unseal key"]])
            reply = try await server.send("GET", "/v1/sys/generate-root/attempt")
            #expect(reply.json?["started"] == true && reply.json?["nonce"] == .string(nonce) && reply.json?["progress"] == 0)

            // A real share mixed with a foreign one also fails; then two real shares succeed.
            _ = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(keys[0]), "nonce": .string(nonce)])
            reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: [
                "key": .string(String(repeating: "ef", count: 33)), "nonce": .string(nonce),
            ])
            #expect(reply.status == 400)
            for key in keys.prefix(2) {
                reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(key), "nonce": .string(nonce)])
            }
            #expect(reply.json?["complete"] == true)
            let token = try Self.decode(try #require(reply.json?["encoded_token"]?.stringValue), otp: Self.hvacOTP)
            #expect(try await server.send("GET", "/v1/auth/token/lookup-self", token: token).status == 200)
        }
    }

    @Test("bad input is a 400 in Vault's envelope with a clear message, and the server keeps serving")
    func badInput() async throws {
        try await TestServer.with { server in
            _ = try await server.initAndUnseal(shares: 3, threshold: 2)
            let cases: [(String, String, JSONValue?, String)] = [
                ("PUT", "attempt", ["otp": "short"], "OTP string is wrong length: it must be 28 characters, the length of a root token"),
                ("PUT", "attempt", ["otp": 12], "'otp' must be a string"),
                ("PUT", "attempt", ["pgp_key": "bXkga2V5"],
                 "pgp_key is not supported: PGP encryption of the root token is not implemented; use an OTP instead"),
                ("PUT", "update", [:], "'key' must be specified in request body as JSON"),
                ("PUT", "update", ["key": "not a key!!", "nonce": "x"], "'key' must be a valid hex or base64 string"),
                ("PUT", "update", ["key": 7, "nonce": "x"], "'key' must be a valid hex or base64 string"),
                ("PUT", "update", ["key": "AAAAAA==", "nonce": "x"], "key is shorter than minimum 16 bytes"),
                ("PUT", "update", ["key": .string(Data(repeating: 1, count: 40).base64EncodedString()), "nonce": "x"],
                 "key is longer than maximum 33 bytes"),
                ("PUT", "update", ["key": .string(String(repeating: "ab", count: 33)), "nonce": 5], "'nonce' must be a string"),
            ]
            for (method, endpoint, json, message) in cases {
                let reply = try await server.send(method, "/v1/sys/generate-root/" + endpoint, json: json)
                #expect(reply.status == 400, "\(endpoint) \(String(describing: json))")
                #expect(reply.json == ["errors": [.string(message)]], "\(endpoint) \(String(describing: json))")
                #expect(reply.header("Content-Type") == "application/json")
            }
            let malformed = try await server.send("PUT", "/v1/sys/generate-root/attempt", body: Array("{not json".utf8))
            #expect(malformed.status == 400)
            #expect(try await server.send("GET", "/v1/sys/generate-root/update").status == 405)
            #expect(try await server.send("PATCH", "/v1/sys/generate-root/attempt").status == 405)
            // Nothing was started by the failures, and the server still serves.
            #expect(try await server.send("GET", "/v1/sys/generate-root/attempt").json?["started"] == false)
            #expect(try await server.send("GET", "/v1/sys/health").status == 200)
        }
    }

    @Test("sealed: 503; uninitialised: 400; sealing drops the attempt and its shares")
    func sealedAndUninitialised() async throws {
        try await TestServer.with { server in
            var reply = try await server.send("GET", "/v1/sys/generate-root/attempt")
            #expect(reply.status == 400 && reply.json == ["errors": ["server is not yet initialized"]])

            let (keys, root) = try await server.initAndUnseal(shares: 3, threshold: 2)
            reply = try await server.send("PUT", "/v1/sys/generate-root/attempt", json: ["otp": .string(Self.hvacOTP)])
            let nonce = try #require(reply.json?["nonce"]?.stringValue)
            _ = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(keys[0]), "nonce": .string(nonce)])
            #expect(try await server.send("PUT", "/v1/sys/seal", token: root).status == 204)

            for (method, endpoint) in [("GET", "attempt"), ("PUT", "attempt"), ("DELETE", "attempt")] {
                reply = try await server.send(method, "/v1/sys/generate-root/" + endpoint, json: method == "PUT" ? [:] : nil)
                #expect(reply.status == 503 && reply.json == ["errors": ["Vault is sealed"]], "\(method) \(endpoint)")
            }
            reply = try await server.send("PUT", "/v1/sys/generate-root/update", json: ["key": .string(keys[1]), "nonce": .string(nonce)])
            #expect(reply.status == 503)

            try await server.client.unseal(keys: Array(keys.prefix(2)))
            reply = try await server.send("GET", "/v1/sys/generate-root/attempt")
            #expect(reply.json?["started"] == false && reply.json?["progress"] == 0)
        }
    }
}
