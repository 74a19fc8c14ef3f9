import Linja

/// Rendering a `DiffReport` for people (a terminal table, an HTML page)
/// and programs (JSON). Every count of clients under the privacy threshold
/// is shown as "< N", and an outcome's before/after totals are withheld
/// where they would give away a suppressed gain or loss by subtraction.
extension DiffReport {
    /// Whether the before/after totals of an outcome may be shown.
    func totalsShown(_ c: OutcomeChange) -> Bool { !isSuppressed(c.gained) && !isSuppressed(c.lost) }

    func municipalityName(_ m: String?) -> String { m ?? "(no municipality)" }

    func versionLine(_ v: VersionInfo) -> String {
        var s = "\(v.label)  \(v.fingerprint.prefix(12))"
        if !v.overrides.isEmpty { s += "  with " + v.overrides.map { "\($0.name) = \($0.value)" }.joined(separator: ", ") }
        return s
    }

    func statusText(_ s: TargetStatus?) -> String {
        guard let s else { return "(no such target)" }
        let word: String
        switch s {
        case .met: word = "met"
        case .near: word = "near"
        case .missed: word = "missed"
        case .no_data: word = "no data"
        case .assessed: word = "assessed"
        }
        return GoalReport.symbol(s) + " " + word
    }

    func actualText(_ c: TargetChange, before: Bool) -> String {
        let v = before ? c.actualBefore : c.actualAfter
        if c.isCount, case .int(let n)? = v, isSuppressed(Int(n)) { return "< \(suppressBelow)" }
        return before ? c.actualBeforeText : c.actualAfterText
    }

    func verdictText(_ v: String?, exists: Bool) -> String {
        exists ? (v ?? "no verdict") : "(no such goal)"
    }

    func declarationTitle(_ d: DeclarationChange) -> String {
        var s = "\(d.kind.rawValue) \(d.name)"
        switch d.change {
        case .added: s += " added"
        case .removed: s += " removed"
        case .changed:
            if let b = d.beforeValue, let a = d.afterValue, b != a {
                s += ": \(b) → \(a)"
                if d.overriddenAfter || d.overriddenBefore {
                    let which = d.overriddenAfter && d.overriddenBefore ? "both" : d.overriddenAfter ? "new" : "old"
                    s += " (overridden in the \(which) version\(which == "both" ? "s" : ""))"
                }
            } else {
                s += " changed"
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

    /// A report for the terminal.
    public func table() -> String {
        var s = "Policy diff, as of \(asOf)\n"
        s += "  old: \(versionLine(old))\n"
        s += "  new: \(versionLine(new))\n"
        s += "Clients: \(read) read, \(compared) compared, \(rejected) rejected; \(shown(changedClients)) with changed outcomes\n"
        s += "Counts under \(suppressBelow) are shown as \"< \(suppressBelow)\".\n"
        if !hasChanges {
            s += "\nNo changes: the rules read the same and every client gets the same outcomes.\n"
            return s
        }

        s += "\nChanged declarations (rules, params, lets, groups, outcomes, targets):\n"
        if declarations.isEmpty { s += "  none\n" }
        for d in declarations {
            let place = declarationPlace(d)
            s += "  \(declarationTitle(d))" + (place.isEmpty ? "" : "  (\(place))") + "\n"
            for l in d.lines { s += "      \(l.marked)\n" }
        }

        s += "\nOutcomes clients gain and lose:\n"
        if outcomes.isEmpty {
            s += "  none: every client gets the same outcomes\n"
        } else {
            let width = max(24, outcomes.map { $0.outcome.label.count + 2 }.max() ?? 0,
                            outcomes.flatMap { $0.byMunicipality.map { municipalityName($0.municipality).count + 4 } }.max() ?? 0)
            func cell(_ t: String, _ w: Int = 8) -> String { String(repeating: " ", count: max(1, w - t.count)) + t }
            func pad(_ t: String) -> String { t + String(repeating: " ", count: max(0, width - t.count)) }
            s += pad("  outcome") + cell("before") + cell("after") + cell("gain") + cell("lose") + "\n"
            var withheld = false
            for c in outcomes {
                let show = totalsShown(c)
                withheld = withheld || !show
                s += pad("  " + c.outcome.label) + cell(show ? shown(c.before) : "·") + cell(show ? shown(c.after) : "·")
                    + cell(shown(c.gained)) + cell(shown(c.lost)) + "\n"
                for m in c.byMunicipality {
                    s += pad("    " + municipalityName(m.municipality)) + cell("") + cell("") + cell(shown(m.gained)) + cell(shown(m.lost)) + "\n"
                }
            }
            if withheld { s += "  · withheld: it would give away a count under \(suppressBelow)\n" }
        }

        if !sample.isEmpty {
            s += "\nSample: \(sample.count) of \(shown(changedClients)) clients with changed outcomes\n"
            for c in sample {
                var what: [String] = []
                if !c.gained.isEmpty { what.append("gains " + c.gained.map(\.label).joined(separator: ", ")) }
                if !c.lost.isEmpty { what.append("loses " + c.lost.map(\.label).joined(separator: ", ")) }
                s += "\n  \(c.id)  \(municipalityName(c.municipality))  (row \(c.row)): \(what.joined(separator: "; "))\n"
                s += "    old:\n" + explanationText(c.before, missing: c.onlyAfter, indent: "      ")
                s += "    new:\n" + explanationText(c.after, missing: c.onlyBefore, indent: "      ")
            }
        }

        if let g = goals {
            let status = g.targets.filter(\.statusChanged)
            let actual = g.targets.filter { !$0.statusChanged }
            s += "\nTargets whose status changes (\(g.period)):\n"
            if status.isEmpty { s += "  none\n" }
            for t in status {
                s += "  \(t.target)" + (t.label.map { " \"\($0)\"" } ?? "") + " [goal \(t.goal)]: "
                s += "\(statusText(t.statusBefore)) → \(statusText(t.statusAfter))  (actual \(actualText(t, before: true)) → \(actualText(t, before: false)))\n"
            }
            if !actual.isEmpty {
                s += "Targets whose actual changes, status the same:\n"
                for t in actual {
                    s += "  \(t.target) [goal \(t.goal)]: \(actualText(t, before: true)) → \(actualText(t, before: false))  (\(statusText(t.statusAfter)))\n"
                }
            }
            s += "Goals whose verdict changes:\n"
            if g.goals.isEmpty { s += "  none\n" }
            for c in g.goals {
                s += "  \(c.goal)" + (c.label.map { " \"\($0)\"" } ?? "") + ": "
                s += "\(verdictText(c.verdictBefore, exists: c.existsBefore)) → \(verdictText(c.verdictAfter, exists: c.existsAfter))\n"
            }
        }
        return s
    }

    func explanationText(_ rules: [RuleExplanation], missing: [String], indent: String) -> String {
        var s = ""
        for r in rules {
            let mark: String
            if case .fired = r.status { mark = "✓" } else { mark = "·" }
            s += "\(indent)\(mark) rule \(r.rule)" + (r.label.map { " \"\($0)\"" } ?? "") + ": \(r.summary)"
            s += (r.outcomes.isEmpty ? "" : " → " + r.outcomes.joined(separator: ", ")) + (r.location.map { "  (\($0))" } ?? "") + "\n"
            s += Explainer.text(r, indent: indent + "    ")
        }
        for name in missing { s += "\(indent)· rule \(name): not in this version\n" }
        if rules.isEmpty && missing.isEmpty { s += "\(indent)(no rule involved)\n" }
        return s
    }

    // MARK: JSON

    /// The report as JSON; counts are strings, as in `linja run --summary`
    /// ("< 5" when suppressed).
    public func json() -> JSON {
        func version(_ v: VersionInfo) -> JSON {
            .object([("label", .string(v.label)), ("policy", .string(v.policy)), ("fingerprint", .string(v.fingerprint)),
                     ("params", .object(v.overrides.map { ($0.name, .string($0.value)) }))])
        }
        var pairs: [(String, JSON)] = [
            ("old", version(old)), ("new", version(new)), ("as_of", .string(asOf.description)),
            ("suppressed_below", .int(suppressBelow)),
            ("counts", .object([("read", .int(read)), ("compared", .int(compared)), ("rejected", .int(rejected)),
                                ("changed", .string(shown(changedClients)))])),
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
        pairs.append(("outcomes", .array(outcomes.map { c in
            var p: [(String, JSON)] = [("kind", .string(c.outcome.kind)), ("name", .string(c.outcome.name))]
            if let d = c.outcome.destination { p.append(("target", .string(d))) }
            let show = totalsShown(c)
            p.append(("before", show ? .string(shown(c.before)) : .null))
            p.append(("after", show ? .string(shown(c.after)) : .null))
            p.append(("gained", .string(shown(c.gained))))
            p.append(("lost", .string(shown(c.lost))))
            p.append(("by_municipality", .object(c.byMunicipality.map { m in
                (municipalityName(m.municipality), .object([("gained", .string(shown(m.gained))), ("lost", .string(shown(m.lost)))]))
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
    @media print{body{margin:0;max-width:none}.client{page-break-inside:avoid}}
    """

    static func escape(_ s: String) -> String { HTML.escape(s) }

    /// One self-contained HTML page: inline CSS, no scripts; statuses are
    /// written out as text and a symbol, not only as colours.
    public func html() -> String {
        let e = DiffReport.escape
        var h = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>Policy diff: \(e(new.policy)), as of \(asOf)</title>\n<style>\n\(DiffReport.css)\n</style>\n</head>\n<body>\n"
        h += "<header><h1>Policy diff: \(e(new.policy))</h1>\n<p class=\"meta\">as_of \(asOf)</p>\n"
        h += "<table><tbody>\n"
        h += "<tr><th scope=\"row\">old</th><td>\(e(versionLine(old)))</td></tr>\n"
        h += "<tr><th scope=\"row\">new</th><td>\(e(versionLine(new)))</td></tr>\n"
        h += "<tr><th scope=\"row\">clients</th><td>\(read) read, \(compared) compared, \(rejected) rejected; "
        h += "\(e(shown(changedClients))) with changed outcomes</td></tr>\n</tbody></table>\n</header>\n<main>\n"
        if !hasChanges {
            h += "<p><strong>No changes:</strong> the rules read the same and every client gets the same outcomes.</p>\n"
        }

        h += "<section>\n<h2>Changed declarations (rules, params, lets, groups, outcomes, targets)</h2>\n"
        if declarations.isEmpty { h += "<p>None.</p>\n" }
        for d in declarations {
            let place = declarationPlace(d)
            h += "<h3>\(e(declarationTitle(d)))</h3>\n"
            if !place.isEmpty { h += "<p class=\"note\">\(e(place))</p>\n" }
            if !d.lines.isEmpty {
                h += "<pre>"
                for l in d.lines {
                    switch l.operation {
                    case .same: h += e(l.marked) + "\n"
                    case .removed: h += "<span class=\"del\">\(e(l.marked))</span>"
                    case .added: h += "<span class=\"add\">\(e(l.marked))</span>"
                    }
                }
                h += "</pre>\n"
            }
        }
        h += "</section>\n"

        h += "<section>\n<h2>Outcomes clients gain and lose</h2>\n"
        if outcomes.isEmpty {
            h += "<p>None: every client gets the same outcomes.</p>\n"
        } else {
            h += "<table>\n<thead><tr><th scope=\"col\">Outcome / municipality</th><th scope=\"col\" class=\"num\">Before</th>"
            h += "<th scope=\"col\" class=\"num\">After</th><th scope=\"col\" class=\"num\">Gain</th><th scope=\"col\" class=\"num\">Lose</th></tr></thead>\n<tbody>\n"
            for c in outcomes {
                let show = totalsShown(c)
                h += "<tr><th scope=\"row\">\(e(c.outcome.label))</th><td class=\"num\">\(show ? e(shown(c.before)) : "·")</td>"
                h += "<td class=\"num\">\(show ? e(shown(c.after)) : "·")</td><td class=\"num\">\(e(shown(c.gained)))</td>"
                h += "<td class=\"num\">\(e(shown(c.lost)))</td></tr>\n"
                for m in c.byMunicipality {
                    h += "<tr class=\"m\"><th scope=\"row\">\(e(municipalityName(m.municipality)))</th><td></td><td></td>"
                    h += "<td class=\"num\">\(e(shown(m.gained)))</td><td class=\"num\">\(e(shown(m.lost)))</td></tr>\n"
                }
            }
            h += "</tbody>\n</table>\n"
            if outcomes.contains(where: { !totalsShown($0) }) {
                h += "<p class=\"note\">· withheld: it would give away a count under \(suppressBelow).</p>\n"
            }
        }
        h += "</section>\n"

        if !sample.isEmpty {
            h += "<section>\n<h2>Sample: \(sample.count) of \(e(shown(changedClients))) clients with changed outcomes</h2>\n"
            for c in sample {
                var what: [String] = []
                if !c.gained.isEmpty { what.append("gains " + c.gained.map(\.label).joined(separator: ", ")) }
                if !c.lost.isEmpty { what.append("loses " + c.lost.map(\.label).joined(separator: ", ")) }
                h += "<div class=\"client\">\n<h3>\(e(c.id)) · \(e(municipalityName(c.municipality))) <small>(row \(c.row))</small></h3>\n"
                h += "<p>\(e(what.joined(separator: "; ")))</p>\n<div class=\"cols\">\n"
                h += "<div><h4>Old</h4><pre>\(e(explanationText(c.before, missing: c.onlyAfter, indent: "")))</pre></div>\n"
                h += "<div><h4>New</h4><pre>\(e(explanationText(c.after, missing: c.onlyBefore, indent: "")))</pre></div>\n"
                h += "</div>\n</div>\n"
            }
            h += "</section>\n"
        }

        if let g = goals {
            func badge(_ s: TargetStatus?) -> String {
                "<span class=\"status s-\(s?.rawValue ?? "none")\">\(e(statusText(s)))</span>"
            }
            h += "<section>\n<h2>Targets and goals, \(g.period)</h2>\n"
            h += "<h3>Targets whose status or actual changes</h3>\n"
            if g.targets.isEmpty {
                h += "<p>None.</p>\n"
            } else {
                h += "<table>\n<thead><tr><th scope=\"col\">Target</th><th scope=\"col\">Goal</th><th scope=\"col\" class=\"num\">Old actual</th>"
                h += "<th scope=\"col\">Old status</th><th scope=\"col\" class=\"num\">New actual</th><th scope=\"col\">New status</th></tr></thead>\n<tbody>\n"
                for t in g.targets {
                    h += "<tr><th scope=\"row\">\(e(t.label ?? t.target))</th><td>\(e(t.goal))</td>"
                    h += "<td class=\"num\">\(e(actualText(t, before: true)))</td><td>\(badge(t.statusBefore))</td>"
                    h += "<td class=\"num\">\(e(actualText(t, before: false)))</td><td>\(badge(t.statusAfter))"
                    h += (t.statusChanged ? " <strong>(status changes)</strong>" : "") + "</td></tr>\n"
                }
                h += "</tbody>\n</table>\n"
            }
            h += "<h3>Goals whose verdict changes</h3>\n"
            if g.goals.isEmpty {
                h += "<p>None.</p>\n"
            } else {
                h += "<table>\n<thead><tr><th scope=\"col\">Goal</th><th scope=\"col\">Old verdict</th><th scope=\"col\">New verdict</th></tr></thead>\n<tbody>\n"
                for c in g.goals {
                    h += "<tr><th scope=\"row\">\(e(c.label ?? c.goal))</th><td>\(e(verdictText(c.verdictBefore, exists: c.existsBefore)))</td>"
                    h += "<td>\(e(verdictText(c.verdictAfter, exists: c.existsAfter)))</td></tr>\n"
                }
                h += "</tbody>\n</table>\n"
            }
            h += "</section>\n"
        }
        if !issues.isEmpty {
            h += "<section>\n<h2>Rejected rows</h2>\n<ul>\n"
            for i in issues.prefix(100) { h += "<li>\(e(i.description))</li>\n" }
            if issues.count > 100 { h += "<li>… and \(issues.count - 100) more</li>\n" }
            h += "</ul>\n</section>\n"
        }
        h += "</main>\n<footer class=\"note\"><p>Groups under \(suppressBelow) persons are shown as \"&lt; \(suppressBelow)\".</p></footer>\n"
        h += "</body>\n</html>\n"
        return h
    }
}
