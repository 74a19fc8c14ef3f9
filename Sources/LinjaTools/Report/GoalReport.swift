import Foundation
import Linja

/// Renders a goal evaluation as a terminal table, JSON, CSV or HTML, in the
/// area's language (Finnish by default) or English.
public struct GoalReport {
    public typealias Language = ReportLanguage

    public let policy: Policy
    public let evaluation: GoalEvaluation
    public var language: Language
    let formatter: ValueFormatter

    public init(policy: Policy, evaluation: GoalEvaluation, language: Language = .fi) {
        self.policy = policy
        self.evaluation = evaluation
        self.language = language
        self.formatter = ValueFormatter(policy: policy, decimalComma: language == .fi)
    }

    struct Words {
        var goal, indicator, baseline, target, actual, status, verdict, level, noVerdict, period, policyWord, clients: String
    }
    var words: Words {
        switch language {
        case .fi: return Words(goal: "Tavoite", indicator: "Mittari", baseline: "Lähtöarvo", target: "Tavoitearvo", actual: "Toteuma",
                               status: "Tila", verdict: "Arvio", level: "Taso", noVerdict: "ei arviota (ei tietoa)",
                               period: "Kausi", policyWord: "Säännöstö", clients: "asiakasta")
        case .en: return Words(goal: "Goal", indicator: "Indicator", baseline: "Baseline", target: "Target", actual: "Actual",
                               status: "Status", verdict: "Verdict", level: "Level", noVerdict: "no verdict (no data)",
                               period: "Period", policyWord: "Policy", clients: "clients")
        }
    }

    public func statusText(_ s: TargetStatus) -> String { language.status(s) }

    /// A symbol as well as a word, so status never rests on colour alone.
    public static func symbol(_ s: TargetStatus) -> String {
        switch s {
        case .met: return "✓"
        case .near: return "≈"
        case .missed: return "✗"
        case .no_data: return "–"
        case .assessed: return "●"
        }
    }

    func statusLabel(_ r: TargetResult) -> String {
        var s = GoalReport.symbol(r.status) + " " + statusText(r.status)
        if r.status == .assessed, let a = r.assessment {
            let label = policy.verdicts?.assessments.first { $0.name == a }?.label ?? a
            s += ": \(label)"
            if let c = r.countsAs { s += " (\(statusText(c)))" }
        }
        return s
    }

    func value(_ v: Value?, _ t: TargetDef) -> String {
        guard let v else { return "–" }
        // A duration in the unit the target is written in (a target in weeks shows weeks).
        if case .duration(let d) = v, d.months == 0, d.workingDays == 0, d.days % 7 == 0,
           let word = t.valueText?.split(separator: " ").last.map(String.init), DurationUnit.words[word] == .weeks {
            return "\(d.days / 7) \(word)"
        }
        let number = reportLanguage.grouped(formatter.text(roundedForDisplay(v)))
        if t.unit == .number, let u = t.unitLabel { return "\(number) \(policy.unitWord(u, after: number))" }
        return number
    }

    /// Why the area's actual is hidden, when it is a figure over too few
    /// clients (a count under the limit, a share of a small group).
    public func actualWithheld(_ r: TargetResult) -> String? {
        guard r.source == .clients, let f = r.areaFigure else { return nil }
        let limit = policy.report.suppressBelow
        switch f {
        case .count(let n):
            return n > 0 && n < limit ? "< \(limit)" : nil
        case .share(let numerator, let group):
            return DerivedFigure.share(numerator: numerator).withheld(group: group, limit: limit, scope: .area) == nil ? nil : AreaReport.code(.groupTooSmall)
        case .average(let n), .median(let n), .composite(let n):
            return DerivedFigure.average.withheld(group: n, limit: limit, scope: .area) == nil ? nil : AreaReport.code(.groupTooSmall)
        case .sum(let n), .extreme(let n):
            return n > 0 && n < limit ? AreaReport.code(.groupTooSmall) : nil
        }
    }

    /// The area's actual as shown: hidden when it rests on too few clients.
    public func actualText(_ r: TargetResult, _ t: TargetDef) -> String {
        if t.valueGiven, r.actual == nil, !r.byMunicipality.isEmpty {
            let met = r.byMunicipality.values.filter { $0.status == .met }.count
            let n = r.byMunicipality.count
            return language == .fi ? "kunnittain: \(met)/\(n) toteutuu" : "by municipality: \(met) of \(n) met"
        }
        guard let why = actualWithheld(r) else { return value(r.actual, t) }
        if why.hasPrefix("<") { return why }
        return language == .fi ? "piilotettu (alle \(policy.report.suppressBelow) henkilöä)" : "hidden (under \(policy.report.suppressBelow) persons)"
    }

    func comparisonSymbol(_ op: ComparisonOp) -> String {
        switch op {
        case .ge: return "≥"
        case .gt: return ">"
        case .le: return "≤"
        case .lt: return "<"
        case .eq: return "="
        }
    }

    public func targetText(_ t: TargetDef, _ r: TargetResult?) -> String {
        if t.qualitative { return t.qualitativeText ?? (language == .fi ? "arvioidaan" : "assessed") }
        if t.valueGiven, let op = t.comparison {
            let own = r?.effectiveTarget.map { " (\(language == .fi ? "alue" : "area") \(comparisonSymbol(op)) \(value($0, t)))" } ?? ""
            return "\(comparisonSymbol(op)) " + (language == .fi ? "kunnan oma tavoite" : "each municipality's own target") + own
        }
        guard let op = t.comparison, let v = t.value else { return "–" }
        var s = "\(comparisonSymbol(op)) " + (written(t.valueText).map { w in
            guard t.unit == .number, let u = t.unitLabel else { return w }
            return "\(w) \(policy.unitWord(u, after: w))"
        } ?? value(v, t))
        if t.perYear { s += language == .fi ? " vuodessa" : " a year" }
        if let r, let p = r.prorated, let eff = r.effectiveTarget {
            let shown = formatter.text(roundedForDisplay(eff))
            s += language == .fi ? " (jaksolle \(p.days)/\(p.of) pv: \(comparisonSymbol(op)) \(shown))"
                                 : " (for the period, \(p.days)/\(p.of) days: \(comparisonSymbol(op)) \(shown))"
        }
        return s
    }

    /// Computed values are shown to one decimal (JSON and CSV keep them
    /// exact). A value so near the end of the range that rounding would
    /// overflow is shown as it is.
    public func roundedForDisplay(_ v: Value) -> Value {
        func r(_ f: Fixed) -> Fixed { f.rounded(fractionDigits: 1) ?? f }
        switch v {
        case .decimal(let f): return .decimal(r(f))
        case .percent(let f): return .percent(r(f))
        default: return v
        }
    }

    /// A literal as the rule file writes it, with a decimal comma in Finnish.
    func written(_ text: String?) -> String? {
        guard var t = text, !t.isEmpty else { return nil }
        if language == .fi { t = t.replacingOccurrences(of: ".", with: ",") }
        return t
    }

    public func baselineText(_ t: TargetDef) -> String {
        var s = ""
        if let b = t.baseline {
            s = written(t.baselineValueText) ?? formatter.text(b)
            if t.unit == .number, let u = t.baselineUnitLabel ?? t.unitLabel { s += " \(policy.unitWord(u, after: s))" }
        }
        else if let txt = t.baselineText { s = txt }
        if let p = t.baselinePeriod {
            let shown = reportLanguage.period(p)
            s += s.isEmpty ? "(\(shown))" : " (\(shown))"
        }
        return s.isEmpty ? "–" : s
    }

    func verdictText(_ g: GoalResult) -> String { g.verdict ?? words.noVerdict }

    var reportLanguage: ReportLanguage { language }

    /// The heading and the line under it, in the report's language.
    public func heading() -> (title: String, meta: String) {
        let area = policy.areas.first?.label ?? policy.name
        let l = reportLanguage
        if language == .fi {
            var meta = ["Kausi \(l.period(evaluation.period))"]
            if let a = evaluation.asOf { meta.append("tilanne \(l.date(a))") }
            if let c = evaluation.clients { meta.append("\(l.count(c)) asiakas\(c == 1 ? "" : "ta")") }
            meta.append("säännöstön tunniste \(policy.shortFingerprint)")
            if !policy.paramOverrides.isEmpty { meta.append("muutetut parametrit: \(policy.overridesText)") }
            return ("\(area): tavoitteiden toteuma \(l.period(evaluation.period))", meta.joined(separator: " · "))
        }
        var meta = ["Period \(evaluation.period)"]
        if let a = evaluation.asOf { meta.append("as of \(a)") }
        if let c = evaluation.clients { meta.append("\(c) client\(c == 1 ? "" : "s")") }
        meta.append("policy \(policy.name) \(policy.shortFingerprint)")
        if !policy.paramOverrides.isEmpty { meta.append("with \(policy.overridesText)") }
        return ("\(area): goals \(evaluation.period)", meta.joined(separator: " · "))
    }

    // MARK: Table

    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var cur = ""
        for word in text.split(separator: " ") {
            if cur.isEmpty { cur = String(word) }
            else if cur.count + 1 + word.count <= width { cur += " " + word }
            else { lines.append(cur); cur = String(word) }
        }
        if !cur.isEmpty { lines.append(cur) }
        return lines.isEmpty ? [""] : lines
    }

    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

    /// The goal tables for a terminal. Every column wraps within its width,
    /// so the columns stay aligned however long a cell is.
    public func table() -> String {
        let w = words
        let (title, meta) = heading()
        var out = "\(title)\n\(meta)\n"
        // Each column at least as wide as its longest word, so no word is cut
        // and no cell spills into the next column.
        var cellsByColumn: [[String]] = Array(repeating: [], count: 5)
        for g in evaluation.goals {
            for r in g.targets {
                let t = policy.targets[r.target]
                let cells = [t.label ?? t.name, baselineText(t), targetText(t, r), actualText(r, t), statusLabel(r)]
                for (k, c) in cells.enumerated() { cellsByColumn[k].append(c) }
            }
        }
        let widths = zip([40, 16, 22, 14, 24], cellsByColumn).map { base, cells in
            max(base, cells.flatMap { $0.split(separator: " ").map(\.count) }.max() ?? 0)
        }
        func rows(_ cells: [String]) -> String {
            let wrapped = zip(cells, widths).map { GoalReport.wrap($0, width: $1) }
            let n = wrapped.map(\.count).max() ?? 1
            var s = ""
            for i in 0..<n {
                var line = "  "
                for (k, lines) in wrapped.enumerated() {
                    let cell = i < lines.count ? lines[i] : ""
                    line += k == wrapped.count - 1 ? cell : pad(cell, widths[k]) + "  "
                }
                while line.last == " " { line.removeLast() }
                s += line + "\n"
            }
            return s
        }
        for g in evaluation.goals {
            let goal = policy.goals[g.goal]
            out += "\n\(w.goal): \(goal.label ?? goal.name)" + (goal.level.map { " [\($0)]" } ?? "") + "\n"
            out += "\(w.verdict): \(verdictText(g))\n"
            out += rows([w.indicator, w.baseline, w.target, w.actual, w.status])
            for r in g.targets {
                let t = policy.targets[r.target]
                let level = t.level != goal.level ? t.level.map { " [\($0)]" } ?? "" : ""
                out += rows([(t.label ?? t.name) + level, baselineText(t), targetText(t, r), actualText(r, t), statusLabel(r)])
            }
            for note in g.notes where !note.isEmpty {
                out += "  · \(TerminalText.visible(note))\n"
            }
        }
        return out
    }

    // MARK: JSON and CSV

    public func json() -> JSON {
        let area = localArea
        var pairs: [(String, JSON)] = [("policy", .string(policy.fingerprint)), ("policy_name", .string(policy.name)),
                                       ("period", .string(evaluation.period.description))]
        if !policy.paramOverrides.isEmpty { pairs.append(("param_overrides", policy.overridesJSON)) }
        if let a = evaluation.asOf { pairs.append(("as_of", .string(a.description))) }
        if let c = evaluation.clients { pairs.append(("clients", .int(c))) }
        pairs.append(("goals", .array(evaluation.goals.map { g in
            let goal = policy.goals[g.goal]
            return .object([
                ("id", .string(goal.name)), ("label", goal.label.map { .string($0) } ?? .null),
                ("level", goal.level.map { .string($0) } ?? .null), ("verdict", g.verdict.map { .string($0) } ?? .null),
                ("targets", .array(g.targets.map { targetJSON($0, area) })),
            ])
        })))
        return .object(pairs)
    }

    func unitName(_ t: TargetDef) -> String {
        switch t.unit {
        case .percent: return "%"
        case .money: return "€"
        case .duration(let k): return k.rawValue
        case .number: return t.unitLabel ?? "count"
        }
    }

    /// The area report this goal report's per-municipality figures are disclosed through.
    var localArea: AreaReport { AreaReport(policy: policy, summary: nil, goals: self) }

    func targetJSON(_ r: TargetResult, _ area: AreaReport) -> JSON {
        let t = policy.targets[r.target]
        var pairs: [(String, JSON)] = [
            ("id", .string(t.name)), ("label", t.label.map { .string($0) } ?? .null), ("level", t.level.map { .string($0) } ?? .null),
            ("comparison", t.comparison.map { .string($0.rawValue) } ?? .null),
            ("target", t.value.map { formatter.json($0) } ?? (t.qualitativeText.map { .string($0) } ?? .null)),
            ("unit", .string(t.qualitative ? "assessment" : unitName(t))),
            ("per_year", .bool(t.perYear)),
            ("baseline", t.baseline.map { formatter.json($0) } ?? (t.baselineText.map { .string($0) } ?? .null)),
            ("baseline_period", t.baselinePeriod.map { .string($0.description) } ?? .null),
            ("actual", actualWithheld(r).map { .object([("hidden", .string($0.hasPrefix("<") ? "small_count" : $0))]) } ?? r.actual.map { formatter.json($0) } ?? .null),
            ("status", .string(r.status.rawValue)),
        ]
        if let eff = r.effectiveTarget, r.prorated != nil { pairs.append(("prorated_target", formatter.json(eff))) }
        if let a = r.assessment { pairs.append(("assessment", .string(a))) }
        if let c = r.countsAs { pairs.append(("counts_as", .string(c.rawValue))) }
        if let n = r.note { pairs.append(("note", .string(n))) }
        switch r.source {
        case .data(let row): pairs.append(("source", .string("indicator data row \(row)")))
        case .clients: pairs.append(("source", .string("clients")))
        case .none: break
        }
        if !r.byMunicipality.isEmpty {
            // The same figures the report's cards show, under the same disclosure control.
            let figures = Dictionary(policy.municipalities.map { ($0.id, area.localFigures(municipality: $0.id)) }, uniquingKeysWith: { a, _ in a })
            pairs.append(("by_municipality", .object(policy.municipalities.compactMap { m in
                guard let x = r.byMunicipality[m.id], let f = figures[m.id]?.first(where: { $0.target == r.target })
                else { return nil }
                var local: [(String, JSON)] = []
                if f.value != nil { local.append(("actual", x.value.map { formatter.json($0) } ?? .null)) }
                else { local.append(("actual", .object([("hidden", .string(f.hiddenCode ?? "hidden"))]))) }
                local.append(("status", f.status.map { .string($0.rawValue) } ?? .null))
                if let own = f.targetValue { local.append(("target", formatter.json(own))) }
                return (m.name, .object(local))
            })))
        }
        return .object(pairs)
    }

    /// The goal table as CSV for BI tools and spreadsheets, through the one
    /// CSV writer (notes and assessments from indicator data cannot run as
    /// spreadsheet formulas).
    public func csv(finnish: Bool) -> String {
        let f = ValueFormatter(policy: policy, decimalComma: finnish)
        let writer = CSVWriter(dialect: finnish ? .semicolon : .comma)
        writer.neutralizingFormulas = true
        func plain(_ v: Value?) -> String {
            guard let v else { return "" }
            switch v {
            case .percent(let x), .decimal(let x), .money(let x): return x.formatted(decimalComma: finnish)
            case .duration(let d): return String(Operators.length(d))
            default: return f.text(v)
            }
        }
        try? writer.writeRecord(["policy", "period", "goal", "goal_label", "goal_level", "verdict", "target", "label", "level", "comparison",
                                 "target_value", "unit", "per_year", "prorated_target", "baseline", "actual", "status", "assessment", "note"])
        for g in evaluation.goals {
            let goal = policy.goals[g.goal]
            for r in g.targets {
                let t = policy.targets[r.target]
                let row = [policy.shortFingerprint, evaluation.period.description, goal.name, goal.label ?? "", goal.level ?? "",
                           g.verdict ?? "", t.name, t.label ?? "", t.level ?? "", t.comparison?.rawValue ?? "",
                           t.value.map { plain($0) } ?? (t.qualitativeText ?? ""), t.qualitative ? "assessment" : unitName(t),
                           t.perYear ? "true" : "false", r.prorated != nil ? plain(r.effectiveTarget) : "",
                           t.baseline.map { plain($0) } ?? (t.baselineText ?? ""), actualWithheld(r) == nil ? plain(r.actual) : "", r.status.rawValue,
                           r.assessment ?? "", r.note ?? ""]
                // Into memory, which cannot fail.
                try? writer.writeRecord(row)
            }
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

