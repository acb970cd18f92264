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
    /// minted (token create, login) or the approle secret-id it issued. A response with
    /// ``Response/wrapFormatJWT`` gets a JWT-format token when a ``WrappingTokenCodec`` is
    /// installed, else the plain token and a warning saying so.
    func wrapResponse(_ response: Response, ttl: Int64, context: RequestContext, active: ActiveState) async throws -> Response {
        if response.wrapInfo != nil { return response }
        let jwt = response.wrapFormatJWT && wrappingTokenCodec != nil
        let info = try await storeWrapped(
            WrappedResponse(response), ttl: ttl, creationPath: context.fullPath,
            wrappedAccessor: Self.wrappedAccessor(of: response, mount: context.mount), jwt: jwt, active: active
        )
        var wrapped = Response()
        wrapped.wrapInfo = info
        if response.wrapFormatJWT, !jwt {
            wrapped.warnings = ["the JWT wrapping format is not available on this server; the wrapping token is in the default format"]
        }
        return wrapped
    }

    /// Mints a wrapping token and stores `contents` in its cubbyhole. If the store fails
    /// the token is revoked again, so no wrapping token exists without its response.
    /// With `jwt` (and a codec installed) `wrap_info.token` is the codec's JWT for the
    /// token; the token itself stays the wrapping token (the JWT's `jti`).
    func storeWrapped(
        _ contents: WrappedResponse, ttl requested: Int64, creationPath: String, wrappedAccessor: String?,
        jwt: Bool = false, active: ActiveState
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
        var clientToken = token
        do {
            if jwt, let codec = wrappingTokenCodec {
                clientToken = try await codec.encode(tokenID: token, creationTime: Int64(date.timeIntervalSince1970), ttl: ttl)
            }
            try await wrappingCubbyhole(tokenID: entry.id, active: active).commit([
                .put(key: Self.wrappingResponseKey, value: contents.storageBytes),
                .put(key: Self.wrappingInfoKey, value: metadata.storageBytes),
            ])
        } catch {
            try? await active.tokens.revokeTree(id: entry.id)
            throw error
        }
        return WrapInfo(
            token: clientToken, accessor: entry.accessor, ttlSeconds: ttl, creationTime: creationTime,
            creationPath: creationPath, wrappedAccessor: wrappedAccessor
        )
    }

    // MARK: using a wrapping token

    /// The live wrapping token `token`, without spending it (lookup). Anything else — an
    /// unknown, expired, spent or ordinary token — is ``invalidWrappingToken``. A
    /// JWT-format token stands for its `jti` once the installed ``WrappingTokenCodec``
    /// verifies it; one that does not verify is invalid too.
    func wrappingToken(_ token: String, active: ActiveState) async throws -> TokenEntry {
        var token = token
        if Self.isJWTShaped(token) {
            guard let decoded = await tokenFromWrappingJWT(token) else { throw Self.invalidWrappingToken }
            token = decoded
        }
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
/// `<text>` is the ``ResponseCodec`` record of the original response (its envelope
/// members plus `version`, `status_code`, `inject_data`). Any other version, or a
/// malformed record, fails closed as corrupt state. Holds secrets: its description is
/// redacted.
struct WrappedResponse: Sendable, CustomStringConvertible {
    var response: Response

    /// Keeps what the recipient should get back: wrapping instructions are dropped, so an
    /// unwrapped response is never wrapped again.
    init(_ response: Response) {
        var copy = response
        copy.wrapInfo = nil
        copy.forcedWrapTTL = nil
        copy.wrapFormatJWT = false
        self.response = copy
    }

    var description: String { "WrappedResponse(redacted)" }

    /// Whether the original answer had nothing in it (then unwrap answers 204).
    var isEmpty: Bool {
        response.data == nil && response.auth == nil && response.secret == nil && response.warnings.isEmpty
    }

    var storageBytes: [UInt8] {
        let text = String(decoding: ResponseCodec.encode(response), as: UTF8.self)
        return JSONWriter.bytes(.object([Self.responseMember: .string(text)]))
    }

    init(storageBytes: [UInt8]) throws {
        let corrupt = CoreError.corrupt("wrapped response has an unknown format")
        guard let outer = try? JSONParser.parse(storageBytes), let text = outer[Self.responseMember]?.stringValue,
            let response = try? ResponseCodec.decode(Array(text.utf8))
        else { throw corrupt }
        self.init(response)
    }

    private static let responseMember = "response"
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
