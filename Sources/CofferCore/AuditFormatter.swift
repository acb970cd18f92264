import CofferJSON
import CofferLogical

/// What one audit entry describes: the routed request and what the pipeline learned
/// about it, plus, for a response entry, the answer or the error. Holds the raw client
/// token and request data, so it prints only the request id and path.
struct AuditInput: Sendable, CustomStringConvertible {
    var time: Timestamp
    /// The routed request (its `path` is relative to the mount).
    var request: Request
    /// The path under `/v1/` as the client sent it.
    var fullPath: String
    var auth: AuthContext?
    var mount: MountEntry?
    /// The caller's raw token: written only as its HMAC unless the device logs raw.
    var clientToken: String?
    var response: Response?
    /// The message of the error the client receives, for a failed request.
    var error: String?

    var description: String { "AuditInput(request: \(request.id), path: \(fullPath))" }
}

/// Turns an ``AuditInput`` into one audit entry in Vault's JSON shape
/// (vault-core-api.md §13), replacing sensitive strings with `hmac-sha256:<hex>` under
/// one device's salt. Pure: no IO, no clock.
///
/// ```
/// {"time":"<RFC 3339, ns>","type":"request"|"response",
///  "auth":{"client_token","accessor","display_name","policies","token_policies","metadata",
///          "entity_id","token_type","policy_results":{"allowed":true}},
///  "request":{"id","operation","mount_type","mount_point","mount_accessor","client_token",
///             "client_token_accessor","namespace":{"id":"root"},"path","data","remote_address","wrap_ttl"},
///  "response":{"mount_type","mount_point","mount_accessor","data","secret":{"lease_id"},
///              "auth":{...},"wrap_info":{...},"warnings"},          (response entries only)
///  "error":"..."}                                                    (failed requests only)
/// ```
///
/// HMAC'd unless `logRaw`: client tokens, every string inside request and response
/// `data` (recursively; keys, numbers and booleans stay), minted tokens in
/// `response.auth`, the wrapping token; accessors too when `hmacAccessor`.
struct AuditFormatter: Sendable {
    let salt: AuditSalt
    let logRaw: Bool
    let hmacAccessor: Bool

    func requestEntry(_ input: AuditInput) -> JSONValue {
        var entry = envelope("request", input)
        if let error = input.error, !error.isEmpty { entry["error"] = .string(error) }
        return .object(entry)
    }

    func responseEntry(_ input: AuditInput) -> JSONValue {
        var entry = envelope("response", input)
        var response = mountFields(input)
        if let answer = input.response {
            if let data = answer.data { response["data"] = .object(data.mapValues(hashStrings)) }
            if let secret = answer.secret { response["secret"] = ["lease_id": .string(secret.leaseID)] }
            if let auth = answer.auth { response["auth"] = mintedAuth(auth) }
            if let wrap = answer.wrapInfo { response["wrap_info"] = wrapInfo(wrap) }
            if !answer.warnings.isEmpty { response["warnings"] = JSONValue(answer.warnings) }
        }
        entry["response"] = .object(response)
        if let error = input.error, !error.isEmpty { entry["error"] = .string(error) }
        return .object(entry)
    }

    /// `prefix`, the entry's JSON and a newline: what one `write(2)` appends.
    static func line(_ entry: JSONValue, prefix: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        out.append(contentsOf: prefix.utf8)
        JSONWriter.write(entry, into: &out)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    // MARK: parts

    private func envelope(_ type: String, _ input: AuditInput) -> [String: JSONValue] {
        // The token's HMAC appears twice (auth and request): computed once.
        let token = input.clientToken.flatMap { $0.isEmpty ? nil : sensitive($0) }
        var entry: [String: JSONValue] = ["time": .string(input.time.rfc3339), "type": .string(type)]
        if let auth = input.auth { entry["auth"] = callerAuth(auth, token: token, rawToken: input.clientToken) }

        var request = mountFields(input)
        request["id"] = .string(input.request.id)
        request["operation"] = .string(input.request.operation.rawValue)
        request["path"] = .string(input.fullPath)
        request["namespace"] = ["id": "root"]
        if let token { request["client_token"] = .string(token) }
        if let auth = input.auth, !auth.accessor.isEmpty {
            request["client_token_accessor"] = .string(accessor(auth.accessor))
        }
        if !input.request.data.isEmpty { request["data"] = .object(input.request.data.mapValues(hashStrings)) }
        if let address = input.request.remoteAddress, !address.isEmpty { request["remote_address"] = .string(address) }
        if let ttl = input.request.wrapTTL, ttl != 0 { request["wrap_ttl"] = .int(ttl) }
        entry["request"] = .object(request)
        return entry
    }

    private func mountFields(_ input: AuditInput) -> [String: JSONValue] {
        guard let mount = input.mount else { return [:] }
        return [
            "mount_type": .string(mount.type),
            "mount_point": .string(input.request.mountPoint.isEmpty ? mount.path : input.request.mountPoint),
            "mount_accessor": .string(mount.accessor),
        ]
    }

    /// The caller's identity. `policy_results.allowed` is true by construction: entries
    /// are written only after the ACL let the request through.
    private func callerAuth(_ auth: AuthContext, token: String?, rawToken: String?) -> JSONValue {
        var out: [String: JSONValue] = [
            "accessor": .string(accessor(auth.accessor)),
            "display_name": .string(auth.displayName),
            "policies": JSONValue(auth.policies),
            "token_policies": JSONValue(auth.policies),
            "metadata": JSONValue(auth.metadata),
            "entity_id": .string(auth.entityID),
            "token_type": .string(rawToken?.hasPrefix("hvb.") == true ? TokenEntry.batchType : TokenEntry.serviceType),
            "policy_results": ["allowed": true],
        ]
        if let token { out["client_token"] = .string(token) }
        return .object(out)
    }

    /// A token the response mints (login, token create).
    private func mintedAuth(_ auth: AuthInfo) -> JSONValue {
        .object([
            "client_token": .string(auth.clientToken.isEmpty ? "" : sensitive(auth.clientToken)),
            "accessor": .string(accessor(auth.accessor)),
            "display_name": .string(auth.displayName),
            "policies": JSONValue(auth.policies),
            "token_policies": JSONValue(auth.tokenPolicies),
            "metadata": JSONValue(auth.metadata),
            "entity_id": .string(auth.entityID),
            "token_type": .string(auth.tokenType),
            "token_ttl": .int(auth.leaseDurationSeconds),
            "num_uses": .int(Int64(auth.numUses)),
        ])
    }

    private func wrapInfo(_ wrap: WrapInfo) -> JSONValue {
        var out: [String: JSONValue] = [
            "token": .string(sensitive(wrap.token)),
            "accessor": .string(accessor(wrap.accessor)),
            "ttl": .int(wrap.ttlSeconds),
            "creation_time": .string(wrap.creationTime),
            "creation_path": .string(wrap.creationPath),
        ]
        if let wrapped = wrap.wrappedAccessor, !wrapped.isEmpty { out["wrapped_accessor"] = .string(accessor(wrapped)) }
        return .object(out)
    }

    // MARK: hashing

    private func sensitive(_ value: String) -> String { logRaw ? value : salt.hash(value) }

    private func accessor(_ value: String) -> String {
        logRaw || !hmacAccessor || value.isEmpty ? value : salt.hash(value)
    }

    /// Every string in `value`, at any depth, replaced by its HMAC.
    private func hashStrings(_ value: JSONValue) -> JSONValue {
        if logRaw { return value }
        switch value {
        case .string(let text): return .string(salt.hash(text))
        case .array(let items): return .array(items.map(hashStrings))
        case .object(let members): return .object(members.mapValues(hashStrings))
        case .null, .bool, .int, .double: return value
        }
    }
}
