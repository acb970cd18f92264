/// Turns an ordered walk over keys into Vault's physical `List` result: the direct children
/// of a prefix, folders once as `"name/"`, with `after`/`limit` pagination.
///
/// Backends drive it: start at ``start``, feed each key in ascending order to ``consume(_:)``
/// while it is below ``end``, and follow the returned step. A `.seek` jumps over the rest
/// of a folder, so a folder holding a million keys costs one index seek, not a million
/// steps.
///
/// Why a single forward walk is enough: the child name of a key is a prefix of the key,
/// cut after its first `/`. For keys `k1 < k2` under the prefix, `name(k1) <= name(k2)`,
/// so names come out sorted and equal names are adjacent.
struct DirectChildListing {
    /// What the walker does next.
    enum Step: Equatable {
        /// Feed the next key in order.
        case next
        /// Continue at the first key `>= target` (the end of a folder's key range).
        case seek(String)
        /// The listing is complete.
        case done
    }

    let prefix: String
    let after: String?
    let limit: Int?
    private(set) var names: [String] = []

    /// Where the walk starts: the first key `>= key` (inclusive) or `> key`.
    let start: (key: String, inclusive: Bool)
    /// Keys `>= end` are outside the prefix; nil when every key is `>= start`.
    let end: String?

    private let prefixByteCount: Int

    init(prefix: String, after: String?, limit: Int?) {
        self.prefix = prefix
        self.after = after
        self.limit = limit.flatMap { $0 > 0 ? $0 : nil }
        self.prefixByteCount = prefix.utf8.count
        if let after {
            // Names must be > after, so keys must be > prefix + after; `consume` skips the
            // folder named exactly `after` when `after` ends in `/`.
            start = (prefix + after, false)
        } else {
            start = (prefix, true)
        }
        end = prefix.prefixUpperBound
    }

    /// Whether the walk can stop before looking at another key.
    var isComplete: Bool {
        if let limit { return names.count >= limit }
        return false
    }

    /// Feeds the next key (ascending, starting with ``prefix``) and says what to do next.
    mutating func consume(_ key: String) -> Step {
        if isComplete { return .done }
        let bytes = key.utf8
        let restStart = bytes.index(bytes.startIndex, offsetBy: prefixByteCount)
        let rest = bytes[restStart...]
        let name: String
        let folderEnd: String?
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
            let afterSlash = bytes.index(after: slash)
            name = String(decoding: rest[..<afterSlash], as: UTF8.self)
            // Every key in the folder starts with prefix + name; "/" + 1 is "0", so the
            // folder's range ends at prefix + name-without-slash + "0".
            folderEnd = String(decoding: bytes[..<slash], as: UTF8.self) + "0"
        } else {
            name = String(decoding: rest, as: UTF8.self)
            folderEnd = nil
        }

        if let after, StorageKey.compare(name, after) <= 0 {
            return folderEnd.map(Step.seek) ?? .next
        }
        if let last = names.last, StorageKey.compare(last, name) == 0 {
            return folderEnd.map(Step.seek) ?? .next
        }
        names.append(name)
        if isComplete { return .done }
        return folderEnd.map(Step.seek) ?? .next
    }
}

extension DirectChildListing {
    /// Feeds the listing the stored keys from its start, in bytewise order, merged from
    /// two ascending sources (a backend's general keys and its ``SequencedKeys``), opening
    /// both again at every folder it seeks past. `open` returns each source's keys from a
    /// lower bound; keys at or past the listing's end are ignored. Returns how many keys
    /// were read.
    @discardableResult
    mutating func walk<General: KeySource, Numbered: KeySource>(
        _ open: (_ lower: String, _ inclusive: Bool) throws -> (General, Numbered)
    ) throws -> Int {
        var lower = start.key
        var inclusive = start.inclusive
        var keysRead = 0
        walking: while !isComplete {
            var (general, numbered) = try open(lower, inclusive)
            var nextGeneral = try general.next()
            var nextNumbered = try numbered.next()
            while true {
                let key: String
                if let candidate = nextGeneral, nextNumbered.map({ BytewiseOrder.compare(candidate, $0) < 0 }) ?? true {
                    key = candidate
                    nextGeneral = try general.next()
                } else if let candidate = nextNumbered {
                    key = candidate
                    nextNumbered = try numbered.next()
                } else {
                    break walking
                }
                // The smaller of the two heads: once it is past the end, so is the rest.
                if let end, BytewiseOrder.compare(key, end) >= 0 { break walking }
                keysRead += 1
                switch consume(key) {
                case .next:
                    continue
                case .seek(let target):
                    lower = target
                    inclusive = true
                    continue walking
                case .done:
                    break walking
                }
            }
        }
        return keysRead
    }
}

/// Stored keys in ascending bytewise order, from some lower bound.
protocol KeySource {
    mutating func next() throws -> String?
}

/// The keys of stored ``SequencedKeys`` numbers, in order (none when `numbers` is nil).
struct SequencedKeySource<Numbers: IteratorProtocol<UInt64>>: KeySource {
    var numbers: Numbers?

    mutating func next() -> String? {
        numbers?.next().map(SequencedKeys.key)
    }
}
