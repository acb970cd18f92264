import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the CLI writes text: standard output, standard error, or a buffer in tests.
public protocol CLIOutput: Sendable {
    /// Whether a person is looking at it. `-field` output ends with a newline only on a
    /// terminal, as `vault` does, so that `$(coffer read -field=x ...)` gets the bare value.
    var isTerminal: Bool { get }
    /// Writes `text` as is (no newline added).
    func write(_ text: String)
}

/// Writes to a file descriptor (1 or 2), retrying short writes and `EINTR`.
public struct FileDescriptorOutput: CLIOutput {
    public let fileDescriptor: CInt

    public init(fileDescriptor: CInt) {
        self.fileDescriptor = fileDescriptor
    }

    public static let standardOutput = FileDescriptorOutput(fileDescriptor: 1)
    public static let standardError = FileDescriptorOutput(fileDescriptor: 2)

    public var isTerminal: Bool { isatty(fileDescriptor) == 1 }

    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc_write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// Collects everything written, for tests and for embedding the CLI.
public final class CapturedOutput: CLIOutput {
    private let buffer = Mutex("")
    public let isTerminal: Bool

    public init(isTerminal: Bool = false) {
        self.isTerminal = isTerminal
    }

    public func write(_ text: String) {
        buffer.withLock { $0 += text }
    }

    /// Everything written so far.
    public var text: String { buffer.withLock { $0 } }
}

@inline(__always)
private func Glibc_write(_ fd: CInt, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.write(fd, pointer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, pointer, count)
    #else
    return Glibc.write(fd, pointer, count)
    #endif
}
