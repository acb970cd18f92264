import Logging

/// A logger that drops everything, so test output shows results rather than storage logs.
let testLogger = Logger(label: "coffer.test", factory: { _ in SwiftLogNoOpLogHandler() })
