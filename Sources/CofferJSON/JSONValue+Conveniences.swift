extension JSONValue {
    /// An array of strings, e.g. `.init(["read", "list"])`.
    public init(_ strings: [String]) {
        self = .array(strings.map { .string($0) })
    }

    /// An object whose members are all strings.
    public init(_ members: [String: String]) {
        self = .object(members.mapValues { .string($0) })
    }

    /// Parses `text` as one JSON document; see ``JSONParser``.
    public init(parsing text: String, maxDepth: Int = 512) throws(JSONParseError) {
        self = try JSONParser.parse(text.utf8, maxDepth: maxDepth)
    }

    /// Parses `bytes` as one JSON document; see ``JSONParser``.
    public init(parsing bytes: some Collection<UInt8>, maxDepth: Int = 512) throws(JSONParseError) {
        self = try JSONParser.parse(bytes, maxDepth: maxDepth)
    }

    /// Compact JSON text with sorted keys (what Go's `json.Marshal` produces).
    ///
    /// There is deliberately no `description`: values often hold secrets and must not
    /// slip into logs through string interpolation.
    public var jsonString: String { JSONWriter.string(self) }

    /// Indented JSON text (what Go's `json.MarshalIndent(v, "", "  ")` produces).
    public var prettyJSONString: String { JSONWriter.string(self, pretty: true) }

    /// Compact JSON as UTF-8 bytes.
    public var jsonBytes: [UInt8] { JSONWriter.bytes(self) }

    /// The elements of an array of strings; nil if this is not an array or any element
    /// is not a string.
    public var stringArrayValue: [String]? {
        guard case .array(let elements) = self else { return nil }
        var result: [String] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard case .string(let text) = element else { return nil }
            result.append(text)
        }
        return result
    }
}
