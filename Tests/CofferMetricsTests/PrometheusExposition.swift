/// A strict reader of the Prometheus text format 0.0.4, as far as the tests need it: every
/// line must be a `# TYPE`/`# HELP` comment or a `name{label="value",...} number` sample,
/// and every sample must belong to the family the last `# TYPE` line opened.
struct PrometheusExposition {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// Family name → type, in the order the text declares them.
    private(set) var types: [(name: String, type: String)] = []
    private(set) var samples: [Sample] = []

    init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw ParseError(description: "no final line feed") }
        var family: (name: String, type: String)?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, Self.isMetricName(parts[2]),
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3])
                else { throw ParseError(description: "bad TYPE line: \(line)") }
                guard !types.contains(where: { $0.name == parts[2] }) else {
                    throw ParseError(description: "family declared twice: \(parts[2])")
                }
                family = (String(parts[2]), String(parts[3]))
                types.append(family!)
                continue
            }
            if line.hasPrefix("# HELP ") { continue }
            let sample = try Self.sample(line)
            guard let family else { throw ParseError(description: "sample before any TYPE: \(line)") }
            let allowed = family.type == "histogram"
                ? [family.name + "_bucket", family.name + "_sum", family.name + "_count"] : [family.name]
            guard allowed.contains(sample.name) else {
                throw ParseError(description: "sample \(sample.name) outside its family \(family.name)")
            }
            samples.append(sample)
        }
    }

    func type(of name: String) -> String? { types.first { $0.name == name }?.type }

    /// The value of the one sample with this name and exactly these labels.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matches = samples.filter { $0.name == name && $0.labels == labels }
        return matches.count == 1 ? matches[0].value : nil
    }

    private static func sample(_ line: Substring) throws -> Sample {
        var rest = line[...]
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard isMetricName(name) else { throw ParseError(description: "bad metric name: \(line)") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let labelName = rest.prefix { $0 != "=" }
                guard isLabelName(labelName), labels[String(labelName)] == nil else {
                    throw ParseError(description: "bad or repeated label name: \(line)")
                }
                rest = rest.dropFirst(labelName.count)
                guard rest.hasPrefix("=\"") else { throw ParseError(description: "bad label: \(line)") }
                rest = rest.dropFirst(2)
                var value = ""
                while let c = rest.first, c != "\"" {
                    if c == "\\" {
                        rest = rest.dropFirst()
                        switch rest.first {
                        case "n": value.append("\n")
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        default: throw ParseError(description: "bad escape: \(line)")
                        }
                    } else {
                        value.append(c)
                    }
                    rest = rest.dropFirst()
                }
                guard rest.first == "\"" else { throw ParseError(description: "unterminated label value: \(line)") }
                rest = rest.dropFirst()
                labels[String(labelName)] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" {
                    throw ParseError(description: "bad label separator: \(line)")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw ParseError(description: "no space before the value: \(line)") }
        let text = rest.dropFirst()
        let value: Double?
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = Double(String(text))
        }
        guard let value else { throw ParseError(description: "bad value: \(line)") }
        return Sample(name: String(name), labels: labels, value: value)
    }

    static func isMetricName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    static func isLabelName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
