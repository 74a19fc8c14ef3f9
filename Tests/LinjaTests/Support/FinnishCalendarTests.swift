import Testing
@testable import Linja
@testable import LinjaBase
@testable import LinjaData
@testable import LinjaSyntax

/// Builds a known-valid date for test tables; records an issue instead of trapping.
private func d(_ text: String) -> Day {
    guard let day = Day.parse(Substring(text)) else {
        Issue.record("bad test date \(text)")
        return Day(number: 0)
    }
    return day
}

/// Working days in (start, end] by walking day by day through the rules alone.
private func naiveWorkingDays(_ start: Day, _ end: Day) -> Int {
    var count = 0
    var n = Int(start.number) + 1
    while n <= Int(end.number) {
        if FinnishCalendar.isWorkingDayByRules(Day(number: Int32(n))) { count += 1 }
        n += 1
    }
    return count
}

/// The n-th working day after `day` by walking day by day through the rules alone.
private func naiveAddingWorkingDays(_ n: Int, to day: Day) -> Day? {
    var current = day
    if n == 0 {
        while !FinnishCalendar.isWorkingDayByRules(current) {
            guard let next = current.adding(days: 1) else { return nil }
            current = next
        }
        return current
    }
    var remaining = n
    while remaining > 0 {
        guard let next = current.adding(days: 1) else { return nil }
        current = next
        if FinnishCalendar.isWorkingDayByRules(current) { remaining -= 1 }
    }
    return current
}

@Suite struct FinnishCalendarTests {
    // MARK: Easter and holidays

    @Test(arguments: [
        (2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"), (2027, "2027-03-28"),
        (2038, "2038-04-25"), (2008, "2008-03-23"), (2000, "2000-04-23"), (2019, "2019-04-21"),
        (1818, "1818-03-22"), (1943, "1943-04-25"), (2285, "2285-03-22"), (1900, "1900-04-15"),
    ])
    func easterSundayIsComputed(year: Int, expected: String) {
        #expect(FinnishCalendar.easterSunday(year: year) == d(expected))
    }

    @Test(arguments: [0, -1, 10_000, Int.max, Int.min])
    func yearsOutsideTheCalendarHaveNoEasterOrHolidays(year: Int) {
        #expect(FinnishCalendar.easterSunday(year: year) == nil)
        #expect(FinnishCalendar.holidays(year: year).isEmpty)
    }

    static let expectedHolidays: [(Int, [(String, String)])] = [
        (2025, [
            ("2025-01-01", "uudenvuodenpäivä"), ("2025-01-06", "loppiainen"),
            ("2025-04-18", "pitkäperjantai"), ("2025-04-20", "pääsiäispäivä"),
            ("2025-04-21", "toinen pääsiäispäivä"), ("2025-05-01", "vappu"),
            ("2025-05-29", "helatorstai"), ("2025-06-08", "helluntaipäivä"),
            ("2025-06-20", "juhannusaatto"), ("2025-06-21", "juhannuspäivä"),
            ("2025-11-01", "pyhäinpäivä"), ("2025-12-06", "itsenäisyyspäivä"),
            ("2025-12-24", "jouluaatto"), ("2025-12-25", "joulupäivä"), ("2025-12-26", "tapaninpäivä"),
        ]),
        (2026, [
            ("2026-01-01", "uudenvuodenpäivä"), ("2026-01-06", "loppiainen"),
            ("2026-04-03", "pitkäperjantai"), ("2026-04-05", "pääsiäispäivä"),
            ("2026-04-06", "toinen pääsiäispäivä"), ("2026-05-01", "vappu"),
            ("2026-05-14", "helatorstai"), ("2026-05-24", "helluntaipäivä"),
            ("2026-06-19", "juhannusaatto"), ("2026-06-20", "juhannuspäivä"),
            ("2026-10-31", "pyhäinpäivä"), ("2026-12-06", "itsenäisyyspäivä"),
            ("2026-12-24", "jouluaatto"), ("2026-12-25", "joulupäivä"), ("2026-12-26", "tapaninpäivä"),
        ]),
        (2027, [
            ("2027-01-01", "uudenvuodenpäivä"), ("2027-01-06", "loppiainen"),
            ("2027-03-26", "pitkäperjantai"), ("2027-03-28", "pääsiäispäivä"),
            ("2027-03-29", "toinen pääsiäispäivä"), ("2027-05-01", "vappu"),
            ("2027-05-06", "helatorstai"), ("2027-05-16", "helluntaipäivä"),
            ("2027-06-25", "juhannusaatto"), ("2027-06-26", "juhannuspäivä"),
            ("2027-11-06", "pyhäinpäivä"), ("2027-12-06", "itsenäisyyspäivä"),
            ("2027-12-24", "jouluaatto"), ("2027-12-25", "joulupäivä"), ("2027-12-26", "tapaninpäivä"),
        ]),
    ]

    @Test(arguments: expectedHolidays)
    func holidaysMatchTheRealCalendar(year: Int, expected: [(String, String)]) {
        let actual = FinnishCalendar.holidays(year: year)
        #expect(actual.map(\.day.description) == expected.map(\.0))
        #expect(actual.map(\.name) == expected.map(\.1))
        for (text, name) in expected {
            #expect(FinnishCalendar.holidayName(d(text)) == name)
        }
    }

    @Test(arguments: ["2026-01-02", "2026-04-04", "2026-04-07", "2026-06-18", "2026-06-21",
                      "2026-11-01", "2026-12-23", "2026-12-27", "2026-02-14", "2026-08-01"])
    func ordinaryDaysHaveNoHolidayName(text: String) {
        #expect(FinnishCalendar.holidayName(d(text)) == nil)
    }

    @Test func holidayNameAgreesWithTheYearlyList() {
        for year in 1990...2040 {
            let list = FinnishCalendar.holidays(year: year)
            guard let start = Day(year: year, month: 1, day: 1), let end = Day(year: year, month: 12, day: 31)
            else { return }
            for n in start.number...end.number {
                let day = Day(number: n)
                let expected = list.first { $0.day == day }?.name
                if FinnishCalendar.holidayName(day) != expected {
                    Issue.record("\(day): \(String(describing: FinnishCalendar.holidayName(day))) vs \(String(describing: expected))")
                    return
                }
            }
        }
    }

    @Test func movableHolidaysKeepTheirWeekdaysAndWindows() {
        for year in 1583...2500 {
            let list = FinnishCalendar.holidays(year: year)
            #expect(list.count == 15)
            #expect(zip(list, list.dropFirst()).allSatisfy { $0.day <= $1.day })
            for (day, name) in list {
                let ok: Bool
                switch name {
                case "pitkäperjantai": ok = day.weekday == 5
                case "pääsiäispäivä", "helluntaipäivä": ok = day.weekday == 7
                case "toinen pääsiäispäivä": ok = day.weekday == 1
                case "helatorstai": ok = day.weekday == 4
                case "juhannusaatto": ok = day.weekday == 5 && day.month == 6 && (19...25).contains(day.day)
                case "juhannuspäivä": ok = day.weekday == 6 && day.month == 6 && (20...26).contains(day.day)
                case "pyhäinpäivä":
                    ok = day.weekday == 6 && (day.month == 10 ? day.day == 31 : day.month == 11 && day.day <= 6)
                default: ok = day.year == year
                }
                if !ok {
                    Issue.record("\(name) on \(day)")
                    return
                }
            }
        }
    }

    @Test func coincidingHolidaysAreListedBothAndCountedOnce() throws {
        // In 2008 Ascension Day fell on May Day.
        let mayDay = d("2008-05-01")
        let list = FinnishCalendar.holidays(year: 2008).filter { $0.day == mayDay }
        #expect(list.map(\.name) == ["vappu", "helatorstai"])
        #expect(FinnishCalendar.holidayName(mayDay) == "vappu")
        #expect(!FinnishCalendar.isWorkingDay(mayDay))
        let start = d("2008-04-30"), end = d("2008-05-02")
        #expect(FinnishCalendar.workingDays(from: start, to: end) == 1)
        // The rule-based counter, used outside the table, must also count it once.
        #expect(FinnishCalendar.countByRules(from: Int(start.number) + 1, through: Int(end.number)) == 1)
    }

    // MARK: Working days

    @Test(arguments: [
        ("2026-05-04", true), ("2026-05-02", false), ("2026-05-03", false), ("2026-05-01", false),
        ("2026-04-03", false), ("2026-04-06", false), ("2026-05-14", false), ("2026-06-19", false),
        ("2026-12-24", false), ("2026-12-25", false), ("2026-12-28", true), ("2026-01-06", false),
        ("2026-01-07", true), ("1800-12-25", false), ("1800-12-29", true), ("2500-01-06", false),
        ("2500-01-07", true),
    ])
    func workingDaysSkipWeekendsAndHolidays(text: String, working: Bool) {
        #expect(FinnishCalendar.isWorkingDay(d(text)) == working)
    }

    @Test func tableAgreesWithRulesForEveryDay() {
        let table = FinnishCalendar.table
        var mismatches = 0
        for n in table.first...table.last where table.isWorking(n) != FinnishCalendar.isWorkingDayByRules(Day(number: Int32(n))) {
            mismatches += 1
        }
        #expect(mismatches == 0)
        #expect(table.first == Int(d("1900-01-01").number))
        #expect(table.last == Int(d("2200-12-31").number))
    }

    @Test func workingDayIsWeekdayOnlyOutsideSupportedYears() {
        #expect(FinnishCalendar.isWorkingDay(Day(number: .max)) == (Day(number: .max).weekday <= 5))
        #expect(FinnishCalendar.isWorkingDay(Day(number: .min)) == (Day(number: .min).weekday <= 5))
    }

    @Test(arguments: [
        ("2026-04-01", "2026-04-10", 5),   // Easter: Good Friday and Easter Monday skipped
        ("2026-12-23", "2026-12-31", 4),   // Christmas Eve, Christmas Day, weekend
        ("2026-12-23", "2027-01-08", 8),   // ...and New Year's Day and Epiphany
        ("2026-05-04", "2026-05-04", 0),
        ("2026-05-04", "2026-05-05", 1),
        ("2026-05-08", "2026-05-11", 1),   // Friday to Monday
        ("2026-05-11", "2026-05-08", 0),   // end before start
        ("2025-12-31", "2026-12-31", 252),
        ("2026-12-31", "2027-12-31", 253),
    ])
    func workingDaysCountsTheHalfOpenRange(start: String, end: String, expected: Int) {
        #expect(FinnishCalendar.workingDays(from: d(start), to: d(end)) == expected)
    }

    @Test(arguments: [
        ("1899-11-20", "1900-02-10"), ("2200-11-20", "2201-02-10"), ("1899-12-31", "1900-01-01"),
        ("2200-12-31", "2201-01-01"), ("1898-06-01", "1899-06-01"), ("2201-03-01", "2202-03-01"),
        ("1900-01-01", "1900-12-31"), ("2024-03-01", "2024-06-30"), ("1899-12-30", "1900-01-09"),
    ])
    func workingDaysMatchesADayByDayWalk(start: String, end: String) {
        let s = d(start), e = d(end)
        #expect(FinnishCalendar.workingDays(from: s, to: e) == naiveWorkingDays(s, e))
    }

    @Test func workingDaysSpansTheTableAndTheRulesConsistently() {
        let s = d("1850-01-01"), e = d("2250-01-01")
        let whole = FinnishCalendar.workingDays(from: s, to: e)
        let split = FinnishCalendar.workingDays(from: s, to: d("1950-01-01"))
            + FinnishCalendar.workingDays(from: d("1950-01-01"), to: d("2210-01-01"))
            + FinnishCalendar.workingDays(from: d("2210-01-01"), to: e)
        #expect(whole == split)
        #expect(whole == naiveWorkingDays(s, e))
        // Extreme raw numbers finish quickly and stay plausible.
        let all = FinnishCalendar.workingDays(from: Day(number: .min), to: Day(number: .max))
        #expect(all > 0 && all < Int(UInt32.max))
    }

    // MARK: Deadlines

    @Test(arguments: [
        ("2026-05-02", "2026-05-04"),   // Saturday → Monday
        ("2026-05-03", "2026-05-04"),   // Sunday → Monday
        ("2026-05-01", "2026-05-04"),   // May Day (Friday) → Monday
        ("2026-04-03", "2026-04-07"),   // Good Friday → Tuesday after Easter Monday
        ("2026-12-24", "2026-12-28"),   // Christmas Eve → Monday
        ("2026-06-19", "2026-06-22"),   // Midsummer Eve → Monday
        ("2026-05-05", "2026-05-05"),   // a working day stays
        ("2027-01-01", "2027-01-04"),
    ])
    func deadlineRollsToTheNextWorkingDay(day: String, expected: String) {
        #expect(FinnishCalendar.deadline(d(day)) == d(expected))
    }

    @Test func deadlineBeyondTheLastSupportedDayIsNil() {
        // 9999-12-25 and 26 are holidays; 9999-12-31 is a Friday and so working.
        #expect(FinnishCalendar.deadline(d("9999-12-31")) == d("9999-12-31"))
        #expect(FinnishCalendar.addingWorkingDays(1, to: d("9999-12-31")) == nil)
        #expect(FinnishCalendar.deadline(Day(number: .max)) == (FinnishCalendar.isWorkingDay(Day(number: .max)) ? Day(number: .max) : nil))
    }

    @Test(arguments: [
        ("2026-04-01", 0, "2026-04-01"),
        ("2026-04-04", 0, "2026-04-07"),
        ("2026-04-01", 1, "2026-04-02"),
        ("2026-04-01", 2, "2026-04-07"),
        ("2026-12-23", 1, "2026-12-28"),
        ("2026-12-23", 5, "2027-01-04"),
        ("2026-05-02", 1, "2026-05-04"),
        ("2025-12-31", 252, "2026-12-31"),
    ])
    func addingWorkingDaysSkipsNonWorkingDays(start: String, n: Int, expected: String) {
        #expect(FinnishCalendar.addingWorkingDays(n, to: d(start)) == d(expected))
    }

    @Test(arguments: ["1899-12-01", "2026-03-25", "2026-12-20", "2200-11-15", "2205-04-01", "2008-04-28"])
    func addingWorkingDaysMatchesADayByDayWalk(start: String) {
        let s = d(start)
        for n in 0...400 {
            let fast = FinnishCalendar.addingWorkingDays(n, to: s)
            let slow = naiveAddingWorkingDays(n, to: s)
            if fast != slow {
                Issue.record("\(start) + \(n): \(String(describing: fast)) vs \(String(describing: slow))")
                return
            }
            if let fast, n > 0 {
                #expect(FinnishCalendar.workingDays(from: s, to: fast) == n)
            }
        }
    }

    @Test func addingWorkingDaysRejectsNegativeAndUnreachableCounts() {
        #expect(FinnishCalendar.addingWorkingDays(-1, to: d("2026-05-04")) == nil)
        #expect(FinnishCalendar.addingWorkingDays(.max, to: d("2026-05-04")) == nil)
        #expect(FinnishCalendar.addingWorkingDays(10, to: d("9999-12-20")) == nil)
        #expect(FinnishCalendar.addingWorkingDays(3_000_000, to: d("2026-05-04")) == nil)
        #expect(FinnishCalendar.addingWorkingDays(1, to: Day(number: .max)) == nil)
    }
}
