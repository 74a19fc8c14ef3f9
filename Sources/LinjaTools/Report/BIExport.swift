import Foundation
import Linja

/// The report as data for Power BI and spreadsheets: one long table, one
/// header row, ISO dates, a decimal point, UTF-8 with a byte-order mark.
/// Its columns are documented in docs/bi-export.md, and a test holds the
/// export to that schema. Every figure is the disclosed one: a hidden
/// count has an empty `value` and says why in `hidden`.
public enum BIExport {
    /// The columns, in order: name and type (text, integer, decimal, date).
    public static let columns: [(name: String, type: String)] = [
        ("area", "text"), ("policy_version", "text"), ("as_of", "date"),
        ("period", "text"), ("period_start", "date"), ("period_end", "date"),
        ("place_kind", "text"), ("place", "text"), ("municipality_code", "text"),
        ("measure_kind", "text"), ("measure", "text"), ("label", "text"),
        ("value", "decimal"), ("unit", "text"), ("hidden", "text"), ("status", "text"), ("verdict", "text"),
    ]

    public static func csv(_ area: AreaReport) -> [UInt8] {
        let w = CSVWriter(dialect: .comma, byteOrderMark: true)
        // Meant for spreadsheets: names and labels from the rule files
        // cannot run as formulas (CSVWriter.neutralizingFormulas).
        w.neutralizingFormulas = true
        try? w.writeRecord(columns.map(\.name))
        for r in rows(area) { try? w.writeRecord(r) }
        return w.bytes
    }

    public static func rows(_ area: AreaReport) -> [[String]] {
        let policy = area.policy
        let name = policy.areas.first?.label ?? policy.name
        let asOf = area.asOf?.description ?? ""
        let period = area.goals?.evaluation.period
        var out: [[String]] = []
        func row(_ kind: String, _ place: String, _ code: String, _ measureKind: String, _ measure: String, _ label: String,
                 _ value: String, _ unit: String, _ hidden: String, _ status: String, _ verdict: String) {
            out.append([name, policy.shortFingerprint, asOf, period?.description ?? "", period?.first.description ?? "",
                        period?.last.description ?? "", kind, place, code, measureKind, measure, label, value, unit, hidden, status, verdict])
        }
        func hiddenCode(_ d: Disclosed) -> String {
            switch d {
            case .shown: return ""
            case .hidden(.primary): return "small_count"
            case .hidden(.secondary): return "protects_small_count"
            }
        }
        func value(_ d: Disclosed) -> String { d.value.map(String.init) ?? "" }
        let areaName = policy.areas.first?.name ?? policy.name
        if let r = area.routing, !r.outcomeRows.isEmpty {
            for (c, m) in r.columns.enumerated() {
                let code = m >= 0 ? (policy.municipalities[m].code ?? "") : ""
                row("municipality", r.columnTitle(c, language: .fi), code, "clients", "clients", "Asiakkaita", value(r.clients[c]), "persons", hiddenCode(r.clients[c]), "", "")
            }
            for (bi, b) in r.blocks.enumerated() where b.hasSubtotal {
                if let d = r.blockClients[bi] { row("group", b.title ?? "", "", "clients", "clients", "Asiakkaita", value(d), "persons", hiddenCode(d), "", "") }
            }
            row("area", areaName, "", "clients", "clients", "Asiakkaita", value(r.clientsTotal), "persons", hiddenCode(r.clientsTotal), "", "")
            for o in r.outcomeRows {
                let label = r.title(o, language: .fi)
                for (c, m) in r.columns.enumerated() {
                    let code = m >= 0 ? (policy.municipalities[m].code ?? "") : ""
                    row("municipality", r.columnTitle(c, language: .fi), code, "outcome", o.code, label, value(o.cells[c]), "persons", hiddenCode(o.cells[c]), "", "")
                }
                for (bi, b) in r.blocks.enumerated() where b.hasSubtotal {
                    if let d = o.subtotals[bi] { row("group", b.title ?? "", "", "outcome", o.code, label, value(d), "persons", hiddenCode(d), "", "") }
                }
                row("area", areaName, "", "outcome", o.code, label, value(o.total), "persons", hiddenCode(o.total), "", "")
            }
        }
        if let report = area.goals {
            let figures = Dictionary(policy.municipalities.map { ($0.id, area.localFigures(municipality: $0.id)) }, uniquingKeysWith: { a, _ in a })
            for g in report.evaluation.goals {
                let goal = policy.goals[g.goal]
                row("area", areaName, "", "goal", goal.name, goal.label ?? goal.name, "", "", "", "", g.verdict ?? "")
                for r in g.targets {
                    let t = policy.targets[r.target]
                    let hidden = report.actualWithheld(r)
                    row("area", areaName, "", "target", t.name, t.label ?? t.name, hidden == nil ? number(r.actual) : "", unit(t),
                        hidden.map { $0.hasPrefix("<") ? "small_count" : $0 } ?? "", r.status.rawValue, "")
                    for m in policy.municipalities {
                        guard let f = figures[m.id]?.first(where: { $0.target == r.target }), let x = r.byMunicipality[m.id] else { continue }
                        row("municipality", m.name, m.code ?? "", "target", t.name, t.label ?? t.name, f.value == nil ? "" : number(x.value),
                            unit(t), f.hiddenCode ?? "", f.status?.rawValue ?? "", "")
                        if let own = f.targetValue {
                            row("municipality", m.name, m.code ?? "", "target_value", t.name, t.label ?? t.name, number(own), unit(t), "", "", "")
                        }
                    }
                }
            }
        }
        return out
    }

    /// A value as a plain decimal number, "" when there is none.
    static func number(_ v: Value?) -> String {
        guard let v else { return "" }
        switch v {
        case .int(let i): return String(i)
        case .decimal(let f), .percent(let f), .money(let f): return f.formatted()
        case .duration(let d): return String(Operators.length(d))
        case .bool(let b): return b ? "1" : "0"
        default: return ""
        }
    }

    static func unit(_ t: TargetDef) -> String {
        switch t.unit {
        case .percent: return "%"
        case .money: return "EUR"
        case .duration(let k): return k.rawValue
        case .number: return t.unitLabel ?? ""
        }
    }
}
