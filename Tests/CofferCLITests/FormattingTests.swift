import CofferClient
import CofferJSON
@testable import CofferCLI
import Testing

@Suite("Table and value formatting")
struct FormattingTests {
    @Test func keyValueTableGolden() {
        let table = TableFormatter.keyValueTable([("refresh_interval", "768h"), ("foo", "bar"), ("empty", "  ")])
        #expect(
            table == """
                Key                 Value
                ---                 -----
                refresh_interval    768h
                foo                 bar
                empty               n/a
                """)
    }

    @Test func columnsCountUnicodeScalarsAndNeverPadTheLastColumn() {
        let table = TableFormatter.columns([["ключ", "x"], ["k", "value", "third"], ["only"]])
        #expect(table == "ключ    x\nk       value    third\nonly")
    }

    @Test func singleColumnListTable() {
        #expect(TableFormatter.table(header: ["Keys"], rows: [["a"], ["b/"]]) == "Keys\n----\na\nb/")
    }

    @Test func goValueFormatting() throws {
        #expect(GoValueFormatter.format("text") == "text")
        #expect(GoValueFormatter.format(42) == "42")
        #expect(GoValueFormatter.format(2.5) == "2.5")
        #expect(GoValueFormatter.format(true) == "true")
        #expect(GoValueFormatter.format(nil) == "<nil>")
        #expect(GoValueFormatter.format(["a", 1, nil]) == "[a 1 <nil>]")
        #expect(GoValueFormatter.format(["b": 1, "a": ["c": "d", "e": ["x", "y"]]]) == "map[a:map[c:d e:[x y]] b:1]")
        #expect(GoValueFormatter.format([:]) == "map[]")
        #expect(GoValueFormatter.format([]) == "[]")
    }

    @Test(arguments: [
        (0, "0s"), (45, "45s"), (60, "1m"), (90, "1m30s"), (3600, "1h"), (3660, "1h1m"), (3661, "1h1m1s"),
        (7201, "2h1s"), (2_764_800, "768h"), (-3600, "-1h"),
    ] as [(Int64, String)])
    func humanDurations(_ seconds: Int64, _ expected: String) {
        #expect(GoValueFormatter.humanDuration(seconds: seconds) == expected)
    }

    @Test func durationLikeKeys() {
        for key in ["ttl", "max_ttl", "period", "token_period", "duration", "lease_duration", "lease_max", "ttl_max"] {
            #expect(GoValueFormatter.looksLikeDuration(key), "\(key)")
        }
        for key in ["ttl_seconds", "periodic", "name"] {
            #expect(!GoValueFormatter.looksLikeDuration(key), "\(key)")
        }
        #expect(GoValueFormatter.cell(key: "max_ttl", value: 2_764_800) == "768h")
        #expect(GoValueFormatter.cell(key: "max_ttl", value: "1h") == "1h")
        #expect(GoValueFormatter.cell(key: "count", value: 3600) == "3600")
    }

    @Test func goQuotedLists() {
        #expect(GoValueFormatter.quotedList(["default", "root"]) == #"["default" "root"]"#)
        #expect(GoValueFormatter.quotedList([]) == "[]")
        #expect(GoValueFormatter.quote("a\"b\\c\nd\u{01}") == #""a\"b\\c\nd\x01""#)
    }

    @Test func textWrapsAt78Columns() {
        let text = String(repeating: "word ", count: 30).trimmingWhitespace()
        let wrapped = TextWrap.wrap(text)
        #expect(wrapped.split(separator: "\n").allSatisfy { $0.count <= 78 })
        #expect(wrapped.split(separator: "\n").first?.count == 74)
        #expect(TextWrap.wrap("* warning", padding: 2) == "  * warning")
        #expect(TextWrap.wrap("a\n\nb") == "a\n\nb")
    }

    @Test func secretTableRowsInVaultOrder() throws {
        let json = try JSONValue(parsing: """
            {"request_id": "r", "lease_id": "", "lease_duration": 2764800, "renewable": false,
             "data": {"zeta": "last", "alpha": {"k": "v"}, "max_ttl": 60, "list": ["a", "b"]},
             "warnings": null, "auth": null, "wrap_info": null}
            """)
        let secret = try #require(VaultSecret(json: json))
        let table = TableFormatter.keyValueTable(try #require(SecretOutput.tableRows(secret)))
        #expect(
            table == """
                Key                 Value
                ---                 -----
                refresh_interval    768h
                alpha               map[k:v]
                list                [a b]
                max_ttl             1m
                zeta                last
                """)
    }

    @Test func leaseAndAuthRows() throws {
        let json = try JSONValue(parsing: """
            {"lease_id": "database/creds/ro/abc", "lease_duration": 3600, "renewable": true, "data": null,
             "auth": {"client_token": "s.tok", "accessor": "acc", "policies": ["default", "dev"],
                      "token_policies": ["default", "dev"], "metadata": {"user": "bob"}, "lease_duration": 0,
                      "renewable": false}}
            """)
        let secret = try #require(VaultSecret(json: json))
        let rows = try #require(SecretOutput.tableRows(secret))
        #expect(rows.map(\.0) == [
            "lease_id", "lease_duration", "lease_renewable", "token", "token_accessor", "token_duration",
            "token_renewable", "token_policies", "identity_policies", "policies", "token_meta_user",
        ])
        #expect(rows.map(\.1) == [
            "database/creds/ro/abc", "1h", "true", "s.tok", "acc", "∞", "false", #"["default" "dev"]"#, "[]",
            #"["default" "dev"]"#, "bob",
        ])
        #expect(SecretOutput.fieldValue("token", in: secret) == "s.tok")
        #expect(SecretOutput.fieldValue("policies", in: secret) == ["default", "dev"])
    }

    @Test func emptySecretHasNoRows() throws {
        let secret = try #require(VaultSecret(json: ["data": [:], "lease_duration": 0]))
        #expect(SecretOutput.tableRows(secret) == nil)
    }

    @Test func jsonEnvelopeDropsNullAuthAndWrapInfo() throws {
        let secret = try #require(VaultSecret(json: ["data": ["a": "b"], "auth": nil, "wrap_info": nil, "warnings": nil]))
        #expect(SecretOutput.jsonEnvelope(secret) == ["data": ["a": "b"], "warnings": nil])
    }

    @Test func sealStatusRowsSealed() {
        let status = VaultSealStatus(json: [
            "type": "shamir", "initialized": true, "sealed": true, "t": 3, "n": 5, "progress": 1, "nonce": "",
            "version": "0.1.0", "build_date": "2025-01-01T00:00:00Z", "storage_type": "sqlite",
        ])
        let leader = VaultLeaderStatus(json: ["ha_enabled": false])
        let table = TableFormatter.table(header: ["Key", "Value"], rows: SealStatusOutput.rows(status, leader: leader))
        #expect(
            table == """
                Key                Value
                ---                -----
                Seal Type          shamir
                Initialized        true
                Sealed             true
                Total Shares       5
                Threshold          3
                Unseal Progress    1/3
                Unseal Nonce       n/a
                Version            0.1.0
                Build Date         2025-01-01T00:00:00Z
                Storage Type       sqlite
                HA Enabled         false
                """)
    }

    @Test func sealStatusRowsActiveHANode() {
        let status = VaultSealStatus(json: [
            "type": "shamir", "initialized": true, "sealed": false, "t": 1, "n": 1, "version": "0.1.0",
            "build_date": "b", "storage_type": "raft", "cluster_name": "coffer-cluster-1", "cluster_id": "cid",
        ])
        let leader = VaultLeaderStatus(json: [
            "ha_enabled": true, "is_self": true, "active_time": "2025-02-03T04:05:06Z",
            "leader_address": "https://a:8200", "leader_cluster_address": "https://a:8201", "raft_committed_index": 12,
        ])
        let rows = SealStatusOutput.rows(status, leader: leader).map { "\($0[0])=\($0[1])" }
        #expect(rows == [
            "Seal Type=shamir", "Initialized=true", "Sealed=false", "Total Shares=1", "Threshold=1", "Version=0.1.0",
            "Build Date=b", "Storage Type=raft", "Cluster Name=coffer-cluster-1", "Cluster ID=cid", "HA Enabled=true",
            "HA Cluster=https://a:8201", "HA Mode=active", "Active Since=2025-02-03T04:05:06Z",
            "Raft Committed Index=12",
        ])
        let json = SealStatusOutput.json(status, leader: leader)
        #expect(json["ha_enabled"] == true)
        #expect(json["is_self"] == true)
        #expect(json["leader_address"] == "https://a:8200")
        #expect(json["raft_committed_index"] == 12)
        #expect(json["performance_standby"] == Optional<JSONValue>.none)
        #expect(json["sealed"] == false)
    }
}
