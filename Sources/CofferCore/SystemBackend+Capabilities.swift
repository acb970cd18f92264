import CofferJSON
import CofferLogical

/// `sys/capabilities` (for a given token), `sys/capabilities-self` and
/// `sys/capabilities-accessor`: the capabilities each path grants, evaluated as Vault does
/// (as a LIST on the path), with each path's list also under its own key.
extension SystemBackend {
    func handleCapabilities(_ request: Request) async throws -> Response? {
        guard let active = core.active else { throw LogicalError.sealed }
        guard request.operation == .update || request.operation == .create else { throw LogicalError.unsupportedOperation }
        let fields = RequestFields(request.data)
        var paths = try fields.stringList("paths") ?? []
        if let single = try fields.string("path"), !single.isEmpty { paths.append(single) }
        guard !paths.isEmpty else { throw LogicalError.invalidRequest("missing paths") }

        let policies: [String]
        switch request.path {
        case "capabilities-self":
            guard let auth = request.auth else { throw LogicalError.permissionDenied }
            policies = auth.policies
        case "capabilities":
            guard let token = try fields.string("token"), !token.isEmpty else {
                throw LogicalError.invalidRequest("missing token")
            }
            guard let entry = try await active.tokens.lookup(token: token) else {
                throw LogicalError.invalidRequest("invalid token")
            }
            policies = entry.policies
        default:
            guard let accessor = try fields.string("accessor"), !accessor.isEmpty else {
                throw LogicalError.invalidRequest("missing accessor")
            }
            guard let entry = try await active.tokens.lookup(accessor: accessor) else {
                throw LogicalError.invalidRequest("invalid accessor")
            }
            policies = entry.policies
        }
        let acl = try await active.policies.acl(for: policies)
        var data: [String: JSONValue] = [:]
        var union: [String] = []
        for path in paths {
            let normalized = path.hasPrefix("/") ? String(path.dropFirst()) : path
            let caps = acl.sortedCapabilities(path: normalized)
            data[path] = .array(caps.map { .string($0) })
            for cap in caps where !union.contains(cap) { union.append(cap) }
        }
        data["capabilities"] = .array(union.map { .string($0) })
        return Response(data: data, injectDataAtTopLevel: true)
    }
}
