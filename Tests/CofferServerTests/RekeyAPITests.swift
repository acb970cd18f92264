import CofferJSON
import Foundation
import Testing

/// `sys/rekey/init`, `/update`, `/verify` and `/backup` through real HTTP; the new shares
/// are proven across a seal and unseal (vault-core-api.md §5, "Rekey").
@Suite("Rekey API")
struct RekeyAPITests {
    static func strings(_ value: JSONValue?) -> [String] { (value?.arrayValue ?? []).compactMap(\.stringValue) }

    /// Seals with `root`, sends `keys` to `sys/unseal`, and returns whether the server is
    /// unsealed afterwards (and the last status code).
    static func sealThenUnseal(_ server: TestServer, root: String, keys: [String]) async throws -> (unsealed: Bool, lastStatus: Int) {
        #expect(try await server.send("PUT", "/v1/sys/seal", token: root).status == 204)
        var last = 0
        for key in keys { last = try await server.send("PUT", "/v1/sys/unseal", json: ["key": .string(key)]).status }
        let status = try await server.send("GET", "/v1/sys/seal-status")
        return (status.json?["sealed"] == false, last)
    }

    @Test("rekey 5/3 to 3/2: the new shares unseal, the old ones no longer do, tokens and data survive")
    func rekeyWithoutVerification() async throws {
        try await TestServer.with { server in
            let (oldKeys, root) = try await server.initAndUnseal(shares: 5, threshold: 3)
            #expect(try await server.send("PUT", "/v1/sys/policies/acl/keep", json: ["policy": #"path "a/*" { capabilities = ["read"] }"#], token: root).status == 204)

            var reply = try await server.send("GET", "/v1/sys/rekey/init")
            #expect(reply.status == 200)
            #expect(reply.json == [
                "started": false, "nonce": "", "t": 0, "n": 0, "progress": 0, "required": 3,
                "pgp_fingerprints": nil, "backup": false, "verification_required": false,
            ])

            // hvac's start_rekey body.
            reply = try await server.send("PUT", "/v1/sys/rekey/init", json: [
                "secret_shares": 3, "secret_threshold": 2, "require_verification": false,
            ])
            #expect(reply.status == 200)
            let nonce = try #require(reply.json?["nonce"]?.stringValue)
            #expect(reply.json?["started"] == true && reply.json?["t"] == 2 && reply.json?["n"] == 3 && reply.json?["required"] == 3)

            reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(oldKeys[1]), "nonce": .string(nonce)])
            #expect(reply.status == 200)
            #expect(reply.json?["progress"] == 1 && reply.json?["started"] == true && reply.json?["complete"] == nil)
            _ = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(oldKeys[3]), "nonce": .string(nonce)])
            reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(oldKeys[0]), "nonce": .string(nonce)])
            #expect(reply.status == 200)
            #expect(reply.json?["complete"] == true && reply.json?["nonce"] == .string(nonce))
            #expect(reply.json?["verification_required"] == false && reply.json?["verification_nonce"] == nil)
            let newKeys = Self.strings(reply.json?["keys"])
            let newB64 = Self.strings(reply.json?["keys_base64"])
            #expect(newKeys.count == 3 && newB64.count == 3)
            #expect(newKeys.allSatisfy { $0.count == 66 }, "33-byte shares in hex")
            #expect(Set(newKeys).isDisjoint(with: oldKeys))

            // The operation is over and the new configuration is in effect.
            reply = try await server.send("GET", "/v1/sys/rekey/init")
            #expect(reply.json?["started"] == false && reply.json?["required"] == 2)
            reply = try await server.send("GET", "/v1/sys/seal-status")
            #expect(reply.json?["t"] == 2 && reply.json?["n"] == 3)

            // Old shares fail after a seal...
            var result = try await Self.sealThenUnseal(server, root: root, keys: Array(oldKeys.prefix(2)))
            #expect(!result.unsealed)
            #expect(result.lastStatus == 400, "two old shares reach the new threshold and fail to combine")
            // ...new ones (base64 and hex alike) work.
            try await server.client.unseal(keys: [newB64[2], newKeys[0]])
            #expect(try await server.send("GET", "/v1/sys/policies/acl/keep", token: root).status == 200)

            // And once more from scratch, to be sure nothing was cached: seal, new keys.
            result = try await Self.sealThenUnseal(server, root: root, keys: [newKeys[1], newKeys[2]])
            #expect(result.unsealed)
        }
    }

    @Test("with verification: new shares take effect only after verify; wrong shares restart it under a new nonce")
    func rekeyWithVerification() async throws {
        try await TestServer.with { server in
            let (oldKeys, root) = try await server.initAndUnseal(shares: 3, threshold: 2)
            var reply = try await server.send("POST", "/v1/sys/rekey/init", json: [
                "secret_shares": 4, "secret_threshold": 3, "require_verification": true,
            ])
            let nonce = try #require(reply.json?["nonce"]?.stringValue)
            #expect(reply.json?["verification_required"] == true)
            _ = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(oldKeys[0]), "nonce": .string(nonce)])
            reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(oldKeys[2]), "nonce": .string(nonce)])
            #expect(reply.json?["complete"] == true && reply.json?["verification_required"] == true)
            let verifyNonce = try #require(reply.json?["verification_nonce"]?.stringValue)
            #expect(verifyNonce != nonce)
            let newKeys = Self.strings(reply.json?["keys"])
            #expect(newKeys.count == 4)

            // Not in effect yet.
            reply = try await server.send("GET", "/v1/sys/seal-status")
            #expect(reply.json?["t"] == 2 && reply.json?["n"] == 3)
            reply = try await server.send("GET", "/v1/sys/rekey/init")
            #expect(reply.json?["started"] == true && reply.json?["verification_nonce"] == .string(verifyNonce))
            reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(oldKeys[1]), "nonce": .string(nonce)])
            #expect(reply.status == 400)
            #expect(reply.json == ["errors": [.string(
                "rekey operation already finished; verification must be performed; nonce for the verification operation is \"\(verifyNonce)\"")]])

            reply = try await server.send("GET", "/v1/sys/rekey/verify")
            #expect(reply.json == ["started": true, "nonce": .string(verifyNonce), "t": 3, "n": 4, "progress": 0])
            reply = try await server.send("PUT", "/v1/sys/rekey/verify", json: ["key": .string(newKeys[0]), "nonce": "wrong"])
            #expect(reply.status == 400)
            #expect(reply.json == ["errors": [.string("incorrect nonce supplied; nonce for this verify operation is \"\(verifyNonce)\"")]])

            // Two new shares and one old one: the combination is not the new key.
            for key in [newKeys[0], newKeys[1]] {
                reply = try await server.send("PUT", "/v1/sys/rekey/verify", json: ["key": .string(key), "nonce": .string(verifyNonce)])
            }
            #expect(reply.json?["progress"] == 2)
            reply = try await server.send("PUT", "/v1/sys/rekey/verify", json: ["key": .string(newKeys[1]), "nonce": .string(verifyNonce)])
            #expect(reply.status == 400 && reply.json == ["errors": ["given key has already been provided during this verify operation"]])
            reply = try await server.send("PUT", "/v1/sys/rekey/verify", json: ["key": .string(oldKeys[0]), "nonce": .string(verifyNonce)])
            #expect(reply.status == 400 && reply.json == ["errors": ["rekey verification failed; incorrect key shares supplied"]])
            reply = try await server.send("GET", "/v1/sys/rekey/verify")
            let secondNonce = try #require(reply.json?["nonce"]?.stringValue)
            #expect(secondNonce != verifyNonce && reply.json?["progress"] == 0 && reply.json?["started"] == true)

            // DELETE verify restarts with yet another nonce and answers the status.
            _ = try await server.send("PUT", "/v1/sys/rekey/verify", json: ["key": .string(newKeys[3]), "nonce": .string(secondNonce)])
            reply = try await server.send("DELETE", "/v1/sys/rekey/verify")
            #expect(reply.status == 200 && reply.json?["progress"] == 0)
            let thirdNonce = try #require(reply.json?["nonce"]?.stringValue)
            #expect(thirdNonce != secondNonce)

            for key in [newKeys[3], newKeys[1]] {
                reply = try await server.send("PUT", "/v1/sys/rekey/verify", json: ["key": .string(key), "nonce": .string(thirdNonce)])
                #expect(reply.json?["complete"] == nil)
            }
            reply = try await server.send("PUT", "/v1/sys/rekey/verify", json: ["key": .string(newKeys[2]), "nonce": .string(thirdNonce)])
            #expect(reply.status == 200)
            #expect(reply.json == ["nonce": .string(thirdNonce), "complete": true])

            reply = try await server.send("GET", "/v1/sys/seal-status")
            #expect(reply.json?["t"] == 3 && reply.json?["n"] == 4)
            reply = try await server.send("GET", "/v1/sys/rekey/verify")
            #expect(reply.status == 400 && reply.json == ["errors": ["no rekey configuration found"]])

            // The old threshold of old shares is not enough any more; three new shares are.
            let result = try await Self.sealThenUnseal(server, root: root, keys: Array(oldKeys.prefix(2)))
            #expect(!result.unsealed)
            _ = try await server.send("PUT", "/v1/sys/unseal", json: ["reset": true])
            try await server.client.unseal(keys: [newKeys[2], newKeys[0], newKeys[3]])
        }
    }

    @Test("cancelling during verification, or sealing, keeps the current shares valid")
    func cancelKeepsOldKeys() async throws {
        try await TestServer.with { server in
            let (oldKeys, root) = try await server.initAndUnseal(shares: 3, threshold: 2)
            var reply = try await server.send("PUT", "/v1/sys/rekey/init", json: [
                "secret_shares": 2, "secret_threshold": 2, "require_verification": true,
            ])
            var nonce = try #require(reply.json?["nonce"]?.stringValue)
            for key in oldKeys.prefix(2) {
                reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(key), "nonce": .string(nonce)])
            }
            #expect(reply.json?["complete"] == true)
            reply = try await server.send("DELETE", "/v1/sys/rekey/init")
            #expect(reply.status == 204)
            reply = try await server.send("GET", "/v1/sys/rekey/init")
            #expect(reply.json?["started"] == false)
            var result = try await Self.sealThenUnseal(server, root: root, keys: Array(oldKeys.prefix(2)))
            #expect(result.unsealed)

            // A started rekey does not survive a seal.
            reply = try await server.send("PUT", "/v1/sys/rekey/init", json: ["secret_shares": 1, "secret_threshold": 1])
            nonce = try #require(reply.json?["nonce"]?.stringValue)
            _ = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(oldKeys[2]), "nonce": .string(nonce)])
            result = try await Self.sealThenUnseal(server, root: root, keys: [oldKeys[1], oldKeys[2]])
            #expect(result.unsealed)
            reply = try await server.send("GET", "/v1/sys/rekey/init")
            #expect(reply.json?["started"] == false && reply.json?["progress"] == 0)
        }
    }

    @Test("rekey to a single share works (1-of-1 shares carry their x byte)")
    func rekeyToOneShare() async throws {
        try await TestServer.with { server in
            let (oldKeys, root) = try await server.initAndUnseal(shares: 3, threshold: 2)
            var reply = try await server.send("PUT", "/v1/sys/rekey/init", json: ["secret_shares": 1, "secret_threshold": 1])
            let nonce = try #require(reply.json?["nonce"]?.stringValue)
            for key in oldKeys.prefix(2) {
                reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(key), "nonce": .string(nonce)])
            }
            let newKeys = Self.strings(reply.json?["keys"])
            #expect(newKeys.count == 1)
            let result = try await Self.sealThenUnseal(server, root: root, keys: newKeys)
            #expect(result.unsealed)
        }
    }

    @Test("bad input is a 400 in Vault's envelope with a clear message; the server keeps serving")
    func badInput() async throws {
        try await TestServer.with { server in
            let (keys, root) = try await server.initAndUnseal(shares: 3, threshold: 2)
            let initCases: [(JSONValue, String)] = [
                (["secret_shares": 0, "secret_threshold": 1], "shares must be at least one"),
                (["secret_shares": 3, "secret_threshold": 5], "threshold cannot be larger than shares"),
                (["secret_shares": 3, "secret_threshold": 1], "threshold must be greater than one for multiple shares"),
                (["secret_shares": 300, "secret_threshold": 2], "shares must be less than 256"),
                (["secret_shares": 3], "secret_shares and secret_threshold are required"),
                (["secret_shares": "x", "secret_threshold": 2], "secret_shares must be an integer"),
                (["secret_shares": 3, "secret_threshold": 2, "pgp_keys": ["a", "b", "c"]],
                 "pgp_keys is not supported: PGP-encrypted key shares are not implemented"),
                (["secret_shares": 3, "secret_threshold": 2, "backup": true],
                 "cannot request a backup of the new keys without providing PGP keys for encryption"),
                (["secret_shares": 3, "secret_threshold": 2, "require_verification": "maybe"], "'require_verification' must be a boolean"),
            ]
            for (body, message) in initCases {
                let reply = try await server.send("PUT", "/v1/sys/rekey/init", json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.json == ["errors": [.string(message)]], "\(body)")
            }
            var reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(keys[0]), "nonce": "x"])
            #expect(reply.status == 400 && reply.json == ["errors": ["no rekey in progress"]])
            reply = try await server.send("PUT", "/v1/sys/rekey/verify", json: ["key": .string(keys[0]), "nonce": "x"])
            #expect(reply.status == 400 && reply.json == ["errors": ["no rekey in progress"]])

            reply = try await server.send("PUT", "/v1/sys/rekey/init", json: ["secret_shares": 3, "secret_threshold": 2])
            let nonce = try #require(reply.json?["nonce"]?.stringValue)
            reply = try await server.send("PUT", "/v1/sys/rekey/init", json: ["secret_shares": 3, "secret_threshold": 2])
            #expect(reply.status == 400 && reply.json == ["errors": ["rekey already in progress"]])
            reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(keys[0]), "nonce": "x"])
            #expect(reply.json == ["errors": [.string("incorrect nonce supplied; nonce for this rekey operation is \"\(nonce)\"")]])
            reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(keys[0]), "nonce": .string(nonce)])
            #expect(reply.json?["progress"] == 1)
            reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": .string(keys[0]), "nonce": .string(nonce)])
            #expect(reply.status == 400 && reply.json == ["errors": ["given key has already been provided during this rekey operation"]])
            reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["nonce": .string(nonce)])
            #expect(reply.status == 400 && reply.json == ["errors": ["'key' must be specified in request body as JSON"]])
            reply = try await server.send("PUT", "/v1/sys/rekey/update", json: ["key": "%%%", "nonce": .string(nonce)])
            #expect(reply.status == 400 && reply.json == ["errors": ["'key' must be a valid hex or base64 string"]])
            // A foreign share completes the threshold but not the key: the round restarts.
            reply = try await server.send("PUT", "/v1/sys/rekey/update", json: [
                "key": .string(String(repeating: "ab", count: 33)), "nonce": .string(nonce),
            ])
            #expect(reply.status == 400)
            #expect(reply.json == ["errors": ["rekey aborted: the key shares do not reconstruct this Vault's unseal key"]])
            reply = try await server.send("GET", "/v1/sys/rekey/init")
            #expect(reply.json?["started"] == true && reply.json?["progress"] == 0 && reply.json?["nonce"] == .string(nonce))
            reply = try await server.send("GET", "/v1/sys/rekey/verify")
            #expect(reply.json?["started"] == false)
            reply = try await server.send("PUT", "/v1/sys/rekey/verify", json: ["key": .string(keys[0]), "nonce": ""])
            #expect(reply.status == 400 && reply.json == ["errors": ["no rekey verification in progress"]])

            #expect(try await server.send("GET", "/v1/sys/rekey/update").status == 405)
            // Backups: none are ever stored; sudo is needed to ask.
            reply = try await server.send("GET", "/v1/sys/rekey/backup", token: root)
            #expect(reply.status == 400 && reply.json == ["errors": ["no backed-up keys found"]])
            #expect(try await server.send("GET", "/v1/sys/rekey/backup").status == 403)
            #expect(try await server.send("DELETE", "/v1/sys/rekey/backup", token: root).status == 204)

            // The current shares still work, and so does the server.
            let result = try await Self.sealThenUnseal(server, root: root, keys: Array(keys.prefix(2)))
            #expect(result.unsealed)
            #expect(try await server.send("GET", "/v1/sys/health").status == 200)
        }
    }

    @Test("sealed: 503 for every rekey endpoint; uninitialised: 400")
    func sealed() async throws {
        try await TestServer.with { server in
            var reply = try await server.send("GET", "/v1/sys/rekey/init")
            #expect(reply.status == 400 && reply.json == ["errors": ["server is not yet initialized"]])
            _ = try await server.send("PUT", "/v1/sys/init", json: ["secret_shares": 3, "secret_threshold": 2])
            for (method, path, body) in [
                ("GET", "init", nil), ("PUT", "init", ["secret_shares": 3, "secret_threshold": 2]), ("DELETE", "init", nil),
                ("PUT", "update", ["key": .string(String(repeating: "ab", count: 33)), "nonce": "x"]), ("GET", "verify", nil),
            ] as [(String, String, JSONValue?)] {
                reply = try await server.send(method, "/v1/sys/rekey/" + path, json: body)
                #expect(reply.status == 503 && reply.json == ["errors": ["Vault is sealed"]], "\(method) \(path)")
            }
        }
    }
}
