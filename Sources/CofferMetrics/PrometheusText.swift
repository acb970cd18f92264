/// Puts swift-prometheus' exposition text in a stable order.
///
/// The collector registry writes its families in hash order, which changes from process to
/// process. Prometheus does not care, but people diffing two scrapes and tests do: this
/// orders the families by name. Lines inside a family keep their order (a histogram's
/// buckets, `_sum` and `_count` belong together).
enum PrometheusText {
    static func ordered(_ text: String) -> String {
        var families: [(name: Substring, lines: [Substring])] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let name = familyName(opening: line), families.last?.name != name {
                families.append((name, [line]))
            } else if families.isEmpty {
                families.append(("", [line]))
            } else {
                families[families.count - 1].lines.append(line)
            }
        }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for family in families.sorted(by: { $0.name < $1.name }) {
            for line in family.lines {
                out += line
                out += "\n"
            }
        }
        return out
    }

    /// The family a `# HELP name ...` or `# TYPE name ...` line opens; nil for a sample line.
    private static func familyName(opening line: Substring) -> Substring? {
        guard line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") else { return nil }
        let rest = line.dropFirst("# TYPE ".count)
        return rest.prefix { $0 != " " }
    }
}
