import Foundation
import Linja

/// The area's report as one self-contained HTML file: inline CSS and SVG, no
/// scripts, no web fonts. It reads on a desktop, on a phone (wide tables
/// scroll inside their own box) and on A4 paper (every table fits the page's
/// width: the routing table comes in blocks of municipalities). Statuses are
/// text and a symbol as well as a colour. Every count about people is the
/// disclosed one from `AreaReport`.
public struct HTMLReport {
    public let area: AreaReport

    public init(area: AreaReport) {
        self.area = area
    }

    /// The report for `goals` and/or `summary` (what `linja report` and
    /// `linja goals --format html` write).
    public init(policy: Policy, goals: GoalReport?, summary: Summary?, counts: RunPipeline.Counts? = nil) {
        area = AreaReport(policy: policy, summary: summary, goals: goals, counts: counts)
    }

    var policy: Policy { area.policy }
    var language: ReportLanguage { area.language }
    var fi: Bool { language.isFinnish }

    static let css = HTML.baseCSS + HTML.statusCSS + """
    .pill{display:inline-block;padding:.05rem .5rem;border-radius:.8rem;font-weight:600;font-size:.85rem;border:1px solid;
      white-space:normal;max-width:100%;box-sizing:border-box}
    .scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
    .scroll>table{min-width:36rem}
    table.goals th[scope=row]{width:34%}
    td.status{min-width:7rem}
    td.num,th.num{white-space:nowrap}
    .legend{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center;font-size:.85rem;color:#333;margin:.3rem 0 .8rem}
    .legend span{display:inline-flex;align-items:center;gap:.35rem}
    .block-title{font-weight:600;margin:.8rem 0 .1rem}
    .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(21rem,1fr));gap:1rem}
    .card{border:1px solid #d8d8d8;border-radius:.5rem;padding:.6rem .8rem;break-inside:avoid;min-width:0}
    .card h3{margin:.1rem 0 .3rem}
    .card table{font-size:.86rem;margin:.2rem 0 .6rem;width:100%;table-layout:auto}
    .card th{font-weight:500;background:none;overflow-wrap:break-word;hyphens:auto}
    .card td.num{width:3.2rem;padding-left:.2rem;padding-right:.2rem}
    .card .pill{font-size:.78rem}
    .card h4{font-size:.9rem;margin:.6rem 0 .1rem;color:#333}
    .note{color:#555;font-size:.85rem}
    dl.figures{margin:.2rem 0 .6rem;font-size:.86rem}
    dl.figures dt{margin-top:.35rem;overflow-wrap:break-word}
    dl.figures dd{margin:.1rem 0 .25rem .8rem;display:flex;flex-wrap:wrap;gap:.2rem .5rem;align-items:center}
    dl.figures .figure{font-variant-numeric:tabular-nums;font-weight:600}
    .clients{font-size:.9rem;margin:.1rem 0 .4rem}
    svg{vertical-align:middle}
    @media (max-width:40rem){
      body{margin:1rem auto;padding:0 .6rem}
      h1{font-size:1.3rem}
      .cards{grid-template-columns:1fr}
      .scroll>table.goals{min-width:0}
      table.goals thead{display:none}
      table.goals,table.goals tbody,table.goals tr,table.goals th,table.goals td{display:block;width:auto}
      table.goals tr{border-bottom:1px solid #ccc;padding:.3rem 0}
      table.goals th[scope=row]{width:auto;background:none;border:none;padding:.2rem .3rem}
      table.goals td{border:none;padding:.1rem .3rem;text-align:left;white-space:normal}
      table.goals td[data-label]::before{content:attr(data-label) ": ";color:#555}
    }
    @page{size:A4;margin:14mm 12mm}
    @media print{
      body{margin:0;max-width:none;padding:0;font-size:9.5pt}
      .scroll{overflow:visible;break-inside:avoid}
      .scroll>table{min-width:0}
      section+section{break-before:page}
      h2,h3,.block-title{break-after:avoid}
      tr{break-inside:avoid}
      thead{display:table-header-group}
      .cards{grid-template-columns:1fr 1fr}
      .card{break-inside:avoid}
      table{font-size:8.5pt}
    }
    """

    public func render() -> String {
        let title = policy.areas.first?.label ?? policy.name
        var h = "<!doctype html>\n<html lang=\"\(fi ? "fi" : "en")\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(escape(title))</title>\n<style>\n\(HTMLReport.css)\n</style>\n</head>\n<body>\n"
        h += "<header><h1>\(escape(title))</h1>\n<p class=\"meta\">\(escape(meta()))</p></header>\n<main>\n"
        if let g = area.goals { h += goalSection(g) }
        if let r = area.routing, !r.outcomeRows.isEmpty { h += routingSection(r) }
        h += cards()
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    /// "Tilanne 31.3.2026 · kausi 1–3/2026 · säännöstön tunniste …".
    func meta() -> String {
        var parts: [String] = []
        if let a = area.asOf { parts.append((fi ? "Tilanne " : "As of ") + language.date(a)) }
        if let g = area.goals { parts.append((fi ? "kausi " : "period ") + language.period(g.evaluation.period)) }
        if let c = area.read { parts.append(fi ? "\(language.count(c.decided)) asiakasta" : "\(c.decided) clients") }
        parts.append((fi ? "säännöstön tunniste " : "policy version ") + policy.shortFingerprint)
        if !policy.paramOverrides.isEmpty { parts.append((fi ? "muutetut parametrit: " : "with ") + policy.overridesText) }
        return parts.joined(separator: " · ")
    }

    func pill(_ status: TargetStatus, _ text: String) -> String {
        "<span class=\"pill s-\(status.rawValue)\">\(GoalReport.symbol(status)) \(escape(text))</span>"
    }

    func verdictStatus(_ g: GoalResult) -> TargetStatus {
        guard let v = g.verdict else { return .no_data }
        let s = g.targets.map(\.effectiveStatus)
        if s.contains(.missed) && (v.lowercased().contains("ei") || v.lowercased().contains("not")) { return .missed }
        return s.contains(.missed) ? .near : .met
    }

    // MARK: Goals

    func goalSection(_ report: GoalReport) -> String {
        let e = report.evaluation
        var h = "<section>\n<h2>\(fi ? "Tavoitteiden toteuma" : "Goals") \(escape(language.period(e.period)))</h2>\n"
        h += legend()
        for g in e.goals {
            let goal = policy.goals[g.goal]
            h += "<h3>\(escape(goal.label ?? goal.name))" + (goal.level.map { " <small>[\(escape($0))]</small>" } ?? "") + "</h3>\n"
            h += "<p>\(fi ? "Arvio" : "Verdict"): " + pill(verdictStatus(g), g.verdict ?? (fi ? "ei arviota (ei tietoa)" : "no verdict (no data)")) + "</p>\n"
            h += "<div class=\"scroll\"><table class=\"goals\">\n<thead><tr><th scope=\"col\">\(fi ? "Mittari" : "Indicator")</th>"
            h += "<th scope=\"col\">\(fi ? "Lähtöarvo" : "Baseline")</th><th scope=\"col\">\(fi ? "Tavoitearvo" : "Target")</th>"
            h += "<th scope=\"col\" class=\"num\">\(fi ? "Toteuma" : "Actual")</th><th scope=\"col\">\(fi ? "Tila" : "Status")</th>"
            h += "<th scope=\"col\">\(fi ? "Kehitys" : "Progress")</th></tr></thead>\n<tbody>\n"
            for r in g.targets {
                let t = policy.targets[r.target]
                h += "<tr><th scope=\"row\">\(escape(t.label ?? t.name))" + (t.level != goal.level ? t.level.map { " <small>[\(escape($0))]</small>" } ?? "" : "") + "</th>"
                let heads = fi ? ["Lähtöarvo", "Tavoitearvo", "Toteuma", "Tila", "Kehitys"] : ["Baseline", "Target", "Actual", "Status", "Progress"]
                h += "<td data-label=\"\(heads[0])\">\(escape(report.baselineText(t)))</td><td data-label=\"\(heads[1])\">\(escape(report.targetText(t, r)))</td>"
                h += "<td class=\"num\" data-label=\"\(heads[2])\">\(escape(report.actualText(r, t)))</td>"
                h += "<td class=\"status\" data-label=\"\(heads[3])\">" + pill(r.status, String(report.statusLabel(r).dropFirst(2))) + "</td>"
                h += "<td class=\"bar\">\(bar(t, r, hideActual: report.actualWithheld(r) != nil))</td></tr>\n"
                if let n = r.note { h += "<tr><td colspan=\"6\" class=\"note\">\(escape(n))</td></tr>\n" }
            }
            h += "</tbody>\n</table></div>\n"
        }
        return h + "</section>\n"
    }

    /// What the marks of a progress bar mean.
    func legend() -> String {
        func mark(_ svg: String) -> String { "<svg width=\"22\" height=\"18\" aria-hidden=\"true\">\(svg)</svg>" }
        let actual = mark("<rect x=\"0\" y=\"6\" width=\"22\" height=\"6\" fill=\"#2e8b47\"/>")
        let target = mark("<rect x=\"10\" y=\"0\" width=\"3\" height=\"18\" fill=\"#1b1b1b\"/>")
        let prorated = mark("<rect x=\"10\" y=\"0\" width=\"3\" height=\"18\" fill=\"none\" stroke=\"#1b1b1b\" stroke-dasharray=\"2 2\"/>")
        let baseline = mark("<rect x=\"10\" y=\"3\" width=\"2\" height=\"12\" fill=\"#888\"/>")
        let items = fi
            ? [(actual, "toteuma (väri kertoo tilan)"), (target, "tavoite"), (prorated, "koko vuoden tavoite, kun tavoite on jaksolle suhteutettu"), (baseline, "lähtöarvo")]
            : [(actual, "actual (colour: status)"), (target, "target"), (prorated, "the year's target, where the period's is pro-rated"), (baseline, "baseline")]
        return "<p class=\"legend\">" + items.map { "<span>\($0.0)\(escape($0.1))</span>" }.joined() + "</p>\n"
    }

    /// Baseline, actual and target on one scale, as an inline SVG with a text alternative.
    func bar(_ t: TargetDef, _ r: TargetResult, hideActual: Bool = false) -> String {
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
        let yearTarget = r.prorated != nil ? num(t.value) : nil
        let actual = hideActual ? nil : num(r.actual)
        let base = num(t.baseline)
        let maxV = max(target, actual ?? 0, base ?? 0, yearTarget ?? 0) * 1.1
        guard maxV > 0 else { return "" }
        let w = 140.0
        func x(_ v: Double) -> Int { max(0, min(Int(w) - 3, Int((v / maxV) * w))) }
        var s = "<svg width=\"146\" height=\"20\" role=\"img\" aria-label=\"\(escape(ariaText(base, actual, target)))\">"
        s += "<rect x=\"0\" y=\"7\" width=\"\(Int(w))\" height=\"6\" fill=\"#eee\"/>"
        if let a = actual {
            let color: String
            switch r.status {
            case .met: color = "#2e8b47"
            case .near: color = "#d19a00"
            case .missed: color = "#c0392b"
            case .no_data, .assessed: color = "#7a9cc6"
            }
            s += "<rect x=\"0\" y=\"7\" width=\"\(x(a))\" height=\"6\" fill=\"\(color)\"/>"
        }
        if let b = base { s += "<rect x=\"\(x(b))\" y=\"4\" width=\"2\" height=\"12\" fill=\"#888\"/>" }
        if let y = yearTarget {
            s += "<rect x=\"\(x(y))\" y=\"1\" width=\"3\" height=\"18\" fill=\"none\" stroke=\"#1b1b1b\" stroke-dasharray=\"2 2\"/>"
        }
        s += "<rect x=\"\(x(target))\" y=\"1\" width=\"3\" height=\"18\" fill=\"#1b1b1b\"/>"
        return s + "</svg>"
    }

    func ariaText(_ b: Double?, _ a: Double?, _ t: Double) -> String {
        func f(_ d: Double) -> String {
            let s = String(format: "%.1f", d)
            return fi ? s.replacingOccurrences(of: ".", with: ",") : s
        }
        var parts: [String] = []
        if let b { parts.append((fi ? "lähtöarvo " : "baseline ") + f(b)) }
        parts.append((fi ? "toteuma " : "actual ") + (a.map(f) ?? "–"))
        parts.append((fi ? "tavoite " : "target ") + f(t))
        return parts.joined(separator: ", ")
    }

    // MARK: Routing

    func routingSection(_ r: RoutingTable) -> String {
        var h = "<section>\n<h2>\(fi ? "Ohjaukset ja oikeudet kunnittain" : "Routing by municipality")</h2>\n"
        h += "<p class=\"note\">\(escape(r.legend(language: language)))</p>\n"
        let rows = r.outcomeRows
        for (bi, b) in r.blocks.enumerated() {
            if let t = b.title { h += "<p class=\"block-title\">\(escape(t))</p>\n" }
            h += "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">\(fi ? "Ratkaisu" : "Outcome")</th>"
            for c in b.columns { h += "<th scope=\"col\" class=\"num\">\(escape(r.columnTitle(c, language: language)))</th>" }
            if b.hasSubtotal { h += "<th scope=\"col\" class=\"num\">\(fi ? "Yhteensä" : "Subtotal")</th>" }
            h += "</tr></thead>\n<tbody>\n<tr><th scope=\"row\">\(fi ? "Asiakkaita" : "Clients")</th>"
            for c in b.columns { h += "<td class=\"num\">\(escape(r.text(r.clients[c], language: language)))</td>" }
            if b.hasSubtotal, let c = r.blockClients[bi] { h += "<td class=\"num\">\(escape(r.text(c, language: language)))</td>" }
            h += "</tr>\n"
            for row in rows {
                h += "<tr><th scope=\"row\">\(escape(r.title(row, language: language)))</th>"
                for c in b.columns { h += "<td class=\"num\">\(escape(r.text(row.cells[c], language: language)))</td>" }
                if b.hasSubtotal, let d = row.subtotals[bi] { h += "<td class=\"num\">\(escape(r.text(d, language: language)))</td>" }
                h += "</tr>\n"
            }
            h += "</tbody>\n</table></div>\n"
        }
        h += "<p class=\"block-title\">\(fi ? "Koko alue" : "The whole area")</p>\n"
        h += "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">\(fi ? "Ratkaisu" : "Outcome")</th>"
        h += "<th scope=\"col\" class=\"num\">\(fi ? "Yhteensä" : "Total")</th></tr></thead>\n<tbody>\n"
        h += "<tr><th scope=\"row\">\(fi ? "Asiakkaita" : "Clients")</th><td class=\"num\">\(escape(r.text(r.clientsTotal, language: language)))</td></tr>\n"
        for row in rows {
            h += "<tr><th scope=\"row\">\(escape(r.title(row, language: language)))</th><td class=\"num\">\(escape(r.text(row.total, language: language)))</td></tr>\n"
        }
        h += "</tbody>\n</table></div>\n"
        if !r.withheldRows.isEmpty {
            h += "<p class=\"note\">" + escape((fi ? "Ei näytetä lainkaan (liian pieniä lukuja suojattaviksi): " : "Not shown at all (too small to protect): ")
                + r.withheldRows.map { policy.outcomeTitle($0.outcome, destination: $0.destination, language: language) }.joined(separator: ", ")) + "</p>\n"
        }
        return h + "</section>\n"
    }

    // MARK: Municipality cards

    /// A card per municipality ("kuntakortti"): its clients and outcomes,
    /// the targets that mean something there with their status, and its
    /// part of the area-wide counts (with no verdict).
    func cards() -> String {
        let routing = area.routing
        let hasOutcomes = !(routing?.outcomeRows.isEmpty ?? true)
        let hasLocal = policy.municipalities.contains { !area.localFigures(municipality: $0.id).isEmpty }
        guard hasOutcomes || hasLocal else { return "" }
        var h = "<section>\n<h2>\(fi ? "Kuntakortit" : "Municipality cards")</h2>\n"
        if let r = routing { h += "<p class=\"note\">\(escape(r.legend(language: language)))</p>\n" }
        h += "<div class=\"cards\">\n"
        for m in policy.municipalities {
            h += "<article class=\"card\"><h3>\(escape(m.name))</h3>\n"
            if let r = routing, hasOutcomes, let c = r.columns.firstIndex(of: m.id) {
                h += "<p class=\"clients\">\(fi ? "Asiakkaita" : "Clients"): <strong>\(escape(r.text(r.clients[c], language: language)))</strong></p>\n"
                h += "<h4>\(fi ? "Ohjaukset ja oikeudet" : "Routing")</h4>\n<table><tbody>\n"
                for row in r.outcomeRows {
                    h += "<tr><th scope=\"row\">\(escape(r.title(row, language: language)))</th><td class=\"num\">\(escape(r.text(row.cells[c], language: language)))</td></tr>\n"
                }
                h += "</tbody></table>\n"
            }
            let local = area.localFigures(municipality: m.id)
            if let report = area.goals, !local.isEmpty {
                let withVerdict = local.filter(\.isLocal)
                let areaWide = local.filter { !$0.isLocal }
                if !withVerdict.isEmpty {
                    h += "<h4>\(fi ? "Tavoitteet kunnassa" : "Targets in the municipality")</h4>\n<dl class=\"figures\">\n"
                    for f in withVerdict {
                        let t = policy.targets[f.target]
                        h += "<dt>\(escape(t.label ?? t.name)) <span class=\"note\">(\(escape(f.ownTarget ?? report.targetText(t, nil))))</span></dt>"
                        h += "<dd><span class=\"figure\">\(escape(f.value ?? f.hiddenWhy ?? "–"))</span>"
                        h += (f.status.map { " " + pill($0, report.statusText($0)) } ?? "") + "</dd>\n"
                    }
                    h += "</dl>\n"
                }
                if !areaWide.isEmpty {
                    h += "<h4>\(fi ? "Kunnan osuus alueen luvuista" : "The municipality's part of the area's figures")</h4>\n<dl class=\"figures\">\n"
                    for f in areaWide {
                        let t = policy.targets[f.target]
                        var cell = f.value ?? f.hiddenWhy ?? "–"
                        if let s = f.shareOfArea { cell += fi ? " (\(s) alueen määrästä)" : " (\(s) of the area)" }
                        h += "<dt>\(escape(t.label ?? t.name))</dt><dd><span class=\"figure\">\(escape(cell))</span></dd>\n"
                    }
                    h += "</dl>\n"
                }
            }
            h += "</article>\n"
        }
        return h + "</div>\n</section>\n"
    }

    func escape(_ s: String) -> String { HTML.escape(s) }
}
