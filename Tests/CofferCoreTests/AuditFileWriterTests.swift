import CofferJSON
import CofferTestKit
import Foundation
import Testing
@testable import CofferCore

/// The file writer on its own: opening, modes, failures, and whole lines under
/// concurrent writers on real threads.
@Suite("Audit file writer")
struct AuditFileWriterTests {
    @Test("a new file is created with mode 0600; an existing file gets the configured mode")
    func modes() throws {
        try withTemporaryDirectorySync { dir in
            let path = dir + "/audit.log"
            let writer = try AuditFileWriter.open(.file(path: path), mode: 0o600)
            try writer.write(Array("{}\n".utf8))
            #expect(try Self.permissions(path) == 0o600)
            _ = try AuditFileWriter.open(.file(path: path), mode: 0o640)
            #expect(try Self.permissions(path) == 0o640)
            _ = try AuditFileWriter.open(.file(path: path), mode: nil)
            #expect(try Self.permissions(path) == 0o640)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "{}\n")
        }
    }

    @Test("a file that cannot be opened is an openFailed error naming the path and the OS error")
    func openFailure() throws {
        try withTemporaryDirectorySync { dir in
            let path = dir + "/missing/audit.log"
            do {
                _ = try AuditFileWriter.open(.file(path: path), mode: 0o600)
                Issue.record("opened a file in a missing directory")
            } catch let error as AuditError {
                #expect(error.code == .openFailed)
                #expect(error.description.contains(path))
                #expect(error.description.contains("No such file or directory"))
            }
        }
    }

    @Test("a write the kernel refuses (/dev/full) is a writeFailed error")
    func writeFailure() throws {
        let writer = try AuditFileWriter.open(.file(path: "/dev/full"), mode: 0o600)
        #expect(throws: AuditError.self) { try writer.write(Array("{}\n".utf8)) }
        do {
            try writer.write(Array("{}\n".utf8))
        } catch {
            #expect(error.code == .writeFailed)
            #expect(error.errno == ENOSPC)
        }
    }

    @Test("discard accepts everything and writes nowhere")
    func discard() throws {
        let writer = try AuditFileWriter.open(.discard, mode: 0o600)
        try writer.write(Array("{}\n".utf8))
    }

    @Test("lines written by many threads at once stay whole, none lost, none interleaved")
    func concurrentWholeLines() throws {
        try withTemporaryDirectorySync { dir in
            let path = dir + "/audit.log"
            let writer = try AuditFileWriter.open(.file(path: path), mode: 0o600)
            let threads = 8
            let perThread = 300
            let done = DispatchGroup()
            for thread in 0..<threads {
                done.enter()
                let worker = Thread {
                    for n in 0..<perThread {
                        // Sizes up to ~48 KiB: far beyond PIPE_BUF, so only the O_APPEND
                        // single-write rule keeps them whole.
                        let padding = String(repeating: Character(UnicodeScalar(UInt8(97 + thread))), count: (n * 997) % 49_000)
                        let entry: JSONValue = ["thread": .int(Int64(thread)), "n": .int(Int64(n)), "pad": .string(padding)]
                        try? writer.write(AuditFormatter.line(entry, prefix: ""))
                    }
                    done.leave()
                }
                worker.start()
            }
            done.wait()
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == threads * perThread)
            var seen = Set<String>()
            for line in lines {
                let value = try JSONValue(parsing: String(line))
                guard let thread = value["thread"]?.intValue, let n = value["n"]?.intValue,
                    let pad = value["pad"]?.stringValue
                else {
                    Issue.record("not a whole entry")
                    continue
                }
                #expect(pad.allSatisfy { $0 == Character(UnicodeScalar(UInt8(97 + Int(thread)))) })
                seen.insert("\(thread)/\(n)")
            }
            #expect(seen.count == threads * perThread)
        }
    }

    static func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}

/// A temporary directory for a synchronous test body, removed afterwards.
func withTemporaryDirectorySync<T>(_ body: (String) throws -> T) throws -> T {
    let dir = try makeTemporaryDirectory(prefix: "coffer-audit")
    defer { removeTemporaryDirectory(dir) }
    return try body(dir)
}
