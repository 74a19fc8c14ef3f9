import Testing
@testable import Linja

/// Dates and durations as the README defines them, each checked through both
/// evaluators.
struct DateSemanticsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var expr: String
        var asOf: String
        var fields: [String: String]
        var expected: Bool
        var testDescription: String { "\(expr) with \(fields) on \(asOf) is \(expected)" }
    }

    static let monthCases: [Case] = [
        // "over 3 months" is strictly after start + 3 months.
        Case(expr: "since client.d > 3 months otherwise false", asOf: "2026-05-01", fields: ["d": "2026-02-01"], expected: false),
        Case(expr: "since client.d > 3 months otherwise false", asOf: "2026-05-02", fields: ["d": "2026-02-01"], expected: true),
        Case(expr: "since client.d >= 3 months otherwise false", asOf: "2026-05-01", fields: ["d": "2026-02-01"], expected: true),
        // Month ends clamp: 31 January + 3 months is 30 April.
        Case(expr: "since client.d > 3 months otherwise false", asOf: "2026-04-30", fields: ["d": "2026-01-31"], expected: false),
        Case(expr: "since client.d > 3 months otherwise false", asOf: "2026-05-01", fields: ["d": "2026-01-31"], expected: true),
        Case(expr: "since client.d > 3 months otherwise false", asOf: "2026-02-28", fields: ["d": "2025-11-30"], expected: false),
        Case(expr: "since client.d > 3 months otherwise false", asOf: "2026-03-01", fields: ["d": "2025-11-30"], expected: true),
        // Leap year: 29 November 2023 + 3 months is 29 February 2024.
        Case(expr: "since client.d > 3 months otherwise false", asOf: "2024-02-29", fields: ["d": "2023-11-29"], expected: false),
        Case(expr: "since client.d > 3 months otherwise false", asOf: "2024-03-01", fields: ["d": "2023-11-29"], expected: true),
        Case(expr: "client.d + 1 month = 2026-02-28 otherwise false", asOf: "2026-05-01", fields: ["d": "2026-01-31"], expected: true),
        Case(expr: "client.d + 1 month = 2024-02-29 otherwise false", asOf: "2026-05-01", fields: ["d": "2024-01-31"], expected: true),
        Case(expr: "client.d - 1 month = 2026-02-28 otherwise false", asOf: "2026-05-01", fields: ["d": "2026-03-31"], expected: true),
        // Years are 12 months: 29 February + 1 year is 28 February.
        Case(expr: "client.d + 1 year = 2025-02-28 otherwise false", asOf: "2026-05-01", fields: ["d": "2024-02-29"], expected: true),
        // Day counts: 400 days.
        Case(expr: "since client.d > 400 days otherwise false", asOf: "2026-02-05", fields: ["d": "2025-01-01"], expected: false),
        Case(expr: "since client.d > 400 days otherwise false", asOf: "2026-02-06", fields: ["d": "2025-01-01"], expected: true),
        Case(expr: "since client.d > 2 weeks otherwise false", asOf: "2026-01-15", fields: ["d": "2026-01-01"], expected: false),
        Case(expr: "since client.d > 2 weeks otherwise false", asOf: "2026-01-16", fields: ["d": "2026-01-01"], expected: true),
        // The as-of day itself.
        Case(expr: "since client.d >= 0 days otherwise false", asOf: "2026-01-01", fields: ["d": "2026-01-01"], expected: true),
        Case(expr: "since client.d > 0 days otherwise false", asOf: "2026-01-01", fields: ["d": "2026-01-01"], expected: false),
        // Missing: `otherwise` says what it means.
        Case(expr: "since client.d > 3 months otherwise false", asOf: "2026-05-01", fields: [:], expected: false),
        Case(expr: "since client.d > 3 months otherwise true", asOf: "2026-05-01", fields: [:], expected: true),
    ]

    @Test(arguments: monthCases)
    func calendarMonthArithmetic(_ c: Case) {
        let p = Probe(c.expr)
        #expect(p.errors.isEmpty, "\(p.errors.map(\.message))")
        #expect(p.holds(asOf: c.asOf, c.fields) == c.expected)
    }

    static let ageCases: [(born: String, on: String, age: Int)] = [
        ("1996-05-01", "2026-04-30", 29), ("1996-05-01", "2026-05-01", 30),
        ("1971-06-15", "2026-06-14", 54), ("1971-06-15", "2026-06-15", 55),
        // A 29 February birthday turns over on 28 February in other years.
        ("2000-02-29", "2026-02-27", 25), ("2000-02-29", "2026-02-28", 26),
        ("2000-02-29", "2028-02-28", 27), ("2000-02-29", "2028-02-29", 28),
        ("2026-03-01", "2026-02-01", 0),
    ]

    @Test(arguments: ageCases)
    func ageInWholeYears(_ c: (born: String, on: String, age: Int)) {
        let p = Probe("age(client.birth_date) = \(c.age)")
        #expect(p.holds(asOf: c.on, ["birth_date": c.born]) == true)
        #expect(p.value(asOf: c.on, ["birth_date": c.born]) == .bool(true))
    }

    static let workingDayCases: [(expr: String, expected: Bool)] = [
        // Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        ("working_days(2026-04-02, 2026-04-07) = 1", true),
        ("deadline(2026-04-03) = 2026-04-07", true),
        ("deadline(2026-04-04) = 2026-04-07", true),
        ("deadline(2026-04-08) = 2026-04-08", true),
        // Midsummer Eve 19 June 2026 (Friday), Midsummer Day 20 June.
        ("deadline(2026-06-19) = 2026-06-22", true),
        // Christmas: 24, 25, 26 December 2025 (Wed–Fri).
        ("2025-12-23 + 1 working days = 2025-12-29", true),
        ("2026-04-02 + 1 working days = 2026-04-07", true),
        ("2026-05-13 + 1 working days = 2026-05-15", true),   // Ascension Day 14 May 2026
        ("working_days(2026-01-01, 2026-01-31) = 20", true),  // 6 January is Epiphany
        ("working_days(2026-12-01, 2026-12-31) = 20", true),  // Christmas Eve and Day fall on weekdays; Independence Day on a Sunday
    ]

    @Test(arguments: workingDayCases)
    func finnishWorkingDays(_ c: (expr: String, expected: Bool)) {
        let p = Probe(c.expr)
        #expect(p.errors.isEmpty, "\(p.errors.map(\.message))")
        #expect(p.holds(asOf: "2026-05-01") == c.expected)
    }

    @Test func exactDecimalsNeverFloatingPoint() {
        #expect(Probe("0.1 + 0.2 = 0.3").holds(asOf: "2026-01-01") == true)
        #expect(Probe("69.9 % < 70 %").holds(asOf: "2026-01-01") == true)
        #expect(Probe("1 / 3 = 0.333333").holds(asOf: "2026-01-01") == true)
        #expect(Probe("2 / 3 = 0.666667").holds(asOf: "2026-01-01") == true)
        #expect(Probe("client.x * 3 = 0.3 otherwise false").holds(asOf: "2026-01-01", ["x": "0.1"]) == true)
    }

    @Test func paramsTakeTheValueInForceOnAsOf() {
        let p = Probe("client.n >= limit otherwise false", extra: """
        param limit = 10
          from 2027-01-01 = 20
        """)
        #expect(p.holds(asOf: "2026-12-31", ["n": "15"]) == true)
        #expect(p.holds(asOf: "2027-01-01", ["n": "15"]) == false)
        #expect(p.holds(asOf: "2027-01-01", ["n": "20"]) == true)
    }

    @Test func presenceNarrowsAnOptional() {
        let p = Probe("client.d is present and since client.d > 3 months")
        #expect(p.errors.isEmpty)
        #expect(p.holds(asOf: "2026-05-01", ["d": "2026-01-01"]) == true)
        #expect(p.holds(asOf: "2026-05-01", [:]) == false)
    }
}
