import Foundation
import Linja

/// Hover: what a name is, in the policy's own words.
extension LanguageServer {
    func hover(_ params: JSONValue?) throws -> JSONValue {
        let doc = try document(params)
        let pos = try position(params)
        guard let path = doc.path, let index = workspace.index(ofFile: path) else { return .null }
        let offset = doc.map.offset(of: pos)
        if let call = index.builtinCalls.first(where: { $0.path == path && $0.range.lowerBound <= offset && offset <= $0.range.upperBound }) {
            let s = call.builtin.signature
            let text = "**builtin** `\(call.builtin.rawValue)(\(s.parameters))` → \(s.result)\n\n\(s.doc)"
            return ["contents": ["kind": "markdown", "value": .string(text)], "range": doc.map.range(call.range).json]
        }
        guard let o = index.occurrence(at: offset, in: path), let decl = declaration(o.key, preferring: index) else { return .null }
        let text = hoverText(decl, index: index)
        return ["contents": ["kind": "markdown", "value": .string(text)], "range": doc.map.range(o.range).json]
    }

    /// A type as a reader wants it: with its unit, and whether it may be missing.
    static func typeText(_ t: LType) -> String {
        let base: String
        switch t.base {
        case .percent: base = "percentage (%)"
        case .money: base = "money (€)"
        case .int: base = "integer"
        case .decimal: base = "decimal"
        case .duration(let k):
            switch k {
            case .days: base = "duration in days"
            case .months: base = "duration in months (years are 12)"
            case .workingDays: base = "duration in working days"
            case .mixed: base = "duration"
            }
        case .enumeration(_, let n): base = "`\(n)` (enumeration)"
        case .bool, .text, .date, .span, .municipality, .group, .set, .optional, .period, .error: base = t.base.description
        }
        return t.isOptional ? base + ", may be missing" : base
    }

    func hoverText(_ d: SymbolDecl, index: SymbolIndex) -> String {
        let p = index.policy
        let values = ValueFormatter(policy: p)
        var head: String
        var body: [String] = []
        switch d.key.kind {
        case .param:
            if let def = p.param(named: d.name) {
                head = "**param** `\(d.name)`: \(Self.typeText(def.type))"
                let today = configuration.today()
                body.append("Value in force today (\(today)): **\(values.text(def.value(on: today)))**")
                if !def.dated.isEmpty {
                    var lines = ["Dated values:", "- \(values.text(def.base)) until \(def.dated[0].from)"]
                    for (i, dv) in def.dated.enumerated() {
                        let until = i + 1 < def.dated.count ? " until \(def.dated[i + 1].from)" : ""
                        lines.append("- \(values.text(dv.value)) from \(dv.from)\(until)")
                    }
                    body.append(lines.joined(separator: "\n"))
                }
            } else {
                head = "**param** `\(d.name)`"
            }
        case .let:
            if let def = p.letDef(named: d.name) {
                head = "**let** `\(d.name)`: \(Self.typeText(def.type))"
            } else {
                head = "**let** `\(d.name)`"
            }
            if let text = expressionText(d) { body.append("```linja\n\(text)\n```") }
        case .field:
            let field = p.record?.field(d.name)
            let record = p.record?.name ?? "client"
            head = "**field** `\(record).\(d.name)`: " + (field.map { Self.typeText($0.type) } ?? "?")
            if let f = field {
                if case .enumeration(let id, _) = f.type.base, id >= 0, id < p.enums.count {
                    body.append("Values: " + p.enums[id].values.map { "`\($0)`" }.joined(separator: ", "))
                }
                body.append("Read from the column" + (f.columns.count == 1 ? " " : "s ") + f.columns.map { "`\($0)`" }.joined(separator: ", "))
                if let dv = f.defaultValue { body.append("Default (tests and the REPL): `\(values.text(dv))`") }
            }
        case .municipality:
            if let m = p.municipality(named: d.name).flatMap({ $0 < p.municipalities.count ? p.municipalities[$0] : nil }) {
                head = "**municipality** `\(d.name)`" + (m.code.map { " — code \($0)" } ?? "")
                if m.area >= 0, m.area < p.areas.count {
                    let a = p.areas[m.area]
                    body.append("Area: `\(a.name)`" + (a.label.map { " *\($0)*" } ?? "")
                                + (a.responsible == m.id ? " (its responsible municipality)" : ""))
                }
                let gs = p.groups.filter { $0.members.contains(m.id) }
                body.append(gs.isEmpty ? "Groups: none" : "Groups: " + gs.map { "`\($0.name)`" + ($0.label.map { " *\($0)*" } ?? "") }.joined(separator: ", "))
            } else {
                head = "**municipality** `\(d.name)`"
            }
        case .group:
            head = "**group** `\(d.name)`"
            if let g = p.groups.first(where: { $0.name == d.name }) {
                body.append("Municipalities: " + g.members.ids.compactMap { $0 < p.municipalities.count ? p.municipalities[$0].name : nil }.joined(separator: ", "))
                if g.area >= 0, g.area < p.areas.count { body.append("Area: `\(p.areas[g.area].name)`") }
            }
        case .area:
            head = "**area** `\(d.name)`"
            if let a = p.areas.first(where: { $0.name == d.name }) {
                if let r = a.responsible, r < p.municipalities.count { body.append("Responsible municipality: \(p.municipalities[r].name)") }
                let ms = a.municipalities.ids.compactMap { $0 < p.municipalities.count ? p.municipalities[$0].name : nil }
                body.append("\(ms.count) \(ms.count == 1 ? "municipality" : "municipalities"): " + ms.joined(separator: ", "))
                let gs = a.groups.compactMap { $0 < p.groups.count ? "`\(p.groups[$0].name)`" : nil }
                if !gs.isEmpty { body.append("Groups: " + gs.joined(separator: ", ")) }
            }
        case .record:
            head = "**record** `\(d.name)`"
            if let r = p.record { body.append("\(r.fields.count) fields: " + r.fields.map { "`\($0.name)`" }.joined(separator: ", ")) }
        case .enumeration:
            head = "**enumeration** `\(d.name)`"
            if let e = p.enums.first(where: { $0.name == d.name }) {
                body.append(zip(e.values, e.labels).map { "- `\($0)`" + ($1.map { " *\($0)*" } ?? "") }.joined(separator: "\n"))
            }
        case .enumValue:
            let owner = d.container.flatMap { declaration($0) }?.name
            head = "**value** `\(d.name)`" + (owner.map { " of `\($0)`" } ?? "")
            if let owner, let f = p.record?.field(owner) {
                let codes = f.valueMap.filter { values.text($0.value) == d.name }.map(\.key).sorted()
                if !codes.isEmpty { body.append("Read from the data as " + codes.map { "`\($0)`" }.joined(separator: ", ")) }
            }
        case .outcome:
            let def = p.outcome(named: d.name)
            head = "**outcome** `\(def.map { $0.kind.rawValue + " " } ?? "")\(d.name)`"
            if let def, !def.destinations.isEmpty {
                body.append("Destinations: " + zip(def.destinations, def.destinationLabels).map { "`\($0)`" + ($1.map { " *\($0)*" } ?? "") }.joined(separator: ", "))
            }
            body.append(givers(of: d.name, destination: nil, declaredIn: d.directory))
        case .destination:
            let owner = d.container.flatMap { declaration($0) }?.name ?? "?"
            head = "**destination** `\(d.name)` of `refer \(owner)`"
            body.append(givers(of: owner, destination: d.name, declaredIn: d.directory))
        case .rule:
            head = "**rule** `\(d.name)`"
            if let r = p.rule(named: d.name) {
                body.append("Applies in: " + (r.scopeText ?? "the whole area"))
                let given = r.outcomes.compactMap { g -> String? in
                    guard g.outcome < p.outcomes.count else { return nil }
                    let o = p.outcomes[g.outcome]
                    let to = g.destination.flatMap { $0 < o.destinations.count ? " to \(o.destinations[$0])" : nil } ?? ""
                    return "`\(o.display)\(to)`"
                }
                body.append("Gives: " + (given.isEmpty ? "nothing" : given.joined(separator: ", "))
                            + (r.variants.isEmpty ? "" : " (\(r.variants.count) variant\(r.variants.count == 1 ? "" : "s"))"))
                if r.from != nil || r.until != nil {
                    body.append("In force" + (r.from.map { " from \($0)" } ?? "") + (r.until.map { " until \($0)" } ?? ""))
                }
            }
        case .goal:
            head = "**goal** `\(d.name)`"
            if let g = p.goal(named: d.name) {
                var facts: [String] = []
                if let l = g.level { facts.append("level \(l)") }
                if let per = g.period { facts.append("for \(per)") }
                if !facts.isEmpty { body.append(facts.joined(separator: ", ").prefix(1).uppercased() + facts.joined(separator: ", ").dropFirst()) }
                let ts = g.targets.compactMap { $0 < p.targets.count ? "`\(p.targets[$0].name)`" : nil }
                body.append("\(ts.count) target\(ts.count == 1 ? "" : "s"): " + ts.joined(separator: ", "))
            }
        case .target:
            head = "**target** `\(d.name)`"
            if let t = p.target(named: d.name) {
                if t.qualitative {
                    body.append("Assessed" + (t.qualitativeText.map { ": \($0)" } ?? ""))
                } else if let c = t.comparison {
                    body.append("Target: \(c.rawValue) \(t.valueText ?? "?")" + (t.unitLabel.map { " \($0)" } ?? "")
                                + (t.perYear ? " per year" : ""))
                }
                if let b = t.baselineValueText ?? t.baselineText {
                    body.append("Baseline: \(b)" + (t.baselineUnitLabel.map { " \($0)" } ?? "") + (t.baselinePeriod.map { " in \($0)" } ?? ""))
                }
                var facts: [String] = []
                if let l = t.level { facts.append("level \(l)") }
                facts.append(t.measured != nil ? "measured from client records" : t.qualitative ? "assessed in the indicator data" : "reported in the indicator data")
                body.append(facts.joined(separator: ", ").prefix(1).uppercased() + facts.joined(separator: ", ").dropFirst())
            }
        case .assessment:
            head = "**assessment** `\(d.name)`"
            if let a = p.verdicts?.assessments.first(where: { $0.name == d.name }) { body.append("Counts as `\(a.countsAs.rawValue)`") }
        case .fixture:
            head = "**fixture** `\(d.name)`"
            if let f = p.fixtures.first(where: { $0.name == d.name }), let b = f.base { body.append("Like `\(b)`") }
        }
        var lines = [head]
        if let l = d.label { lines.append("*\(l)*") }
        if !d.doc.isEmpty { lines.append(d.doc.joined(separator: "\n")) }
        lines += body.filter { !$0.isEmpty }
        for a in d.attributes {
            switch a.kind {
            case .source: lines.append("Source: \(a.text)")
            case .assumption: lines.append("Assumption: \(a.text)")
            case .note: lines.append("Note: \(a.text)")
            }
        }
        if let map = workspace.lineMap(ofFile: d.key.path) {
            lines.append("Declared in `\(Paths.display(d.key.path)):\(map.position(of: d.nameRange.lowerBound).line + 1)`")
        }
        return lines.joined(separator: "\n\n")
    }

    /// A let's or param's definition as written, at most a few lines.
    func expressionText(_ d: SymbolDecl) -> String? {
        guard let bytes = workspace.bytes(ofFile: d.key.path), d.range.upperBound <= bytes.count else { return nil }
        let text = String(decoding: bytes[d.range], as: UTF8.self)
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.drop { $0 == " " }
            if lines.count > 0, ["source ", "assumption ", "note "].contains(where: { t.hasPrefix($0) }) { break }
            lines.append(line)
            if lines.count == 8 { lines.append("  …"); break }
        }
        return lines.joined(separator: "\n")
    }

    /// The rules that give an outcome (or refer to one destination), in every
    /// policy that reads the outcome's declaration.
    func givers(of outcome: String, destination: String?, declaredIn directory: String) -> String {
        workspace.ensureLoaded(directory: directory)
        var seen = Set<String>()
        var lines: [String] = []
        for dir in workspace.policies(including: directory) {
            guard let p = workspace.policies[dir]?.policy, let oid = p.outcome(named: outcome)?.id,
                  oid < p.outcomes.count else { continue }
            let o = p.outcomes[oid]
            for r in p.rules {
                let all = r.outcomes + r.variants.flatMap(\.outcomes)
                let matching = all.filter { g in
                    g.outcome == oid && (destination == nil || g.destination.map { $0 < o.destinations.count && o.destinations[$0] == destination } == true)
                }
                guard !matching.isEmpty, let f = r.span.file else { continue }
                let at = "\(Paths.display(workspace.absolute(f.path))):\(f.line(of: r.span.start))"
                guard seen.insert(at).inserted else { continue }
                let dests = Set(matching.compactMap { $0.destination.flatMap { $0 < o.destinations.count ? o.destinations[$0] : nil } }).sorted()
                lines.append("- rule `\(r.name)`" + (r.label.map { " *\($0)*" } ?? "")
                             + (destination == nil && !dests.isEmpty ? " → " + dests.joined(separator: ", ") : "")
                             + " (`\(at)`)")
            }
        }
        return lines.isEmpty ? "No rule gives it." : "Given by:\n" + lines.joined(separator: "\n")
    }
}
