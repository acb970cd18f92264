import CofferLogical
import Logging

/// The enabled audit devices as one immutable snapshot, held by ``ActiveState`` so the
/// request path reads it with the rest of the snapshot: with no devices, auditing costs
/// one `isEmpty` check.
///
/// **Fail closed** (Vault's rule): when at least one device is enabled, an entry that no
/// device could write fails the request with a generic 500 — before the backend runs
/// for a request entry. A device that fails while another succeeds is logged and
/// skipped. Devices are written one after the other by the request's own task; no lock
/// is shared between devices or between requests (see ``AuditFileWriter``).
struct AuditBroker: Sendable {
    let devices: [AuditDevice]

    init(devices: [AuditDevice] = []) {
        self.devices = devices
    }

    var isEmpty: Bool { devices.isEmpty }

    func device(path: String) -> AuditDevice? {
        devices.first { $0.path == path }
    }

    /// Writes the request entry to every device. Throws a 500 ``LogicalError`` when none
    /// could.
    func logRequest(_ input: AuditInput, logger: Logger) throws {
        try fanOut(kind: "request", logger: logger) { device throws(AuditError) in try device.logRequest(input) }
    }

    /// Writes the response (or error) entry to every device. Throws a 500
    /// ``LogicalError`` when none could.
    func logResponse(_ input: AuditInput, logger: Logger) throws {
        try fanOut(kind: "response", logger: logger) { device throws(AuditError) in try device.logResponse(input) }
    }

    private func fanOut(
        kind: String, logger: Logger, _ write: (AuditDevice) throws(AuditError) -> Void
    ) throws {
        var logged = 0
        for device in devices {
            do {
                try write(device)
                logged += 1
            } catch {
                logger.error(
                    "audit: device failed to log the \(kind)",
                    metadata: ["device": "\(device.path)", "error": "\(error)"])
            }
        }
        guard logged == 0, !devices.isEmpty else { return }
        throw LogicalError(
            .internalError, ["internal error"],
            cause: AuditError(.noDeviceLogged, "no enabled audit device could log the \(kind)"))
    }
}
