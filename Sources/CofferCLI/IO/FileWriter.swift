#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole files: `policy fmt` results and `~/.vault-token`.
enum FileWriter {
    /// Replaces the contents of the file at `path` with `bytes`, creating it with `mode` when
    /// it does not exist. With `enforceMode`, an existing file gets `mode` too (the token file
    /// must never stay readable by others). Errors read like Go's (`open /x: permission denied`).
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t, enforceMode: Bool = false) throws(CLIError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 {
            throw CLIError(.io, "open \(path): \(FileReader.describe(errno: errno))")
        }
        defer { close(fd) }
        if enforceMode, fchmod(fd, mode) != 0 {
            throw CLIError(.io, "chmod \(path): \(FileReader.describe(errno: errno))")
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc_write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw CLIError(.io, "write \(path): \(FileReader.describe(errno: errno))")
            }
            offset += written
        }
    }

    /// `~` and `~/...` expanded against `home` (Go's `homedir.Expand`); other paths unchanged.
    static func expandingHome(_ path: String, home: String?) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home, !home.isEmpty else { return path }
        return home + path.dropFirst()
    }
}

@inline(__always)
private func Glibc_write(_ fd: CInt, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.write(fd, pointer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, pointer, count)
    #else
    return Glibc.write(fd, pointer, count)
    #endif
}
