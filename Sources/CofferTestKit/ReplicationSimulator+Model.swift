import CofferReplication
import CofferStorage

/// What the current primary acknowledged, and its replicated data after every WAL index
/// of its term (since it was promoted, or since the start).
struct ReplicationModel {
    static let groups = ["a", "b", "c"]
    static let keysPerGroup = 6
    static let localKeys = 5
    static let isReplicated: @Sendable (String) -> Bool = { $0.utf8.starts(with: "rep/".utf8) }
    static let primaryLocalKeys: [String] = (0..<localKeys).map { "local/\($0)" }

    /// The names of the keys in each group: `0`…`5`, and with combining-mark keys one
    /// more whose name starts with U+0301 (so `rep/a/` is a byte prefix of `rep/a/\u{301}6`
    /// but not a `Character` prefix: the slash and the mark are one grapheme).
    let keyNames: [String]
    /// Every replicated key the workload can write.
    let replicatedKeys: [String]

    /// The primary's acknowledged contents, replicated and local.
    var primary: [String: [UInt8]] = [:]
    /// `history[i]`: the replicated data once record `base + i` committed (`history[0]` is
    /// empty until the first failover).
    var history: [[String: [UInt8]]] = [[:]]
    /// The current primary's log index when its term began.
    var base: UInt64 = 0
    var primaryDirty = true

    init(combiningMarkKeys: Bool) {
        var names = (0..<Self.keysPerGroup).map { "\($0)" }
        if combiningMarkKeys { names.append("\u{301}\(Self.keysPerGroup)") }
        keyNames = names
        replicatedKeys = Self.groups.flatMap { group in names.map { "rep/\(group)/\($0)" } }
    }

    var lastIndex: UInt64 { base + UInt64(history.count - 1) }

    /// The replicated data once record `index` (at least ``base``) committed.
    func data(at index: UInt64) -> [String: [UInt8]] {
        history[Int(index - base)]
    }

    /// A new primary's term: it holds `contents` (replicated and local) with its log at `index`.
    mutating func beginTerm(at index: UInt64, contents: [String: [UInt8]]) {
        base = index
        primary = contents
        history = [contents.filter { Self.isReplicated($0.key) }]
        primaryDirty = true
    }

    /// Records an acknowledged batch; each replicated operation is the next index.
    mutating func acknowledge(_ operations: [StorageOperation]) {
        for operation in operations {
            Self.apply(operation, to: &primary)
            if Self.isReplicated(Self.key(of: operation)) {
                var state = history[history.count - 1]
                Self.apply(operation, to: &state)
                history.append(state)
            }
        }
    }

    static func key(of operation: StorageOperation) -> String {
        switch operation {
        case .put(let key, _), .delete(let key), .deletePrefix(let key): key
        }
    }

    static func apply(_ operation: StorageOperation, to state: inout [String: [UInt8]]) {
        switch operation {
        case .put(let key, let value): state[key] = value
        case .delete(let key): state[key] = nil
        case .deletePrefix(let prefix): state = state.filter { !$0.key.utf8.starts(with: prefix.utf8) }
        }
    }

    /// Whether `exclusion` covers `key` as storage compares keys: byte prefixes. The
    /// oracle's own definition, deliberately not ``ReplicationExclusion/excludes(_:)``.
    static func excludes(_ exclusion: ReplicationExclusion, _ key: String) -> Bool {
        exclusion.prefixes.contains { key.utf8.starts(with: $0.utf8) }
    }

    /// `data` without the keys `exclusion` covers: what a secondary under it should hold.
    static func filter(_ data: [String: [UInt8]], excluding exclusion: ReplicationExclusion) -> [String: [UInt8]] {
        exclusion.isEmpty ? data : data.filter { !excludes(exclusion, $0.key) }
    }

    static func encodeIndex(_ index: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: index >> (56 - 8 * UInt64($0))) }
    }

    static func decodeIndex(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
