import CofferJSON
import CofferLogical

/// One enabled audit device: its table row, its parsed options, its salt and the open
/// file it appends to. Immutable; enabling or disabling builds a new ``AuditBroker``.
final class AuditDevice: Sendable {
    /// The row of `core/audit` (or `core/local-audit`): path (`file/`), type, description,
    /// uuid, accessor, local, options as given.
    let entry: MountEntry
    let options: AuditDeviceOptions
    let salt: AuditSalt
    let writer: AuditFileWriter
    let formatter: AuditFormatter

    /// Parses the entry's options (a 400 ``LogicalError`` when they are wrong) and opens
    /// its file (an ``AuditError`` with code `openFailed` when that fails).
    init(entry: MountEntry, salt: AuditSalt) throws {
        let options = try AuditDeviceOptions(type: entry.type, options: entry.options)
        self.entry = entry
        self.options = options
        self.salt = salt
        self.writer = try AuditFileWriter.open(options.destination, mode: options.mode)
        self.formatter = AuditFormatter(salt: salt, logRaw: options.logRaw, hmacAccessor: options.hmacAccessor)
    }

    var path: String { entry.path }

    func logRequest(_ input: AuditInput) throws(AuditError) {
        try writer.write(AuditFormatter.line(formatter.requestEntry(input), prefix: options.prefix))
    }

    func logResponse(_ input: AuditInput) throws(AuditError) {
        try writer.write(AuditFormatter.line(formatter.responseEntry(input), prefix: options.prefix))
    }

    /// As `GET sys/audit` lists it.
    var listValue: JSONValue {
        .object([
            "type": .string(entry.type),
            "description": .string(entry.description),
            "options": .object(entry.options.mapValues { .string($0) }),
            "local": .bool(entry.local),
            "path": .string(entry.path),
        ])
    }
}
