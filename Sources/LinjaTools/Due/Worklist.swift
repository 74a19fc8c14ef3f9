import Foundation
import Linja

/// The worklist of `linja due`: changes sorted by date, municipality and
/// client, optionally one section per caseworker (or other field), as a
/// table for the terminal or a printable HTML page per section. It names
/// clients: an operational document for the staff who serve them, never
/// part of the shared report, so nothing is suppressed.
public struct Worklist {
    public let policy: Policy
    public let window: DayWindow
    public let language: DueLanguage
    public let counts: DuePipeline.Counts
    /// The field sections are by (`caseworker`), when any.
    public let by: Field?
    let sections: [(group: String?, rows: [DuePipeline.Row])]

    public init(pipeline: DuePipeline) {
        self.policy = pipeline.policy
        self.window = pipeline.plan.window
        self.language = pipeline.options.language
        self.counts = pipeline.counts
        self.by = pipeline.options.by.flatMap { pipeline.policy.record?.field($0) }
        let names = pipeline.policy.municipalities.map(\.name)
        func mName(_ m: Int?) -> String { m.map { $0 >= 0 && $0 < names.count ? names[$0] : "" } ?? "" }
        // Stable: a client's changes keep their order (ends before starts on a day).
        let sorted = pipeline.rows.enumerated().sorted { x, y in
            let (a, b) = (x.element, y.element)
            if a.change.day != b.change.day { return a.change.day < b.change.day }
            let (ma, mb) = (mName(a.municipality), mName(b.municipality))
            if ma != mb { return ma < mb }
            if a.id != b.id { return a.id < b.id }
            if a.row != b.row { return a.row < b.row }
            return x.offset < y.offset
        }.map(\.element)
        if by == nil {
            sections = [(nil, sorted)]
        } else {
            var groups: [String?: [DuePipeline.Row]] = [:]
            for r in sorted { groups[r.group, default: []].append(r) }
            let keys = groups.keys.sorted { a, b in
                switch (a, b) {
                case (let x?, let y?): return x < y
                case (.some, .none): return true
                case (.none, _): return false
                }
            }
            sections = keys.map { ($0, groups[$0] ?? []) }
        }
    }

    var fi: Bool { language == .fi }

    // MARK: Words

    func count(_ n: Int, _ one: String, _ many: String) -> String { "\(Self.number(n, fi)) \(n == 1 ? one : many)" }

    /// Finnish numbers group thousands with a space from 10 000 on.
    static func number(_ n: Int, _ finnish: Bool) -> String {
        let s = String(n)
        guard finnish, abs(n) >= 10_000 else { return s }
        var out = ""
        for (i, ch) in s.reversed().enumerated() {
            if i > 0, i % 3 == 0, ch != "-" { out.append("\u{00A0}") }
            out.append(ch)
        }
        return String(out.reversed())
    }

    var title: String {
        let area = policy.areas.first.flatMap { $0.label ?? $0.name } ?? policy.name
        return (fi ? "Työlista: " : "Worklist: ") + area
    }

    var period: String {
        let first = window.length > 0 ? window.day(1) : window.asOf
        return fi ? "Muutokset \(DueReasons.date(first))–\(DueReasons.date(window.end)), tilanne \(DueReasons.date(window.asOf))"
            : "Changes \(DueReasons.date(first))–\(DueReasons.date(window.end)), as of \(DueReasons.date(window.asOf))"
    }

    var provenance: String { "\(policy.name) \(policy.shortFingerprint)" }

    var countsLine: String {
        let c = counts
        if fi {
            return "Asiakkaat: \(Self.number(c.read, true)) luettu, \(Self.number(c.decided, true)) päätetty, \(Self.number(c.rejected, true)) hylätty; "
                + "\(Self.number(c.clientsWithChanges, true)) asiakkaalla muutoksia (\(count(c.changes, "muutos", "muutosta")))"
        }
        return "Clients: \(c.read) read, \(c.decided) decided, \(c.rejected) rejected; \(c.clientsWithChanges) with changes "
            + "(\(count(c.changes, "change", "changes")))"
    }

    var privacyNote: String {
        fi ? "Sisältää asiakastietoja: vain näiden asiakkaiden asioita hoitavalle henkilöstölle, ei jaettavaan raporttiin."
            : "Contains client data: for the staff who serve these clients, never for the shared report."
    }

    func sectionTitle(_ group: String?) -> String {
        let label = fi ? (by?.label ?? by?.name ?? "") : (by?.name ?? "")
        guard let group else { return fi ? "\(label): ei merkitty" : "\(label): none recorded" }
        return "\(label): \(group)"
    }

    func sectionCounts(_ rows: [DuePipeline.Row]) -> String {
        let clients = Set(rows.map(\.row)).count
        return count(rows.count, fi ? "muutos" : "change", fi ? "muutosta" : "changes") + ", "
            + count(clients, fi ? "asiakas" : "client", fi ? "asiakasta" : "clients")
    }

    func changeWord(_ k: DueChange.Kind) -> String {
        switch k {
        case .starts: return fi ? "alkaa" : "starts"
        case .ends: return fi ? "päättyy" : "ends"
        }
    }

    /// The outcome in words: its label from the rule files (and the
    /// destination's) in Finnish; kind, name and label in English.
    func outcomeText(_ o: DecidedOutcome) -> String {
        let def = policy.outcomes[o.outcome]
        let destination = o.destination.map { d in (fi ? def.destinationLabels[d] : nil) ?? def.destinations[d] }
        if fi {
            let base = def.label ?? def.name
            return destination.map { "\(base) → \($0)" } ?? base
        }
        return "\(def.kind.rawValue) \(def.name)" + (destination.map { " → \($0)" } ?? "") + (def.label.map { " \"\($0)\"" } ?? "")
    }

    /// Why, without the date (the date column has it).
    func reasonText(_ c: DueChange) -> String {
        c.reasons.isEmpty ? (fi ? "ajankohta" : "the date") : c.reasons.joined(separator: "; ")
    }

    /// The rule that gives (or gave) it and where it is written.
    func ruleText(_ o: DecidedOutcome) -> (name: String, location: String) {
        let rule = policy.rules[o.rules[0]]
        let name = fi ? (rule.label ?? rule.name) : rule.name
        let location = rule.span.location.map { "\($0.path):\($0.line)" } ?? ""
        return (name, location)
    }

    // MARK: Table

    public func table() -> String {
        var s = "\(title)\n\(period); \(provenance)\n\(countsLine)\n\(privacyNote)\n"
        let rows = sections.reduce(0) { $0 + $1.rows.count }
        if rows == 0 {
            s += "\n" + (fi ? "Ei muutoksia aikavälillä." : "No changes in the window.") + "\n"
            return s
        }
        for section in sections {
            if by != nil { s += "\n== \(sectionTitle(section.group)) (\(sectionCounts(section.rows)))\n" }
            s += "\n" + tableBody(section.rows)
        }
        return s
    }

    func tableBody(_ rows: [DuePipeline.Row]) -> String {
        let heads = fi ? ["Päivä", "Kunta", "Asiakas", "Muutos", "Toimenpide, peruste ja sääntö"]
            : ["date", "municipality", "client", "change", "outcome, why and rule"]
        let cells = rows.map { r in [DueReasons.date(window.day(r.change.day)), Self.municipalityName(policy, r.municipality), r.id, changeWord(r.change.kind)] }
        var widths = heads.dropLast().map(\.count)
        for c in cells { for i in widths.indices { widths[i] = max(widths[i], c[i].count) } }
        func pad(_ t: String, _ w: Int) -> String { t + String(repeating: " ", count: max(0, w - t.count)) }
        let indent = String(repeating: " ", count: widths.reduce(0) { $0 + $1 + 2 })
        var s = zip(heads.dropLast(), widths).map { pad($0, $1) + "  " }.joined() + (heads.last ?? "") + "\n"
        for (r, c) in zip(rows, cells) {
            s += zip(c, widths).map { pad($0, $1) + "  " }.joined() + outcomeText(r.change.outcome) + "\n"
            s += indent + reasonText(r.change) + "\n"
            let rule = ruleText(r.change.outcome)
            s += indent + (fi ? "sääntö: " : "rule ") + rule.name + (rule.location.isEmpty ? "" : " (\(rule.location))") + "\n"
        }
        return s
    }

    static func municipalityName(_ policy: Policy, _ m: Int?) -> String {
        guard let m, m >= 0, m < policy.municipalities.count else { return "" }
        return policy.municipalities[m].name
    }

    // MARK: HTML

    /// A self-contained page, printable: each section starts a new page.
    public func html() -> String {
        let css = HTML.baseCSS + """
        @page{size:A4 landscape;margin:12mm}
        .page{break-after:page;page-break-after:always}
        .page:last-of-type{break-after:auto;page-break-after:auto}
        thead{display:table-header-group}
        tr{break-inside:avoid;page-break-inside:avoid}
        td.date,td.id{white-space:nowrap}
        .starts{color:#0b5d1e;font-weight:600}.ends{color:#8a1111;font-weight:600}
        .why{color:#333}.rule{color:#555;font-size:.85rem}
        .note{font-size:.85rem;color:#555;border-left:3px solid #bbb;padding-left:.5rem}
        @media (max-width:40rem){
          body{margin:1rem auto;padding:0 .6rem}h1{font-size:1.3rem}
          table.worklist thead{display:none}
          table.worklist,table.worklist tbody,table.worklist tr{display:block;width:auto}
          table.worklist tr{border-bottom:1px solid #ccc;padding:.4rem 0}
          table.worklist td{display:inline-block;border:none;padding:.1rem .6rem .1rem 0}
          table.worklist td.outcome,table.worklist td.why{display:block;padding-right:0}
        }
        tr.group{display:none}
        @media print{body{margin:0;max-width:none;padding:0;font-size:10pt}h1{font-size:14pt}h2{font-size:12pt;margin-top:0}
          h2.group{display:none}tr.group{display:table-row}tr.group th{background:none;font-size:11pt;border-bottom:2px solid #ddd}}

        """
        var s = "<!doctype html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        s += "<title>\(HTML.escape(title))</title>\n<style>\n\(css)</style>\n</head>\n<body>\n"
        let all = sections.reduce(0) { $0 + $1.rows.count }
        for section in sections where all == 0 || !section.rows.isEmpty {
            s += "<section class=\"page\">\n<h1>\(HTML.escape(title))</h1>\n"
            if by != nil { s += "<h2 class=\"group\">\(HTML.escape(sectionTitle(section.group)))</h2>\n" }
            s += "<p class=\"meta\">\(HTML.escape(period)) · \(HTML.escape(by != nil ? sectionCounts(section.rows) : countsLine))</p>\n"
            s += "<p class=\"note\">\(HTML.escape(privacyNote))</p>\n"
            if section.rows.isEmpty {
                s += "<p>\(fi ? "Ei muutoksia aikavälillä." : "No changes in the window.")</p>\n"
            } else {
                let heads = fi ? ["Päivä", "Kunta", "Asiakas", "Muutos", "Toimenpide", "Peruste"]
                    : ["Date", "Municipality", "Client", "Change", "Outcome", "Why"]
                s += "<table class=\"worklist\">\n<thead>"
                // Printed, the header repeats on every page: so does whose list it is.
                if by != nil { s += "<tr class=\"group\"><th colspan=\"\(heads.count)\">\(HTML.escape(sectionTitle(section.group)))</th></tr>" }
                s += "<tr>" + heads.map { "<th>\($0)</th>" }.joined() + "</tr></thead>\n<tbody>\n"
                for r in section.rows {
                    let rule = ruleText(r.change.outcome)
                    let kind = r.change.kind.rawValue
                    s += "<tr><td class=\"date\">\(DueReasons.date(window.day(r.change.day)))</td>"
                    s += "<td>\(HTML.escape(Self.municipalityName(policy, r.municipality)))</td><td class=\"id\">\(HTML.escape(r.id))</td>"
                    s += "<td class=\"\(kind)\">\(changeWord(r.change.kind))</td>"
                    s += "<td class=\"outcome\">\(HTML.escape(outcomeText(r.change.outcome)))<div class=\"rule\">"
                    s += (fi ? "Sääntö: " : "Rule ") + HTML.escape(rule.name) + (rule.location.isEmpty ? "" : " · " + HTML.escape(rule.location))
                    s += "</div></td><td class=\"why\">\(HTML.escape(reasonText(r.change)))</td></tr>\n"
                }
                s += "</tbody>\n</table>\n"
            }
            s += "<p class=\"meta\">\(HTML.escape(provenance))</p>\n</section>\n"
        }
        s += "</body>\n</html>\n"
        return s
    }
}
