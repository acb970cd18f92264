extension StringProtocol {
    /// Byte-wise equality with `other` (no Unicode normalisation).
    func bytesEqual(_ other: some StringProtocol) -> Bool {
        utf8.elementsEqual(other.utf8)
    }

    /// Byte-wise prefix test.
    func bytesHavePrefix(_ prefix: some StringProtocol) -> Bool {
        utf8.starts(with: prefix.utf8)
    }

    /// Byte-wise suffix test.
    func bytesHaveSuffix(_ suffix: some StringProtocol) -> Bool {
        let count = utf8.count
        let suffixCount = suffix.utf8.count
        guard suffixCount <= count else { return false }
        return utf8.dropFirst(count - suffixCount).elementsEqual(suffix.utf8)
    }

    /// Byte-wise substring test.
    func bytesContain(_ needle: some StringProtocol) -> Bool {
        let haystack = Array(utf8)
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty else { return true }
        guard pattern.count <= haystack.count else { return false }
        for start in 0...(haystack.count - pattern.count)
        where haystack[start..<(start + pattern.count)].elementsEqual(pattern) {
            return true
        }
        return false
    }
}
