/// The `== Title ==` banners `vault kv` prints above its tables:
///
/// ```
/// == Secret Path ==
/// secret/data/foo
///
/// ======= Metadata =======
/// Key                Value
/// ```
///
/// Widths count UTF-8 bytes, as Go's `len` does.
enum SectionHeader {
    /// `title` padded with `=` on both sides to about `width` columns: at least two signs a
    /// side, and the same number on each.
    static func padded(_ title: String, width: Int) -> String {
        var signs = width - (title.utf8.count + 2)
        if signs <= 0 { signs = 4 }
        if signs % 2 != 0 { signs += 1 }
        let side = String(repeating: "=", count: signs / 2)
        return "\(side) \(title) \(side)"
    }

    /// The banner over a Key/Value table with these keys: as wide as the table's widest row
    /// would be with a five-character value.
    static func forTable(_ title: String, keys: some Sequence<String>) -> String {
        let widest = keys.map(\.utf8.count).max() ?? 0
        return padded(title, width: widest + TableFormatter.glue.count + 5)
    }

    /// A banner as wide as `path`, the path, and an empty line (`vault`'s `outputPath`).
    static func path(_ path: String, title: String) -> String {
        padded(title, width: path.utf8.count) + "\n" + path + "\n"
    }
}
