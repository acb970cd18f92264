import CofferJSON
import CofferLogical

/// `sys/policy` (legacy) and `sys/policies/acl` (vault-core-api.md §7.1). The two answer
/// with different field names (`rules` vs `policy`) and hvac asserts both exactly.
extension SystemBackend {
    func handlePolicies(_ request: Request) async throws -> Response? {
        guard let active = core.active else { throw LogicalError.sealed }
        let store = active.policies
        let path = request.path
        let legacy: Bool
        let name: String
        if path == "policy" || path == "policy/" {
            legacy = true
            name = ""
        } else if let rest = Self.suffix(of: path, after: "policy/") {
            legacy = true
            name = rest
        } else if path == "policies/acl" || path == "policies/acl/" {
            legacy = false
            name = ""
        } else if let rest = Self.suffix(of: path, after: "policies/acl/") {
            legacy = false
            name = rest
        } else {
            throw LogicalError.unsupportedPath("sys/" + path)
        }

        if name.isEmpty {
            guard request.operation == .read || request.operation == .list else { throw LogicalError.unsupportedOperation }
            let names = JSONValue.array(try await store.names().map { .string($0) })
            // Vault answers both `keys` and `policies` on the legacy route.
            return Response(data: legacy ? ["keys": names, "policies": names] : ["keys": names], injectDataAtTopLevel: legacy)
        }
        switch request.operation {
        case .read:
            if name == "root" {
                return Response(data: ["name": "root", legacy ? "rules" : "policy": ""], injectDataAtTopLevel: legacy)
            }
            guard let raw = try await store.rawText(name: name) else { return nil }
            let normalized = name.lowercased()
            return Response(data: ["name": .string(normalized), legacy ? "rules" : "policy": .string(raw)],
                            injectDataAtTopLevel: legacy)
        case .create, .update:
            let fields = RequestFields(request.data)
            guard let text = try fields.string("policy") ?? (legacy ? try fields.string("rules") : nil) else {
                throw LogicalError.invalidRequest("'policy' parameter not supplied or empty")
            }
            try await store.put(name: name, text: text)
            return nil
        case .delete:
            try await store.delete(name: name)
            return nil
        default:
            throw LogicalError.unsupportedOperation
        }
    }
}
