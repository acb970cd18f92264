import CofferBarrier
public import CofferLogical
import CofferStorage

extension Core {
    /// What a client may see of any error thrown by Core: a ``LogicalError`` as it is; a
    /// sealed barrier as 503; anything else as a generic 500, logged here with its detail
    /// (error descriptions in this codebase never carry secrets or stored values).
    public func clientError(_ error: any Error, path: String) -> LogicalError {
        if let logical = error as? LogicalError {
            if logical.code == .internalError, let cause = logical.cause {
                logger.error("core: internal error", metadata: ["path": "\(path)", "error": "\(cause)"])
            }
            return logical
        }
        if let barrier = error as? BarrierError, barrier.code == .sealed { return LogicalError.sealed }
        logger.error("core: internal error", metadata: ["path": "\(path)", "error": "\(error)"])
        return LogicalError.internalError
    }
}

/// How `sys/unseal` reads a key share: hex first, then standard base64 (Vault's rule).
public enum UnsealKeyText {
    public static func decode(_ text: String) -> [UInt8]? { UnsealProgress.decodeKey(text) }
}
