import Foundation
import Testing
@testable import CofferCluster

@Suite struct ActivationTokenTests {
    let issued = Date(timeIntervalSince1970: 1_525_827_876)
    var claims: ActivationToken {
        ActivationToken(
            address: "https://10.0.0.5:8200",
            wrappingTokenID: "006ed07c-d436-eebc-59f0-7b154daf03b0",
            issuedAt: issued,
            expiresAt: issued.addingTimeInterval(1800)
        )
    }

    @Test func signThenVerifyReturnsTheClaims() async throws {
        let key = ActivationToken.SigningKey()
        let token = try await key.sign(claims)
        #expect(ActivationToken.isJWT(token))
        let verified = try await key.verify(token, now: issued.addingTimeInterval(60))
        #expect(verified == claims)
        #expect(verified.type == "wrapping")
    }

    @Test func theTokenHasVaultsShape() async throws {
        let token = try await ActivationToken.SigningKey().sign(claims)
        let parts = token.split(separator: ".").map(String.init)
        let header = try JSONSerialization.jsonObject(with: base64URLDecode(parts[0])) as? [String: String]
        #expect(header?["alg"] == "ES512")
        #expect(header?["typ"] == "JWT")
        let payload = try #require(try JSONSerialization.jsonObject(with: base64URLDecode(parts[1])) as? [String: Any])
        #expect(Set(payload.keys) == ["addr", "exp", "iat", "jti", "type"])
        #expect(payload["addr"] as? String == "https://10.0.0.5:8200")
        #expect(payload["exp"] as? Int == 1_525_829_676)
        #expect(payload["iat"] as? Int == 1_525_827_876)
        #expect(payload["type"] as? String == "wrapping")
        // P-521 raw r||s.
        #expect(try base64URLDecode(parts[2]).count == 132)
    }

    @Test func anExpiredTokenIsRefused() async throws {
        let key = ActivationToken.SigningKey()
        let token = try await key.sign(claims)
        let atExpiry = await #expect(throws: ClusterError.self) { try await key.verify(token, now: claims.expiresAt) }
        #expect(atExpiry?.code == .tokenExpired)
        let later = await #expect(throws: ClusterError.self) { try await key.verify(token, now: claims.expiresAt.addingTimeInterval(1)) }
        #expect(later?.code == .tokenExpired)
    }

    @Test func aTamperedPayloadIsRefused() async throws {
        let key = ActivationToken.SigningKey()
        let token = try await key.sign(claims)
        var parts = token.split(separator: ".").map(String.init)
        var forged = claims
        forged.address = "https://attacker.example:8200"
        parts[1] = base64URLEncode(try JSONSerialization.data(withJSONObject: [
            "addr": forged.address, "exp": 1_525_829_676, "iat": 1_525_827_876, "jti": forged.wrappingTokenID, "type": "wrapping",
        ]))
        let error = await #expect(throws: ClusterError.self) { try await key.verify(parts.joined(separator: "."), now: issued) }
        #expect(error?.code == .invalidToken)

        // A flipped signature byte.
        var signature = try base64URLDecode(String(token.split(separator: ".")[2]))
        signature[10] ^= 0x01
        let flipped = token.split(separator: ".")[0...1].joined(separator: ".") + "." + base64URLEncode(signature)
        await #expect(throws: ClusterError.self) { try await key.verify(flipped, now: issued) }
    }

    @Test func anotherKeysTokenIsRefused() async throws {
        let token = try await ActivationToken.SigningKey().sign(claims)
        let error = await #expect(throws: ClusterError.self) { try await ActivationToken.SigningKey().verify(token, now: issued) }
        #expect(error?.code == .invalidToken)
    }

    @Test func aTokenOfAnotherTypeIsRefused() async throws {
        let key = ActivationToken.SigningKey()
        var other = claims
        other.type = "batch"
        let token = try await key.sign(other)
        let error = await #expect(throws: ClusterError.self) { try await key.verify(token, now: issued) }
        #expect(error?.code == .invalidToken)
    }

    @Test func anUnsignedTokenIsRefused() async throws {
        let key = ActivationToken.SigningKey()
        let token = try await key.sign(claims)
        let parts = token.split(separator: ".").map(String.init)
        let none = base64URLEncode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + "."
        await #expect(throws: ClusterError.self) { try await key.verify(none, now: issued) }
        let noneWithSignature = base64URLEncode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + "." + parts[2]
        await #expect(throws: ClusterError.self) { try await key.verify(noneWithSignature, now: issued) }
        await #expect(throws: ClusterError.self) { try await key.verify("a1b2c3d4-uuid-style-token", now: issued) }
    }

    @Test func theSecondaryReadsTheAddressWithoutAKey() async throws {
        let token = try await ActivationToken.SigningKey().sign(claims)
        let unverified = try ActivationToken.decodeUnverified(token)
        #expect(unverified.address == "https://10.0.0.5:8200")
        #expect(unverified == claims)

        // Vault's real 2018 token (DER signature): the claims still read.
        let vault = "eyJhbGciOiJFUzUxMiIsInR5cCI6IkpXVCJ9."
            + base64URLEncode(Data(#"{"addr":"http://127.0.0.1:8203","exp":1525829676,"iat":1525827876,"jti":"006ed07c-d436-eebc-59f0-7b154daf03b0","type":"wrapping"}"#.utf8))
            + ".MIGGAkEB"
        #expect(try ActivationToken.decodeUnverified(vault).address == "http://127.0.0.1:8203")

        for bad in ["", "not-a-jwt", "a.b", "a.b.c.d", "!!.??.**", "e30.e30.e30"] {
            let error = #expect(throws: ClusterError.self) { try ActivationToken.decodeUnverified(bad) }
            #expect(error?.code == .invalidToken)
        }
    }

    @Test func theSigningKeyRoundTripsThroughPEMAndStaysSecret() async throws {
        let key = ActivationToken.SigningKey()
        #expect(key.pemRepresentation.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let loaded = try ActivationToken.SigningKey(pemRepresentation: key.pemRepresentation)
        let token = try await key.sign(claims)
        #expect(try await loaded.verify(token, now: issued) == claims)
        #expect(loaded.publicKeyPEM == key.publicKeyPEM)

        let keyBody = String(key.pemRepresentation.split(separator: "\n")[1])
        var dumped = ""
        dump(key, to: &dumped)
        for text in ["\(key)", String(reflecting: key), dumped] {
            #expect(!text.contains(keyBody))
            #expect(!text.contains("PRIVATE KEY"))
        }
        let p256 = try ClusterPKI.CertificateAuthority.generate(commonName: "CA", now: issued).privateKeyPEM
        let error = #expect(throws: ClusterError.self) { try ActivationToken.SigningKey(pemRepresentation: p256) }
        #expect(error?.code == .invalidKey)
    }

    @Test func claimsDescriptionHidesTheWrappingToken() {
        #expect(!"\(claims)".contains("006ed07c"))
        #expect("\(claims)".contains("https://10.0.0.5:8200"))
    }
}

func base64URLEncode(_ data: Data) -> String {
    data.base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func base64URLDecode(_ text: String) throws -> Data {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    guard let data = Data(base64Encoded: base64) else { throw ClusterError(.invalidToken, "bad base64url") }
    return data
}
