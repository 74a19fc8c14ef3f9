import LinjaBase
import LinjaSyntax

/// Values as people read them: dates ISO, spans in calendar months and days,
/// percentages with `%`, enumeration values and municipalities by name.
public struct ValueFormatter: Sendable {
    public let policy: Policy
    public var decimalComma = false
    /// Finnish unit words (vrk, vk, kk, v) for durations.
    public var finnish = false

    public init(policy: Policy, decimalComma: Bool = false, finnish: Bool? = nil) {
        self.policy = policy
        self.decimalComma = decimalComma
        self.finnish = finnish ?? decimalComma
    }

    func durationText(_ d: Duration) -> String {
        guard finnish else { return d.description }
        var parts: [String] = []
        if d.months != 0 { parts.append(d.months % 12 == 0 ? "\(d.months / 12) v" : "\(d.months) kk") }
        if d.days != 0 { parts.append("\(d.days) vrk") }
        if d.workingDays != 0 { parts.append("\(d.workingDays) arkipäivää") }
        return parts.isEmpty ? "0 vrk" : parts.joined(separator: " ")
    }

    public func text(_ v: Value) -> String {
        switch v {
        case .missing: return "missing"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .decimal(let f): return f.formatted(decimalComma: decimalComma)
        case .percent(let f): return f.formatted(decimalComma: decimalComma) + " %"
        case .money(let f): return f.formatted(decimalComma: decimalComma) + " €"
        case .text(let s): return s
        case .date(let d): return d.description
        case .duration(let d): return durationText(d)
        case .span(let s, let e):
            let (m, d) = calendarSpan(from: s, to: e)
            var parts: [String] = []
            if m != 0 { parts.append("\(m) month\(abs(m) == 1 ? "" : "s")") }
            if d != 0 || m == 0 { parts.append("\(d) day\(abs(d) == 1 ? "" : "s")") }
            return parts.joined(separator: " ") + " (from \(s) to \(e))"
        case .enumeration(let t, let i):
            guard t < policy.enums.count, i < policy.enums[t].values.count else { return "?" }
            return policy.enums[t].values[i]
        case .municipality(let m):
            return m >= 0 && m < policy.municipalities.count ? policy.municipalities[m].name : "?"
        case .group(let g):
            if g < 0 { return text(.municipality(-g - 1)) }
            if g < policy.groups.count { return policy.groups[g].name }
            let a = g - policy.groups.count
            return a < policy.areas.count ? policy.areas[a].name : "?"
        case .set(let items): return "{" + items.map(text).joined(separator: ", ") + "}"
        case .period(let p): return p.description
        }
    }

    /// A value as JSON: numbers exact, dates as strings, spans with their parts.
    public func json(_ v: Value) -> JSON {
        switch v {
        case .missing: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(String(i))
        case .decimal(let f), .percent(let f), .money(let f): return .number(f.formatted())
        case .span(let s, let e):
            let (m, d) = calendarSpan(from: s, to: e)
            return .object([("from", .string(s.description)), ("to", .string(e.description)), ("months", .int(m)),
                            ("days", .int(d)), ("totalDays", .int(Int(e.number) - Int(s.number)))])
        default: return .string(text(v))
        }
    }
}
