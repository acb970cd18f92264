/// A compiled pattern with at least one `+` segment (`secret/+/config`, `kv/+/team-*`).
///
/// Paths are split on the byte `/`, as Vault splits them; splitting on `Character`s would
/// glue a `/` to a following combining mark and let a crafted path dodge a pattern.
struct SegmentPattern: Sendable {
    /// The pattern without its trailing `*`, split on `/`, as UTF-8.
    let segments: [[UInt8]]
    let isPrefix: Bool
    let key: String
    let rule: Int
    let firstWildcard: Int
    let wildcards: Int

    static let plus: [UInt8] = [UInt8(ascii: "+")]

    init(key: String, isPrefix: Bool, rule: Int) {
        self.key = key
        self.isPrefix = isPrefix
        self.rule = rule
        self.segments = Self.split(key[...]).map { Array($0) }
        var offset = 0
        var first = -1
        var count = 0
        for segment in segments {
            if segment == Self.plus {
                count += 1
                if first < 0 { first = offset }
            }
            offset += segment.count + 1
        }
        self.firstWildcard = max(first, 0)
        self.wildcards = count
    }

    /// `path` split on every `/` byte, empty segments kept (`"a//b/"` has four).
    static func split(_ path: Substring) -> [Substring.UTF8View.SubSequence] {
        path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    }

    /// Whether `pattern` has a segment that is exactly `+`.
    static func hasWildcardSegment(_ pattern: Substring) -> Bool {
        split(pattern).contains { $0.elementsEqual(plus) }
    }

    var candidate: RuleCandidate {
        RuleCandidate(firstWildcard: firstWildcard, isPrefix: isPrefix, wildcards: wildcards, key: key, rule: rule)
    }

    /// Whether the path's segments match: `+` takes any one segment, other segments must
    /// be equal, and a prefix pattern's last segment need only begin the path's segment,
    /// with any further segments allowed after it.
    func matches(_ parts: [Substring.UTF8View.SubSequence]) -> Bool {
        guard parts.count >= segments.count else { return false }
        guard isPrefix || parts.count == segments.count else { return false }
        let last = segments.count - 1
        for (index, segment) in segments.enumerated() {
            if segment == Self.plus || parts[index].elementsEqual(segment) { continue }
            if isPrefix, index == last, parts[index].starts(with: segment) { continue }
            return false
        }
        return true
    }

    /// Whether some path under the mount `mountParts` (its segments, without the trailing
    /// empty one) could match: the pattern agrees with every mount segment it reaches, and
    /// either reaches past the mount or ends in a prefix segment that covers the rest.
    func mayMatchUnder(mountParts: [Substring.UTF8View.SubSequence]) -> Bool {
        let last = segments.count - 1
        for (index, part) in mountParts.enumerated() {
            guard index <= last else { return false }
            let segment = segments[index]
            if isPrefix, index == last, part.starts(with: segment) { return true }
            if segment == Self.plus || part.elementsEqual(segment) { continue }
            return false
        }
        return true
    }
}
