import CofferLogical

/// A refusal from the primary as it crosses the link: the error's code and messages,
/// which the secondary rethrows unchanged (so the client sees the primary's status).
enum ForwardedError {
    static func fill(_ response: inout Coffer_Cluster_V1_ForwardResponse, from error: LogicalError) {
        response.errorStatus = 1
        response.errorCode = error.code.rawValue
        response.errors = error.messages
    }

    static func error(from response: Coffer_Cluster_V1_ForwardResponse) -> LogicalError {
        let messages = response.errors.isEmpty ? ["the primary refused the forwarded request"] : response.errors
        return LogicalError(LogicalError.Code(response.errorCode.isEmpty ? "internal error" : response.errorCode), messages)
    }
}
