import CofferJSON

/// JSON merge patch (RFC 7396), as KV v2's PATCH operations apply it.
enum KVv2MergePatch {
    /// `patch` applied to `target`: a non-object patch replaces the target; an object
    /// patch merges member by member, `null` removing a member and objects merging
    /// recursively (into an empty object when the target member is not one).
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result: [String: JSONValue]
        if case .object(let targetMembers) = target { result = targetMembers } else { result = [:] }
        for (name, value) in patchMembers {
            if case .null = value {
                result.removeValue(forKey: name)
            } else {
                result[name] = apply(value, to: result[name] ?? .null)
            }
        }
        return .object(result)
    }

    /// Object form of ``apply(_:to:)``.
    static func apply(_ patch: [String: JSONValue], to target: [String: JSONValue]) -> [String: JSONValue] {
        guard case .object(let merged) = apply(.object(patch), to: .object(target)) else { return [:] }
        return merged
    }
}
