#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A point in time as the auth methods record it: whole nanoseconds since the Unix
/// epoch, UTC, stored as an integer so a record round-trips exactly. Rendered as Go's
/// `time.RFC3339Nano` (what Vault answers): trailing zeros of the fraction dropped, no
/// fraction on a whole second. Zero renders as Go's zero time, `0001-01-01T00:00:00Z`,
/// which is how Vault shows "never" (a secret ID without expiry).
struct AuthTimestamp: Sendable, Hashable, Comparable {
    var nanoseconds: Int64

    static let never = AuthTimestamp(nanoseconds: 0)

    init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// `date` to the nearest nanosecond `Date` can express (whole seconds and the
    /// fraction apart, so the fraction keeps its digits), saturating at what an `Int64`
    /// of nanoseconds can hold.
    init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        var seconds = interval.rounded(.down)
        var fraction = ((interval - seconds) * 1e9).rounded()
        if fraction >= 1e9 {
            seconds += 1
            fraction -= 1e9
        }
        let limit = Double(Int64.max / 1_000_000_000) - 1
        let clamped = Swift.min(Swift.max(seconds, -limit), limit)
        nanoseconds = Int64(clamped) * 1_000_000_000 + Int64(fraction)
    }

    static func < (lhs: AuthTimestamp, rhs: AuthTimestamp) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// This instant moved `seconds` later, saturating instead of overflowing.
    func adding(seconds: Int64) -> AuthTimestamp {
        let (delta, overflowMultiply) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflowMultiply else { return AuthTimestamp(nanoseconds: seconds < 0 ? .min : .max) }
        let (sum, overflowAdd) = nanoseconds.addingReportingOverflow(delta)
        guard !overflowAdd else { return AuthTimestamp(nanoseconds: delta < 0 ? .min : .max) }
        return AuthTimestamp(nanoseconds: sum)
    }

    var rfc3339: String {
        if self == .never { return "0001-01-01T00:00:00Z" }
        let seconds = nanoseconds.floorDivided(by: 1_000_000_000)
        let fraction = nanoseconds - seconds * 1_000_000_000
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        var text = Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
        text += "T" + Self.pad(secondOfDay / 3600, 2) + ":" + Self.pad(secondOfDay / 60 % 60, 2)
        text += ":" + Self.pad(secondOfDay % 60, 2)
        if fraction > 0 {
            var digits = Self.pad(fraction, 9)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// Proleptic Gregorian date of a day count from 1970-01-01 (the civil-from-days
    /// algorithm of Howard Hinnant's date library).
    private static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
