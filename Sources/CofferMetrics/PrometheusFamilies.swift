/// The Prometheus metric families a registry has handed to swift-prometheus, so that it is
/// never handed a series it would refuse.
///
/// swift-prometheus keys its families by name and stops the process (`fatalError`) when
/// one name is registered as two kinds, or both with and without labels. Names reach it
/// sanitized here, Vault's way (`vault.core.handle_request` → `vault_core_handle_request`),
/// so two dotted names can also meet in one family. A series that would break those rules
/// is not exported: it is recorded for the JSON rendering only. Differing label *names*
/// within one family are allowed, as Prometheus allows them.
struct PrometheusFamilies: Sendable {
    enum Kind: Sendable, Equatable {
        case counter, gauge, timer, valueHistogram

        /// Histograms add their own `le` label to every bucket line.
        var isHistogram: Bool { self == .timer || self == .valueHistogram }
    }

    /// A series as swift-prometheus receives it.
    struct Series: Sendable {
        var name: String
        var labels: [(String, String)]
    }

    private struct Family: Sendable {
        var kind: Kind
        var labeled: Bool
        /// The label sets exported under this name, flattened (name, value, name, value...).
        var series: Set<[String]>
    }

    private var families: [String: Family] = [:]

    /// Reserves `identity`'s Prometheus series and returns it; nil when it cannot be
    /// exported: the name belongs to another kind or labeled-ness, another series already
    /// sanitizes to the same name and labels, or two of its label names sanitize to one.
    mutating func admit(_ identity: MetricIdentity, as kind: Kind) -> Series? {
        let name = Self.metricName(identity.name)
        var labels: [(String, String)] = []
        var key: [String] = []
        for label in identity.labels {
            var labelName = Self.labelName(label.name)
            if kind.isHistogram, labelName == "le" { labelName = "_le" }
            guard !labels.contains(where: { $0.0 == labelName }) else { return nil }
            labels.append((labelName, label.value))
            key.append(labelName)
            key.append(label.value)
        }
        if var family = families[name] {
            guard family.kind == kind, family.labeled == !labels.isEmpty, !family.series.contains(key) else { return nil }
            family.series.insert(key)
            families[name] = family
        } else {
            families[name] = Family(kind: kind, labeled: !labels.isEmpty, series: [key])
        }
        return Series(name: name, labels: labels)
    }

    /// Forgets a series admitted earlier (it was destroyed); the family goes with its last series.
    mutating func release(_ series: Series) {
        guard var family = families[series.name] else { return }
        family.series.remove(series.labels.flatMap { [$0.0, $0.1] })
        families[series.name] = family.series.isEmpty ? nil : family
    }

    /// A Prometheus metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`, anything else becoming `_`.
    static func metricName(_ name: String) -> String {
        sanitize(name, allowColon: true)
    }

    /// A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`, anything else becoming `_`.
    static func labelName(_ name: String) -> String {
        sanitize(name, allowColon: false)
    }

    private static func sanitize(_ text: String, allowColon: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                bytes.append(byte)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if bytes.isEmpty { bytes.append(UInt8(ascii: "_")) }
                bytes.append(byte)
            case UInt8(ascii: ":") where allowColon:
                bytes.append(byte)
            default:
                // A multi-byte character becomes one `_` per byte: still a valid name, and
                // no two distinct inputs of equal length collapse more than they must.
                bytes.append(UInt8(ascii: "_"))
            }
        }
        if bytes.isEmpty { bytes.append(UInt8(ascii: "_")) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
