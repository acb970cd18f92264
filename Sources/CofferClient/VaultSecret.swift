public import CofferJSON

/// The response envelope of logical paths (`read`, `write`, `list`, `delete`):
///
/// ```
/// {"request_id": "...", "lease_id": "", "renewable": false, "lease_duration": 0,
///  "data": {...}, "wrap_info": null, "warnings": null, "auth": null, "mount_type": "kv"}
/// ```
///
/// Fields the server left out read as their zero value. ``raw`` keeps the whole document.
/// Holds secrets: ``description`` shows the shape only.
public struct VaultSecret: Sendable, CustomStringConvertible {
    public var requestID: String
    public var leaseID: String
    public var leaseDuration: Int64
    public var renewable: Bool
    public var data: [String: JSONValue]?
    public var warnings: [String]
    public var auth: Auth?
    public var wrapInfo: WrapInfo?
    public var mountType: String
    /// The document as the server sent it.
    public var raw: JSONValue

    /// The `auth` block of login and token responses.
    public struct Auth: Sendable {
        public var clientToken: String
        public var accessor: String
        public var policies: [String]
        public var tokenPolicies: [String]
        public var identityPolicies: [String]
        public var metadata: [String: JSONValue]
        public var leaseDuration: Int64
        public var renewable: Bool
        public var entityID: String
        public var tokenType: String
        public var orphan: Bool
    }

    /// The `wrap_info` block of a response-wrapped answer.
    public struct WrapInfo: Sendable {
        public var token: String
        public var accessor: String
        public var ttl: Int64
        public var creationTime: String
        public var creationPath: String
        public var wrappedAccessor: String
    }

    /// Reads an envelope; nil when `json` is not an object.
    public init?(json: JSONValue) {
        guard case .object(let members) = json else { return nil }
        raw = json
        requestID = members["request_id"]?.stringValue ?? ""
        leaseID = members["lease_id"]?.stringValue ?? ""
        leaseDuration = members["lease_duration"]?.intValue ?? 0
        renewable = members["renewable"]?.boolValue ?? false
        data = members["data"]?.objectValue
        warnings = members["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        mountType = members["mount_type"]?.stringValue ?? ""
        if case .object(let a)? = members["auth"] {
            auth = Auth(
                clientToken: a["client_token"]?.stringValue ?? "",
                accessor: a["accessor"]?.stringValue ?? "",
                policies: a["policies"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                tokenPolicies: a["token_policies"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                identityPolicies: a["identity_policies"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                metadata: a["metadata"]?.objectValue ?? [:],
                leaseDuration: a["lease_duration"]?.intValue ?? 0,
                renewable: a["renewable"]?.boolValue ?? false,
                entityID: a["entity_id"]?.stringValue ?? "",
                tokenType: a["token_type"]?.stringValue ?? "",
                orphan: a["orphan"]?.boolValue ?? false
            )
        } else {
            auth = nil
        }
        if case .object(let w)? = members["wrap_info"] {
            wrapInfo = WrapInfo(
                token: w["token"]?.stringValue ?? "",
                accessor: w["accessor"]?.stringValue ?? "",
                ttl: w["ttl"]?.intValue ?? 0,
                creationTime: w["creation_time"]?.stringValue ?? "",
                creationPath: w["creation_path"]?.stringValue ?? "",
                wrappedAccessor: w["wrapped_accessor"]?.stringValue ?? ""
            )
        } else {
            wrapInfo = nil
        }
    }

    public var description: String {
        let keys = (data?.keys.sorted() ?? []).joined(separator: ", ")
        return "VaultSecret(request_id: \(requestID), lease_duration: \(leaseDuration), data keys: [\(keys)], "
            + "auth: \(auth == nil ? "none" : "<redacted>"), wrapped: \(wrapInfo != nil))"
    }
}
