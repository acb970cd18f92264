public import CofferLogical
import CofferJSON

/// The JSON form of a request a performance secondary forwards to its primary, with the
/// caller's resolved identity (``Core/handleForwarded(_:auth:)`` runs it).
///
/// Version 1:
///
///     {"version": 1,
///      "request": {"id": "...", "operation": "update", "path": "secret/data/x",
///                  "data": {...}, "wrap_ttl": <s>, "remote_address": "..."},
///      "auth": {AuthContextCodec's members, no version} | null}
///
/// `path` is the full path under `/v1/`; `wrap_ttl` and `remote_address` are omitted when
/// unset; `auth` is null for an unauthenticated path (a login). `operation` is one of
/// ``CofferLogical/Operation``'s raw values. The request's `mountPoint` and `auth` are
/// not sent (the primary routes again; the identity travels beside it).
///
/// The bytes carry the request's data (secrets): send them only over the mutually
/// authenticated cluster link.
public enum ForwardedRequestCodec {
    public static let version: Int64 = 1
    /// The most bytes ``decode(_:)`` accepts (above the HTTP layer's request size limit).
    public static let maximumBytes = 64 << 20

    public static func encode(_ request: Request, auth: AuthContext?) -> [UInt8] {
        var members: [String: JSONValue] = [
            "id": .string(request.id), "operation": .string(request.operation.rawValue),
            "path": .string(request.path), "data": .object(request.data),
        ]
        if let ttl = request.wrapTTL { members["wrap_ttl"] = .int(ttl) }
        if let address = request.remoteAddress { members["remote_address"] = .string(address) }
        return JSONWriter.bytes([
            "version": .int(version),
            "request": .object(members),
            "auth": auth.map { .object(AuthContextCodec.json($0)) } ?? .null,
        ])
    }

    /// The request (path still the full path, `auth` not filled in) and the identity.
    /// - Throws: ``WireFormatError`` for anything that is not a version-1 record.
    public static func decode(_ bytes: [UInt8]) throws -> (Request, AuthContext?) {
        let record = try WireObject.parse(bytes, limit: maximumBytes, version: version, "forwarded request")
        let fields = try WireObject(record.members["request"], "forwarded request.request")
        let operationName = try fields.requiredString("operation")
        guard let operation = CofferLogical.Operation(rawValue: operationName) else {
            throw WireFormatError.malformed("forwarded request.request.operation is not a known operation")
        }
        let path = try fields.requiredString("path")
        guard !path.isEmpty else { throw WireFormatError.malformed("forwarded request.request.path is empty") }
        let request = Request(
            id: try fields.requiredString("id"), operation: operation, path: path,
            data: try fields.object("data") ?? [:], wrapTTL: try fields.int("wrap_ttl"),
            remoteAddress: try fields.string("remote_address")
        )
        var auth: AuthContext?
        if let member = record.members["auth"], !member.isNull {
            auth = try AuthContextCodec.decode(WireObject(member, "forwarded request.auth"))
        }
        return (request, auth)
    }
}
