/// Finnish public holidays and working days, for statutory time limits.
///
/// Time limits skip Saturdays, Sundays and the public holidays below. Holidays
/// are derived from rules (Easter by the anonymous Gregorian algorithm), never
/// listed per year, and follow today's rules for every year 1...9999; days
/// outside that range have no holidays. Working days of 1900...2200 are kept in
/// a bit table built once, so per-client checks and counts are constant time.
public enum FinnishCalendar {
    /// Easter Sunday of `year` (1...9999), by the anonymous Gregorian algorithm.
    public static func easterSunday(year: Int) -> Day? {
        guard (1...9999).contains(year) else { return nil }
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return Day(year: year, month: month, day: day)
    }

    /// The public holidays of `year` with their Finnish names, sorted by date.
    ///
    /// Easter Sunday and Whit Sunday are included although they are Sundays anyway.
    /// Two holidays can share a date (vappu and helatorstai in 2008); both are listed.
    /// Empty for years outside 1...9999.
    public static func holidays(year: Int) -> [(day: Day, name: String)] {
        guard let easter = easterSunday(year: year) else { return [] }
        var result: [(day: Day, name: String)] = []
        result.reserveCapacity(Holiday.allCases.count)
        for holiday in Holiday.allCases {
            if let day = holiday.date(year: year, easter: easter) {
                result.append((day, holiday.name))
            }
        }
        // Insertion sort: stable, so same-day holidays keep their listing order.
        for i in result.indices.dropFirst() {
            var j = i
            while j > 0, result[j - 1].day > result[j].day {
                result.swapAt(j - 1, j)
                j -= 1
            }
        }
        return result
    }

    /// The Finnish name of the holiday on `day`, or nil for an ordinary day.
    /// When two holidays coincide, the first in `holidays(year:)` order is named.
    public static func holidayName(_ day: Day) -> String? {
        holiday(on: day)?.name
    }

    /// True unless `day` is a Saturday, a Sunday or a public holiday.
    public static func isWorkingDay(_ day: Day) -> Bool {
        let n = Int(day.number)
        if table.contains(n) {
            return table.isWorking(n)
        }
        return isWorkingDayByRules(day)
    }

    /// A deadline that ends on a non-working day moves to the next working day.
    /// Nil if that would leave years 1...9999.
    public static func deadline(_ day: Day) -> Day? {
        var current = day
        while !isWorkingDay(current) {
            guard let next = current.adding(days: 1) else { return nil }
            current = next
        }
        return current
    }

    /// The `n`-th working day after `day` (n = 0 gives `deadline(day)`).
    /// Nil for negative `n` or when the result would leave years 1...9999.
    public static func addingWorkingDays(_ n: Int, to day: Day) -> Day? {
        guard n >= 0 else { return nil }
        guard n > 0 else { return deadline(day) }
        var remaining = n
        var current = Int(day.number)
        // Any 7 consecutive days hold at most 5 working days, so jumping 7 days per
        // 5 still needed (keeping at least one in hand) never reaches the answer;
        // each jump leaves roughly the holidays crossed, then single steps finish.
        while remaining > 5 {
            let (jump, overflow) = ((remaining - 1) / 5).multipliedReportingOverflow(by: 7)
            guard !overflow, jump <= Day.lastSupported - current else { return nil }
            let target = current + jump
            remaining -= countWorkingDays(from: current + 1, through: target)
            current = target
        }
        while remaining > 0 {
            guard current < Day.lastSupported else { return nil }
            current += 1
            if isWorkingDay(Day(number: Int32(truncatingIfNeeded: current))) {
                remaining -= 1
            }
        }
        return Day(checkedNumber: current)
    }

    /// Number of working days d with `start` < d <= `end` (0 if `end` <= `start`).
    public static func workingDays(from start: Day, to end: Day) -> Int {
        guard end > start else { return 0 }
        return countWorkingDays(from: Int(start.number) + 1, through: Int(end.number))
    }

    // MARK: - Holiday rules

    /// Each public holiday and how to find it; the case order is the listing order.
    enum Holiday: CaseIterable, Sendable {
        case newYearsDay, epiphany, goodFriday, easterSunday, easterMonday, mayDay
        case ascensionDay, whitSunday, midsummerEve, midsummerDay, allSaintsDay
        case independenceDay, christmasEve, christmasDay, boxingDay

        var name: String {
            switch self {
            case .newYearsDay: return "uudenvuodenpäivä"
            case .epiphany: return "loppiainen"
            case .goodFriday: return "pitkäperjantai"
            case .easterSunday: return "pääsiäispäivä"
            case .easterMonday: return "toinen pääsiäispäivä"
            case .mayDay: return "vappu"
            case .ascensionDay: return "helatorstai"
            case .whitSunday: return "helluntaipäivä"
            case .midsummerEve: return "juhannusaatto"
            case .midsummerDay: return "juhannuspäivä"
            case .allSaintsDay: return "pyhäinpäivä"
            case .independenceDay: return "itsenäisyyspäivä"
            case .christmasEve: return "jouluaatto"
            case .christmasDay: return "joulupäivä"
            case .boxingDay: return "tapaninpäivä"
            }
        }

        /// The date in `year`, given that year's Easter Sunday.
        func date(year: Int, easter: Day) -> Day? {
            switch self {
            case .newYearsDay: return Day(year: year, month: 1, day: 1)
            case .epiphany: return Day(year: year, month: 1, day: 6)
            case .goodFriday: return easter.adding(days: -2)
            case .easterSunday: return easter
            case .easterMonday: return easter.adding(days: 1)
            case .mayDay: return Day(year: year, month: 5, day: 1)
            case .ascensionDay: return easter.adding(days: 39)
            case .whitSunday: return easter.adding(days: 49)
            case .midsummerEve: return FinnishCalendar.first(weekday: 5, year: year, month: 6, day: 19)
            case .midsummerDay: return FinnishCalendar.first(weekday: 6, year: year, month: 6, day: 20)
            case .allSaintsDay: return FinnishCalendar.first(weekday: 6, year: year, month: 10, day: 31)
            case .independenceDay: return Day(year: year, month: 12, day: 6)
            case .christmasEve: return Day(year: year, month: 12, day: 24)
            case .christmasDay: return Day(year: year, month: 12, day: 25)
            case .boxingDay: return Day(year: year, month: 12, day: 26)
            }
        }
    }

    /// The first day with ISO `weekday` on or after the given date.
    static func first(weekday: Int, year: Int, month: Int, day: Int) -> Day? {
        guard let start = Day(year: year, month: month, day: day) else { return nil }
        return start.adding(days: (weekday - start.weekday + 7) % 7)
    }

    /// The holiday on `day` (first in listing order), computed from the rules
    /// without allocating.
    static func holiday(on day: Day) -> Holiday? {
        let c = day.civil
        guard (1...9999).contains(c.year) else { return nil }
        switch c.month {
        case 1:
            if c.day == 1 { return .newYearsDay }
            if c.day == 6 { return .epiphany }
            return nil
        case 3, 4, 5, 6:
            if c.month == 5, c.day == 1 { return .mayDay }
            if let easter = easterSunday(year: c.year) {
                switch Int(day.number) - Int(easter.number) {
                case -2: return .goodFriday
                case 0: return .easterSunday
                case 1: return .easterMonday
                case 39: return .ascensionDay
                case 49: return .whitSunday
                default: break  // Any other offset is an ordinary day.
                }
            }
            if c.month == 6 {
                let weekday = day.weekday
                if weekday == 5, (19...25).contains(c.day) { return .midsummerEve }
                if weekday == 6, (20...26).contains(c.day) { return .midsummerDay }
            }
            return nil
        case 10, 11:
            let inWindow = c.month == 10 ? c.day == 31 : c.day <= 6
            return inWindow && day.weekday == 6 ? .allSaintsDay : nil
        case 12:
            switch c.day {
            case 6: return .independenceDay
            case 24: return .christmasEve
            case 25: return .christmasDay
            case 26: return .boxingDay
            default: return nil  // Other December days are ordinary.
            }
        default:
            return nil  // No holidays in February, July, August or September.
        }
    }

    /// Working-day test straight from the rules; the table is built from this.
    static func isWorkingDayByRules(_ day: Day) -> Bool {
        day.weekday <= 5 && holiday(on: day) == nil
    }

    // MARK: - Counting

    /// Working days in the closed range of day numbers `a...b` (0 if empty).
    /// The 1900...2200 part comes from the table, the rest from the rules.
    static func countWorkingDays(from a: Int, through b: Int) -> Int {
        guard a <= b else { return 0 }
        var count = 0
        if a < table.first {
            count += countByRules(from: a, through: min(b, table.first - 1))
        }
        let lo = max(a, table.first)
        let hi = min(b, table.last)
        if lo <= hi {
            count += table.count(through: hi) - table.count(through: lo - 1)
        }
        if b > table.last {
            count += countByRules(from: max(a, table.last + 1), through: b)
        }
        return count
    }

    /// Weekdays in `a...b` minus the distinct holidays on weekdays in it.
    static func countByRules(from a: Int, through b: Int) -> Int {
        guard a <= b else { return 0 }
        let length = b - a + 1
        var count = length / 7 * 5
        var weekday = Day.weekday(ofNumber: a)
        for _ in 0..<(length % 7) {
            if weekday <= 5 { count += 1 }
            weekday = weekday == 7 ? 1 : weekday + 1
        }
        let firstYear = max(Day.civilFromDays(a).year, 1)
        let lastYear = min(Day.civilFromDays(b).year, 9999)
        guard firstYear <= lastYear else { return count }
        for year in firstYear...lastYear {
            guard let easter = easterSunday(year: year) else { continue }
            for holiday in Holiday.allCases {
                guard let day = holiday.date(year: year, easter: easter) else { continue }
                let n = Int(day.number)
                // Count a shared date once: only for the holiday that names it.
                if n >= a, n <= b, day.weekday <= 5, self.holiday(on: day) == holiday {
                    count -= 1
                }
            }
        }
        return count
    }

    // MARK: - Table

    /// Bit set of working days, one bit per day, with running counts per word.
    struct WorkingDayTable: Sendable {
        /// Day numbers of the first and last day covered.
        let first: Int
        let last: Int
        /// Bit i of word w is day `first + 64 * w + i`; set means working day.
        let words: [UInt64]
        /// `prefix[w]` is the number of working days in `words[0..<w]`.
        let prefix: [Int]

        init(firstYear: Int, lastYear: Int) {
            let first = Day.daysFromCivil(year: firstYear, month: 1, day: 1)
            let last = Day.daysFromCivil(year: lastYear, month: 12, day: 31)
            var words = [UInt64](repeating: 0, count: (last - first) / 64 + 1)
            var weekday = Day.weekday(ofNumber: first)
            for offset in 0...(last - first) {
                if weekday <= 5 {
                    words[offset >> 6] |= 1 << UInt64(offset & 63)
                }
                weekday = weekday == 7 ? 1 : weekday + 1
            }
            for year in firstYear...lastYear {
                for entry in FinnishCalendar.holidays(year: year) {
                    let offset = Int(entry.day.number) - first
                    words[offset >> 6] &= ~(1 << UInt64(offset & 63))
                }
            }
            var prefix = [Int](repeating: 0, count: words.count + 1)
            for (w, word) in words.enumerated() {
                prefix[w + 1] = prefix[w] + word.nonzeroBitCount
            }
            self.first = first
            self.last = last
            self.words = words
            self.prefix = prefix
        }

        func contains(_ n: Int) -> Bool {
            n >= first && n <= last
        }

        /// Requires `contains(n)`.
        func isWorking(_ n: Int) -> Bool {
            let offset = n - first
            return words[offset >> 6] & (1 << UInt64(offset & 63)) != 0
        }

        /// Working days in `first...n`; requires `first - 1 <= n <= last`.
        func count(through n: Int) -> Int {
            guard n >= first else { return 0 }
            let offset = n - first
            let bit = offset & 63
            let mask: UInt64 = bit == 63 ? ~0 : (1 << UInt64(bit + 1)) - 1
            return prefix[offset >> 6] + (words[offset >> 6] & mask).nonzeroBitCount
        }
    }

    /// Built once on first use; Swift initialises globals and static lets atomically.
    static let table = WorkingDayTable(firstYear: 1900, lastYear: 2200)
}
