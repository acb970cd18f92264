import CofferJSON
import CofferLogical

/// `sys/audit` (list), `sys/audit/:path` (enable, disable) and `sys/audit-hash/:path`.
/// `sys/audit*` is root-protected (``SystemBackend/rootProtectedPaths``); the answers
/// are injected at the top level as well, as hvac reads them.
extension SystemBackend {
    func handleAudit(_ request: Request) async throws -> Response? {
        let path = request.path
        let op = request.operation
        let fields = RequestFields(request.data)

        if path == "audit" || path == "audit/" {
            guard op == .read || op == .list else { throw LogicalError.unsupportedOperation }
            return Response(data: try core.auditDeviceListing(), injectDataAtTopLevel: true)
        }
        if let device = Self.suffix(of: path, after: "audit-hash/"), !device.isEmpty {
            guard op == .update || op == .create else { throw LogicalError.unsupportedOperation }
            guard let input = try fields.string("input") else {
                throw LogicalError.invalidRequest("input is required")
            }
            let hash = try core.auditHash(path: device, input: input)
            return Response(data: ["hash": .string(hash)], injectDataAtTopLevel: true)
        }
        guard let device = Self.suffix(of: path, after: "audit/"), !device.isEmpty else {
            throw LogicalError.unsupportedPath("sys/" + path)
        }
        switch op {
        case .update, .create:
            guard let type = try fields.string("type"), !type.isEmpty else {
                throw LogicalError.invalidRequest("type is required: the audit device type, such as \"file\"")
            }
            try await core.enableAudit(
                path: device, type: type, description: try fields.string("description") ?? "",
                local: try fields.bool("local") ?? false, options: try fields.stringMap("options") ?? [:])
            return nil
        case .delete:
            try await core.disableAudit(path: device)
            return nil
        default:
            throw LogicalError.unsupportedOperation
        }
    }
}
