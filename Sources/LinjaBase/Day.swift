/// A calendar date (proleptic Gregorian), stored as days since 1970-01-01.
///
/// A plain day number keeps dates cheap to store, compare, hash and subtract,
/// which matters when a policy is evaluated for every client of an office.
/// Dates built from components or by arithmetic are kept to years 1...9999;
/// `init(number:)` accepts any value, and every operation stays total on it.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public var number: Int32

    /// Day number of 0001-01-01, the first supported date.
    static let firstSupported = -719_162
    /// Day number of 9999-12-31, the last supported date.
    static let lastSupported = 2_932_896

    /// Wraps a raw day number; no range check, so it never fails.
    public init(number: Int32) {
        self.number = number
    }

    /// The date `year-month-day`, or nil when no such date exists
    /// (2026-02-30, month 13) or the year is outside 1...9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= Day.daysIn(month: month, year: year)
        else { return nil }
        self.number = Int32(truncatingIfNeeded: Day.daysFromCivil(year: year, month: month, day: day))
    }

    /// Builds a day from a day number already known to lie in the supported range.
    init?(checkedNumber n: Int) {
        guard n >= Day.firstSupported, n <= Day.lastSupported else { return nil }
        self.number = Int32(truncatingIfNeeded: n)
    }

    /// Year, month and day in one conversion, for callers that need several parts.
    var civil: (year: Int, month: Int, day: Int) {
        Day.civilFromDays(Int(number))
    }

    /// The calendar year (1...9999 for dates built from components).
    public var year: Int { civil.year }
    /// The month, 1...12.
    public var month: Int { civil.month }
    /// The day of the month, 1...31.
    public var day: Int { civil.day }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var weekday: Int {
        Day.weekday(ofNumber: Int(number))
    }

    /// The date `days` later (earlier if negative), or nil outside years 1...9999.
    public func adding(days: Int) -> Day? {
        let (n, overflow) = Int(number).addingReportingOverflow(days)
        guard !overflow else { return nil }
        return Day(checkedNumber: n)
    }

    /// Calendar month arithmetic: the same day-of-month `months` later, clamped to
    /// the end of a shorter month (2026-01-31 + 1 month = 2026-02-28).
    /// Nil outside years 1...9999.
    public func adding(months: Int) -> Day? {
        let c = civil
        guard let (y, m) = Day.shift(year: c.year, month: c.month, byMonths: months),
              (1...9999).contains(y)
        else { return nil }
        return Day(year: y, month: m, day: Swift.min(c.day, Day.daysIn(month: m, year: y)))
    }

    /// `adding(months: 12 * years)`, so 2024-02-29 + 1 year = 2025-02-28.
    public func adding(years: Int) -> Day? {
        let (months, overflow) = years.multipliedReportingOverflow(by: 12)
        guard !overflow else { return nil }
        return adding(months: months)
    }

    /// ISO 8601 form, "2026-05-01".
    public var description: String {
        let c = civil
        var bytes: [UInt8] = []
        bytes.reserveCapacity(11)
        var year = c.year
        if year < 0 {
            bytes.append(UInt8(ascii: "-"))
            year = -year
        }
        Day.appendDigits(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Day.appendDigits(c.month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Day.appendDigits(c.day, width: 2, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Chronological order.
    public static func < (lhs: Day, rhs: Day) -> Bool {
        lhs.number < rhs.number
    }

    /// Parses "2026-05-01" (exactly 4-2-2 digits) or the Finnish "1.5.2026" /
    /// "01.05.2026" (day and month of one or two digits, four-digit year).
    /// Nil for anything else, including dates that do not exist.
    public static func parse(_ text: Substring) -> Day? {
        if let result = text.utf8.withContiguousStorageIfAvailable({ buffer in
            parse(bytes: UnsafeRawBufferPointer(buffer))
        }) {
            return result
        }
        var copy = String(text)
        return copy.withUTF8 { parse(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// `parse(_:)` on raw UTF-8 bytes, without allocating: the CSV reader's hot path.
    public static func parse(bytes: UnsafeRawBufferPointer) -> Day? {
        let count = bytes.count
        // ISO: yyyy-mm-dd.
        if count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") {
            guard let y = digits(bytes, 0, 4), let m = digits(bytes, 5, 2), let d = digits(bytes, 8, 2)
            else { return nil }
            return Day(year: y, month: m, day: d)
        }
        // Finnish: d.m.yyyy with one- or two-digit day and month.
        guard count >= 8, count <= 10 else { return nil }
        var firstDot = -1
        for i in 1...2 where bytes[i] == UInt8(ascii: ".") {
            firstDot = i
            break
        }
        guard firstDot > 0 else { return nil }
        let secondDot = count - 5
        guard bytes[secondDot] == UInt8(ascii: "."),
              secondDot - firstDot - 1 >= 1, secondDot - firstDot - 1 <= 2,
              let d = digits(bytes, 0, firstDot),
              let m = digits(bytes, firstDot + 1, secondDot - firstDot - 1),
              let y = digits(bytes, secondDot + 1, 4)
        else { return nil }
        return Day(year: y, month: m, day: d)
    }

    /// Gregorian leap year rule (2000 leap, 2100 not).
    public static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Length of `month` in `year`; 0 for a month outside 1...12.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeap(year) ? 29 : 28
        default: return 0
        }
    }

    // MARK: - Internals

    /// Howard Hinnant's days_from_civil. Callers keep `year` within a few million,
    /// which every `Int32` day number satisfies, so nothing here can overflow.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Howard Hinnant's civil_from_days, exact for every `Int32` day number.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d)
    }

    /// ISO weekday of a day number; 1970-01-01 was a Thursday.
    static func weekday(ofNumber n: Int) -> Int {
        let r = (n + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    /// Moves a (year, month) pair by `months`, or nil if the arithmetic overflows.
    static func shift(year: Int, month: Int, byMonths months: Int) -> (year: Int, month: Int)? {
        let (total, overflow) = (year * 12 + (month - 1)).addingReportingOverflow(months)
        guard !overflow else { return nil }
        var y = total / 12
        var m = total % 12
        if m < 0 {
            m += 12
            y -= 1
        }
        return (y, m + 1)
    }

    /// The value of `length` ASCII digits at `start`, or nil if any byte is not a digit.
    private static func digits(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> Int? {
        var value = 0
        for i in start..<(start + length) {
            let b = bytes[i] &- UInt8(ascii: "0")
            guard b <= 9 else { return nil }
            value = value * 10 + Int(b)
        }
        return value
    }

    /// Appends `value` (non-negative) zero-padded to at least `width` digits.
    private static func appendDigits(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        // Digits come out least significant first; reverse them in place afterwards.
        let start = bytes.count
        var v = value
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10))
            v /= 10
        } while v > 0
        while bytes.count - start < width {
            bytes.append(UInt8(ascii: "0"))
        }
        bytes[start...].reverse()
    }
}

/// Whole years of age on `on` for someone born `birth` (0 if `on` < `birth`).
///
/// Defined as the largest N with `birth.adding(years: N) <= on`, so a 29 February
/// birthday turns over on 28 February in non-leap years.
public func age(born birth: Day, on: Day) -> Int {
    guard on > birth else { return 0 }
    let b = birth.civil
    let o = on.civil
    var years = o.year - b.year
    // The birthday in `on`'s year, clamped the way `adding(years:)` clamps.
    let birthdayDay = min(b.day, Day.daysIn(month: b.month, year: o.year))
    if (o.month, o.day) < (b.month, birthdayDay) {
        years -= 1
    }
    return years
}

/// The calendar span from `start` to `end` as whole months, then remaining days.
///
/// Months are maximal such that `start` + months (clamped to month end) + days == `end`;
/// 2026-02-01 → 2026-04-29 is (2, 28). When `end` < `start` the result is the negated
/// span from `end` to `start`, both parts negative or zero.
public func calendarSpan(from start: Day, to end: Day) -> (months: Int, days: Int) {
    if end < start {
        let span = calendarSpan(from: end, to: start)
        return (-span.months, -span.days)
    }
    let s = start.civil
    let e = end.civil
    var months = (e.year - s.year) * 12 + (e.month - s.month)
    // start + months lands in end's month; step back one if it overshoots.
    var shiftedNumber = Day.daysFromCivil(
        year: e.year, month: e.month, day: min(s.day, Day.daysIn(month: e.month, year: e.year)))
    if shiftedNumber > Int(end.number) {
        months -= 1
        let (y, m) = e.month == 1 ? (e.year - 1, 12) : (e.year, e.month - 1)
        shiftedNumber = Day.daysFromCivil(year: y, month: m, day: min(s.day, Day.daysIn(month: m, year: y)))
    }
    return (months, Int(end.number) - shiftedNumber)
}
