/// Column output as `vault` prints it (its `columnize` settings): cells trimmed, empty cells
/// shown as `n/a`, every column but the last padded to its widest cell (counted in Unicode
/// scalars), columns glued with four spaces, no trailing white space, no final newline.
///
/// ```
/// Key                 Value
/// ---                 -----
/// refresh_interval    768h
/// foo                 bar
/// ```
enum TableFormatter {
    static let glue = "    "
    static let emptyCell = "n/a"

    /// A table with a header row and a dashed underline of each header's width.
    static func table(header: [String], rows: [[String]]) -> String {
        let trimmedHeader = header.map { $0.trimmingWhitespace() }
        let underline = trimmedHeader.map { String(repeating: "-", count: $0.utf8.count) }
        return columns([trimmedHeader, underline] + rows)
    }

    /// The common two-column `Key`/`Value` table.
    static func keyValueTable(_ rows: [(String, String)]) -> String {
        table(header: ["Key", "Value"], rows: rows.map { [$0.0, $0.1] })
    }

    /// Lines of cells aligned in columns. Lines may have different numbers of cells; a line's
    /// last cell is never padded.
    static func columns(_ lines: [[String]]) -> String {
        let cleaned = lines.map { line in
            line.map { cell -> String in
                let trimmed = cell.trimmingWhitespace()
                return trimmed.isEmpty ? emptyCell : trimmed
            }
        }
        var widths: [Int] = []
        for line in cleaned {
            for (column, cell) in line.enumerated() {
                let width = cell.unicodeScalars.count
                if column < widths.count {
                    widths[column] = max(widths[column], width)
                } else {
                    widths.append(width)
                }
            }
        }
        return cleaned.map { line in
            var text = ""
            for (column, cell) in line.enumerated() {
                if column == line.count - 1 {
                    text += cell
                } else {
                    text += cell + String(repeating: " ", count: widths[column] - cell.unicodeScalars.count) + glue
                }
            }
            return text
        }.joined(separator: "\n")
    }
}
