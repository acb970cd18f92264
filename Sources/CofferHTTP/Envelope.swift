import CofferJSON
import CofferLogical

/// Vault's JSON envelopes (docs: vault-core-api.md §3, §4).
enum Envelope {
    /// The success envelope. Keys are always present, `null` when empty, as Vault writes them.
    static func success(_ response: Response, requestID: String) -> JSONValue {
        var body: [String: JSONValue] = [
            "request_id": .string(requestID),
            "lease_id": .string(response.secret?.leaseID ?? ""),
            "renewable": .bool(response.secret?.renewable ?? false),
            "lease_duration": .int(response.secret?.ttlSeconds ?? 0),
            "data": response.data.map { .object($0) } ?? .null,
            "wrap_info": response.wrapInfo.map(wrapInfo) ?? .null,
            "warnings": response.warnings.isEmpty ? .null : .array(response.warnings.map { .string($0) }),
            "auth": response.auth.map(auth) ?? .null,
            "mount_type": .string(response.mountType ?? ""),
        ]
        if response.injectDataAtTopLevel, let data = response.data {
            for (key, value) in data where body[key] == nil { body[key] = value }
        }
        return .object(body)
    }

    static func error(_ error: LogicalError) -> JSONValue {
        var body: [String: JSONValue] = ["errors": .array(error.messages.map { .string($0) })]
        if let data = error.data { body["data"] = .object(data) }
        return .object(body)
    }

    static func errors(_ messages: [String]) -> JSONValue {
        .object(["errors": .array(messages.map { .string($0) })])
    }

    private static func auth(_ a: AuthInfo) -> JSONValue {
        var value: [String: JSONValue] = [
            "client_token": .string(a.clientToken),
            "accessor": .string(a.accessor),
            "policies": .array(a.policies.map { .string($0) }),
            "metadata": a.metadata.isEmpty ? .null : .object(a.metadata.mapValues { .string($0) }),
            "lease_duration": .int(a.leaseDurationSeconds),
            "renewable": .bool(a.renewable),
            "entity_id": .string(a.entityID),
            "token_type": .string(a.tokenType),
            "orphan": .bool(a.orphan),
            "mfa_requirement": .null,
            "num_uses": .int(Int64(a.numUses)),
        ]
        if !a.tokenPolicies.isEmpty { value["token_policies"] = .array(a.tokenPolicies.map { .string($0) }) }
        return .object(value)
    }

    private static func wrapInfo(_ w: WrapInfo) -> JSONValue {
        var value: [String: JSONValue] = [
            "token": .string(w.token), "accessor": .string(w.accessor), "ttl": .int(w.ttlSeconds),
            "creation_time": .string(w.creationTime), "creation_path": .string(w.creationPath),
        ]
        if let wrapped = w.wrappedAccessor { value["wrapped_accessor"] = .string(wrapped) }
        return .object(value)
    }
}
