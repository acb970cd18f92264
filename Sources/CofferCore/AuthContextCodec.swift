public import CofferLogical
import CofferJSON

/// The JSON form of an ``AuthContext``: the caller identity a performance secondary sends
/// with a forwarded request. Holds no token, only the accessor and the token's storage id.
///
/// Version 1 (standalone; inside ``ForwardedRequestCodec`` the same object without
/// `version`):
///
///     {"version": 1, "accessor": "...", "policies": ["..."], "metadata": {"k": "v"},
///      "display_name": "...", "token_id": "...", "entity_id": "..."}
///
/// `accessor`, `policies` and `token_id` are required; the rest default to empty.
public enum AuthContextCodec {
    public static let version: Int64 = 1
    /// The most bytes ``decode(_:)`` accepts.
    public static let maximumBytes = 1 << 20

    public static func encode(_ auth: AuthContext) -> [UInt8] {
        var members = json(auth)
        members["version"] = .int(version)
        return JSONWriter.bytes(.object(members))
    }

    /// - Throws: ``WireFormatError`` for anything that is not a version-1 record.
    public static func decode(_ bytes: [UInt8]) throws -> AuthContext {
        try decode(WireObject.parse(bytes, limit: maximumBytes, version: version, "auth"))
    }

    static func json(_ auth: AuthContext) -> [String: JSONValue] {
        [
            "accessor": .string(auth.accessor), "policies": JSONValue(auth.policies),
            "metadata": JSONValue(auth.metadata), "display_name": .string(auth.displayName),
            "token_id": .string(auth.tokenID), "entity_id": .string(auth.entityID),
        ]
    }

    static func decode(_ object: WireObject) throws(WireFormatError) -> AuthContext {
        guard let policies = try object.strings("policies") else { throw .malformed("\(object.name).policies is missing") }
        return AuthContext(
            accessor: try object.requiredString("accessor"), policies: policies,
            metadata: try object.stringMap("metadata") ?? [:], displayName: try object.string("display_name") ?? "",
            tokenID: try object.requiredString("token_id"), entityID: try object.string("entity_id") ?? ""
        )
    }
}
