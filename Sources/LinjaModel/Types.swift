import LinjaBase
import LinjaSyntax

/// What a duration counts, which decides what it may be compared with:
/// days with days, months with months; a span measured from a date
/// (`since d`) compares with any of them, calendar-exact.
public enum DurationKind: String, Hashable, Sendable {
    case days, months, workingDays = "working days", mixed
}

/// The types of Linja values.
public indirect enum LType: Hashable, Sendable, CustomStringConvertible {
    case bool, int, decimal, text, date, percent, money
    case duration(DurationKind)
    /// A calendar span with its start kept (`since client.unemployed_since`).
    case span
    case enumeration(id: Int, name: String)
    case municipality
    /// A group, area or municipality used as a scope (`x in municipal_coaching`).
    case group
    case set(LType)
    case optional(LType)
    case period
    /// The type of an expression already reported as wrong; it matches anything so one mistake gives one error.
    case error

    public var description: String {
        switch self {
        case .bool: return "bool"
        case .int: return "integer"
        case .decimal: return "decimal"
        case .text: return "text"
        case .date: return "date"
        case .percent: return "percentage"
        case .money: return "money"
        case .duration(let k):
            switch k {
            case .days: return "duration in days"
            case .months: return "duration in months"
            case .workingDays: return "duration in working days"
            case .mixed: return "duration"
            }
        case .span: return "span from a date"
        case .enumeration(_, let n): return n
        case .municipality: return "municipality"
        case .group: return "group"
        case .set(let t): return "set of \(t)"
        case .optional(let t): return "\(t)?"
        case .period: return "period"
        case .error: return "<error>"
        }
    }

    public var isOptional: Bool { if case .optional = self { return true }; return false }
    /// The type with its indefinite article: "an integer", "a date".
    public var a: String {
        let d = description
        let vowel = d.first.map { "aeiouAEIOU".contains($0) } ?? false
        return (vowel ? "an " : "a ") + d
    }
    /// The type without `?`.
    public var base: LType { if case .optional(let t) = self { return t }; return self }
    public var optionalized: LType { isOptional || self == .error ? self : .optional(self) }
    public var isNumeric: Bool { self == .int || self == .decimal }
    public var isError: Bool { base == .error }
}

extension LType {
    /// Whether a value of type `have` may stand where this type is needed:
    /// the same type, a plain value where an optional one is, an integer
    /// where a decimal is (widened by `Value.widened(to:)`).
    public func accepts(_ have: LType) -> Bool {
        let want = self
        if have.isError || want.isError { return true }
        if have == want { return true }
        if case .optional(let w) = want { return w.accepts(have.base) }
        if have == .int && want == .decimal { return true }
        if case .set(let h) = have, case .set(let w) = want { return h.isError || w.accepts(h) }
        return false
    }
}


/// A duration as calendar parts: months (years are 12), days (weeks are 7),
/// and working days. Adding it to a date adds months first (clamped to the
/// month's end), then days, then working days.
public struct Duration: Hashable, Sendable, CustomStringConvertible {
    public var months: Int
    public var days: Int
    public var workingDays: Int

    public init(months: Int = 0, days: Int = 0, workingDays: Int = 0) {
        self.months = months
        self.days = days
        self.workingDays = workingDays
    }

    public var kind: DurationKind {
        let parts = (months != 0 ? 1 : 0) + (days != 0 ? 1 : 0) + (workingDays != 0 ? 1 : 0)
        if parts > 1 { return .mixed }
        if months != 0 { return .months }
        if workingDays != 0 { return .workingDays }
        return .days
    }

    public static func literal(_ n: Int, _ unit: DurationUnit) -> Duration {
        switch unit {
        case .days: return Duration(days: n)
        case .weeks: return Duration(days: n * 7)
        case .months: return Duration(months: n)
        case .years: return Duration(months: n * 12)
        case .workingDays: return Duration(workingDays: n)
        }
    }

    /// `date + self`, nil outside the supported calendar.
    public func added(to d: Day) -> Day? {
        var r = d
        if months != 0 { guard let x = r.adding(months: months) else { return nil }; r = x }
        if days != 0 { guard let x = r.adding(days: days) else { return nil }; r = x }
        if workingDays > 0 {
            guard let x = FinnishCalendar.addingWorkingDays(workingDays, to: r) else { return nil }
            r = x
        } else if workingDays < 0 {
            return nil
        }
        return r
    }

    public var negated: Duration { Duration(months: -months, days: -days, workingDays: -workingDays) }

    public var description: String {
        var parts: [String] = []
        if months != 0 {
            if months % 12 == 0 { parts.append(Duration.plural(months / 12, "year")) }
            else { parts.append(Duration.plural(months, "month")) }
        }
        if days != 0 { parts.append(Duration.plural(days, "day")) }
        if workingDays != 0 { parts.append(Duration.plural(workingDays, "working day")) }
        return parts.isEmpty ? "0 days" : parts.joined(separator: " ")
    }

    static func plural(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(abs(n) == 1 ? "" : "s")" }
}

/// A reporting period: a year, a quarter or a month.
public struct Period: Hashable, Sendable, CustomStringConvertible, Comparable {
    public enum Kind: Int, Hashable, Sendable { case year, quarter, month }
    public var kind: Kind
    public var year: Int
    /// Quarter 1...4 or month 1...12; 0 for a year.
    public var index: Int

    public init(kind: Kind, year: Int, index: Int) {
        self.kind = kind
        self.year = year
        self.index = index
    }

    /// Parses `2026`, `2026-Q1`, `2026-03`.
    public static func parse(_ s: String) -> Period? {
        let t = s.trimmingSpaces
        let parts = t.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, first.count == 4, let y = Int(first), y >= 1 else { return nil }
        if parts.count == 1 { return Period(kind: .year, year: y, index: 0) }
        guard parts.count == 2 else { return nil }
        let p = parts[1]
        if p.first == "Q" || p.first == "q", p.count == 2, let q = Int(p.dropFirst()), (1...4).contains(q) {
            return Period(kind: .quarter, year: y, index: q)
        }
        if p.count == 2, let m = Int(p), (1...12).contains(m) { return Period(kind: .month, year: y, index: m) }
        return nil
    }

    public var first: Day {
        switch kind {
        case .year: return Day(year: year, month: 1, day: 1) ?? Day(number: 0)
        case .quarter: return Day(year: year, month: (index - 1) * 3 + 1, day: 1) ?? Day(number: 0)
        case .month: return Day(year: year, month: index, day: 1) ?? Day(number: 0)
        }
    }

    public var last: Day {
        switch kind {
        case .year: return Day(year: year, month: 12, day: 31) ?? Day(number: 0)
        case .quarter:
            let m = index * 3
            return Day(year: year, month: m, day: Day.daysIn(month: m, year: year)) ?? Day(number: 0)
        case .month: return Day(year: year, month: index, day: Day.daysIn(month: index, year: year)) ?? Day(number: 0)
        }
    }

    /// Days the period covers (Q1/2026: 90).
    public var days: Int { Int(last.number - first.number) + 1 }
    /// Days in the period's year (365 or 366).
    public var daysInYear: Int { Day.isLeap(year) ? 366 : 365 }

    /// Whether this period lies within `other` (a quarter within its year).
    public func within(_ other: Period) -> Bool { first >= other.first && last <= other.last }

    public var description: String {
        switch kind {
        case .year: return String(year)
        case .quarter: return "\(year)-Q\(index)"
        case .month: return "\(year)-\(index < 10 ? "0" : "")\(index)"
        }
    }

    public static func < (a: Period, b: Period) -> Bool {
        if a.first != b.first { return a.first < b.first }
        return a.last < b.last
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}
