#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system operations the demo needs, on POSIX calls (the CLI does not use
/// Foundation).
enum DemoFileSystem {
    /// Creates a new folder `coffer-demo-XXXXXX` (mode 0700) in `$TMPDIR`, or `/tmp`.
    static func makeTemporaryFolder(environment: [String: String]) throws(CLIError) -> String {
        var base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/coffer-demo-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw CLIError(.io, "cannot create a temporary folder in \(base): \(FileReader.describe(errno: errno))")
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Creates the folder `path` (mode 0700); its parent must exist.
    static func makeFolder(_ path: String) throws(CLIError) {
        guard mkdir(path, 0o700) == 0 else {
            throw CLIError(.io, "cannot create \(path): \(FileReader.describe(errno: errno))")
        }
    }

    /// Removes `path` and everything below it, without following symbolic links. Returns
    /// false if anything could not be removed (a missing `path` counts as removed).
    @discardableResult
    static func removeTree(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return unlink(path) == 0 || errno == ENOENT }
        var removedAll = true
        if let directory = opendir(path) {
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: &entry.pointee.d_name) {
                    String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names where !removeTree(path + "/" + name) { removedAll = false }
        } else {
            removedAll = false
        }
        return rmdir(path) == 0 && removedAll
    }

    /// Whether anything exists at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The last `count` lines of the text file at `path`, or a note that it cannot be read.
    static func tail(_ path: String, lines count: Int) -> String {
        guard let bytes = try? FileReader.read(path) else { return "(the log \(path) cannot be read)" }
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        if lines.isEmpty { return "(the log is empty)" }
        return lines.suffix(count).joined(separator: "\n")
    }
}
