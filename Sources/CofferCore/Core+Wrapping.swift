import CofferLogical

extension Core {
    /// Wraps `response` in a single-use wrapping token. Placeholder until wrapping lands.
    func wrapResponse(_ response: Response, ttl: Int64, context: RequestContext, active: ActiveState) async throws -> Response {
        throw LogicalError.invalidRequest("response wrapping is not supported by this server yet")
    }
}
