import CofferJSON
import CofferLogical

/// `sys/auth` (list), `sys/auth/:path` (enable, read, disable) and `sys/auth/:path/tune`.
/// Auth methods are mounted under `auth/`; their table is separate from secrets engines'.
extension SystemBackend {
    func handleAuth(_ request: Request) async throws -> Response? {
        guard let active = core.active else { throw LogicalError.sealed }
        let path = request.path
        if path == "auth" || path == "auth/" {
            guard request.operation == .read || request.operation == .list else { throw LogicalError.unsupportedOperation }
            var data: [String: JSONValue] = [:]
            for mount in active.authMounts { data[mount.path] = mount.apiValue }
            return Response(data: data, injectDataAtTopLevel: true)
        }
        guard var rest = Self.suffix(of: path, after: "auth/") else { throw LogicalError.unsupportedPath("sys/" + path) }
        if rest.hasSuffix("/tune") {
            rest.removeLast("/tune".count)
            return try await tune(.auth, rawPath: rest, request: request, active: active)
        }
        switch request.operation {
        case .read:
            let mountPath = try Core.normalizeMountPath(rest, kind: .auth, checkReserved: false)
            guard let mount = active.authMounts.first(where: { $0.path == mountPath }) else { return nil }
            return Response(data: mount.apiValue.objectValue)
        case .update, .create:
            try await enable(.auth, path: rest, fields: RequestFields(request.data))
            return nil
        case .delete:
            try await core.disableMount(.auth, path: rest)
            return nil
        default:
            throw LogicalError.unsupportedOperation
        }
    }
}
