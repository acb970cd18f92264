import CofferJSON
import CofferLogical
import Testing
@testable import CofferCore

/// The salt's HMAC, the device options and the entry format, without any IO.
@Suite("Audit salt, options and entry format")
struct AuditFormatterTests {
    // MARK: salt

    @Test("the salt's HMAC is HMAC-SHA256 (RFC 4231 vectors), repeatable, prefixed and lowercase hex")
    func saltVectors() {
        let case1 = AuditSalt(bytes: [UInt8](repeating: 0x0b, count: 20))
        let expected1 = "hmac-sha256:b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        #expect(case1.hash("Hi There") == expected1)
        let case2 = AuditSalt(bytes: Array("Jefe".utf8))
        let expected2 = "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        #expect(case2.hash("what do ya want for nothing?") == expected2)
        // The keyed state is copied per hash: earlier hashes must not leak into later ones.
        #expect(case1.hash("something else") != expected1)
        #expect(case1.hash("Hi There") == expected1)
        #expect(case2.hash("") == case2.hash(""))
    }

    @Test("salts differ, round-trip through storage, refuse malformed records and print redacted")
    func saltStorage() throws {
        let a = AuditSalt.generate()
        let b = AuditSalt.generate()
        #expect(a.hash("x") != b.hash("x"))
        let copy = try AuditSalt(storageValue: a.storageValue)
        #expect(copy.hash("x") == a.hash("x"))
        #expect("\(a)" == "AuditSalt(redacted)")
        #expect(throws: AuditError.self) { try AuditSalt(storageValue: ["version": 2, "salt": a.storageValue["salt"]!]) }
        #expect(throws: AuditError.self) { try AuditSalt(storageValue: ["version": 1, "salt": "c2hvcnQ="]) }
        #expect(AuditSalt.storageKey(uuid: "u", local: false) == "core/audit-salt/u")
        #expect(AuditSalt.storageKey(uuid: "u", local: true) == "core/local-audit-salt/u")
    }

    @Test("audit tables and salts are classified replicated or local as the device is")
    func keyClasses() {
        let classifier = KeyClassifier()
        #expect(classifier.classify(StorageKeys.audit) == .replicated)
        #expect(classifier.classify(StorageKeys.localAudit) == .local)
        #expect(classifier.classify(AuditSalt.storageKey(uuid: "u", local: false)) == .replicated)
        #expect(classifier.classify(AuditSalt.storageKey(uuid: "u", local: true)) == .local)
    }

    // MARK: options

    @Test("file options: defaults, the legacy path name, stdout, discard")
    func optionDefaults() throws {
        let plain = try AuditDeviceOptions(type: "file", options: ["file_path": "/var/log/a.log"])
        #expect(plain.destination == .file(path: "/var/log/a.log"))
        #expect(plain.mode == 0o600)
        #expect(plain.logRaw == false)
        #expect(plain.hmacAccessor == true)
        #expect(plain.prefix == "")
        #expect(try AuditDeviceOptions(type: "file", options: ["path": "/tmp/b"]).destination == .file(path: "/tmp/b"))
        #expect(try AuditDeviceOptions(type: "file", options: ["file_path": "stdout"]).destination == .stdout)
        #expect(try AuditDeviceOptions(type: "file", options: ["file_path": "-"]).destination == .stdout)
        #expect(try AuditDeviceOptions(type: "file", options: ["file_path": "discard"]).destination == .discard)
        let tuned = try AuditDeviceOptions(type: "file", options: [
            "file_path": "/x", "mode": "0640", "log_raw": "true", "hmac_accessor": "false", "prefix": "AUDIT ",
            "format": "json",
        ])
        #expect(tuned.mode == 0o640)
        #expect(tuned.logRaw && !tuned.hmacAccessor)
        #expect(tuned.prefix == "AUDIT ")
        #expect(try AuditDeviceOptions(type: "file", options: ["file_path": "/x", "mode": "0"]).mode == nil)
    }

    @Test(
        "bad device settings are 400s naming the problem",
        arguments: [
            ("socket", ["file_path": "/x"], "unknown audit device type"),
            ("file", [:], "file_path is required"),
            ("file", ["file_path": "/x", "format": "jsonx"], "jsonx"),
            ("file", ["file_path": "/x", "format": "xml"], "unknown audit format"),
            ("file", ["file_path": "/x", "mode": "rw"], "invalid mode"),
            ("file", ["file_path": "/x", "mode": "0999"], "invalid mode"),
            ("file", ["file_path": "/x", "log_raw": "maybe"], "log_raw must be a boolean"),
        ] as [(String, [String: String], String)]
    )
    func optionErrors(type: String, options: [String: String], message: String) {
        do {
            _ = try AuditDeviceOptions(type: type, options: options)
            Issue.record("accepted \(options)")
        } catch let error as LogicalError {
            #expect(error.code == .invalidRequest)
            #expect(error.messages.joined().contains(message))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    // MARK: entries

    static let token = "hvs.CLIENTTOKENVALUE"
    static let accessor = "ACCESSORVALUE"

    static func input(response: Response? = nil, error: String? = nil) -> AuditInput {
        let mount = MountEntry(path: "secret/", type: "kv", uuid: "mount-uuid", accessor: "kv_1234")
        var request = Request(
            id: "req-1", operation: .update, path: "app/db",
            data: ["password": "hunter2", "count": 3, "nested": ["list": ["a", 1, true], "flag": false]],
            mountPoint: "secret/", wrapTTL: 60, remoteAddress: "10.0.0.1")
        request.auth = nil
        let auth = AuthContext(
            accessor: accessor, policies: ["default", "dev"], metadata: ["team": "ops"], displayName: "token-ops",
            tokenID: "internal-id")
        return AuditInput(
            time: Timestamp(nanoseconds: 1_700_000_000_123_456_789), request: request, fullPath: "secret/app/db",
            auth: auth, mount: mount, clientToken: token, response: response, error: error)
    }

    @Test("a request entry: Vault's fields, the token and every data string HMAC'd, the rest as is")
    func requestEntry() {
        let salt = AuditSalt.generate()
        let entry = AuditFormatter(salt: salt, logRaw: false, hmacAccessor: true).requestEntry(Self.input())
        #expect(entry["type"] == "request")
        #expect(entry["time"] == "2023-11-14T22:13:20.123456789Z")
        #expect(entry["error"] == nil)
        let request = entry["request"]
        #expect(request?["id"] == "req-1")
        #expect(request?["operation"] == "update")
        #expect(request?["path"] == "secret/app/db")
        #expect(request?["mount_point"] == "secret/")
        #expect(request?["mount_type"] == "kv")
        #expect(request?["mount_accessor"] == "kv_1234")
        #expect(request?["remote_address"] == "10.0.0.1")
        #expect(request?["wrap_ttl"] == 60)
        #expect(request?["namespace"] == ["id": "root"])
        #expect(request?["client_token"] == .string(salt.hash(Self.token)))
        #expect(request?["client_token_accessor"] == .string(salt.hash(Self.accessor)))
        #expect(request?["data"] == [
            "password": .string(salt.hash("hunter2")), "count": 3,
            "nested": ["list": [.string(salt.hash("a")), 1, true], "flag": false],
        ])
        let auth = entry["auth"]
        #expect(auth?["client_token"] == .string(salt.hash(Self.token)))
        #expect(auth?["accessor"] == .string(salt.hash(Self.accessor)))
        #expect(auth?["display_name"] == "token-ops")
        #expect(auth?["policies"] == ["default", "dev"])
        #expect(auth?["token_policies"] == ["default", "dev"])
        #expect(auth?["metadata"] == ["team": "ops"])
        #expect(auth?["token_type"] == "service")
        #expect(auth?["policy_results"]?["allowed"] == true)

        let text = JSONWriter.string(entry)
        for raw in [Self.token, Self.accessor, "hunter2", "internal-id"] { #expect(!text.contains(raw)) }
    }

    @Test("a response entry HMACs response data, minted tokens and the wrapping token; errors are recorded")
    func responseEntry() throws {
        let salt = AuditSalt.generate()
        var response = Response(
            data: ["secret": "s3cr3t", "ttl": 30],
            warnings: ["careful"],
            secret: SecretInfo(leaseID: "secret/app/db/lease1", ttlSeconds: 30, renewable: false),
            auth: AuthInfo(
                clientToken: "hvs.MINTED", accessor: "MINTEDACCESSOR", policies: ["default"], tokenPolicies: ["default"],
                leaseDurationSeconds: 3600, renewable: true, orphan: true, displayName: "userpass-alice"))
        response.wrapInfo = WrapInfo(
            token: "hvs.WRAPPING", accessor: "WRAPACCESSOR", ttlSeconds: 60, creationTime: "2023-11-14T22:13:20Z",
            creationPath: "secret/app/db", wrappedAccessor: "WRAPPEDACCESSOR")
        let entry = AuditFormatter(salt: salt, logRaw: false, hmacAccessor: true)
            .responseEntry(Self.input(response: response, error: "permission denied"))
        #expect(entry["type"] == "response")
        #expect(entry["error"] == "permission denied")
        let out = try #require(entry["response"])
        #expect(out["mount_type"] == "kv")
        #expect(out["data"] == ["secret": .string(salt.hash("s3cr3t")), "ttl": 30])
        #expect(out["secret"] == ["lease_id": "secret/app/db/lease1"])
        #expect(out["warnings"] == ["careful"])
        #expect(out["auth"]?["client_token"] == .string(salt.hash("hvs.MINTED")))
        #expect(out["auth"]?["accessor"] == .string(salt.hash("MINTEDACCESSOR")))
        #expect(out["auth"]?["token_ttl"] == 3600)
        #expect(out["wrap_info"]?["token"] == .string(salt.hash("hvs.WRAPPING")))
        #expect(out["wrap_info"]?["accessor"] == .string(salt.hash("WRAPACCESSOR")))
        #expect(out["wrap_info"]?["wrapped_accessor"] == .string(salt.hash("WRAPPEDACCESSOR")))
        #expect(out["wrap_info"]?["ttl"] == 60)
        let text = JSONWriter.string(entry)
        for raw in ["s3cr3t", "hvs.MINTED", "MINTEDACCESSOR", "hvs.WRAPPING", "WRAPACCESSOR", Self.token] {
            #expect(!text.contains(raw))
        }
    }

    @Test("hmac_accessor=false leaves accessors readable and still HMACs tokens")
    func accessorsRaw() {
        let salt = AuditSalt.generate()
        let entry = AuditFormatter(salt: salt, logRaw: false, hmacAccessor: false).requestEntry(Self.input())
        #expect(entry["auth"]?["accessor"] == .string(Self.accessor))
        #expect(entry["request"]?["client_token_accessor"] == .string(Self.accessor))
        #expect(entry["request"]?["client_token"] == .string(salt.hash(Self.token)))
        #expect(entry["request"]?["data"]?["password"] == .string(salt.hash("hunter2")))
    }

    @Test("log_raw writes every value as it is")
    func logRaw() {
        let entry = AuditFormatter(salt: AuditSalt.generate(), logRaw: true, hmacAccessor: true).requestEntry(Self.input())
        #expect(entry["request"]?["client_token"] == .string(Self.token))
        #expect(entry["auth"]?["accessor"] == .string(Self.accessor))
        #expect(entry["request"]?["data"]?["password"] == "hunter2")
    }

    @Test("a line is the prefix, one compact JSON object and a newline")
    func lineShape() throws {
        let entry = AuditFormatter(salt: AuditSalt.generate(), logRaw: false, hmacAccessor: true).requestEntry(Self.input())
        let line = AuditFormatter.line(entry, prefix: "AUDIT: ")
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix("AUDIT: {"))
        #expect(text.hasSuffix("}\n"))
        #expect(text.filter { $0 == "\n" }.count == 1)
        #expect(try JSONValue(parsing: String(text.dropFirst("AUDIT: ".count))) == entry)
    }
}
