import Testing
@testable import Linja
@testable import LinjaBase

/// Builds a known-valid date for test tables; records an issue instead of trapping.
private func d(_ text: String) -> Day {
    guard let day = Day.parse(Substring(text)) else {
        Issue.record("bad test date \(text)")
        return Day(number: 0)
    }
    return day
}

@Suite struct DayTests {
    // MARK: Construction and components

    @Test(arguments: [
        (1970, 1, 1, Int32(0)),
        (1969, 12, 31, Int32(-1)),
        (2000, 2, 29, Int32(11_016)),
        (2026, 5, 1, Int32(20_574)),
        (1, 1, 1, Int32(-719_162)),
        (9999, 12, 31, Int32(2_932_896)),
    ])
    func componentsMapToDayNumbers(year: Int, month: Int, day: Int, number: Int32) throws {
        let date = try #require(Day(year: year, month: month, day: day))
        #expect(date.number == number)
        #expect(date.year == year)
        #expect(date.month == month)
        #expect(date.day == day)
    }

    @Test func supportedRangeConstantsMatchTheCalendar() {
        #expect(Day.daysFromCivil(year: 1, month: 1, day: 1) == Day.firstSupported)
        #expect(Day.daysFromCivil(year: 9999, month: 12, day: 31) == Day.lastSupported)
    }

    @Test(arguments: [
        (2026, 2, 30), (2026, 13, 1), (2026, 0, 1), (2026, 1, 0), (2026, 1, 32),
        (2025, 2, 29), (2100, 2, 29), (2026, 4, 31), (0, 1, 1), (10_000, 1, 1),
        (-5, 1, 1), (Int.max, 1, 1), (2026, Int.min, 1), (2026, 1, Int.max),
    ])
    func invalidDatesAreRejected(year: Int, month: Int, day: Int) {
        #expect(Day(year: year, month: month, day: day) == nil)
    }

    @Test func everyDayRoundTripsThroughComponents() {
        // Every 5th day over the whole supported range, plus the last day.
        var failures = 0
        for n in Array(stride(from: Day.firstSupported, through: Day.lastSupported, by: 5)) + [Day.lastSupported] {
            let c = Day.civilFromDays(n)
            if Day.daysFromCivil(year: c.year, month: c.month, day: c.day) != n
                || !(1...9999).contains(c.year)
                || c.day < 1 || c.day > Day.daysIn(month: c.month, year: c.year) {
                failures += 1
            }
        }
        #expect(failures == 0)
    }

    @Test func consecutiveDaysAdvanceTheCalendarByOne() {
        // Each day number's successor is the next calendar day, across 1999...2101.
        var previous = Day.civilFromDays(Day.daysFromCivil(year: 1999, month: 1, day: 1))
        for n in (Day.daysFromCivil(year: 1999, month: 1, day: 2))...(Day.daysFromCivil(year: 2101, month: 12, day: 31)) {
            let c = Day.civilFromDays(n)
            let expected: (Int, Int, Int)
            if previous.day < Day.daysIn(month: previous.month, year: previous.year) {
                expected = (previous.year, previous.month, previous.day + 1)
            } else if previous.month < 12 {
                expected = (previous.year, previous.month + 1, 1)
            } else {
                expected = (previous.year + 1, 1, 1)
            }
            if c != expected {
                Issue.record("day \(n) is \(c), expected \(expected)")
                return
            }
            previous = c
        }
    }

    @Test(arguments: [
        (2024, true), (2025, false), (2000, true), (2100, false), (1900, false), (2400, true), (4, true),
    ])
    func leapYearsFollowTheGregorianRule(year: Int, leap: Bool) {
        #expect(Day.isLeap(year) == leap)
        #expect(Day.daysIn(month: 2, year: year) == (leap ? 29 : 28))
    }

    @Test(arguments: [(1, 31), (3, 31), (4, 30), (6, 30), (7, 31), (8, 31), (9, 30), (11, 30), (12, 31), (0, 0), (13, 0)])
    func monthLengthsAreCorrect(month: Int, days: Int) {
        #expect(Day.daysIn(month: month, year: 2026) == days)
    }

    @Test(arguments: [
        ("1970-01-01", 4), ("2026-05-01", 5), ("2000-01-01", 6), ("2026-05-03", 7),
        ("2026-05-04", 1), ("0001-01-01", 1), ("1969-12-29", 1), ("9999-12-31", 5),
    ])
    func weekdayIsISO(text: String, weekday: Int) {
        #expect(d(text).weekday == weekday)
    }

    @Test func weekdayIsDefinedForEveryRawNumber() {
        #expect((1...7).contains(Day(number: .min).weekday))
        #expect((1...7).contains(Day(number: .max).weekday))
    }

    // MARK: Arithmetic

    @Test(arguments: [
        ("2026-02-28", 1, "2026-03-01"), ("2024-02-28", 1, "2024-02-29"), ("2026-01-01", -1, "2025-12-31"),
        ("2026-05-01", 365, "2027-05-01"), ("2026-05-01", 0, "2026-05-01"),
    ])
    func addingDaysMovesByCalendarDays(start: String, days: Int, expected: String) {
        #expect(d(start).adding(days: days) == d(expected))
    }

    @Test func addingDaysOutsideSupportedYearsIsNil() {
        #expect(d("9999-12-31").adding(days: 1) == nil)
        #expect(d("0001-01-01").adding(days: -1) == nil)
        #expect(d("2026-05-01").adding(days: .max) == nil)
        #expect(d("2026-05-01").adding(days: .min) == nil)
        #expect(Day(number: .max).adding(days: 1) == nil)
    }

    @Test(arguments: [
        ("2026-01-31", 1, "2026-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2024-03-31", -1, "2024-02-29"),
        ("2026-08-31", 1, "2026-09-30"),
        ("2026-12-31", 2, "2027-02-28"),
        ("2026-05-31", -13, "2025-04-30"),
        ("2026-01-15", -1, "2025-12-15"),
        ("2026-01-31", 0, "2026-01-31"),
        ("2026-01-31", 25, "2028-02-29"),
        ("2026-02-28", 1, "2026-03-28"),
        ("2000-02-29", 1200, "2100-02-28"),
    ])
    func monthArithmeticClampsToMonthEnd(start: String, months: Int, expected: String) {
        #expect(d(start).adding(months: months) == d(expected))
    }

    @Test func monthArithmeticOutsideSupportedYearsIsNil() {
        #expect(d("9999-12-01").adding(months: 1) == nil)
        #expect(d("0001-01-31").adding(months: -1) == nil)
        #expect(d("2026-05-01").adding(months: .max) == nil)
        #expect(d("2026-05-01").adding(months: .min) == nil)
        #expect(Day(number: .max).adding(months: 0) == nil)
    }

    @Test(arguments: [
        ("2024-02-29", 1, "2025-02-28"),
        ("2024-02-29", 4, "2028-02-29"),
        ("2024-02-29", -4, "2020-02-29"),
        ("2024-02-29", -1, "2023-02-28"),
        ("2026-05-01", 10, "2036-05-01"),
        ("2000-02-29", 100, "2100-02-28"),
    ])
    func yearArithmeticClampsLeapDay(start: String, years: Int, expected: String) {
        #expect(d(start).adding(years: years) == d(expected))
    }

    @Test func yearArithmeticOverflowIsNil() {
        #expect(d("2026-05-01").adding(years: .max) == nil)
        #expect(d("2026-05-01").adding(years: .min) == nil)
        #expect(d("2026-05-01").adding(years: 8000) == nil)
    }

    // MARK: Text

    @Test(arguments: ["2026-05-01", "0001-01-01", "9999-12-31", "2024-02-29", "1970-01-01"])
    func descriptionIsISOAndParsesBack(text: String) {
        #expect(d(text).description == text)
    }

    @Test func descriptionHandlesRawNumbersOutsideSupportedYears() {
        #expect(Day(number: .min).description.hasPrefix("-"))
        #expect(Day(number: .max).description.count >= 10)
        #expect(Day(number: Int32(Day.firstSupported - 1)).description == "0000-12-31")
    }

    @Test(arguments: [
        ("2026-05-01", 2026, 5, 1),
        ("1.5.2026", 2026, 5, 1),
        ("01.05.2026", 2026, 5, 1),
        ("1.05.2026", 2026, 5, 1),
        ("01.5.2026", 2026, 5, 1),
        ("31.12.2026", 2026, 12, 31),
        ("1.12.2026", 2026, 12, 1),
        ("12.1.2026", 2026, 1, 12),
        ("29.2.2024", 2024, 2, 29),
        ("0001-01-01", 1, 1, 1),
        ("31.12.9999", 9999, 12, 31),
    ])
    func parseAcceptsISOAndFinnishForms(text: String, year: Int, month: Int, day: Int) {
        let expected = Day(year: year, month: month, day: day)
        #expect(expected != nil)
        #expect(Day.parse(Substring(text)) == expected)
        var copy = text
        let fromBytes = copy.withUTF8 { Day.parse(bytes: UnsafeRawBufferPointer($0)) }
        #expect(fromBytes == expected)
    }

    @Test(arguments: [
        "", "2026", "2026-5-01", "2026-05-1", "26-05-01", "2026/05/01", "2026-02-30", "2026-13-01",
        "2026-00-10", "0000-01-01", "29.2.2025", "1.5.26", "001.5.2026", "1.005.2026", " 2026-05-01",
        "2026-05-01 ", "1.5.2026.", "a.b.cdef", "1..2026", "+1.5.2026", "1.5.-202", "1.5.20260",
        "32.1.2026", "0.1.2026", "1.0.2026", "1.13.2026", "2026-05-01T00", "1-5-2026", "2026.05.01",
        "1,5,2026", "٠١.٠٥.٢٠٢٦", "1.5.2026\n",
    ])
    func parseRejectsAnythingElse(text: String) {
        #expect(Day.parse(Substring(text)) == nil)
        var copy = text
        let fromBytes = copy.withUTF8 { Day.parse(bytes: UnsafeRawBufferPointer($0)) }
        #expect(fromBytes == nil)
    }

    @Test func parseReadsOnlyTheSubstring() {
        let line = "x;2026-05-01;1.6.2026;"
        let fields = line.split(separator: ";")
        #expect(Day.parse(fields[1]) == d("2026-05-01"))
        #expect(Day.parse(fields[2]) == Day(year: 2026, month: 6, day: 1))
        #expect(Day.parse(line.dropFirst(2).prefix(10)) == d("2026-05-01"))
    }

    @Test func parseNeverTrapsAndOnlyAcceptsValidDates() {
        // Deterministic pseudo-random strings over the characters dates are made of.
        let alphabet = Array("0123456789-.+ ".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int(state >> 60) % 12
            var bytes: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            let parsed = bytes.withUnsafeBytes { Day.parse(bytes: $0) }
            if let parsed {
                let c = parsed.civil
                #expect(Day(year: c.year, month: c.month, day: c.day) == parsed)
            }
        }
    }

    // MARK: Age

    @Test(arguments: [
        ("2000-05-10", "2026-05-09", 25),
        ("2000-05-10", "2026-05-10", 26),
        ("2000-05-10", "2026-05-11", 26),
        ("2024-02-29", "2025-02-27", 0),
        ("2024-02-29", "2025-02-28", 1),
        ("2024-02-29", "2025-03-01", 1),
        ("2024-02-29", "2028-02-28", 3),
        ("2024-02-29", "2028-02-29", 4),
        ("2000-12-31", "2001-01-01", 0),
        ("2000-12-31", "2001-12-31", 1),
        ("2026-05-01", "2026-05-01", 0),
        ("2026-05-01", "2020-01-01", 0),
        ("1960-01-01", "2026-12-31", 66),
    ])
    func ageTurnsOverOnTheBirthday(birth: String, on: String, expected: Int) {
        #expect(age(born: d(birth), on: d(on)) == expected)
    }

    @Test func ageIsTheLargestWholeYearShiftNotAfterTheDay() {
        let births = ["2024-02-29", "2023-03-01", "2000-01-31", "1999-12-31", "2001-06-15"].map { d($0) }
        for birth in births {
            var on = birth
            for _ in 0..<(366 * 6) {
                var expected = 0
                while let next = birth.adding(years: expected + 1), next <= on { expected += 1 }
                if age(born: birth, on: on) != expected {
                    Issue.record("age(\(birth), \(on)) = \(age(born: birth, on: on)), expected \(expected)")
                    return
                }
                guard let next = on.adding(days: 1) else { return }
                on = next
            }
        }
    }

    @Test func ageNeverTrapsOnExtremeNumbers() {
        #expect(age(born: Day(number: .min), on: Day(number: .max)) > 0)
        #expect(age(born: Day(number: .max), on: Day(number: .min)) == 0)
    }

    // MARK: Calendar span

    @Test(arguments: [
        ("2026-02-01", "2026-04-29", 2, 28),
        ("2026-01-31", "2026-02-28", 1, 0),
        ("2026-01-31", "2026-02-27", 0, 27),
        ("2026-01-31", "2026-03-01", 1, 1),
        ("2026-01-31", "2026-03-31", 2, 0),
        ("2026-03-31", "2026-04-30", 1, 0),
        ("2025-12-15", "2026-01-14", 0, 30),
        ("2025-12-15", "2026-01-15", 1, 0),
        ("2024-02-29", "2025-02-28", 12, 0),
        ("2026-05-01", "2026-05-01", 0, 0),
        ("2026-04-29", "2026-02-01", -2, -28),
        ("2026-02-28", "2026-01-31", -1, 0),
    ])
    func calendarSpanCountsWholeMonthsThenDays(start: String, end: String, months: Int, days: Int) {
        let span = calendarSpan(from: d(start), to: d(end))
        #expect(span.months == months)
        #expect(span.days == days)
    }

    @Test func calendarSpanReassemblesTheEndWithMaximalMonths() {
        let starts = ["2024-01-31", "2024-02-29", "2025-03-30", "2025-12-31", "2026-06-15"].map { d($0) }
        for start in starts {
            var end = start
            for _ in 0..<800 {
                let span = calendarSpan(from: start, to: end)
                let shifted = start.adding(months: span.months)
                let ok = span.days >= 0 && shifted?.adding(days: span.days) == end
                    && (start.adding(months: span.months + 1).map { $0 > end } ?? true)
                if !ok {
                    Issue.record("calendarSpan(\(start), \(end)) = \(span)")
                    return
                }
                let back = calendarSpan(from: end, to: start)
                #expect(back.months == -span.months && back.days == -span.days)
                guard let next = end.adding(days: 1) else { return }
                end = next
            }
        }
    }

    @Test func calendarSpanNeverTrapsOnExtremeNumbers() {
        let span = calendarSpan(from: Day(number: .min), to: Day(number: .max))
        #expect(span.months > 0 && span.days >= 0)
    }
}
