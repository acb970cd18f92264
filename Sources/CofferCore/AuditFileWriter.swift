import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends whole audit lines to one file descriptor: a file opened `O_APPEND`, standard
/// output, or nothing (`discard`).
///
/// **Concurrency.** Requests log from many threads at once, and the hot path must not
/// queue behind one lock. Each line reaches the kernel as **one** `write(2)` of the full
/// line (prefix, JSON and newline built beforehand):
///
/// - A **regular file** is written with no lock at all. With `O_APPEND`, POSIX makes
///   "seek to the end, then write" one atomic step, and Linux's local filesystems (ext4,
///   xfs, btrfs, tmpfs) hold the inode lock for the whole of a regular-file write, so
///   concurrent lines land one after the other, never interleaved. A regular-file write
///   comes back short only when the disk fills or the size limit is hit; the rest of the
///   line is then retried and the failure that usually follows is reported. (Network
///   filesystems do not promise `O_APPEND` atomicity: keep audit files on local disk.)
/// - Anything else (a terminal, a pipe, a character device such as `/dev/full`) makes no
///   such promise for lines above `PIPE_BUF`, so its writes take a lock held only for the
///   `write(2)` calls of one line — per device, never across devices.
///
/// **Lifetime.** The descriptor closes in `deinit`, when the last ``AuditBroker`` snapshot
/// holding this writer is released (after a disable or a seal, once the requests still
/// running against the old snapshot finish). Closing any earlier could let a late write
/// land in whatever file reused the descriptor number.
final class AuditFileWriter: Sendable {
    private enum Target {
        case regularFile
        case stream
        case discard
    }

    let destination: AuditDeviceOptions.Destination
    private let descriptor: Int32
    private let target: Target
    private let ownsDescriptor: Bool
    /// Serialises the lines of one non-regular target; unused for regular files.
    private let streamLock = Mutex(())

    private init(destination: AuditDeviceOptions.Destination, descriptor: Int32, target: Target, ownsDescriptor: Bool) {
        self.destination = destination
        self.descriptor = descriptor
        self.target = target
        self.ownsDescriptor = ownsDescriptor
    }

    /// Opens `destination` for appending, creating a file with `mode` (default 0600) and
    /// setting `mode` on an existing regular file. Never blocks on a FIFO without a
    /// reader (that fails instead).
    static func open(_ destination: AuditDeviceOptions.Destination, mode: UInt32?) throws(AuditError) -> AuditFileWriter {
        switch destination {
        case .discard:
            return AuditFileWriter(destination: destination, descriptor: -1, target: .discard, ownsDescriptor: false)
        case .stdout:
            return AuditFileWriter(destination: destination, descriptor: 1, target: .stream, ownsDescriptor: false)
        case .file(let path):
            let flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK
            let fd = path.withCString { systemOpen($0, flags, mode_t(mode ?? AuditDeviceOptions.defaultMode)) }
            guard fd >= 0 else {
                throw AuditError(.openFailed, "cannot open audit file \"\(path)\"", errno: errno)
            }
            do throws(AuditError) {
                var status = stat()
                guard fstat(fd, &status) == 0 else {
                    throw AuditError(.openFailed, "cannot inspect audit file \"\(path)\"", errno: errno)
                }
                let isRegular = (status.st_mode & S_IFMT) == S_IFREG
                if isRegular, let mode, fchmod(fd, mode_t(mode)) != 0 {
                    throw AuditError(.openFailed, "cannot set the mode of audit file \"\(path)\"", errno: errno)
                }
                // Non-blocking only to open: entries are written with ordinary blocking writes.
                let current = fcntl(fd, F_GETFL)
                guard current >= 0, fcntl(fd, F_SETFL, current & ~O_NONBLOCK) == 0 else {
                    throw AuditError(.openFailed, "cannot configure audit file \"\(path)\"", errno: errno)
                }
                return AuditFileWriter(
                    destination: destination, descriptor: fd, target: isRegular ? .regularFile : .stream,
                    ownsDescriptor: true)
            } catch {
                close(fd)
                throw error
            }
        }
    }

    /// Writes `line` (already ending in a newline) as one unit. Throws
    /// ``AuditError/Code/writeFailed`` when the kernel refuses it.
    func write(_ line: [UInt8]) throws(AuditError) {
        switch target {
        case .discard:
            return
        case .regularFile:
            try writeAll(line)
        case .stream:
            let result: Result<Void, AuditError> = streamLock.withLock { _ in
                do throws(AuditError) {
                    try writeAll(line)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            try result.get()
        }
    }

    private func writeAll(_ line: [UInt8]) throws(AuditError) {
        let failure: Int32? = line.withUnsafeBytes { buffer -> Int32? in
            guard var next = buffer.baseAddress else { return nil }
            var remaining = buffer.count
            while remaining > 0 {
                let written = systemWrite(descriptor, next, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if written == 0 { return EIO }
                next += written
                remaining -= written
            }
            return nil
        }
        if let failure {
            throw AuditError(.writeFailed, "cannot write to audit file \"\(destination)\"", errno: failure)
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }
}

private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
