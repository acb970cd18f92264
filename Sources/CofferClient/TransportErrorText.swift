import AsyncHTTPClient
import NIOCore
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns AsyncHTTPClient, NIO and TLS failures into Go-style messages
/// (`Get "<url>": dial tcp <host:port>: connect: connection refused`), which is what a
/// `vault` user knows how to read.
enum TransportErrorText {
    /// Go's `url.Error.Op`: the method with only its first letter upper case.
    static func goMethod(_ method: String) -> String {
        guard let first = method.first else { return method }
        return String(first).uppercased() + method.dropFirst().lowercased()
    }

    static func clientError(for error: any Error, method: String, url: String, address: VaultAddress) -> VaultClientError {
        let (code, reason) = classify(error, address: address)
        return VaultClientError(code, "\(goMethod(method)) \"\(url)\": \(reason)", cause: error)
    }

    static func classify(_ error: any Error, address: VaultAddress) -> (VaultClientError.Code, String) {
        let dial = "dial tcp \(address.hostAndPort)"
        if let httpError = error as? HTTPClientError {
            switch httpError {
            case .connectTimeout:
                return (.timeout, "\(dial): i/o timeout")
            case .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return (.timeout, "context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
            case .tlsHandshakeTimeout:
                return (.timeout, "net/http: TLS handshake timeout")
            case .remoteConnectionClosed:
                return (.connectionFailed, "EOF")
            case .alreadyShutdown:
                return (.shutdown, "client is shut down")
            case .redirectLimitReached, .redirectCycleDetected:
                return (.invalidResponse, "stopped after too many redirects")
            default:
                return (.connectionFailed, describe(error))
            }
        }
        if let ioError = findNested(IOError.self, in: error) {
            return (.connectionFailed, "\(dial): connect: \(errnoText(ioError.errnoCode))")
        }
        if findNested(SocketAddressError.UnknownHost.self, in: error) != nil {
            return (.connectionFailed, "dial tcp: lookup \(address.host): no such host")
        }
        if let tlsError = findNested(NIOSSLError.self, in: error) { return (.tls, tlsText(tlsError)) }
        if let tlsError = findNested(BoringSSLError.self, in: error) { return (.tls, tlsText(tlsError)) }
        if let tlsError = findNested(NIOSSLExtraError.self, in: error) { return (.tls, tlsText(tlsError)) }
        return (.connectionFailed, describe(error))
    }

    /// A short, single-line description of an error (never request data: these errors come
    /// from the network stack, not from our payloads).
    static func describe(_ error: any Error) -> String {
        if let ioError = error as? IOError { return errnoText(ioError.errnoCode) }
        return String(describing: error)
    }

    static func errnoText(_ code: CInt) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused"
        case ECONNRESET: return "connection reset by peer"
        case ETIMEDOUT: return "connection timed out"
        case EHOSTUNREACH: return "no route to host"
        case ENETUNREACH: return "network is unreachable"
        case ENOENT: return "no such file or directory"
        case EACCES: return "permission denied"
        default:
            if let text = strerror(code) { return String(cString: text).lowercased() }
            return "errno \(code)"
        }
    }

    private static func tlsText(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
            return "tls: failed to verify certificate: x509: certificate signed by unknown authority"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("wrong version number") {
            return "http: server gave HTTP response to HTTPS client"
        }
        if text.contains("failedToValidateHostname") || text.contains("Hostname") {
            return "tls: failed to verify certificate: x509: certificate is not valid for this host"
        }
        if text.contains("EOF during handshake") || text.contains("uncleanShutdown") {
            // A plain-HTTP server answers the ClientHello with text and closes.
            return "tls: handshake failed: EOF (is the server serving plain HTTP? then use an http:// address)"
        }
        return "tls: handshake failed: \(text)"
    }

    /// NIO's happy-eyeballs connector wraps per-address and DNS errors in `NIOConnectionError`
    /// (a NIOPosix type this target does not import); walk the value to find the cause.
    private static func findNested<Target>(_ type: Target.Type, in value: Any, depth: Int = 0) -> Target? {
        if let found = value as? Target { return found }
        guard depth < 6 else { return nil }
        for child in Mirror(reflecting: value).children {
            if let found = findNested(type, in: child.value, depth: depth + 1) { return found }
        }
        return nil
    }
}
