#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Textual IP addresses to their network-order bytes, as certificates' `iPAddress`
/// subject alternative names hold them (4 bytes for IPv4, 16 for IPv6).
enum IPAddressBytes {
    /// Dotted-quad IPv4 (`inet_pton` rules: exactly four decimal parts), or nil.
    static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// IPv6 in any RFC 4291 text form, without brackets or zone, or nil.
    static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// Either family, or nil for anything that is not an IP literal.
    static func parse(_ text: String) -> [UInt8]? {
        ipv4(text) ?? ipv6(text)
    }
}
