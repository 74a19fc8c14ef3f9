import Foundation
import Linja

/// How outputs write dates, periods and numbers for a reader in the area's
/// language: Finnish dates as d.m.yyyy, periods as the seeds write them
/// ("1–3/2026", "12/2025"), decimal commas; English keeps ISO forms.
public enum ReportLanguage: String, Sendable, CaseIterable {
    case fi, en

    public var isFinnish: Bool { self == .fi }

    /// 31.3.2026, or 2026-03-31 in English.
    public func date(_ d: Day) -> String {
        self == .fi ? "\(d.day).\(d.month).\(d.year)" : d.description
    }

    /// The period as the follow-up tables write it: 2026, 1–3/2026, 12/2025.
    public func period(_ p: Period) -> String {
        guard self == .fi else { return p.description }
        switch p.kind {
        case .year: return "\(p.year)"
        case .quarter:
            let first = (p.index - 1) * 3 + 1
            return "\(first)–\(first + 2)/\(p.year)"
        case .month: return "\(p.index)/\(p.year)"
        }
    }

    /// A whole number with a space between thousands in Finnish (1 445), as is.
    public func count(_ n: Int) -> String {
        guard self == .fi, abs(n) >= 10_000 else { return String(n) }
        var digits = Array(String(abs(n)))
        var out: [Character] = []
        while digits.count > 3 {
            out = [" "] + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return (n < 0 ? "-" : "") + String(digits + out)
    }

    /// A percentage to one decimal with the language's decimal mark: 76,2 %.
    public func percent(_ value: Double) -> String {
        let s = String(format: "%.1f", value)
        return (self == .fi ? s.replacingOccurrences(of: ".", with: ",") : s) + " %"
    }
}

extension Policy {
    /// An outcome (with its destination, -1 for none) as a reader names it:
    /// the rule file's Finnish labels, or the code names in English.
    public func outcomeTitle(_ outcome: Int, destination: Int, language: ReportLanguage) -> String {
        let o = outcomes[outcome]
        switch language {
        case .fi:
            let name = o.label ?? o.name
            guard destination >= 0, destination < o.destinations.count else { return name }
            let place = (destination < o.destinationLabels.count ? o.destinationLabels[destination] : nil) ?? o.destinations[destination]
            return "\(name) → \(place)"
        case .en:
            let name = "\(o.kind.rawValue) \(o.name)"
            guard destination >= 0, destination < o.destinations.count else { return name }
            return "\(name) → \(o.destinations[destination])"
        }
    }
}
