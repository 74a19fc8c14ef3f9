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

    /// A whole number with a no-break space between thousands in Finnish from
    /// five digits on (12 445), so that a wrapped cell never splits it.
    public func count(_ n: Int) -> String {
        guard self == .fi, abs(n) >= 10_000 else { return String(n) }
        var digits = Array(String(abs(n)))
        var out: [Character] = []
        while digits.count > 3 {
            out = ["\u{00A0}"] + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return (n < 0 ? "-" : "") + String(digits + out)
    }

    /// A target's status in words: "toteutuu", "ei toteudu"; "met", "missed".
    public func status(_ s: TargetStatus) -> String {
        switch (self, s) {
        case (.fi, .met): return "toteutuu"
        case (.fi, .near): return "lähellä"
        case (.fi, .missed): return "ei toteudu"
        case (.fi, .no_data): return "ei tietoa"
        case (.fi, .assessed): return "arvioitu"
        case (.en, .met): return "met"
        case (.en, .near): return "near"
        case (.en, .missed): return "missed"
        case (.en, .no_data): return "no data"
        case (.en, .assessed): return "assessed"
        }
    }

    /// A word after a count, in the number the count takes: "1 asiakas",
    /// "2 asiakasta" (the singular after 1, the partitive after any other).
    public func counted(_ n: Int, _ one: String, _ other: String) -> String {
        "\(count(n)) \(n == 1 ? one : other)"
    }

    /// A number as text ("180000 €", "1234,5") with its whole part grouped
    /// by thousands in Finnish from five digits on ("180 000 €", with a no-break
    /// space so that a wrapped cell never splits the number), as `count`.
    public func grouped(_ text: String) -> String {
        guard self == .fi else { return text }
        let chars = Array(text)
        var start = 0
        if start < chars.count, chars[start] == "-" { start += 1 }
        var end = start
        while end < chars.count, chars[end].isASCII, chars[end].isNumber { end += 1 }
        let digits = Array(chars[start..<end])
        guard digits.count >= 5 else { return text }
        var out: [Character] = []
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append("\u{00A0}") }
            out.append(d)
        }
        // A unit right after a grouped number stays with it too ("180 000 €").
        var fraction = end
        if fraction + 1 < chars.count, chars[fraction] == "," || chars[fraction] == ".", chars[fraction + 1].isNumber {
            fraction += 1
            while fraction < chars.count, chars[fraction].isASCII, chars[fraction].isNumber { fraction += 1 }
        }
        var rest = String(chars[fraction...])
        if rest.hasPrefix(" "), rest.count <= 4 { rest = "\u{00A0}" + rest.dropFirst() }
        return String(chars[..<start]) + String(out) + String(chars[end..<fraction]) + rest
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
