import CofferHCL
import CofferJSON

/// Reads the body of one `path "<pattern>" { ... }` block into a ``PathRule``.
enum PathBlockReader {
    static let keys: Set<String> = [
        "comment", "policy", "capabilities", "allowed_parameters", "denied_parameters",
        "required_parameters", "min_wrapping_ttl", "max_wrapping_ttl", "mfa_methods", "control_group",
    ]

    /// Legacy `policy = "..."` values and the capabilities each stands for.
    static let legacyPolicies: [String: CapabilitySet] = [
        "deny": .deny,
        "read": [.read, .list],
        "write": [.create, .read, .update, .delete, .list],
        "sudo": [.create, .read, .update, .delete, .list, .sudo],
    ]

    static func read(pattern written: String, body: HCLObject, line: Int) throws(PolicyError) -> PathRule {
        let rule = PathRule(pattern: written, permissions: PathPermissions(capabilities: []), line: line)
        let pattern = rule.pattern
        func failure(_ code: PolicyError.Code, _ line: Int, _ detail: String) -> PolicyError {
            PolicyError.parse(code, line: line, path: pattern, detail)
        }

        if pattern.bytesContain("+*") {
            throw failure(.invalidPath, line, "invalid use of wildcards ('+*' is forbidden)")
        }
        if rule.path.utf8.contains(UInt8(ascii: "*")) {
            throw failure(.invalidPath, line, "invalid use of wildcards ('*' is only allowed at the end)")
        }
        if let unknown = body.firstUnknownEntry(allowed: keys) {
            throw failure(.invalidKey, unknown.line, "invalid key \"\(unknown.key)\"")
        }

        var capabilities: CapabilitySet = []
        if let entry = body.entry(named: "policy") {
            guard let name = entry.value.stringValue else {
                throw failure(.invalidPolicy, entry.line, "policy must be a string, found \(entry.value.kindDescription)")
            }
            guard let granted = legacyPolicies[name] else {
                throw failure(.invalidPolicy, entry.line, "invalid policy \"\(name)\"")
            }
            capabilities.formUnion(granted)
        }
        if let entry = body.entry(named: "capabilities") {
            guard let names = entry.value.stringList else {
                throw failure(.invalidCapability, entry.line, "capabilities must be a list of strings, found \(entry.value.kindDescription)")
            }
            for name in names {
                guard let capability = CapabilitySet(name: name) else {
                    throw failure(.invalidCapability, entry.line, "invalid capability \"\(name)\"")
                }
                capabilities.formUnion(capability)
            }
        }
        if capabilities.contains(.deny) { capabilities = .deny }

        var permissions = PathPermissions(capabilities: capabilities)
        for key in ["min_wrapping_ttl", "max_wrapping_ttl"] {
            guard let entry = body.entry(named: key) else { continue }
            let seconds: Int64
            do {
                seconds = try VaultDuration.seconds(entry.value.jsonValue)
            } catch {
                throw failure(.invalidWrappingTTL, entry.line, "error parsing \(key): \(error.message)")
            }
            if key == "min_wrapping_ttl" { permissions.minWrappingTTL = seconds } else { permissions.maxWrappingTTL = seconds }
        }
        if permissions.minWrappingTTL > 0, permissions.maxWrappingTTL > 0,
            permissions.maxWrappingTTL < permissions.minWrappingTTL
        {
            let entryLine = body.entry(named: "max_wrapping_ttl")?.line ?? line
            throw failure(.invalidWrappingTTL, entryLine, "max_wrapping_ttl cannot be less than min_wrapping_ttl")
        }

        permissions.allowedParameters = try parameterMap(body, "allowed_parameters", failure)
        permissions.deniedParameters = try parameterMap(body, "denied_parameters", failure)
        if let entry = body.entry(named: "required_parameters") {
            guard let names = entry.value.stringList else {
                throw failure(.invalidParameters, entry.line, "required_parameters must be a list of strings, found \(entry.value.kindDescription)")
            }
            for name in names where !permissions.requiredParameters.contains(name) {
                permissions.requiredParameters.append(name)
            }
        }

        if permissions.isDeny {
            // A deny rule grants nothing, so conditions on it mean nothing (Vault drops them).
            permissions = PathPermissions(capabilities: .deny)
        }
        var result = rule
        result.permissions = permissions
        return result
    }

    /// `allowed_parameters = { "name" = [values...] }` (an object, or in JSON a list of
    /// objects), keys lower-cased. A scalar value is a one-element list; `null` is `[]`.
    private static func parameterMap(
        _ body: HCLObject, _ key: String, _ failure: (PolicyError.Code, Int, String) -> PolicyError
    ) throws(PolicyError) -> [String: [JSONValue]] {
        guard let entry = body.entry(named: key) else { return [:] }
        guard let objects = entry.value.objectList else {
            throw failure(.invalidParameters, entry.line, "\(key) must be a map of parameter names to lists of values, found \(entry.value.kindDescription)")
        }
        var map: [String: [JSONValue]] = [:]
        for object in objects {
            for parameter in object.entries {
                let values: [JSONValue]
                switch parameter.value {
                case .list(let items): values = items.map(\.jsonValue)
                case .null: values = []
                case .object:
                    throw failure(.invalidParameters, parameter.line, "\(key) \"\(parameter.key)\" must be a list of values, found an object")
                default: values = [parameter.value.jsonValue]
                }
                map[parameter.key.lowercased()] = values
            }
        }
        return map
    }
}
