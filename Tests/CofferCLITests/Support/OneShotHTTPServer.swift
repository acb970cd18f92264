import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback HTTP/1.1 server on a raw socket that answers each connection with one canned
/// response and records the raw requests. Enough to drive the real AsyncHTTPClient transport.
final class OneShotHTTPServer: Sendable {
    let port: Int
    private let listener: Int32
    private let received = Mutex<[String]>([])

    /// Starts listening on 127.0.0.1 with an ephemeral port; serves `connections` connections.
    /// With `answerBeforeReading`, the response is sent without waiting for a request (what a
    /// plain HTTP server does to a TLS ClientHello it cannot parse).
    init(status: Int, reason: String, body: String, connections: Int = 1, answerBeforeReading: Bool = false) throws {
        listener = try OneShotHTTPServer.listen()
        port = OneShotHTTPServer.localPort(of: listener)
        let response = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let listener = self.listener
        Thread.detachNewThread { [self] in
            for _ in 0..<connections {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                let request = answerBeforeReading ? "" : OneShotHTTPServer.readRequest(connection)
                received.withLock { $0.append(request) }
                var bytes = Array(response.utf8)
                _ = bytes.withUnsafeMutableBytes { send(connection, $0.baseAddress, $0.count, 0) }
                close(connection)
            }
            close(listener)
        }
    }

    var requests: [String] { received.withLock { $0 } }

    /// A port nothing listens on: bound, then closed again.
    static func closedPort() throws -> Int {
        let socket = try listen()
        let port = localPort(of: socket)
        close(socket)
        return port
    }

    private static func listen() throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 8) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return fd
    }

    private static func localPort(of fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Reads the head and a `Content-Length` body.
    private static func readRequest(_ fd: Int32) -> String {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            data.append(contentsOf: chunk[0..<count])
            let text = String(decoding: data, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound].lowercased()
            var length = 0
            if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
            }
            if text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length { break }
        }
        return String(decoding: data, as: UTF8.self)
    }
}
