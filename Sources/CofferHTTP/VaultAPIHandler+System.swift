import CofferCore
import CofferJSON
import CofferLogical
import Foundation
import HTTPTypes
import HummingbirdCore

/// The non-logical `sys/` endpoints: bare JSON objects, no envelope, served whether or
/// not the barrier is sealed (vault-core-api.md §5).
extension VaultAPIHandler {
    func systemEndpoint(path: String, request: HummingbirdCore.Request, query: [String: String], remoteAddress: String?) async throws -> Reply? {
        let method = request.method
        let isRead = method == .get || method == .head
        let isWrite = method == .put || method == .post
        switch path {
        case "sys/init":
            if isRead { return Reply(status: .ok, body: ["initialized": .bool(try await core.isInitialized())]) }
            guard isWrite else { return Self.methodNotAllowed }
            return try await initialize(request)
        case "sys/seal-status":
            guard isRead else { return Self.methodNotAllowed }
            return Reply(status: .ok, body: Self.sealStatusBody(try await core.sealStatus()))
        case "sys/unseal":
            guard isWrite else { return Self.methodNotAllowed }
            return try await unseal(request)
        case "sys/seal":
            guard isWrite else { return Self.methodNotAllowed }
            try await core.seal(clientToken: clientToken(request))
            return Reply(status: .noContent, body: nil)
        case "sys/health":
            guard isRead else { return Self.methodNotAllowed }
            return try await health(query: query)
        case "sys/leader":
            guard isRead else { return Self.methodNotAllowed }
            return Reply(status: .ok, body: [
                "ha_enabled": false, "is_self": false, "active_time": "0001-01-01T00:00:00Z",
                "leader_address": "", "leader_cluster_address": "",
                "performance_standby": false, "performance_standby_last_remote_wal": 0,
            ])
        case "sys/generate-root/attempt", "sys/generate-root/update":
            // Audited, as in Vault (unlike init, unseal and rekey).
            let operation: CofferLogical.Operation = method == .get || method == .head ? .read : method == .delete ? .delete : .update
            return try await core.auditUnrouted(path: path, operation: operation, remoteAddress: remoteAddress,
                                                responseData: { $0.body?.objectValue }) {
                path == "sys/generate-root/attempt" ? try await generateRootAttempt(request) : try await generateRootUpdate(request)
            }
        case "sys/rekey/init": return try await rekeyInit(request)
        case "sys/rekey/update": return try await rekeyUpdate(request)
        case "sys/rekey/verify": return try await rekeyVerify(request)
        case "sys/rekey/backup": return try await rekeyBackup(request)
        default:
            return nil
        }
    }

    static let methodNotAllowed = Reply(status: .methodNotAllowed, body: Envelope.errors(["unsupported operation"]))

    // MARK: init

    private func initialize(_ request: HummingbirdCore.Request) async throws -> Reply {
        let body = try RequestParsing.body(try await readBody(request), contentType: request.headers[.contentType])
        let shares = try Self.intField(body, "secret_shares")
        let threshold = try Self.intField(body, "secret_threshold")
        for field in ["pgp_keys", "recovery_pgp_keys"] {
            if let keys = body[field], !(keys.isNull || keys.arrayValue?.isEmpty == true) {
                throw LogicalError.invalidRequest("\(field) is not supported: PGP-encrypted key shares are not implemented")
            }
        }
        if let key = body["root_token_pgp_key"], !(key.isNull || key.stringValue == "") {
            throw LogicalError.invalidRequest("root_token_pgp_key is not supported: PGP encryption is not implemented")
        }
        guard let shares, let threshold else {
            throw LogicalError.invalidRequest("secret_shares and secret_threshold are required")
        }
        let result = try await core.initialize(shares: shares, threshold: threshold)
        return Reply(status: .ok, body: [
            "keys": .array(result.keys.map { .string(Self.hex($0)) }),
            "keys_base64": .array(result.keys.map { .string(Data($0).base64EncodedString()) }),
            "root_token": .string(result.rootToken),
        ])
    }

    /// An optional integer member; a present member of another type is a 400.
    static func intField(_ body: [String: JSONValue], _ name: String) throws -> Int? {
        guard let value = body[name], !value.isNull else { return nil }
        if let n = value.intValue, n >= Int64(Int32.min), n <= Int64(Int32.max) { return Int(n) }
        if let s = value.stringValue, let n = Int(s) { return n }
        throw LogicalError.invalidRequest("\(name) must be an integer")
    }

    // MARK: unseal

    private func unseal(_ request: HummingbirdCore.Request) async throws -> Reply {
        let body = try RequestParsing.body(try await readBody(request), contentType: request.headers[.contentType])
        if let reset = body["reset"], !reset.isNull {
            guard let flag = reset.boolValue ?? reset.stringValue.flatMap(RequestParsing.parseBool) else {
                throw LogicalError.invalidRequest("reset must be a boolean")
            }
            if flag { return Reply(status: .ok, body: Self.sealStatusBody(try await core.resetUnseal())) }
        }
        guard let keyValue = body["key"], !keyValue.isNull, keyValue.stringValue != "" else {
            throw LogicalError.invalidRequest("'key' must be specified in request body as JSON, or 'reset' set to true")
        }
        guard let keyText = keyValue.stringValue, let share = UnsealKeyText.decode(keyText) else {
            throw LogicalError.invalidRequest("'key' must be a valid hex or base64 string")
        }
        return Reply(status: .ok, body: Self.sealStatusBody(try await core.unseal(share: share)))
    }

    static func sealStatusBody(_ s: SealStatusInfo) -> JSONValue {
        var body: [String: JSONValue] = [
            "type": "shamir", "initialized": .bool(s.initialized), "sealed": .bool(s.sealed),
            "t": .int(Int64(s.threshold)), "n": .int(Int64(s.shares)), "progress": .int(Int64(s.progress)),
            "nonce": .string(s.nonce), "version": .string(CofferVersion.reported),
            "build_date": .string(CofferVersion.buildDate), "migration": false, "recovery_seal": false,
            "storage_type": .string(s.storageType), "removed_from_cluster": false,
        ]
        if let name = s.clusterName { body["cluster_name"] = .string(name) }
        if let id = s.clusterID { body["cluster_id"] = .string(id) }
        return .object(body)
    }

    // MARK: health

    /// `sys/health`: the status code tells a load balancer what this node is; every code
    /// can be overridden by a query parameter (vault-core-api.md §5).
    private func health(query: [String: String]) async throws -> Reply {
        func code(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = query[name] else { return fallback }
            guard let n = Int(text), (100...599).contains(n) else {
                throw LogicalError.invalidRequest("unable to parse \(name): it must be an HTTP status code such as 200")
            }
            return n
        }
        func flag(_ name: String) throws -> Bool {
            guard let text = query[name] else { return false }
            if text.isEmpty { return true }
            guard let b = RequestParsing.parseBool(text) else {
                throw LogicalError.invalidRequest("unable to parse \(name): it must be a boolean")
            }
            return b
        }
        let activeCode = try code("activecode", 200)
        let standbyOK = try flag("standbyok")
        let perfStandbyOK = try flag("perfstandbyok")
        let standbyCode = try code("standbycode", 429)
        let perfStandbyCode = try code("performancestandbycode", 473)
        let drSecondaryCode = try code("drsecondarycode", 472)
        let sealedCode = try code("sealedcode", 503)
        let uninitCode = try code("uninitcode", 501)
        _ = (standbyOK, perfStandbyOK, standbyCode, perfStandbyCode, drSecondaryCode)  // no HA or DR roles yet

        let status = try await core.sealStatus()
        let statusCode = !status.initialized ? uninitCode : (status.sealed ? sealedCode : activeCode)
        var body: [String: JSONValue] = [
            "initialized": .bool(status.initialized), "sealed": .bool(status.sealed), "standby": false,
            "performance_standby": false,
            "replication_performance_mode": .string(core.replicationMode == .bootstrapping ? "bootstrapping" : core.replicationMode.rawValue),
            "replication_dr_mode": "disabled", "server_time_utc": .int(Int64(Date().timeIntervalSince1970)),
            "version": .string(CofferVersion.reported), "enterprise": false, "echo_duration_ms": 0,
            "clock_skew_ms": 0, "replication_primary_canary_age_ms": 0, "removed_from_cluster": false,
        ]
        if let name = status.clusterName { body["cluster_name"] = .string(name) }
        if let id = status.clusterID { body["cluster_id"] = .string(id) }
        return Reply(status: HTTPResponse.Status(code: statusCode), body: .object(body))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
