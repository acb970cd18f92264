import GRPCCore

/// The one mapping between cluster-link errors and gRPC statuses, both directions.
///
/// A primary's handler throws ``ClusterError``; its code becomes the RPC status and its
/// message the status message (messages are secret-free by contract). Any other error a
/// handler throws goes out as `internal` with a fixed message, so nothing it describes
/// leaves the process. The client turns the status back into a ``ClusterError``.
extension ClusterError {
    /// The error a failed call, stream or transport operation surfaces to Coffer code.
    init(linkFailure error: any Error) {
        switch error {
        case let error as ClusterError:
            self = error
        case let error as RPCError:
            self.init(Self.code(for: error.code), error.message, cause: error)
        case let error as RuntimeError:
            self.init(.unavailable, "the cluster link is not running: \(error.message)", cause: error)
        case is CancellationError:
            self.init(.cancelled, "the call was cancelled", cause: error)
        default:
            self.init(.internal, "the cluster link failed", cause: error)
        }
    }

    /// The status a handler's error is sent as.
    static func rpcError(from error: any Error) -> RPCError {
        switch error {
        case let error as ClusterError:
            return RPCError(code: rpcCode(for: error.code), message: error.message)
        case let error as RPCError:
            return error
        case is CancellationError:
            return RPCError(code: .cancelled, message: "the call was cancelled")
        default:
            return RPCError(code: .internalError, message: "internal error")
        }
    }

    static func code(for code: RPCError.Code) -> Code {
        switch code {
        case .unauthenticated: .unauthenticated
        case .permissionDenied: .permissionDenied
        case .unavailable: .unavailable
        case .deadlineExceeded: .timeout
        case .cancelled: .cancelled
        case .invalidArgument, .outOfRange, .resourceExhausted, .unimplemented: .malformedMessage
        case .notFound: .notFound
        case .failedPrecondition, .aborted: .failedPrecondition
        default: .internal
        }
    }

    static func rpcCode(for code: Code) -> RPCError.Code {
        switch code {
        case .unauthenticated: .unauthenticated
        case .permissionDenied, .invalidToken, .tokenExpired: .permissionDenied
        case .unavailable: .unavailable
        case .timeout: .deadlineExceeded
        case .cancelled: .cancelled
        case .malformedMessage, .invalidIdentifier, .invalidAddress, .invalidCertificate, .invalidKey: .invalidArgument
        case .notFound: .notFound
        case .failedPrecondition: .failedPrecondition
        default: .internalError
        }
    }
}
