import Foundation

/// Creates a new, empty directory (mode 0700) under the system temporary directory and
/// returns its path. The caller removes it, e.g. with ``removeTemporaryDirectory(_:)``.
public func makeTemporaryDirectory(prefix: String = "coffer-test") throws -> String {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(
        at: url, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    return url.path
}

/// Removes a directory made by ``makeTemporaryDirectory(prefix:)`` and everything in it;
/// a missing directory is not an error.
public func removeTemporaryDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Runs `body` with a fresh temporary directory and removes the directory afterwards,
/// whether `body` returns or throws.
public func withTemporaryDirectory<Result>(
    prefix: String = "coffer-test",
    isolation: isolated (any Actor)? = #isolation,
    _ body: (String) async throws -> Result
) async throws -> Result {
    let path = try makeTemporaryDirectory(prefix: prefix)
    defer { removeTemporaryDirectory(path) }
    return try await body(path)
}
