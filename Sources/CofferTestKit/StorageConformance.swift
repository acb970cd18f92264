public import CofferStorage

/// One named check of the ``StorageBackend`` contract.
///
/// Usable as a Swift Testing argument: `@Test(arguments: StorageConformance.cases)`. Run
/// each case against a fresh, empty backend; it throws ``ConformanceFailure`` (or the
/// backend's own error) when the contract is broken.
public struct StorageConformanceCase: Sendable, CustomStringConvertible {
    public let name: String
    public let run: @Sendable (any StorageBackend) async throws -> Void

    public init(_ name: String, run: @escaping @Sendable (any StorageBackend) async throws -> Void) {
        self.name = name
        self.run = run
    }

    public var description: String { name }
}

/// The conformance suite every ``StorageBackend`` implementation runs.
///
/// ```swift
/// @Test(arguments: StorageConformance.cases)
/// func conforms(_ check: StorageConformanceCase) async throws {
///     try await check.run(InMemoryBackend())
/// }
/// ```
///
/// Each case expects an empty backend and may leave data behind. Cases cover reads of
/// missing keys, overwrite, delete, listing (children, folders once, bytewise order,
/// prefixes off a folder boundary, deep keys), pagination, batch ordering and atomicity,
/// `deletePrefix` boundaries, binary and large values, Unicode keys, and concurrency.
public enum StorageConformance {
    /// Every check, in a stable order with unique names.
    public static let cases: [StorageConformanceCase] = basics + listing + batches + concurrency

    /// Runs every case in turn, each against a backend from `makeBackend`; stops at the
    /// first failure. For callers outside Swift Testing; tests should prefer ``cases``.
    public static func runAll(_ makeBackend: () async throws -> any StorageBackend) async throws {
        for check in cases {
            let backend = try await makeBackend()
            do {
                try await check.run(backend)
            } catch let failure as ConformanceFailure {
                throw ConformanceFailure("[\(check.name)] \(failure.message)", fileID: failure.fileID, line: failure.line)
            }
        }
    }
}
