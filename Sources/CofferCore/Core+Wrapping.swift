import CofferJSON
import CofferLogical
import CofferPolicy
import Foundation

/// Response wrapping (vault-core-api.md §12).
///
/// Wrapping a response mints a **wrapping token**: a service token, orphan, with the
/// policy `response-wrapping` alone, `num_uses` 1 and TTL (and hard limit) the wrap TTL.
/// The response is stored in that token's cubbyhole, so it lives exactly as long as the
/// token: unwrapping revokes the token, expiry revokes it, and revocation deletes the
/// cubbyhole. The client gets only `wrap_info`.
///
/// Cubbyhole layout of a wrapping token (``WrappedResponse`` draws the formats):
/// - `response`: `{"response": "<JSON text of the original envelope>"}`, the shape a
///   legacy client reading `cubbyhole/response` expects;
/// - `wrapinfo`: `{"version":1,"creation_time","creation_ttl","creation_path","wrapped_accessor"}`,
///   what `sys/wrapping/lookup` answers without spending the token.
extension Core {
    static let wrappingResponseKey = "response"
    static let wrappingInfoKey = "wrapinfo"
    /// Vault's answer for a token that is not a live wrapping token (400).
    static let invalidWrappingToken = LogicalError.invalidRequest("wrapping token is not valid or does not exist")

    /// Wraps `response` in a new single-use wrapping token and answers with `wrap_info`
    /// only (no data, auth, lease or warnings). Core calls it after the backend, for a
    /// non-nil response, when the request asked for wrapping (`X-Vault-Wrap-TTL`) or the
    /// backend demands it (``Response/forcedWrapTTL``). A response that already carries
    /// `wrap_info` (a rewrap) is returned as it is: wrapping never nests.
    ///
    /// `ttl` is capped by the system's maximum lease TTL. The creation path is the
    /// request's full path; `wrapped_accessor` names the token the wrapped response
    /// minted (token create, login) or the approle secret-id it issued.
    func wrapResponse(_ response: Response, ttl: Int64, context: RequestContext, active: ActiveState) async throws -> Response {
        if response.wrapInfo != nil { return response }
        let info = try await storeWrapped(
            WrappedResponse(response), ttl: ttl, creationPath: context.fullPath,
            wrappedAccessor: Self.wrappedAccessor(of: response, mount: context.mount), active: active
        )
        var wrapped = Response()
        wrapped.wrapInfo = info
        return wrapped
    }

    /// Mints a wrapping token and stores `contents` in its cubbyhole. If the store fails
    /// the token is revoked again, so no wrapping token exists without its response.
    func storeWrapped(
        _ contents: WrappedResponse, ttl requested: Int64, creationPath: String, wrappedAccessor: String?,
        active: ActiveState
    ) async throws -> WrapInfo {
        guard requested > 0 else { throw LogicalError.invalidRequest("wrapping TTL must be positive") }
        let ttl = config.maxLeaseTTL > 0 ? min(requested, config.maxLeaseTTL) : requested
        let date = clock()
        let creationTime = Timestamp(date).rfc3339
        let (token, entry) = try await active.tokens.create(TokenSpec(
            policies: [BuiltinPolicies.responseWrappingName], path: creationPath, displayName: "", numUses: 1,
            creationTime: Int64(date.timeIntervalSince1970), ttl: ttl, explicitMaxTTL: ttl, renewable: false
        ))
        let metadata = WrappingMetadata(
            creationTime: creationTime, creationTTL: ttl, creationPath: creationPath, wrappedAccessor: wrappedAccessor
        )
        do {
            try await wrappingCubbyhole(tokenID: entry.id, active: active).commit([
                .put(key: Self.wrappingResponseKey, value: contents.storageBytes),
                .put(key: Self.wrappingInfoKey, value: metadata.storageBytes),
            ])
        } catch {
            try? await active.tokens.revokeTree(id: entry.id)
            throw error
        }
        return WrapInfo(
            token: token, accessor: entry.accessor, ttlSeconds: ttl, creationTime: creationTime,
            creationPath: creationPath, wrappedAccessor: wrappedAccessor
        )
    }

    // MARK: using a wrapping token

    /// The live wrapping token `token`, without spending it (lookup). Anything else — an
    /// unknown, expired, spent or ordinary token — is ``invalidWrappingToken``.
    func wrappingToken(_ token: String, active: ActiveState) async throws -> TokenEntry {
        guard let entry = try await active.tokens.lookup(token: token), Self.isWrappingToken(entry.policies) else {
            throw Self.invalidWrappingToken
        }
        return entry
    }

    /// Spends the single use of a wrapping token and returns its salted id; the caller
    /// must then read what it needs and ``revokeWrappingToken(id:active:)``.
    ///
    /// `bodyToken` (the `token` parameter) names the wrapping token of a third party.
    /// Without it the caller's own token must be the wrapping token: the pipeline has
    /// already spent its use to authenticate this very request.
    func claimWrappingToken(bodyToken: String?, caller: AuthContext?, active: ActiveState) async throws -> String {
        if let bodyToken, !bodyToken.isEmpty {
            let entry = try await wrappingToken(bodyToken, active: active)
            // Spending the use under the token's lock is what makes two concurrent
            // unwraps of one token yield one success.
            guard let spent = try await active.tokens.recordUse(entry) else { throw Self.invalidWrappingToken }
            return spent.id
        }
        guard let caller, Self.isWrappingToken(caller.policies) else { throw Self.invalidWrappingToken }
        return caller.tokenID
    }

    /// Revokes a claimed wrapping token, which deletes its cubbyhole.
    func revokeWrappingToken(id: String, active: ActiveState) async throws {
        try await active.tokens.revokeTree(id: id)
    }

    /// The wrapped response of a claimed or live wrapping token, or nil when its cubbyhole
    /// holds none.
    func wrappedResponse(tokenID: String, active: ActiveState) async throws -> WrappedResponse? {
        let view = try wrappingCubbyhole(tokenID: tokenID, active: active)
        guard let bytes = try await view.get(Self.wrappingResponseKey) else { return nil }
        return try WrappedResponse(storageBytes: bytes)
    }

    /// The creation facts of a wrapping token, or nil when its cubbyhole holds none.
    func wrappingMetadata(tokenID: String, active: ActiveState) async throws -> WrappingMetadata? {
        let view = try wrappingCubbyhole(tokenID: tokenID, active: active)
        guard let bytes = try await view.get(Self.wrappingInfoKey) else { return nil }
        return try WrappingMetadata(storageBytes: bytes)
    }

    // MARK: helpers

    /// A wrapping token holds `response-wrapping` and nothing else.
    static func isWrappingToken(_ policies: [String]) -> Bool {
        policies == [BuiltinPolicies.responseWrappingName]
    }

    /// The cubbyhole slice of the token with salted id `tokenID`.
    private func wrappingCubbyhole(tokenID: String, active: ActiveState) throws -> BarrierView {
        guard let mount = active.mounts.first(where: { $0.type == "cubbyhole" }) else {
            throw CoreError.corrupt("no cubbyhole mount to hold wrapped responses")
        }
        return BarrierView(barrier: barrier, prefix: mount.storagePrefix + tokenID + "/")
    }

    /// The accessor of what the wrapped response created: its token, or an approle
    /// secret-id.
    static func wrappedAccessor(of response: Response, mount: MountEntry?) -> String? {
        if let auth = response.auth, !auth.accessor.isEmpty { return auth.accessor }
        if mount?.type == "approle", let accessor = response.data?["secret_id_accessor"]?.stringValue, !accessor.isEmpty {
            return accessor
        }
        return nil
    }
}

/// A wrapped response as stored in its wrapping token's cubbyhole, and rebuilt from it.
///
/// Stored as `{"response": "<text>"}` (a cubbyhole object, as Vault stores it), where
/// `<text>` is the JSON of the original envelope (`data`, `warnings`, `auth`, `lease_id`,
/// `lease_duration`, `renewable`, `mount_type`) plus `version` (1), `status_code` and
/// `inject_data`. Any other version, or a malformed record, fails closed as corrupt
/// state. Holds secrets: its description is redacted.
struct WrappedResponse: Sendable, CustomStringConvertible {
    static let version: Int64 = 1

    var response: Response

    init(_ response: Response) {
        var copy = response
        copy.wrapInfo = nil
        copy.forcedWrapTTL = nil
        self.response = copy
    }

    var description: String { "WrappedResponse(redacted)" }

    /// Whether the original answer had nothing in it (then unwrap answers 204).
    var isEmpty: Bool {
        response.data == nil && response.auth == nil && response.secret == nil && response.warnings.isEmpty
    }

    var storageBytes: [UInt8] {
        var body: [String: JSONValue] = [
            "version": .int(Self.version),
            "data": response.data.map { .object($0) } ?? .null,
            "warnings": .array(response.warnings.map { .string($0) }),
            "lease_id": .string(response.secret?.leaseID ?? ""),
            "lease_duration": .int(response.secret?.ttlSeconds ?? 0),
            "renewable": .bool(response.secret?.renewable ?? false),
            "auth": response.auth.map(Self.encode) ?? .null,
            "mount_type": .string(response.mountType ?? ""),
            "inject_data": .bool(response.injectDataAtTopLevel),
        ]
        if let status = response.statusCode { body["status_code"] = .int(Int64(status)) }
        return JSONWriter.bytes(.object([Self.responseMember: .string(JSONWriter.string(.object(body)))]))
    }

    init(storageBytes: [UInt8]) throws {
        let corrupt = CoreError.corrupt("wrapped response has an unknown format")
        guard let outer = try? JSONParser.parse(storageBytes), let text = outer[Self.responseMember]?.stringValue,
            let record = try? JSONParser.parse(text), record["version"]?.intValue == Self.version
        else { throw corrupt }
        var response = Response()
        switch record["data"] {
        case .object(let data)?: response.data = data
        case .null?, nil: break
        default: throw corrupt
        }
        response.warnings = (record["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
        let leaseID = record["lease_id"]?.stringValue ?? ""
        let leaseDuration = record["lease_duration"]?.intValue ?? 0
        let renewable = record["renewable"]?.boolValue ?? false
        if !leaseID.isEmpty || leaseDuration != 0 || renewable {
            response.secret = SecretInfo(leaseID: leaseID, ttlSeconds: leaseDuration, renewable: renewable)
        }
        if let auth = record["auth"], !auth.isNull {
            guard let decoded = Self.decodeAuth(auth) else { throw corrupt }
            response.auth = decoded
        }
        if let mountType = record["mount_type"]?.stringValue, !mountType.isEmpty { response.mountType = mountType }
        if let status = record["status_code"]?.intValue {
            guard (200...599).contains(status) else { throw corrupt }
            response.statusCode = Int(status)
        }
        response.injectDataAtTopLevel = record["inject_data"]?.boolValue ?? false
        self.response = response
    }

    private static let responseMember = "response"

    private static func encode(_ auth: AuthInfo) -> JSONValue {
        [
            "client_token": .string(auth.clientToken), "accessor": .string(auth.accessor),
            "policies": JSONValue(auth.policies), "token_policies": JSONValue(auth.tokenPolicies),
            "metadata": JSONValue(auth.metadata), "lease_duration": .int(auth.leaseDurationSeconds),
            "renewable": .bool(auth.renewable), "entity_id": .string(auth.entityID),
            "token_type": .string(auth.tokenType), "orphan": .bool(auth.orphan), "num_uses": .int(Int64(auth.numUses)),
        ]
    }

    private static func decodeAuth(_ value: JSONValue) -> AuthInfo? {
        guard let clientToken = value["client_token"]?.stringValue, let accessor = value["accessor"]?.stringValue,
            let policies = value["policies"]?.stringArrayValue
        else { return nil }
        var metadata: [String: String] = [:]
        for (key, member) in value["metadata"]?.objectValue ?? [:] {
            guard let text = member.stringValue else { return nil }
            metadata[key] = text
        }
        return AuthInfo(
            clientToken: clientToken, accessor: accessor, policies: policies,
            tokenPolicies: value["token_policies"]?.stringArrayValue ?? policies, metadata: metadata,
            leaseDurationSeconds: value["lease_duration"]?.intValue ?? 0, renewable: value["renewable"]?.boolValue ?? false,
            entityID: value["entity_id"]?.stringValue ?? "", tokenType: value["token_type"]?.stringValue ?? "service",
            orphan: value["orphan"]?.boolValue ?? false, numUses: Int(value["num_uses"]?.intValue ?? 0)
        )
    }
}

/// When and where a wrapping token was made: `sys/wrapping/lookup` answers it and
/// `rewrap` reuses it. Stored as
/// `{"version":1,"creation_time":"<RFC 3339>","creation_ttl":<s>,"creation_path":"…"[,"wrapped_accessor":"…"]}`.
struct WrappingMetadata: Sendable, Hashable {
    static let version: Int64 = 1

    var creationTime: String
    var creationTTL: Int64
    var creationPath: String
    var wrappedAccessor: String?

    init(creationTime: String, creationTTL: Int64, creationPath: String, wrappedAccessor: String?) {
        self.creationTime = creationTime
        self.creationTTL = creationTTL
        self.creationPath = creationPath
        self.wrappedAccessor = wrappedAccessor
    }

    var storageBytes: [UInt8] {
        var record: [String: JSONValue] = [
            "version": .int(Self.version), "creation_time": .string(creationTime),
            "creation_ttl": .int(creationTTL), "creation_path": .string(creationPath),
        ]
        if let wrappedAccessor { record["wrapped_accessor"] = .string(wrappedAccessor) }
        return JSONWriter.bytes(.object(record))
    }

    init(storageBytes: [UInt8]) throws {
        guard let record = try? JSONParser.parse(storageBytes), record["version"]?.intValue == Self.version,
            let creationTime = record["creation_time"]?.stringValue, let creationTTL = record["creation_ttl"]?.intValue,
            let creationPath = record["creation_path"]?.stringValue
        else { throw CoreError.corrupt("wrapping metadata has an unknown format") }
        self.init(
            creationTime: creationTime, creationTTL: creationTTL, creationPath: creationPath,
            wrappedAccessor: record["wrapped_accessor"]?.stringValue
        )
    }

    /// The `data` of `sys/wrapping/lookup`.
    var lookupData: [String: JSONValue] {
        ["creation_path": .string(creationPath), "creation_time": .string(creationTime), "creation_ttl": .int(creationTTL)]
    }
}
