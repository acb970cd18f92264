public import CofferLogical
import CofferJSON

/// The one JSON form of a ``Response``: what a wrapping token's cubbyhole holds (inside
/// ``WrappedResponse``) and what a primary sends back to a performance secondary for a
/// forwarded request.
///
/// Version 1, one JSON object (keys written sorted):
///
///     {"version": 1,
///      "data": {...} | null,           "warnings": ["..."],
///      "lease_id": "", "lease_duration": <s>, "renewable": false,
///      "auth": {"client_token", "accessor", "policies", "token_policies", "metadata",
///               "lease_duration", "renewable", "entity_id", "token_type", "orphan",
///               "num_uses", "explicit_max_ttl", "period", "bound_cidrs",
///               "display_name"} | null,
///      "mount_type": "", "inject_data": false,
///      "status_code": <int>,            (only when set)
///      "wrap_info": {"token", "accessor", "ttl", "creation_time", "creation_path",
///                    "wrapped_accessor"},  (only when set)
///      "forced_wrap_ttl": <s>,          (only when set)
///      "wrap_format_jwt": true}         (only when set)
///
/// The lease members carry ``Response/secret``: it decodes as nil when all three are at
/// their zero values. Members added after the first records (`explicit_max_ttl` and the
/// three after it, the `wrap_info` group) are optional on decode, so older records still
/// read. Decoding is strict about types, bounded to ``maximumBytes`` and fails closed
/// with ``WireFormatError``.
///
/// The bytes carry the response's secrets (data, client tokens): send them only over an
/// authenticated, encrypted channel or store them behind the barrier.
public enum ResponseCodec {
    public static let version: Int64 = 1
    /// The most bytes ``decode(_:)`` accepts (a response is bounded by the request
    /// size limits long before this).
    public static let maximumBytes = 64 << 20

    /// The JSON record of `response`.
    public static func encode(_ response: Response) -> [UInt8] {
        JSONWriter.bytes(json(response))
    }

    /// The response `bytes` encode.
    /// - Throws: ``WireFormatError`` for anything that is not a version-1 record.
    public static func decode(_ bytes: [UInt8]) throws -> Response {
        try decode(WireObject.parse(bytes, limit: maximumBytes, version: version, "response"))
    }

    static func json(_ response: Response) -> JSONValue {
        var body: [String: JSONValue] = [
            "version": .int(version),
            "data": response.data.map { .object($0) } ?? .null,
            "warnings": JSONValue(response.warnings),
            "lease_id": .string(response.secret?.leaseID ?? ""),
            "lease_duration": .int(response.secret?.ttlSeconds ?? 0),
            "renewable": .bool(response.secret?.renewable ?? false),
            "auth": response.auth.map(encode) ?? .null,
            "mount_type": .string(response.mountType ?? ""),
            "inject_data": .bool(response.injectDataAtTopLevel),
        ]
        if let status = response.statusCode { body["status_code"] = .int(Int64(status)) }
        if let info = response.wrapInfo { body["wrap_info"] = encode(info) }
        if let ttl = response.forcedWrapTTL { body["forced_wrap_ttl"] = .int(ttl) }
        if response.wrapFormatJWT { body["wrap_format_jwt"] = true }
        return .object(body)
    }

    static func decode(_ record: WireObject) throws(WireFormatError) -> Response {
        var response = Response()
        response.data = try record.object("data")
        response.warnings = try record.strings("warnings") ?? []
        let leaseID = try record.string("lease_id") ?? ""
        let leaseDuration = try record.int("lease_duration") ?? 0
        let renewable = try record.bool("renewable") ?? false
        if !leaseID.isEmpty || leaseDuration != 0 || renewable {
            response.secret = SecretInfo(leaseID: leaseID, ttlSeconds: leaseDuration, renewable: renewable)
        }
        if record.members["auth"].map({ !$0.isNull }) ?? false {
            response.auth = try decodeAuth(WireObject(record.members["auth"], "response.auth"))
        }
        if let mountType = try record.string("mount_type"), !mountType.isEmpty { response.mountType = mountType }
        if let status = try record.int("status_code") {
            guard (200...599).contains(status) else { throw .malformed("response.status_code is out of range") }
            response.statusCode = Int(status)
        }
        response.injectDataAtTopLevel = try record.bool("inject_data") ?? false
        if record.members["wrap_info"].map({ !$0.isNull }) ?? false {
            response.wrapInfo = try decodeWrapInfo(WireObject(record.members["wrap_info"], "response.wrap_info"))
        }
        response.forcedWrapTTL = try record.int("forced_wrap_ttl")
        response.wrapFormatJWT = try record.bool("wrap_format_jwt") ?? false
        return response
    }

    private static func encode(_ auth: AuthInfo) -> JSONValue {
        [
            "client_token": .string(auth.clientToken), "accessor": .string(auth.accessor),
            "policies": JSONValue(auth.policies), "token_policies": JSONValue(auth.tokenPolicies),
            "metadata": JSONValue(auth.metadata), "lease_duration": .int(auth.leaseDurationSeconds),
            "renewable": .bool(auth.renewable), "entity_id": .string(auth.entityID),
            "token_type": .string(auth.tokenType), "orphan": .bool(auth.orphan), "num_uses": .int(Int64(auth.numUses)),
            "explicit_max_ttl": .int(auth.explicitMaxTTLSeconds), "period": .int(auth.periodSeconds),
            "bound_cidrs": JSONValue(auth.boundCIDRs), "display_name": .string(auth.displayName),
        ]
    }

    private static func decodeAuth(_ auth: WireObject) throws(WireFormatError) -> AuthInfo {
        let policies = try auth.strings("policies") ?? []
        let numUses = try auth.int("num_uses") ?? 0
        guard numUses >= 0, numUses <= Int64(Int32.max) else { throw .malformed("response.auth.num_uses is out of range") }
        return AuthInfo(
            clientToken: try auth.requiredString("client_token"), accessor: try auth.requiredString("accessor"),
            policies: policies, tokenPolicies: try auth.strings("token_policies") ?? policies,
            metadata: try auth.stringMap("metadata") ?? [:], leaseDurationSeconds: try auth.int("lease_duration") ?? 0,
            renewable: try auth.bool("renewable") ?? false, entityID: try auth.string("entity_id") ?? "",
            tokenType: try auth.string("token_type") ?? "service", orphan: try auth.bool("orphan") ?? false,
            numUses: Int(numUses), explicitMaxTTLSeconds: try auth.int("explicit_max_ttl") ?? 0,
            periodSeconds: try auth.int("period") ?? 0, boundCIDRs: try auth.strings("bound_cidrs") ?? [],
            displayName: try auth.string("display_name") ?? ""
        )
    }

    private static func encode(_ info: WrapInfo) -> JSONValue {
        var members: [String: JSONValue] = [
            "token": .string(info.token), "accessor": .string(info.accessor), "ttl": .int(info.ttlSeconds),
            "creation_time": .string(info.creationTime), "creation_path": .string(info.creationPath),
        ]
        if let wrapped = info.wrappedAccessor { members["wrapped_accessor"] = .string(wrapped) }
        return .object(members)
    }

    private static func decodeWrapInfo(_ info: WireObject) throws(WireFormatError) -> WrapInfo {
        WrapInfo(
            token: try info.requiredString("token"), accessor: try info.string("accessor") ?? "",
            ttlSeconds: try info.int("ttl") ?? 0, creationTime: try info.string("creation_time") ?? "",
            creationPath: try info.string("creation_path") ?? "", wrappedAccessor: try info.string("wrapped_accessor")
        )
    }
}
