import CofferLogical
import HTTPTypes

/// The one mapping from error codes to HTTP status (STYLE rule 4). Never map by text.
enum ErrorStatus {
    static func status(for code: LogicalError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidRequest: return .badRequest
        case .permissionDenied: return .forbidden
        case .notFound: return .notFound
        case .unsupportedOperation: return .methodNotAllowed
        case .missingRequiredState: return .preconditionFailed
        case .requestTooLarge: return .contentTooLarge
        case .unsupportedMediaType: return .unsupportedMediaType
        case .rateLimited: return .tooManyRequests
        case .notInitialized: return .notImplemented
        case .sealed: return .serviceUnavailable
        default: return .internalServerError
        }
    }
}
