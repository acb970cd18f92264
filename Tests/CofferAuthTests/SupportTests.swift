@testable import CofferAuth
import CofferLogical
import Testing

@Suite("auth support")
struct SupportTests {
    @Test func constantTimeEquality() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equal("abc", "abc"))
        #expect(!ConstantTime.equal("abc", "abd"))
    }

    @Test func uuidsLookLikeVersion4() {
        let id = SecureRandom.uuid()
        let parts = id.split(separator: "-").map(\.count)
        #expect(parts == [8, 4, 4, 4, 12])
        #expect(Array(id)[14] == "4")
        #expect("89ab".contains(Array(id)[19]))
        #expect(SecureRandom.uuid() != id)
    }

    @Test func timestampsRenderAsGoRFC3339Nano() {
        #expect(Timestamp(nanoseconds: 1_700_000_000_250_000_000).rfc3339 == "2023-11-14T22:13:20.25Z")
        #expect(Timestamp(nanoseconds: 1_700_000_000_000_000_000).rfc3339 == "2023-11-14T22:13:20Z")
        #expect(Timestamp.never.rfc3339OrNever == "0001-01-01T00:00:00Z")
        #expect(Timestamp(nanoseconds: 5).adding(seconds: .max).nanoseconds == .max)
    }

    @Test func policyNames() {
        #expect(PolicyNames.parse([" Dev", "ops", "dev", ""]) == ["dev", "ops"])
        #expect(PolicyNames.forToken([], noDefault: false) == ["default"])
        #expect(PolicyNames.forToken([], noDefault: true) == [])
        #expect(PolicyNames.forToken(["b", "a"], noDefault: false) == ["a", "b", "default"])
        #expect(PolicyNames.forToken(["root", "x"], noDefault: false) == ["root"])
    }

    @Test(arguments: [("alice", true), ("a", true), ("a.b-c_d", true), ("a@b.com", true), ("-a", false), ("a-", false),
                      ("", false), ("a b", false), ("a/b", false), ("é", false)])
    func names(_ name: String, _ valid: Bool) {
        #expect(AuthNames.isValid(name, allowAt: true) == valid)
    }

    @Test func atSignOnlyWhereAllowed() {
        #expect(!AuthNames.isValid("a@b", allowAt: false))
    }

    @Test func loginDisplayNames() {
        #expect(LoginDisplayName.make(mountPoint: "auth/userpass/", defaultMount: "userpass/", name: "bob") == "userpass-bob")
        #expect(LoginDisplayName.make(mountPoint: "auth/approle/", defaultMount: "approle/", name: "") == "approle")
        #expect(LoginDisplayName.make(mountPoint: "", defaultMount: "approle/", name: "") == "approle")
    }

    @Test func hashPoolRunsWorkAndPropagatesErrors() async throws {
        let pool = HashWorkPool(limit: 1)
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for value in 0..<8 { group.addTask { try await pool.run { value * 2 } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(values.sorted() == [0, 2, 4, 6, 8, 10, 12, 14])
        await #expect(throws: AuthMethodError.self) {
            try await pool.run { () throws -> Int in throw AuthMethodError(.hashFailure, detail: "x") }
        }
    }
}
