import Linja

/// A self-contained HTML report: inline CSS and SVG, no scripts or web
/// fonts. Statuses are text and a symbol as well as a colour; headings and
/// table headers are marked up as such; it prints on paper.
public struct HTMLReport {
    public let policy: Policy
    public let goals: GoalReport?
    public let summary: Summary?

    public init(policy: Policy, goals: GoalReport?, summary: Summary?) {
        self.policy = policy
        self.goals = goals
        self.summary = summary
    }

    var fi: Bool { (goals?.language ?? .fi) == .fi }

    static let css = HTML.baseCSS + HTML.statusCSS + """
    .verdict{display:inline-block;padding:.1rem .55rem;border-radius:.8rem;font-weight:600;font-size:.9rem;border:1px solid}
    .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1rem}
    .card{border:1px solid #ddd;border-radius:.5rem;padding:.6rem .8rem;break-inside:avoid}
    .card h3{margin-top:0}
    .card table{font-size:.85rem}
    .note{color:#555;font-size:.85rem}
    svg{vertical-align:middle}
    @media print{body{margin:0;max-width:none}h2{break-after:avoid}.card{page-break-inside:avoid}}
    """

    public func render() -> String {
        let title = (policy.areas.first?.label ?? policy.name)
        var h = "<!doctype html>\n<html lang=\"\(fi ? "fi" : "en")\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(escape(title))</title>\n<style>\n\(HTMLReport.css)\n</style>\n</head>\n<body>\n"
        h += "<header><h1>\(escape(title))</h1>\n<p class=\"meta\">"
        var meta: [String] = []
        if let g = goals { meta.append((fi ? "Kausi " : "Period ") + g.evaluation.period.description) }
        if let a = summary?.asOf ?? goals?.evaluation.asOf { meta.append("as_of \(a)") }
        meta.append((fi ? "säännöstö " : "policy ") + "\(escape(policy.name)) <code>\(policy.shortFingerprint)</code>"
                    + (policy.paramOverrides.isEmpty ? "" : (fi ? ", muutetut parametrit: " : ", with ") + escape(policy.overridesText)))
        h += meta.joined(separator: " · ") + "</p></header>\n<main>\n"
        if let g = goals { h += goalSection(g) }
        if let s = summary { h += routingSection(s) }
        h += cards()
        h += "</main>\n<footer class=\"note\"><p>" + (fi
            ? "Alle \(policy.report.suppressBelow) henkilön ryhmät näytetään muodossa \"&lt; \(policy.report.suppressBelow)\"."
            : "Groups under \(policy.report.suppressBelow) persons are shown as \"&lt; \(policy.report.suppressBelow)\".") + "</p></footer>\n"
        h += "</body>\n</html>\n"
        return h
    }

    func badge(_ status: TargetStatus, _ text: String) -> String {
        "<span class=\"verdict s-\(status.rawValue)\">\(GoalReport.symbol(status)) \(escape(text))</span>"
    }

    func verdictStatus(_ g: GoalResult) -> TargetStatus {
        guard let v = g.verdict else { return .no_data }
        let s = g.targets.map(\.effectiveStatus)
        if s.contains(.missed) && (v.lowercased().contains("ei") || v.lowercased().contains("not")) { return .missed }
        return s.contains(.missed) ? .near : .met
    }

    func goalSection(_ report: GoalReport) -> String {
        let e = report.evaluation
        var h = "<section>\n<h2>\(fi ? "Tavoitteiden toteuma" : "Goals") \(e.period)</h2>\n"
        for g in e.goals {
            let goal = policy.goals[g.goal]
            h += "<h3>\(escape(goal.label ?? goal.name))" + (goal.level.map { " <small>[\(escape($0))]</small>" } ?? "") + "</h3>\n"
            h += "<p>\(fi ? "Arvio" : "Verdict"): " + badge(verdictStatus(g), g.verdict ?? (fi ? "ei arviota (ei tietoa)" : "no verdict (no data)")) + "</p>\n"
            h += "<table>\n<thead><tr><th scope=\"col\">\(fi ? "Mittari" : "Indicator")</th><th scope=\"col\">\(fi ? "Lähtöarvo" : "Baseline")</th>"
            h += "<th scope=\"col\">\(fi ? "Tavoitearvo" : "Target")</th><th scope=\"col\" class=\"num\">\(fi ? "Toteuma" : "Actual")</th>"
            h += "<th scope=\"col\">\(fi ? "Tila" : "Status")</th><th scope=\"col\">\(fi ? "Kehitys" : "Progress")</th></tr></thead>\n<tbody>\n"
            for r in g.targets {
                let t = policy.targets[r.target]
                h += "<tr><th scope=\"row\">\(escape(t.label ?? t.name))" + (t.level != goal.level ? t.level.map { " <small>[\(escape($0))]</small>" } ?? "" : "") + "</th>"
                h += "<td>\(escape(report.baselineText(t)))</td><td>\(escape(report.targetText(t, r)))</td>"
                h += "<td class=\"num\">\(escape(report.value(r.actual, t)))</td>"
                h += "<td>" + badge(r.status, report.statusLabel(r).dropFirst(2).description) + "</td>"
                h += "<td>\(bar(t, r))</td></tr>\n"
                if let n = r.note { h += "<tr><td colspan=\"6\" class=\"note\">\(escape(n))</td></tr>\n" }
            }
            h += "</tbody>\n</table>\n"
        }
        return h + "</section>\n"
    }

    /// Baseline → actual → target on one scale, as an inline SVG with a text alternative.
    func bar(_ t: TargetDef, _ r: TargetResult) -> String {
        func num(_ v: Value?) -> Double? {
            guard let v else { return nil }
            switch v {
            case .int(let i): return Double(i)
            case .decimal(let f), .percent(let f), .money(let f): return Double(f.raw) / Double(Fixed.scale)
            case .duration(let d): return Double(Operators.length(d))
            default: return nil
            }
        }
        guard let target = num(r.effectiveTarget ?? t.value) else { return "" }
        let actual = num(r.actual)
        let base = num(t.baseline)
        let maxV = max(target, actual ?? 0, base ?? 0) * 1.1
        guard maxV > 0 else { return "" }
        let w = 160.0
        func x(_ v: Double) -> Int { Int((v / maxV) * w) }
        var s = "<svg width=\"170\" height=\"22\" role=\"img\" aria-label=\"\(escape(ariaText(base, actual, target)))\">"
        s += "<rect x=\"0\" y=\"8\" width=\"\(Int(w))\" height=\"6\" fill=\"#eee\"/>"
        if let a = actual {
            let color: String
            switch r.status {
            case .met: color = "#2e8b47"
            case .near: color = "#d19a00"
            case .missed: color = "#c0392b"
            default: color = "#7a9cc6"
            }
            s += "<rect x=\"0\" y=\"8\" width=\"\(x(a))\" height=\"6\" fill=\"\(color)\"/>"
        }
        if let b = base { s += "<rect x=\"\(x(b))\" y=\"4\" width=\"2\" height=\"14\" fill=\"#888\"/>" }
        s += "<rect x=\"\(x(target))\" y=\"2\" width=\"3\" height=\"18\" fill=\"#1b1b1b\"/>"
        return s + "</svg>"
    }

    func ariaText(_ b: Double?, _ a: Double?, _ t: Double) -> String {
        func f(_ d: Double) -> String { String(Double(Int(d * 10)) / 10) }
        var parts: [String] = []
        if let b { parts.append((fi ? "lähtöarvo " : "baseline ") + f(b)) }
        parts.append((fi ? "toteuma " : "actual ") + (a.map(f) ?? "–"))
        parts.append((fi ? "tavoite " : "target ") + f(t))
        return parts.joined(separator: ", ")
    }

    func routingSection(_ s: Summary) -> String {
        var h = "<section>\n<h2>\(fi ? "Ohjaukset ja oikeudet kunnittain" : "Routing by municipality")</h2>\n"
        h += "<table>\n<thead><tr><th scope=\"col\">\(fi ? "Ratkaisu" : "Outcome")</th>"
        for m in policy.municipalities { h += "<th scope=\"col\" class=\"num\">\(escape(m.name))</th>" }
        h += "<th scope=\"col\" class=\"num\">\(fi ? "Yhteensä" : "Total")</th></tr></thead>\n<tbody>\n"
        h += "<tr><th scope=\"row\">\(fi ? "Asiakkaita" : "Clients")</th>"
        for m in policy.municipalities { h += "<td class=\"num\">\(escape(s.shown(s.clientsByMunicipality[m.id] ?? 0)))</td>" }
        h += "<td class=\"num\">\(escape(s.shown(s.clients)))</td></tr>\n"
        for k in s.counts.keys.sorted() {
            let o = policy.outcomes[k.outcome]
            let byM = s.counts[k] ?? [:]
            h += "<tr><th scope=\"row\">\(escape(o.label ?? o.name))" + (k.destination >= 0 ? " → \(escape(o.destinationLabels[k.destination] ?? o.destinations[k.destination]))" : "")
            h += "<br><small><code>\(escape(s.label(k)))</code></small></th>"
            for m in policy.municipalities { h += "<td class=\"num\">\(escape(s.shown(byM[m.id] ?? 0)))</td>" }
            h += "<td class=\"num\">\(escape(s.shown(byM.values.reduce(0, +))))</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n</section>\n"
    }

    /// A card per municipality ("kuntakortti"): its clients' outcomes and its targets' values.
    func cards() -> String {
        let perMunicipalityTargets = goals?.evaluation.goals.flatMap(\.targets).filter { !$0.byMunicipality.isEmpty } ?? []
        guard summary != nil || !perMunicipalityTargets.isEmpty else { return "" }
        let threshold = policy.report.suppressBelow
        var h = "<section>\n<h2>\(fi ? "Kuntakortit" : "Municipality cards")</h2>\n<div class=\"cards\">\n"
        for m in policy.municipalities {
            h += "<article class=\"card\"><h3>\(escape(m.name))</h3>\n"
            if let s = summary {
                h += "<p class=\"note\">\(fi ? "Asiakkaita" : "Clients"): \(escape(s.shown(s.clientsByMunicipality[m.id] ?? 0)))</p>\n<table><tbody>\n"
                for k in s.counts.keys.sorted() {
                    let n = s.counts[k]?[m.id] ?? 0
                    h += "<tr><th scope=\"row\">\(escape(s.label(k)))</th><td class=\"num\">\(escape(s.shown(n)))</td></tr>\n"
                }
                h += "</tbody></table>\n"
            }
            if !perMunicipalityTargets.isEmpty, let report = goals {
                h += "<table><tbody>\n"
                for r in perMunicipalityTargets {
                    guard let x = r.byMunicipality[m.id] else { continue }
                    let t = policy.targets[r.target]
                    let shown: String
                    if let n = x.n, n < threshold { shown = "&lt; \(threshold)" } else { shown = escape(report.value(x.value, t)) }
                    let status = (x.n ?? threshold) < threshold ? "" : badge(x.status, report.statusText(x.status))
                    h += "<tr><th scope=\"row\">\(escape(t.label ?? t.name))</th><td class=\"num\">\(shown)</td><td>\(status)</td></tr>\n"
                }
                h += "</tbody></table>\n"
            }
            h += "</article>\n"
        }
        return h + "</div>\n</section>\n"
    }

    func escape(_ s: String) -> String { HTML.escape(s) }
}
