public import CofferLogical

/// Internal failures of Core that are not the client's fault. They surface to clients
/// as a generic 500 (`internal error`); the detail goes to the server log.
enum CoreError {
    static func corrupt(_ what: String) -> LogicalError {
        LogicalError(.internalError, ["internal error"], cause: CorruptState(what: what))
    }
}

/// Stored state Core could not make sense of. Names what, never the bytes.
struct CorruptState: Error, CustomStringConvertible {
    var what: String
    var description: String { "corrupt state: \(what)" }
}
