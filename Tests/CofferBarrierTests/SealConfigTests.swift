import CofferJSON
import Testing
@testable import CofferBarrier

@Suite struct SealConfigTests {
    @Test func encodesSortedJSONAndRoundTrips() throws {
        let config = SealConfig(secretShares: 5, secretThreshold: 3)
        let bytes = config.encoded()
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"secret_shares":5,"secret_threshold":3,"type":"shamir","version":1}"#)
        #expect(try SealConfig(bytes: bytes) == config)
    }

    @Test func corruptOrInvalidConfigFails() {
        for text in [
            "", "{", "[]", #"{"type":"shamir"}"#,
            #"{"secret_shares":5,"secret_threshold":"3","type":"shamir","version":1}"#,
            #"{"secret_shares":5,"secret_threshold":6,"type":"shamir","version":1}"#,
            #"{"secret_shares":5,"secret_threshold":3,"type":"awskms","version":1}"#,
            #"{"secret_shares":5,"secret_threshold":3,"type":"shamir","version":2}"#,
        ] {
            do {
                _ = try SealConfig(bytes: Array(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.code == .integrity)
            }
        }
    }

    @Test func validateUsesVaultMessages() {
        func message(_ shares: Int, _ threshold: Int) -> String? {
            do { try SealConfig(secretShares: shares, secretThreshold: threshold).validate(); return nil } catch {
                return error.message
            }
        }
        #expect(message(5, 3) == nil)
        #expect(message(1, 1) == nil)
        #expect(message(0, 1) == "shares must be at least one")
        #expect(message(3, 0) == "threshold must be at least one")
        #expect(message(3, 1) == "threshold must be greater than one for multiple shares")
        #expect(message(300, 3) == "shares must be less than 256")
        #expect(message(3, 4) == "threshold cannot be larger than shares")
    }
}
