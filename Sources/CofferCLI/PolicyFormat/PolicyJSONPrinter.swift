import CofferHCL
import CofferJSON

/// Prints a policy written as JSON in the canonical layout: Go's `json.MarshalIndent` with
/// two spaces, but members in their original order (and repeated keys kept), which a
/// `JSONValue` round trip would lose.
enum PolicyJSONPrinter {
    static func print(_ document: HCLObject) -> String {
        object(document, depth: 0) + "\n"
    }

    private static func object(_ object: HCLObject, depth: Int) -> String {
        guard !object.entries.isEmpty else { return "{}" }
        let indent = String(repeating: "  ", count: depth + 1)
        let members = object.entries.map { entry in
            indent + JSONWriter.string(.string(entry.key)) + ": " + value(entry.value, depth: depth + 1)
        }
        return "{\n" + members.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: depth) + "}"
    }

    private static func value(_ value: HCLValue, depth: Int) -> String {
        switch value {
        case .object(let nested):
            return object(nested, depth: depth)
        case .list(let items):
            guard !items.isEmpty else { return "[]" }
            let indent = String(repeating: "  ", count: depth + 1)
            let lines = items.map { indent + self.value($0, depth: depth + 1) }
            return "[\n" + lines.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: depth) + "]"
        case .string(let text): return JSONWriter.string(.string(text))
        case .int(let number): return JSONWriter.string(.int(number))
        case .double(let number): return JSONWriter.string(.double(number))
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        }
    }
}
