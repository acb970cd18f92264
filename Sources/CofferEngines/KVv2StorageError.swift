/// A KV v2 record in storage that this version cannot read: corrupt, of an unknown
/// format, or missing while its metadata says it exists.
///
/// Thrown instead of guessing (records fail closed); Core logs it and the client sees a
/// generic 500. The description names the storage key and what was wrong, never a
/// stored value.
public struct KVv2StorageError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The record is not the JSON shape its format promises.
        public static let corrupt = Code("corrupt record")
        /// The record's `format` is newer than this code understands.
        public static let unsupportedFormat = Code("unsupported record format")
        /// The metadata lists a live version whose data is absent.
        public static let missingVersionData = Code("missing version data")
    }

    public var code: Code
    /// The storage key (relative to the mount) of the record.
    public var key: String
    public var detail: String

    public init(_ code: Code, key: String, detail: String) {
        self.code = code
        self.key = key
        self.detail = detail
    }

    public var description: String { "kv-v2: \(code) at \(key): \(detail)" }
}
