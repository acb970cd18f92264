#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Failures of the audit domain: opening a device's file, writing an entry, stored
/// device state that does not parse.
///
/// Messages name the device path, the file path and the OS error; never an entry, a
/// token or a request value. Requests that fail because of one surface as Vault's generic
/// 500 (the detail goes to the server log); enabling a device that cannot open its file
/// surfaces as a 400 built from ``message``.
struct AuditError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an open set of values.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        var description: String { rawValue }

        /// The device's file could not be opened (or is not something one can append to).
        static let openFailed = Code("open failed")
        /// An entry could not be written in full.
        static let writeFailed = Code("write failed")
        /// No enabled device wrote the entry (the fail-closed rule).
        static let noDeviceLogged = Code("no device logged")
        /// A stored audit table or salt is malformed.
        static let corrupt = Code("corrupt")
    }

    var code: Code
    var message: String
    /// `errno` of the failing system call, when there was one.
    var errno: Int32?

    init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    var description: String {
        guard let errno else { return "audit: \(code): \(message)" }
        return "audit: \(code): \(message): \(Self.describe(errno))"
    }

    /// `strerror` text of an errno value.
    static func describe(_ errno: Int32) -> String {
        guard let text = strerror(errno) else { return "errno \(errno)" }
        return String(cString: text)
    }
}
