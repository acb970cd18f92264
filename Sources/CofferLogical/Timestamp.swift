#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A point in time as engines and auth methods record it (KV v2 versions, approle
/// secret-ids): whole nanoseconds since the Unix epoch, UTC.
///
/// Stored as an integer so a record round-trips exactly; rendered the way Go's
/// `time.Format(time.RFC3339Nano)` renders it (what Vault answers): `2018-03-22T02:24:06.945319214Z`,
/// with trailing zeros of the fraction dropped and no fraction at all on a whole second.
/// An `Int64` of nanoseconds covers 1677 to 2262, which bounds what a record may hold.
public struct Timestamp: Sendable, Hashable, Comparable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// The instant `date`, to the nearest nanosecond `Date` can express (saturating at
    /// the representable range).
    public init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        var seconds = whole
        var fraction = ((interval - whole) * 1e9).rounded()
        if fraction >= 1e9 {
            seconds += 1
            fraction -= 1e9
        }
        let limit = Double(Int64.max / 1_000_000_000) - 1
        let clamped = min(max(seconds, -limit), limit)
        self.nanoseconds = Int64(clamped) * 1_000_000_000 + Int64(fraction)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// This instant moved `seconds` later, saturating instead of overflowing.
    public func adding(seconds: Int64) -> Timestamp {
        let (delta, overflowMultiply) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflowMultiply else { return Timestamp(nanoseconds: seconds < 0 ? .min : .max) }
        let (sum, overflowAdd) = nanoseconds.addingReportingOverflow(delta)
        guard !overflowAdd else { return Timestamp(nanoseconds: delta < 0 ? .min : .max) }
        return Timestamp(nanoseconds: sum)
    }

    /// RFC 3339 with up to nine fraction digits, trailing zeros dropped, `Z` for UTC.
    public var rfc3339: String {
        let (secondsSinceEpoch, fraction) = floorDivide(nanoseconds, 1_000_000_000)
        let (days, secondOfDay) = floorDivide(secondsSinceEpoch, 86_400)
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction > 0 {
            var digits = pad(fraction, 9)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// Proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`).
    public static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    private func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
