/// The lease ID argument of `lease lookup` and `lease renew`.
enum LeaseArguments {
    /// The one lease ID argument, trimmed; nil after printing `Missing ID!` or the
    /// `Too many arguments (expected <expected>, got N)` error.
    static func leaseID(_ run: CommandRun, expected: String) -> String? {
        switch run.arguments.count {
        case 0:
            run.error("Missing ID!")
            return nil
        case 1:
            return run.arguments[0].trimmingWhitespace()
        default:
            run.error("Too many arguments (expected \(expected), got \(run.arguments.count))")
            return nil
        }
    }
}
