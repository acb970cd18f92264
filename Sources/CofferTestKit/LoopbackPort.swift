import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loopback TCP ports for tests that start listeners.
public enum LoopbackPort {
    /// A TCP port that was free a moment ago on 127.0.0.1, below the kernel's ephemeral
    /// range, so that no outgoing connection is ever given it meanwhile.
    ///
    /// A server under test may bind its port, or a neighbour (a cluster port at +1), many
    /// seconds after the check; a port from the ephemeral range (where the kernel's own
    /// `bind(0)` picks) can be taken in between by any of the parallel tests' outgoing
    /// connections, and was (a cluster listener failed to bind in CI). Random ports under
    /// the range collide only with another test's random pick. Falls back to a port the
    /// kernel picks when none is found.
    public static func free() throws -> Int {
        let ceiling = ephemeralFloor() - 16
        if ceiling > 10_100 {
            for _ in 0..<500 {
                let port = Int.random(in: 10_000..<ceiling)
                if isFree(port) { return port }
            }
        }
        return try kernelPicked()
    }

    /// The lowest port of the kernel's ephemeral range (Linux: `ip_local_port_range`).
    static func ephemeralFloor() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8),
              let first = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first,
              let floor = Int(first)
        else { return 32_768 }
        return floor
    }

    /// A port the kernel picked for `bind(0)` (from its ephemeral range).
    static func kernelPicked() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestKitFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw TestKitFailure("bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TestKitFailure("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a TCP listener could bind `port` on 127.0.0.1 a moment ago.
    public static func isFree(_ port: Int) -> Bool {
        guard port > 0 && port < 65536 else { return false }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        return bound == 0
    }
}
