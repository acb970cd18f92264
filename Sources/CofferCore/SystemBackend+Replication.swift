import CofferJSON
import CofferLogical

/// `sys/replication/*`: served by the replication layer (CofferCluster) when the server
/// installed one; without it replication is simply disabled.
extension SystemBackend {
    func handleReplication(_ request: Request) async throws -> Response? {
        if let controller = core.replicationController {
            return try await controller.handle(request)
        }
        let disabled: JSONValue = ["mode": "disabled"]
        switch request.path {
        case "replication/status" where request.operation == .read:
            return Response(data: ["dr": disabled, "performance": disabled])
        case "replication/performance/status", "replication/dr/status":
            guard request.operation == .read else { throw LogicalError.unsupportedOperation }
            return Response(data: ["mode": "disabled"])
        default:
            throw LogicalError.invalidRequest("replication is not available on this server")
        }
    }
}
