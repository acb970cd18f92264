import CofferJSON
import CofferLogical
import CofferStorage
import Logging
import Testing
@testable import CofferCore

/// `sys/metrics` and the request-path metrics, through ``Core/handle(_:clientToken:)``.
@Suite("sys/metrics through Core")
struct MetricsEndpointTests {
    static let root = "root-metrics-test"

    static func devCore() async throws -> Core {
        var logger = Logger(label: "test.metrics")
        logger.logLevel = .critical
        let core = Core(storage: InMemoryBackend(), logger: logger)
        _ = try await core.setUpDevMode(rootTokenID: root)
        return core
    }

    static func call(
        _ core: Core, _ operation: CofferLogical.Operation, _ path: String, _ data: [String: JSONValue] = [:],
        token: String? = root
    ) async throws -> Response? {
        try await core.handle(Request(id: "test", operation: operation, path: path, data: data), clientToken: token)
    }

    /// Reads `sys/metrics` and returns its raw body, checking the parts every answer shares.
    static func metrics(_ core: Core, format: String? = nil, token: String = root) async throws -> RawBody {
        let response = try #require(try await call(core, .read, "sys/metrics", format.map { ["format": .string($0)] } ?? [:], token: token))
        #expect(response.data == nil && response.auth == nil && response.secret == nil, "the body is not in the envelope")
        let raw = try #require(response.rawBody)
        #expect(raw.status == 200)
        return raw
    }

    static func json(_ core: Core, token: String = root) async throws -> JSONValue {
        let raw = try await metrics(core, token: token)
        #expect(raw.contentType == "application/json")
        return try JSONParser.parse(raw.bytes)
    }

    /// The value of the sample line `name value` in the Prometheus text.
    static func sample(_ text: String, _ name: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    static func entry(_ json: JSONValue, _ list: String, _ name: String, _ labels: [String: String] = [:]) -> JSONValue? {
        (json[list]?.arrayValue ?? []).first { $0["Name"]?.stringValue == name && $0["Labels"] == JSONValue(labels) }
    }

    @Test("the default format is Vault's go-metrics JSON, raw, with the core gauges and request timer")
    func jsonShape() async throws {
        let core = try await Self.devCore()
        _ = try await Self.call(core, .read, "sys/mounts")
        let json = try await Self.json(core)
        #expect(Set(json.objectValue.map { Array($0.keys) } ?? []) == ["Timestamp", "Gauges", "Counters", "Samples", "Points"])
        #expect(json["Timestamp"]?.stringValue?.hasSuffix(" +0000 UTC") == true)
        #expect(json["Points"] == [])
        #expect(Self.entry(json, "Gauges", "vault.core.unsealed")?["Value"]?.doubleValue == 1)
        #expect(Self.entry(json, "Gauges", "vault.expire.num_leases")?["Value"]?.doubleValue == 0)
        let handled = try #require(Self.entry(json, "Samples", "vault.core.handle_request"))
        #expect((handled["Count"]?.intValue ?? 0) >= 1)
        for key in ["Rate", "Sum", "Min", "Max", "Mean", "Stddev"] { #expect(handled[key]?.doubleValue != nil, "\(key)") }

        // An explicitly empty format is the default too.
        let empty = try await Self.metrics(core, format: "")
        #expect(empty.contentType == "application/json")
    }

    @Test("format=prometheus answers the exposition text, and the request timer counts every request")
    func prometheusFormat() async throws {
        let core = try await Self.devCore()
        let first = try await Self.metrics(core, format: "prometheus")
        #expect(first.contentType == "text/plain; version=0.0.4")
        let text = String(decoding: first.bytes, as: UTF8.self)
        #expect(text.contains("# TYPE vault_core_handle_request histogram\n"))
        #expect(Self.sample(text, "vault_core_unsealed") == 1)
        let before = try #require(Self.sample(text, "vault_core_handle_request_count"))

        for _ in 0..<3 { _ = try await Self.call(core, .read, "sys/mounts") }
        let after = String(decoding: try await Self.metrics(core, format: "prometheus").bytes, as: UTF8.self)
        // The three reads and the first metrics request itself.
        #expect(Self.sample(after, "vault_core_handle_request_count") == before + 4)
    }

    @Test("an unknown format is a 400; a write is not supported")
    func badFormat() async throws {
        let core = try await Self.devCore()
        await #expect(throws: LogicalError.self) {
            do {
                _ = try await Self.call(core, .read, "sys/metrics", ["format": "bogus"])
            } catch let error as LogicalError {
                #expect(error.code == .invalidRequest)
                #expect(error.messages == ["metric response format \"bogus\" unknown"])
                throw error
            }
        }
        await #expect(throws: LogicalError.self) {
            do {
                _ = try await Self.call(core, .update, "sys/metrics")
            } catch let error as LogicalError {
                #expect(error.code == .unsupportedOperation)
                throw error
            }
        }
    }

    @Test("a token needs read on sys/metrics: default policy is refused, a policy granting it is served")
    func needsPermission() async throws {
        let core = try await Self.devCore()
        _ = try await Self.call(core, .update, "sys/policies/acl/metrics", [
            "policy": .string(#"path "sys/metrics" { capabilities = ["read"] }"#),
        ])
        let plain = try #require(try await Self.call(core, .update, "auth/token/create", ["policies": ["default"]])?.auth?.clientToken)
        let reader = try #require(try await Self.call(core, .update, "auth/token/create", ["policies": ["metrics"]])?.auth?.clientToken)

        await #expect(throws: LogicalError.self) {
            do {
                _ = try await Self.call(core, .read, "sys/metrics", token: plain)
            } catch let error as LogicalError {
                #expect(error.code == .permissionDenied)
                throw error
            }
        }
        let json = try await Self.json(core, token: reader)
        #expect(Self.entry(json, "Gauges", "vault.core.unsealed") != JSONValue?.none)
    }

    @Test("token creation is counted by auth method and type; logins are timed apart from other requests")
    func tokenAndLoginMetrics() async throws {
        let core = try await Self.devCore()
        _ = try await Self.call(core, .update, "auth/token/create", ["policies": ["default"]])
        _ = try await Self.call(core, .update, "auth/token/create", ["policies": ["default"], "type": "batch"])
        _ = try await Self.call(core, .update, "sys/auth/userpass", ["type": "userpass"])
        _ = try await Self.call(core, .update, "auth/userpass/users/alice", ["password": "alice-pass-1", "policies": "default"])
        let login = try await Self.call(core, .update, "auth/userpass/login/alice", ["password": "alice-pass-1"], token: nil)
        #expect(login?.auth?.clientToken.isEmpty == false)

        let json = try await Self.json(core)
        let service = ["auth_method": "token", "mount_point": "auth/token/", "token_type": "service"]
        #expect(Self.entry(json, "Counters", "vault.token.creation", service)?["Sum"]?.doubleValue == 1)
        let batch = ["auth_method": "token", "mount_point": "auth/token/", "token_type": "batch"]
        #expect(Self.entry(json, "Counters", "vault.token.creation", batch)?["Sum"]?.doubleValue == 1)
        let userpass = ["auth_method": "userpass", "mount_point": "auth/userpass/", "token_type": "service"]
        #expect(Self.entry(json, "Counters", "vault.token.creation", userpass)?["Sum"]?.doubleValue == 1)
        #expect(Self.entry(json, "Samples", "vault.core.handle_login_request")?["Count"] == 1)
        // Two creates, the mount, the user: the login is not among them.
        #expect(Self.entry(json, "Samples", "vault.core.handle_request")?["Count"] == 4)
    }

    @Test("the lease and seal gauges follow Core's state")
    func collectedGauges() async throws {
        let core = try await Self.devCore()
        _ = try await Self.call(core, .update, "auth/token/create", ["policies": ["default"], "ttl": "1h"])
        let unsealedJSON = try await Self.json(core)
        #expect(Self.entry(unsealedJSON, "Gauges", "vault.expire.num_leases")?["Value"]?.doubleValue == 1, "the token's lease")

        try await core.seal(clientToken: Self.root)
        let sealedJSON = await core.metrics.vaultJSON()
        #expect(Self.entry(sealedJSON, "Gauges", "vault.core.unsealed")?["Value"]?.doubleValue == 0)
        #expect(Self.entry(sealedJSON, "Gauges", "vault.expire.num_leases")?["Value"]?.doubleValue == 0)
    }
}
