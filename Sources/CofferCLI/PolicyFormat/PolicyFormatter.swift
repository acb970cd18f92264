import CofferHCL

/// `coffer policy fmt`'s engine: checks a policy and returns it in the canonical layout
/// (``PolicyPrinter`` for HCL, ``PolicyJSONPrinter`` for JSON).
///
/// The result is guaranteed to mean the same as the input: it is parsed again and compared
/// with the original tree (and, for HCL, its comments are counted); if anything differs the
/// formatter throws instead of returning text that would change the policy.
enum PolicyFormatter {
    /// Why a policy was not formatted.
    enum Failure: Error, Sendable, CustomStringConvertible {
        /// A syntax error or an invalid key, with its line and column.
        case invalid(HCLError)
        /// Valid, but the formatter could not lay it out without changing it.
        case unformattable(String)

        var description: String {
            switch self {
            case .invalid(let error): return "failed to parse policy: \(error)"
            case .unformattable(let reason): return "Error formatting policy: \(reason)"
            }
        }
    }

    static func format(_ text: String) throws(Failure) -> String {
        let document: HCLObject
        do {
            document = try HCL.parseAuto(text)
            try PolicyLint.check(document)
        } catch {
            throw .invalid(error)
        }
        let formatted: String
        if isJSON(text) {
            formatted = PolicyJSONPrinter.print(document)
        } else {
            var scanner = PolicySourceScanner(text)
            let tokens = scanner.tokens()
            var parser = PolicySyntaxParser(tokens: tokens)
            do {
                formatted = PolicyPrinter.print(try parser.parseDocument())
            } catch {
                throw .unformattable("the formatter cannot lay out the construct on line \(error.line)")
            }
            var check = PolicySourceScanner(formatted)
            let before = tokens.filter { $0.kind == .comment }.map(\.text)
            let after = check.tokens().filter { $0.kind == .comment }.map(\.text)
            guard before == after else { throw changedMeaning }
        }
        let reparsed: HCLObject
        do {
            reparsed = try HCL.parseAuto(formatted)
        } catch {
            throw changedMeaning
        }
        guard reparsed.strippingPositions() == document.strippingPositions() else { throw changedMeaning }
        return formatted
    }

    private static var changedMeaning: Failure {
        .unformattable("formatting would change the policy; the file was left as it is")
    }

    /// The same decision as ``HCL/parseAuto(_:maxDepth:)``: JSON when the first character
    /// that is not white space is `{`.
    private static func isJSON(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            switch scalar {
            case " ", "\t", "\n", "\r", "\u{FEFF}": continue
            default: return scalar == "{"
            }
        }
        return false
    }
}
