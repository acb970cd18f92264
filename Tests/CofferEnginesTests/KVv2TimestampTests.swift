@testable import CofferEngines
import CofferLogical
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite("KV v2 timestamps")
struct TimestampTests {
    @Test("RFC 3339 with nanoseconds, trailing zeros dropped, as Go's RFC3339Nano", arguments: [
        (Int64(1_521_685_446_945_319_214), "2018-03-22T02:24:06.945319214Z"),
        (1_700_000_000_000_000_000, "2023-11-14T22:13:20Z"),
        (1_700_000_000_250_000_000, "2023-11-14T22:13:20.25Z"),
        (1_700_000_000_000_000_001, "2023-11-14T22:13:20.000000001Z"),
        (0, "1970-01-01T00:00:00Z"),
        (-1_000_000_000, "1969-12-31T23:59:59Z"),
        (-1, "1969-12-31T23:59:59.999999999Z"),
        (951_782_400_000_000_000, "2000-02-29T00:00:00Z"),
        (4_102_444_799_000_000_000, "2099-12-31T23:59:59Z"),
    ])
    func format(nanoseconds: Int64, expected: String) {
        #expect(Timestamp(nanoseconds: nanoseconds).rfc3339 == expected)
    }

    @Test("from Date, and saturating arithmetic")
    func conversions() {
        #expect(Timestamp(Date(timeIntervalSince1970: 1_700_000_000.25)).nanoseconds == 1_700_000_000_250_000_000)
        #expect(Timestamp(Date(timeIntervalSince1970: -0.5)).nanoseconds == -500_000_000)
        let base = Timestamp(nanoseconds: 5)
        #expect(base.adding(seconds: 2).nanoseconds == 2_000_000_005)
        #expect(base.adding(seconds: .max).nanoseconds == .max)
        #expect(Timestamp(nanoseconds: .max - 1).adding(seconds: 1).nanoseconds == .max)
    }
}
