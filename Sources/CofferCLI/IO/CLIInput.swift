import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the CLI reads from: standard input, or a buffer in tests.
public protocol CLIInput: Sendable {
    /// Whether standard input is a terminal (decides between prompting and reading a line).
    var isTerminal: Bool { get }
    /// Everything up to end of input.
    func readAll() throws -> [UInt8]
    /// One line without its line ending; nil at end of input with nothing read.
    func readLine() throws -> String?
    /// Writes `prompt` to `output`, reads one line with echo turned off, then writes a
    /// newline (the user's Enter was not echoed). nil at end of input.
    func readSecretLine(prompt: String, output: any CLIOutput) throws -> String?
}

/// The process's standard input (file descriptor 0). Hidden input uses termios.
public struct StandardInput: CLIInput {
    public init() {}

    public var isTerminal: Bool { isatty(0) == 1 }

    public func readAll() throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError(.io, "error reading standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    public func readLine() throws -> String? {
        // Byte by byte, so that nothing after the line is consumed from a shared stdin.
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(0, &byte, 1)
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError(.io, "error reading standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }

    public func readSecretLine(prompt: String, output: any CLIOutput) throws -> String? {
        output.write(prompt)
        var original = termios()
        guard tcgetattr(0, &original) == 0 else {
            throw CLIError(.io, "error reading from terminal: \(String(cString: strerror(errno)))")
        }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ICANON)
        guard tcsetattr(0, TCSAFLUSH, &silent) == 0 else {
            throw CLIError(.io, "error reading from terminal: \(String(cString: strerror(errno)))")
        }
        defer {
            _ = tcsetattr(0, TCSAFLUSH, &original)
            output.write("\n")
        }
        return try readLine()
    }
}

/// Input from a fixed byte string, for tests and for embedding the CLI. Reads consume it.
public final class BufferedInput: CLIInput {
    private let remaining: Mutex<[UInt8]>
    public let isTerminal: Bool

    public init(_ text: String = "", isTerminal: Bool = false) {
        remaining = Mutex(Array(text.utf8))
        self.isTerminal = isTerminal
    }

    public func readAll() throws -> [UInt8] {
        remaining.withLock { bytes in
            defer { bytes = [] }
            return bytes
        }
    }

    public func readLine() throws -> String? {
        remaining.withLock { bytes -> String? in
            if bytes.isEmpty { return nil }
            var line: [UInt8]
            if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                line = Array(bytes[..<newline])
                bytes.removeSubrange(...newline)
            } else {
                line = bytes
                bytes = []
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            return String(decoding: line, as: UTF8.self)
        }
    }

    public func readSecretLine(prompt: String, output: any CLIOutput) throws -> String? {
        output.write(prompt)
        defer { output.write("\n") }
        return try readLine()
    }
}
