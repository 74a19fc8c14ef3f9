import Linja

/// Rendering a `DiffReport` for people (a terminal table, an HTML page, in
/// English for policy authors or Finnish for the area's readers) and for
/// programs (JSON). Every count of clients goes through the same disclosure
/// control as the routing table (`DiffDisclosure`): small counts are "< N",
/// and those that would give a small one away by subtraction are "..".
/// Values that changed are marked: "*" in the terminal, highlighted in HTML.
extension DiffReport {
    func municipalityName(_ m: String?, _ l: ReportLanguage) -> String { m ?? (l.isFinnish ? "(ei kuntaa)" : "(no municipality)") }

    /// An outcome as the reader's language names it: labels in Finnish, code names in English.
    func title(_ o: DiffOutcome, _ l: ReportLanguage) -> String {
        l.isFinnish ? (titles[o] ?? o.label) : o.label
    }

    func versionLine(_ v: VersionInfo, _ l: ReportLanguage) -> String {
        var s = l.isFinnish ? "\(v.label), säännöstön tunniste \(v.fingerprint.prefix(12))" : "\(v.label)  \(v.fingerprint.prefix(12))"
        if !v.overrides.isEmpty {
            s += l.isFinnish
                ? ", kokeiltu arvoilla " + v.overrides.map { "\(paramTitles[$0.name] ?? $0.name) = \(DiffReport.finnishValue($0.value))" }.joined(separator: ", ")
                : "  with " + v.overrides.map { "\($0.name) = \($0.value)" }.joined(separator: ", ")
        }
        return s
    }

    func statusText(_ s: TargetStatus?, _ l: ReportLanguage) -> String {
        guard let s else { return l.isFinnish ? "(ei tätä mittaria)" : "(no such target)" }
        return GoalReport.symbol(s) + " " + l.status(s)
    }

    func actualText(_ c: TargetChange, before: Bool, _ l: ReportLanguage = .en) -> String {
        let v = before ? c.actualBefore : c.actualAfter
        if c.isCount, case .int(let n)? = v, isSuppressed(Int(n)) { return "< \(suppressBelow)" }
        let text = before ? c.actualBeforeText : c.actualAfterText
        return l.isFinnish ? DiffReport.decimalCommas(text) : text
    }

    /// A value as the rule files' formatter writes it ("2 months", "1.5"),
    /// in Finnish: units as the seeds abbreviate them, decimal commas.
    static func finnishValue(_ text: String) -> String {
        var out: [String] = []
        let text = text.replacingOccurrences(of: "working days", with: "arkipäivää").replacingOccurrences(of: "working day", with: "arkipäivä")
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            switch word {
            case "day", "days": out.append("pv")
            case "week", "weeks": out.append("vk")
            case "month", "months": out.append("kk")
            case "year", "years": out.append("v")
            case "true": out.append("kyllä")
            case "false": out.append("ei")
            default: out.append(String(word))
            }
        }
        return decimalCommas(out.joined(separator: " "))
    }

    /// "76.2 %" as a Finnish reader writes it, "76,2 %": a point between digits becomes a comma.
    static func decimalCommas(_ text: String) -> String {
        var out = ""
        let cs = Array(text)
        for (i, c) in cs.enumerated() {
            if c == ".", i > 0, i + 1 < cs.count, cs[i - 1].isNumber, cs[i + 1].isNumber { out.append(",") } else { out.append(c) }
        }
        return out
    }

    func verdictText(_ v: String?, exists: Bool, _ l: ReportLanguage) -> String {
        exists ? (v ?? (l.isFinnish ? "ei arviota" : "no verdict")) : (l.isFinnish ? "(ei tätä tavoitetta)" : "(no such goal)")
    }

    static func kindWord(_ k: DeclarationChange.Kind, _ l: ReportLanguage) -> String {
        guard l.isFinnish else { return k.rawValue }
        switch k {
        case .rule: return "sääntö"
        case .param: return "parametri"
        case .let: return "apumääritelmä"
        case .group: return "ryhmä"
        case .outcome: return "ratkaisu"
        case .target: return "mittari"
        case .verdicts: return "arviointi"
        }
    }

    func declarationTitle(_ d: DeclarationChange, _ l: ReportLanguage = .en) -> String {
        var s = l.isFinnish && d.label != nil ? "\(DiffReport.kindWord(d.kind, l).capitalized) ”\(d.label ?? d.name)”" : "\(DiffReport.kindWord(d.kind, l)) \(d.name)"
        let fi = l.isFinnish
        switch d.change {
        case .added: s += fi ? " lisätty" : " added"
        case .removed: s += fi ? " poistettu" : " removed"
        case .changed:
            if let b = d.beforeValue, let a = d.afterValue, b != a {
                s += fi ? ": \(DiffReport.finnishValue(b)) → \(DiffReport.finnishValue(a))" : ": \(b) → \(a)"
                if d.overriddenAfter || d.overriddenBefore {
                    if fi {
                        let which = d.overriddenAfter && d.overriddenBefore ? "molemmissa versioissa" : d.overriddenAfter ? "uudessa versiossa" : "vanhassa versiossa"
                        s += " (kokeiltu arvo \(which))"
                    } else {
                        let which = d.overriddenAfter && d.overriddenBefore ? "both" : d.overriddenAfter ? "new" : "old"
                        s += " (overridden in the \(which) version\(which == "both" ? "s" : ""))"
                    }
                }
            } else {
                s += fi ? " muuttui" : " changed"
            }
        }
        return s
    }

    func declarationPlace(_ d: DeclarationChange) -> String {
        switch (d.beforeLocation, d.afterLocation) {
        case let (b?, a?) where b == a || b.hasSuffix(":" + a): return a
        case let (b?, a?): return "\(b) → \(a)"
        case let (b?, nil): return b
        case let (nil, a?): return a
        case (nil, nil): return ""
        }
    }

    // MARK: Table

    /// A report for the terminal, in English (code names, for the policy's
    /// authors) or Finnish (the rule files' labels, d.m.yyyy, decimal commas).
    public func table(language l: ReportLanguage = .en) -> String {
        let fi = l.isFinnish
        let d = DiffDisclosure(self)
        func count(_ x: Disclosed) -> String { d.format.text(x, language: l) }
        var s = fi ? "Säännösten vertailu, tilanne \(l.date(asOf))\n" : "Policy diff, as of \(asOf)\n"
        s += (fi ? "  vanha: " : "  old: ") + versionLine(old, l) + "\n"
        s += (fi ? "  uusi: " : "  new: ") + versionLine(new, l) + "\n"
        s += fi
            ? "Asiakasrivejä luettu \(l.count(read)), verrattu \(l.count(compared)), hylätty \(l.count(rejected)); ratkaisut muuttuvat \(count(d.changedClients)) asiakkaalla\n"
            : "Clients: \(read) read, \(compared) compared, \(rejected) rejected; \(count(d.changedClients)) with changed outcomes\n"
        s += d.format.legend(language: l) + (fi ? " Muuttunut luku on merkitty tähdellä (*).\n" : " A value that changed is marked with *.\n")
        if !hasChanges {
            s += fi ? "\nEi muutoksia: säännöt ovat samat ja jokainen asiakas saa samat ratkaisut.\n"
                    : "\nNo changes: the rules read the same and every client gets the same outcomes.\n"
            return s
        }

        s += fi ? "\nMuuttuneet määrittelyt (säännöt, parametrit, apumääritelmät, ryhmät, ratkaisut, mittarit):\n"
                : "\nChanged declarations (rules, params, lets, groups, outcomes, targets):\n"
        if declarations.isEmpty { s += fi ? "  ei yhtään\n" : "  none\n" }
        for c in declarations {
            let place = declarationPlace(c)
            s += "  \(declarationTitle(c, l))" + (place.isEmpty ? "" : "  (\(place))") + "\n"
            for line in c.lines { s += "      \(line.marked)\n" }
        }

        s += fi ? "\nRatkaisut, jotka asiakkaat saavat tai menettävät:\n" : "\nOutcomes clients gain and lose:\n"
        if outcomes.isEmpty {
            s += fi ? "  ei yhtään: jokainen asiakas saa samat ratkaisut\n" : "  none: every client gets the same outcomes\n"
        } else {
            let names = outcomes.map { title($0.outcome, l) }
            let width = max(24, names.map { $0.count + 2 }.max() ?? 0,
                            outcomes.flatMap { $0.byMunicipality.map { municipalityName($0.municipality, l).count + 4 } }.max() ?? 0)
            func cell(_ t: String, _ w: Int = 10) -> String { String(repeating: " ", count: max(1, w - t.count)) + t }
            func pad(_ t: String) -> String { t + String(repeating: " ", count: max(0, width - t.count)) }
            s += pad(fi ? "  ratkaisu" : "  outcome") + cell(fi ? "ennen" : "before") + cell(fi ? "jälkeen" : "after")
                + cell(fi ? "saa" : "gain") + cell(fi ? "menettää" : "lose") + "\n"
            for (i, c) in outcomes.enumerated() {
                let o = d.outcomes[i]
                let changed = o.before.value != nil && o.before != o.after && o.after.value != nil
                s += pad("  " + names[i]) + cell(count(o.before)) + cell(count(o.after) + (changed ? " *" : "  "))
                    + cell(count(o.gained)) + cell(count(o.lost)) + "\n"
                for (m, mc) in zip(c.byMunicipality, o.byMunicipality) {
                    s += pad("    " + municipalityName(m.municipality, l)) + cell("") + cell("") + cell(count(mc.gained)) + cell(count(mc.lost)) + "\n"
                }
            }
        }

        if !sample.isEmpty {
            s += fi ? "\nEsimerkkejä asiakkaista, joiden ratkaisut muuttuvat (\(sample.count)); ne näyttävät yksittäisiä asiakkaita eivätkä ole jaettaviksi (--sample 0 jättää ne pois)\n"
                    : "\nSample: \(sample.count) of \(count(d.changedClients)) clients with changed outcomes\n"
            for c in sample {
                var what: [String] = []
                if !c.gained.isEmpty { what.append((fi ? "saa " : "gains ") + c.gained.map { title($0, l) }.joined(separator: ", ")) }
                if !c.lost.isEmpty { what.append((fi ? "menettää " : "loses ") + c.lost.map { title($0, l) }.joined(separator: ", ")) }
                s += "\n  \(c.id)  \(municipalityName(c.municipality, l))  (\(fi ? "rivi" : "row") \(c.row)): \(what.joined(separator: "; "))\n"
                s += (fi ? "    vanha:\n" : "    old:\n") + explanationText(c.before, missing: c.onlyAfter, indent: "      ", l)
                s += (fi ? "    uusi:\n" : "    new:\n") + explanationText(c.after, missing: c.onlyBefore, indent: "      ", l)
            }
        }

        if let g = goals {
            let status = g.targets.filter(\.statusChanged)
            let actual = g.targets.filter { !$0.statusChanged }
            let period = l.period(g.period)
            func name(_ t: TargetChange) -> String { fi ? (t.label ?? t.target) : t.target + (t.label.map { " \"\($0)\"" } ?? "") + " [goal \(t.goal)]" }
            s += fi ? "\nMittarit, joiden tila muuttuu (\(period)):\n" : "\nTargets whose status changes (\(period)):\n"
            if status.isEmpty { s += fi ? "  ei yhtään\n" : "  none\n" }
            for t in status {
                s += "  \(name(t)): \(statusText(t.statusBefore, l)) → \(statusText(t.statusAfter, l)) *"
                s += fi ? "  (toteuma \(actualText(t, before: true, l)) → \(actualText(t, before: false, l)))\n"
                        : "  (actual \(actualText(t, before: true, l)) → \(actualText(t, before: false, l)))\n"
            }
            if !actual.isEmpty {
                s += fi ? "Mittarit, joiden toteuma muuttuu, tila ei:\n" : "Targets whose actual changes, status the same:\n"
                for t in actual {
                    s += "  \(name(t)): \(actualText(t, before: true, l)) → \(actualText(t, before: false, l)) *  (\(statusText(t.statusAfter, l)))\n"
                }
            }
            s += fi ? "Tavoitteet, joiden arvio muuttuu:\n" : "Goals whose verdict changes:\n"
            if g.goals.isEmpty { s += fi ? "  ei yhtään\n" : "  none\n" }
            for c in g.goals {
                s += "  " + (fi ? (c.label ?? c.goal) : c.goal + (c.label.map { " \"\($0)\"" } ?? "")) + ": "
                s += "\(verdictText(c.verdictBefore, exists: c.existsBefore, l)) → \(verdictText(c.verdictAfter, exists: c.existsAfter, l)) *\n"
            }
        }
        return s
    }

    /// The rules involved for one version. In Finnish, the rules by their
    /// labels and whether they apply; the conditions in detail are the
    /// English version's (they quote the rule files).
    func explanationText(_ rules: [RuleExplanation], missing: [String], indent: String, _ l: ReportLanguage = .en) -> String {
        let fi = l.isFinnish
        var s = ""
        for r in rules {
            let fired: Bool
            if case .fired = r.status { fired = true } else { fired = false }
            let mark = fired ? "✓" : "·"
            if fi {
                s += "\(indent)\(mark) \(r.label ?? r.rule): \(fired ? "sovelletaan" : "ei sovelleta")\n"
                continue
            }
            s += "\(indent)\(mark) rule \(r.rule)" + (r.label.map { " \"\($0)\"" } ?? "") + ": \(r.summary)"
            s += (r.outcomes.isEmpty ? "" : " → " + r.outcomes.joined(separator: ", ")) + (r.location.map { "  (\($0))" } ?? "") + "\n"
            s += Explainer.text(r, indent: indent + "    ")
        }
        for name in missing { s += fi ? "\(indent)· \(name): ei tässä versiossa\n" : "\(indent)· rule \(name): not in this version\n" }
        if rules.isEmpty && missing.isEmpty { s += fi ? "\(indent)(ei sääntöjä)\n" : "\(indent)(no rule involved)\n" }
        return s
    }

    // MARK: JSON

    /// The report as JSON: shown counts are numbers and hidden ones objects,
    /// as in `linja run --summary --format json`; outcomes carry their labels.
    public func json() -> JSON {
        let dis = DiffDisclosure(self)
        let f = dis.format
        func version(_ v: VersionInfo) -> JSON {
            .object([("label", .string(v.label)), ("policy", .string(v.policy)), ("fingerprint", .string(v.fingerprint)),
                     ("params", .object(v.overrides.map { ($0.name, .string($0.value)) }))])
        }
        var pairs: [(String, JSON)] = [
            ("old", version(old)), ("new", version(new)), ("as_of", .string(asOf.description)),
            ("suppressed_below", .int(suppressBelow)),
            ("counts", .object([("read", .int(read)), ("compared", .int(compared)), ("rejected", .int(rejected)),
                                ("changed", f.json(dis.changedClients))])),
            ("suppression", .string(f.legend(language: .en))),
            ("changes", .bool(hasChanges)),
        ]
        pairs.append(("declarations", .array(declarations.map { d in
            var p: [(String, JSON)] = [("kind", .string(d.kind.rawValue)), ("name", .string(d.name)), ("change", .string(d.change.rawValue))]
            if let l = d.beforeLocation { p.append(("old_location", .string(l))) }
            if let l = d.afterLocation { p.append(("new_location", .string(l))) }
            if let v = d.beforeValue { p.append(("old_value", .string(v))) }
            if let v = d.afterValue { p.append(("new_value", .string(v))) }
            if d.overriddenBefore { p.append(("old_overridden", .bool(true))) }
            if d.overriddenAfter { p.append(("new_overridden", .bool(true))) }
            p.append(("text_changed", .bool(d.textChanged)))
            if !d.lines.isEmpty { p.append(("diff", .array(d.lines.map { .string($0.marked) }))) }
            return .object(p)
        })))
        pairs.append(("outcomes", .array(outcomes.enumerated().map { i, c in
            let o = dis.outcomes[i]
            var p: [(String, JSON)] = [("kind", .string(c.outcome.kind)), ("name", .string(c.outcome.name))]
            if let d = c.outcome.destination { p.append(("target", .string(d))) }
            p.append(("label", titles[c.outcome].map { .string($0) } ?? .null))
            p.append(("before", f.json(o.before)))
            p.append(("after", f.json(o.after)))
            p.append(("gained", f.json(o.gained)))
            p.append(("lost", f.json(o.lost)))
            p.append(("by_municipality", .object(zip(c.byMunicipality, o.byMunicipality).map { m, x in
                (municipalityName(m.municipality, .en), .object([("gained", f.json(x.gained)), ("lost", f.json(x.lost))]))
            })))
            return .object(p)
        })))
        pairs.append(("sample", .array(sample.map { c in
            .object([
                ("id", .string(c.id)), ("row", .int(c.row)),
                ("municipality", c.municipality.map { .string($0) } ?? .null),
                ("gained", .array(c.gained.map { .string($0.label) })), ("lost", .array(c.lost.map { .string($0.label) })),
                ("old_outcomes", .array(c.outcomesBefore.map { .string($0.label) })),
                ("new_outcomes", .array(c.outcomesAfter.map { .string($0.label) })),
                ("old", .array(c.before.map(Explainer.json))), ("new", .array(c.after.map(Explainer.json))),
                ("only_old", .array(c.onlyBefore.map { .string($0) })), ("only_new", .array(c.onlyAfter.map { .string($0) })),
            ])
        })))
        if let g = goals {
            pairs.append(("goals", .object([
                ("period", .string(g.period.description)),
                ("targets", .array(g.targets.map { t in
                    .object([("goal", .string(t.goal)), ("target", .string(t.target)), ("label", t.label.map { .string($0) } ?? .null),
                             ("old_status", t.statusBefore.map { .string($0.rawValue) } ?? .null),
                             ("new_status", t.statusAfter.map { .string($0.rawValue) } ?? .null),
                             ("status_changed", .bool(t.statusChanged)),
                             ("old_actual", .string(actualText(t, before: true))), ("new_actual", .string(actualText(t, before: false)))])
                })),
                ("goals", .array(g.goals.map { c in
                    .object([("goal", .string(c.goal)), ("label", c.label.map { .string($0) } ?? .null),
                             ("old_verdict", c.existsBefore ? (c.verdictBefore.map { .string($0) } ?? .null) : .null),
                             ("new_verdict", c.existsAfter ? (c.verdictAfter.map { .string($0) } ?? .null) : .null),
                             ("old_exists", .bool(c.existsBefore)), ("new_exists", .bool(c.existsAfter))])
                })),
            ])))
        }
        pairs.append(("issues", .array(issues.map { .string($0.description) })))
        return .object(pairs)
    }

    // MARK: HTML

    static let css = HTML.baseCSS + HTML.statusCSS + """
    tr.m th{font-weight:400;padding-left:1.6rem;background:none}
    pre{background:#f7f7f7;border:1px solid #e2e2e2;padding:.5rem;overflow-x:auto;font-size:.85rem;line-height:1.35}
    .add{background:#e3f4e6;color:#0b5d1e;display:block}.del{background:#fde4e4;color:#8a1111;display:block}
    .status{display:inline-block;padding:.05rem .5rem;border-radius:.8rem;font-weight:600;font-size:.88rem;border:1px solid}
    .client{border:1px solid #ddd;border-radius:.5rem;padding:.4rem .8rem;margin:.6rem 0;break-inside:avoid}
    .client h3{margin:.3rem 0}
    .cols{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.cols pre{white-space:pre-wrap}
    .note{color:#555;font-size:.85rem}
    @media (max-width:50rem){.cols{grid-template-columns:1fr}}
    mark{background:#fff1a8;color:inherit;padding:0 .15rem}
    .scroll{overflow-x:auto;max-width:100%}
    @media print{@page{size:A4;margin:15mm}body{margin:0;max-width:none}.client{page-break-inside:avoid}.scroll{overflow:visible}}
    """

    static func escape(_ s: String) -> String { HTML.escape(s) }

    /// One self-contained HTML page: inline CSS, no scripts; statuses are
    /// written out as text and a symbol, not only as colours; values that
    /// changed are highlighted (`<mark>`), and the legend says so.
    public func html(language l: ReportLanguage = .en) -> String {
        let e = DiffReport.escape
        let fi = l.isFinnish
        let d = DiffDisclosure(self)
        func count(_ x: Disclosed) -> String { e(d.format.text(x, language: l)) }
        func marked(_ text: String, _ changed: Bool) -> String { changed ? "<mark>\(text)</mark>" : text }
        let heading = fi ? "Säännösten vertailu: \(new.area ?? new.policy)" : "Policy diff: \(new.policy)"
        var h = "<!doctype html>\n<html lang=\"\(fi ? "fi" : "en")\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(e(heading)), \(fi ? "tilanne" : "as of") \(l.date(asOf))</title>\n<style>\n\(DiffReport.css)\n</style>\n</head>\n<body>\n"
        h += "<header><h1>\(e(heading))</h1>\n<p class=\"meta\">\(fi ? "Tilanne" : "As of") \(l.date(asOf))</p>\n"
        h += "<table><tbody>\n"
        h += "<tr><th scope=\"row\">\(fi ? "Vanha" : "Old")</th><td>\(e(versionLine(old, l)))</td></tr>\n"
        h += "<tr><th scope=\"row\">\(fi ? "Uusi" : "New")</th><td>\(e(versionLine(new, l)))</td></tr>\n"
        h += "<tr><th scope=\"row\">\(fi ? "Asiakasrivit" : "Clients")</th><td>"
        h += fi ? "luettu \(l.count(read)), verrattu \(l.count(compared)), hylätty \(l.count(rejected)); ratkaisut muuttuvat \(count(d.changedClients)) asiakkaalla"
                : "\(read) read, \(compared) compared, \(rejected) rejected; \(count(d.changedClients)) with changed outcomes"
        h += "</td></tr>\n</tbody></table>\n"
        h += "<p class=\"note\">\(e(d.format.legend(language: l))) "
        h += fi ? "<mark>Korostettu</mark> luku tai tila on muuttunut.</p>\n</header>\n<main>\n" : "A <mark>highlighted</mark> value changed.</p>\n</header>\n<main>\n"
        if !hasChanges {
            h += fi ? "<p><strong>Ei muutoksia:</strong> säännöt ovat samat ja jokainen asiakas saa samat ratkaisut.</p>\n"
                    : "<p><strong>No changes:</strong> the rules read the same and every client gets the same outcomes.</p>\n"
        }

        h += fi ? "<section>\n<h2>Muuttuneet määrittelyt</h2>\n" : "<section>\n<h2>Changed declarations (rules, params, lets, groups, outcomes, targets)</h2>\n"
        if declarations.isEmpty { h += fi ? "<p>Ei yhtään.</p>\n" : "<p>None.</p>\n" }
        for c in declarations {
            let place = declarationPlace(c)
            h += "<h3>\(e(declarationTitle(c, l)))</h3>\n"
            if !place.isEmpty { h += "<p class=\"note\">\(e(place))</p>\n" }
            if !c.lines.isEmpty {
                h += "<pre>"
                for line in c.lines {
                    switch line.operation {
                    case .same: h += e(line.marked) + "\n"
                    case .removed: h += "<span class=\"del\">\(e(line.marked))</span>"
                    case .added: h += "<span class=\"add\">\(e(line.marked))</span>"
                    }
                }
                h += "</pre>\n"
            }
        }
        h += "</section>\n"

        h += fi ? "<section>\n<h2>Ratkaisut, jotka asiakkaat saavat tai menettävät</h2>\n" : "<section>\n<h2>Outcomes clients gain and lose</h2>\n"
        if outcomes.isEmpty {
            h += fi ? "<p>Ei yhtään: jokainen asiakas saa samat ratkaisut.</p>\n" : "<p>None: every client gets the same outcomes.</p>\n"
        } else {
            let heads = fi ? ["Ratkaisu / kunta", "Ennen", "Jälkeen", "Saa", "Menettää"] : ["Outcome / municipality", "Before", "After", "Gain", "Lose"]
            h += "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">\(heads[0])</th>"
            for t in heads.dropFirst() { h += "<th scope=\"col\" class=\"num\">\(t)</th>" }
            h += "</tr></thead>\n<tbody>\n"
            for (i, c) in outcomes.enumerated() {
                let o = d.outcomes[i]
                let changed = o.before.value != nil && o.after.value != nil && o.before != o.after
                h += "<tr><th scope=\"row\">\(e(title(c.outcome, l)))</th><td class=\"num\">\(count(o.before))</td>"
                h += "<td class=\"num\">\(marked(count(o.after), changed))</td><td class=\"num\">\(count(o.gained))</td>"
                h += "<td class=\"num\">\(count(o.lost))</td></tr>\n"
                for (m, mc) in zip(c.byMunicipality, o.byMunicipality) {
                    h += "<tr class=\"m\"><th scope=\"row\">\(e(municipalityName(m.municipality, l)))</th><td></td><td></td>"
                    h += "<td class=\"num\">\(count(mc.gained))</td><td class=\"num\">\(count(mc.lost))</td></tr>\n"
                }
            }
            h += "</tbody>\n</table></div>\n"
        }
        h += "</section>\n"

        if !sample.isEmpty {
            h += fi ? "<section>\n<h2>Esimerkkejä asiakkaista, joiden ratkaisut muuttuvat (\(sample.count))</h2>\n<p class=\"note\">Esimerkit näyttävät yksittäisiä asiakkaita: ne ovat säännösten laatijalle, eivät jaettaviksi (--sample 0 jättää ne pois).</p>\n"
                    : "<section>\n<h2>Sample: \(sample.count) of \(count(d.changedClients)) clients with changed outcomes</h2>\n"
            for c in sample {
                var what: [String] = []
                if !c.gained.isEmpty { what.append((fi ? "saa " : "gains ") + c.gained.map { title($0, l) }.joined(separator: ", ")) }
                if !c.lost.isEmpty { what.append((fi ? "menettää " : "loses ") + c.lost.map { title($0, l) }.joined(separator: ", ")) }
                h += "<div class=\"client\">\n<h3>\(e(c.id)) · \(e(municipalityName(c.municipality, l))) <small>(\(fi ? "rivi" : "row") \(c.row))</small></h3>\n"
                h += "<p>\(e(what.joined(separator: "; ")))</p>\n<div class=\"cols\">\n"
                h += "<div><h4>\(fi ? "Vanha" : "Old")</h4><pre>\(e(explanationText(c.before, missing: c.onlyAfter, indent: "", l)))</pre></div>\n"
                h += "<div><h4>\(fi ? "Uusi" : "New")</h4><pre>\(e(explanationText(c.after, missing: c.onlyBefore, indent: "", l)))</pre></div>\n"
                h += "</div>\n</div>\n"
            }
            h += "</section>\n"
        }

        if let g = goals {
            func badge(_ s: TargetStatus?, changed: Bool = false) -> String {
                marked("<span class=\"status s-\(s?.rawValue ?? "none")\">\(e(statusText(s, l)))</span>", changed)
            }
            h += fi ? "<section>\n<h2>Mittarit ja tavoitteet, \(l.period(g.period))</h2>\n<h3>Mittarit, joiden tila tai toteuma muuttuu</h3>\n"
                    : "<section>\n<h2>Targets and goals, \(g.period)</h2>\n<h3>Targets whose status or actual changes</h3>\n"
            if g.targets.isEmpty {
                h += fi ? "<p>Ei yhtään.</p>\n" : "<p>None.</p>\n"
            } else {
                let heads = fi ? ["Mittari", "Tavoite", "Vanha toteuma", "Vanha tila", "Uusi toteuma", "Uusi tila"]
                               : ["Target", "Goal", "Old actual", "Old status", "New actual", "New status"]
                h += "<div class=\"scroll\"><table>\n<thead><tr>"
                for (i, t) in heads.enumerated() { h += "<th scope=\"col\"\(i == 2 || i == 4 ? " class=\"num\"" : "")>\(t)</th>" }
                h += "</tr></thead>\n<tbody>\n"
                for t in g.targets {
                    let before = actualText(t, before: true, l), after = actualText(t, before: false, l)
                    h += "<tr><th scope=\"row\">\(e(t.label ?? t.target))</th><td>\(e(t.goal))</td>"
                    h += "<td class=\"num\">\(e(before))</td><td>\(badge(t.statusBefore))</td>"
                    h += "<td class=\"num\">\(marked(e(after), after != before))</td><td>\(badge(t.statusAfter, changed: t.statusChanged))</td></tr>\n"
                }
                h += "</tbody>\n</table></div>\n"
            }
            h += fi ? "<h3>Tavoitteet, joiden arvio muuttuu</h3>\n" : "<h3>Goals whose verdict changes</h3>\n"
            if g.goals.isEmpty {
                h += fi ? "<p>Ei yhtään.</p>\n" : "<p>None.</p>\n"
            } else {
                h += fi ? "<table>\n<thead><tr><th scope=\"col\">Tavoite</th><th scope=\"col\">Vanha arvio</th><th scope=\"col\">Uusi arvio</th></tr></thead>\n<tbody>\n"
                        : "<table>\n<thead><tr><th scope=\"col\">Goal</th><th scope=\"col\">Old verdict</th><th scope=\"col\">New verdict</th></tr></thead>\n<tbody>\n"
                for c in g.goals {
                    h += "<tr><th scope=\"row\">\(e(c.label ?? c.goal))</th><td>\(e(verdictText(c.verdictBefore, exists: c.existsBefore, l)))</td>"
                    h += "<td><mark>\(e(verdictText(c.verdictAfter, exists: c.existsAfter, l)))</mark></td></tr>\n"
                }
                h += "</tbody>\n</table>\n"
            }
            h += "</section>\n"
        }
        if !issues.isEmpty {
            h += fi ? "<section>\n<h2>Hylätyt rivit</h2>\n<ul>\n" : "<section>\n<h2>Rejected rows</h2>\n<ul>\n"
            for i in issues.prefix(100) { h += "<li>\(e(i.description))</li>\n" }
            if issues.count > 100 { h += fi ? "<li>… ja \(issues.count - 100) muuta</li>\n" : "<li>… and \(issues.count - 100) more</li>\n" }
            h += "</ul>\n</section>\n"
        }
        h += "</main>\n</body>\n</html>\n"
        return h
    }
}
