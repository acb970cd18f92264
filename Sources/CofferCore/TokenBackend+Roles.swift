import CofferJSON
import CofferLogical

/// `roles`, `roles/:name` and `tidy`.
extension TokenBackend {
    /// LIST `roles`: 404 when there are none (hvac asserts it).
    func listRoles() async throws -> Response? {
        let names = try await tokens.roleNames()
        return names.isEmpty ? nil : Response(data: ["keys": JSONValue(names)])
    }

    /// GET, POST (204 unless there are warnings) and DELETE on `roles/:name`. A write
    /// updates the members it names and keeps the others.
    func role(_ request: Request, name: String) async throws -> Response? {
        switch request.operation {
        case .read:
            return try await tokens.role(named: name).map { Response(data: $0.apiValue) }
        case .delete:
            try await tokens.deleteRole(named: name)
            return nil
        case .create, .update:
            guard TokenRole.isValidName(name) else {
                throw LogicalError.invalidRequest("invalid role name: use letters, digits, '_', '-' and '.'")
            }
            var role = try await tokens.role(named: name) ?? TokenRole(name: name)
            try role.apply(TokenFields(request.data))
            try await tokens.putRole(role)
            let maxTTL = tokens.limits.maxTTL
            guard maxTTL > 0, role.explicitMaxTTL > maxTTL else { return nil }
            return Response(warnings: [
                "Given explicit max TTL of \(role.explicitMaxTTL) is greater than system/mount allowed value of \(maxTTL) seconds; tokens created against this role are capped to the system/mount value",
            ])
        case .list:
            guard name.isEmpty else { throw LogicalError.unsupportedOperation }
            return try await listRoles()
        case .patch:
            throw LogicalError.unsupportedOperation
        }
    }

    /// POST `tidy`: runs the pass to completion and answers 202 with its counts, or a
    /// warning when a pass is already running.
    func tidy() async throws -> Response? {
        guard let report = try await tokens.tidy() else {
            return Response(warnings: ["Tidy operation already in progress."])
        }
        return Response(
            data: report.apiValue,
            warnings: ["Tidy operation successfully completed."],
            statusCode: 202
        )
    }
}
