/// One series: a metric's name in Vault's dotted form and its labels, sorted by label
/// name so that the same set given in any order is the same series.
struct MetricIdentity: Hashable, Sendable {
    struct Label: Hashable, Sendable {
        var name: String
        var value: String
    }

    let name: String
    /// Sorted by name; names are unique (a repeated name keeps its last value).
    let labels: [Label]

    init(name: String, labels: [String: String]) {
        self.name = name
        self.labels = labels.map { Label(name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
    }

    /// From swift-metrics dimensions, which may repeat a name: the last one wins, as in a
    /// dictionary literal.
    init(name: String, dimensions: [(String, String)]) {
        var members: [String: String] = [:]
        for (key, value) in dimensions { members[key] = value }
        self.init(name: name, labels: members)
    }

    /// The labels as swift-metrics dimensions, in label-name order.
    var dimensions: [(String, String)] { labels.map { ($0.name, $0.value) } }

    /// Orders series as go-metrics lists them: by name, then by label values in label-name order.
    static func displayOrder(_ lhs: MetricIdentity, _ rhs: MetricIdentity) -> Bool {
        if lhs.name != rhs.name { return lhs.name < rhs.name }
        for (left, right) in zip(lhs.labels, rhs.labels) where left != right {
            return left.name != right.name ? left.name < right.name : left.value < right.value
        }
        return lhs.labels.count < rhs.labels.count
    }
}
