import CofferJSON
import CofferLogical

/// `subkeys/<path>?version=N&depth=D`: a version's structure without its values.
extension KVv2Backend {
    func handleSubkeys(_ request: Request, path: String, store: KVv2Storage) async throws -> Response? {
        guard request.operation == .read else { throw LogicalError.unsupportedOperation }
        let requested = try KVv2Input.count(request.data["version"], field: "version") ?? 0
        let depth = try KVv2Input.count(request.data["depth"], field: "depth") ?? 0
        switch try await lookUpVersion(path, requested: requested, store: store) {
        case .absent:
            return nil
        case .gone(let summary):
            return Self.goneResponse(dataKey: "subkeys", summary: summary)
        case .live(let summary, let data):
            return Response(data: ["subkeys": Self.subkeys(of: data, maxDepth: depth), "metadata": .object(summary)])
        }
    }

    /// `object` with every leaf replaced by `null`. Objects are descended into while the
    /// level is below `maxDepth` (0: no limit), so depth 1 gives the top-level keys only.
    static func subkeys(of object: [String: JSONValue], maxDepth: Int64, level: Int64 = 1) -> JSONValue {
        .object(object.mapValues { value in
            if case .object(let nested) = value, maxDepth == 0 || level < maxDepth {
                return subkeys(of: nested, maxDepth: maxDepth, level: level + 1)
            }
            return .null
        })
    }
}
