import CofferJSON
import CofferLogical
import Testing
@testable import CofferCore

/// The stored lease format: round trip, and failing closed on anything else.
@Suite struct LeaseRecordTests {
    static let sample = LeaseRecord(
        id: "database/creds/ro/2f6a614c", path: "database/creds/ro", issueTime: 100, expireTime: 160,
        lastRenewalTime: 130, renewable: true, ttl: 30, maxTTL: 600, clientTokenID: String(repeating: "c", count: 64),
        internalData: ["username": "v-ro-123"]
    )

    @Test func roundTrips() throws {
        let decoded = try LeaseRecord(storageBytes: Self.sample.storageBytes)
        #expect(decoded == Self.sample)
        let token = LeaseRecord(
            id: "auth/token/create/h00", path: "auth/token/create", issueTime: 1, expireTime: 2, renewable: false,
            ttl: 1, tokenID: String(repeating: "d", count: 64), revokeError: "revocation failed 6 times"
        )
        let back = try LeaseRecord(storageBytes: token.storageBytes)
        #expect(back == token && back.isTokenLease && back.isIrrevocable)
        #expect(back.owningTokenID == token.tokenID)
    }

    static func mutated(_ change: (inout [String: JSONValue]) -> Void) -> [UInt8] {
        var object = sample.storageValue.objectValue!
        change(&object)
        return JSONWriter.bytes(.object(object))
    }

    @Test(arguments: [
        "version", "lease_id", "path", "issue_time", "expire_time", "last_renewal_time", "renewable", "ttl",
        "max_ttl", "client_token_id", "token_id", "internal", "revoke_error",
    ])
    func aMissingMemberFailsClosed(member: String) {
        #expect(throws: LogicalError.self) { try LeaseRecord(storageBytes: Self.mutated { $0[member] = nil }) }
    }

    @Test func badValuesFailClosed() {
        let cases: [[UInt8]] = [
            Self.mutated { $0["version"] = 2 },
            Self.mutated { $0["expire_time"] = -1 },
            Self.mutated { $0["ttl"] = "30" },
            Self.mutated { $0["lease_id"] = "" },
            Self.mutated { $0["lease_id"] = "/leading/slash" },
            Self.mutated { $0["client_token_id"] = "a/b" },
            Self.mutated { $0["internal"] = .array([]) },
            Array("not json".utf8),
            Array(repeating: 0x20, count: LeaseRecord.maxStoredSize + 1),
        ]
        for bytes in cases {
            let error = #expect(throws: LogicalError.self) { try LeaseRecord(storageBytes: bytes) }
            #expect(error?.cause is CorruptState)
        }
    }

    @Test func idsAreValidatedAndTokenLeaseIDsHideTheSaltedID() {
        #expect(LeaseRecord.isValidID("pki/issue/role/123"))
        #expect(!LeaseRecord.isValidID(""))
        #expect(!LeaseRecord.isValidID("a\u{0}b"))
        #expect(!LeaseRecord.isValidID(String(repeating: "x", count: LeaseRecord.maxIDLength + 1)))
        let saltedID = String(repeating: "e", count: 64)
        let id = LeaseRecord.tokenLeaseID(path: "auth/userpass/login/alice", tokenID: saltedID)
        #expect(id.hasPrefix("auth/userpass/login/alice/h"))
        #expect(id.utf8.count == "auth/userpass/login/alice/h".utf8.count + 64)
        #expect(!id.contains(saltedID))
        #expect(id == LeaseRecord.tokenLeaseID(path: "auth/userpass/login/alice", tokenID: saltedID))
    }

    @Test func descriptionLeavesOutInternalDataAndTokens() {
        let text = "\(Self.sample)"
        #expect(!text.contains("v-ro-123"))
        #expect(!text.contains(Self.sample.clientTokenID))
        #expect(text.contains(Self.sample.id))
    }

    @Test func indexEntriesRoundTripAndRejectGarbage() {
        #expect(LeaseIndexEntry.leaseID(from: LeaseIndexEntry.bytes(leaseID: "a/b/c")) == "a/b/c")
        #expect(LeaseIndexEntry.leaseID(from: Array("{}".utf8)) == nil)
        #expect(LeaseIndexEntry.leaseID(from: Array("garbage".utf8)) == nil)
    }
}
