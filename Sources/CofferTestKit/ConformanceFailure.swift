/// A conformance check found behaviour that breaks a protocol's contract.
///
/// Thrown by the checks of ``StorageConformance`` (and later suites); a test that runs a
/// check fails with this error, whose description says what was expected and where.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in terms of the contract.
    public var message: String
    /// Where the failing check sits (`#fileID`).
    public var fileID: String
    public var line: Int

    public init(_ message: String, fileID: String = #fileID, line: Int = #line) {
        self.message = message
        self.fileID = fileID
        self.line = line
    }

    public var description: String { "\(fileID):\(line): \(message)" }
}

/// Throws a ``ConformanceFailure`` unless `condition` holds.
func require(
    _ condition: Bool, _ message: @autoclosure () -> String,
    fileID: String = #fileID, line: Int = #line
) throws {
    guard condition else { throw ConformanceFailure(message(), fileID: fileID, line: line) }
}

/// Throws a ``ConformanceFailure`` unless `actual == expected`.
func requireEqual<T: Equatable>(
    _ actual: T, _ expected: T, _ what: @autoclosure () -> String,
    fileID: String = #fileID, line: Int = #line
) throws {
    guard actual == expected else {
        throw ConformanceFailure("\(what()): expected \(expected), got \(actual)", fileID: fileID, line: line)
    }
}

/// Like ``requireEqual(_:_:_:fileID:line:)`` for values, which may be large: the message
/// gives sizes and the first difference instead of the bytes.
func requireBytes(
    _ actual: [UInt8]?, _ expected: [UInt8]?, _ what: @autoclosure () -> String,
    fileID: String = #fileID, line: Int = #line
) throws {
    guard actual != expected else { return }
    let detail: String
    switch (actual, expected) {
    case (nil, _?):
        detail = "expected a value of \(expected!.count) bytes, got nil"
    case (_?, nil):
        detail = "expected nil, got a value of \(actual!.count) bytes"
    case let (actual?, expected?):
        let firstDifference = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(actual.count, expected.count)
        detail = "expected \(expected.count) bytes, got \(actual.count); first difference at byte \(firstDifference)"
    case (nil, nil):
        detail = "unreachable"
    }
    throw ConformanceFailure("\(what()): \(detail)", fileID: fileID, line: line)
}
