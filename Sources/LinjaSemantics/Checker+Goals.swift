import Foundation
import LinjaBase
import LinjaSyntax
import LinjaModel

/// Goals, targets, the verdict policy and report settings.
extension Checker {
    func checkGoals() {
        for (name, d) in sortedByOrder(goalDecls, "goal") {
            let g = d.node
            let gid = goals.count
            goalIndex[name] = gid
            let goalPeriod = g.period.flatMap(periodValue)
            var targetIDs: [Int] = []
            for t in g.targets {
                if let existing = targetIndex[t.header.name.text] {
                    diags.error(.duplicateDeclaration, "target `\(t.header.name.text)` is declared twice", at: t.header.name.span,
                                notes: [DiagnosticNote("first declared here", at: targets[existing].span)])
                    continue
                }
                let tid = targets.count
                targetIndex[t.header.name.text] = tid
                targets.append(checkTarget(t, id: tid, goal: gid, goalLevel: g.level?.text, goalPeriod: goalPeriod))
                targetIDs.append(tid)
            }
            if g.targets.isEmpty {
                diags.error(.targetForm, "goal `\(name)` has no targets", at: g.header.name.span,
                            help: "add `target id \"Mittari\" >= 75 %` inside the braces")
            }
            goals.append(GoalDef(id: gid, name: name, label: g.header.label, level: g.level?.text, period: goalPeriod,
                                 targets: targetIDs, span: g.header.span, sources: g.header.attribute(.source)))
        }
    }

    func periodValue(_ e: Expr) -> Period? {
        guard case .period(let t) = e.kind else { return nil }
        guard let p = Period.parse(t) else {
            diags.error(.invalidPeriod, "`\(t)` is not a period", at: e.span)
            return nil
        }
        return p
    }

    func unit(of v: Value) -> TargetUnit {
        switch v {
        case .percent: return .percent
        case .duration(let d): return .duration(d.kind)
        case .money: return .money
        default: return .number
        }
    }

    func checkTarget(_ t: TargetDecl, id: Int, goal: Int, goalLevel: String?, goalPeriod: Period?) -> TargetDef {
        let name = t.header.name.text
        var value: Value?
        var unit = TargetUnit.number
        if let v = t.value, let cv = constantValue(v, as: nil, what: "the value of target `\(name)`") {
            value = cv
            unit = self.unit(of: cv)
            if case .duration(.mixed) = unit {
                diags.error(.targetForm, "a target's duration has one unit", at: v.span)
            }
        }
        if let g = t.given {
            switch g.kind {
            case .euros: unit = .money
            case .percent: unit = .percent
            case .count: unit = .number
            }
            if !t.forEachMunicipality {
                diags.error(.targetForm, "target `\(name)` takes its value from each data row, so it holds for each municipality", at: g.span,
                            help: "add `for each municipality`, or write the value: `<= 650000 €`")
            }
            if case .measured(let e) = t.source {
                diags.error(.targetForm, "target `\(name)` takes its value from the indicator data, so its actual comes from there too", at: e.span,
                            help: "write `reported` instead of `measured`")
            }
        }
        if t.perYear, unit != .number {
            diags.error(.targetForm, "only counts can be per year; target `\(name)` is a \(unit == .percent ? "percentage" : "measure")",
                        at: t.header.name.span, help: "remove `per year`: shares and durations are not pro-rated")
        }
        if unit == .number { checkUnitForms(t.unitLabel, at: t.header.name.span) }
        var baseline: Value?
        if let b = t.baseline, let bv = b.value, let cv = constantValue(bv, as: nil, what: "the baseline of target `\(name)`") {
            baseline = cv
            if value != nil, self.unit(of: cv) != unit {
                diags.error(.targetForm, "the baseline of target `\(name)` is in another unit than its target", at: bv.span)
            }
        }
        var measured: TExpr?
        if case .measured(let e) = t.source {
            let te = typeExpr(e, expected: nil, env: .measured)
            if t.isQualitative {
                diags.error(.targetForm, "a qualitative target is assessed, not measured", at: e.span)
            } else if !te.type.isError {
                let ok: Bool
                switch (unit, te.type.base) {
                case (.percent, .percent), (.money, .money): ok = true
                case (.number, .int), (.number, .decimal): ok = true
                case (.duration, .duration), (.duration, .span): ok = true
                case (.duration(.days), .int), (.duration(.days), .decimal): ok = true
                default: ok = false
                }
                if !ok, t.given == nil {
                    diags.error(.aggregateForm, "target `\(name)` is a \(unitName(unit)) but its measure gives \(te.type.base.a)", at: e.span,
                                help: unit == .percent ? "a share is measured with `share of clients where … among clients where …`" : nil)
                }
            }
            measured = te
        }
        return TargetDef(id: id, goal: goal, name: name, label: t.header.label, level: t.level?.text ?? goalLevel,
                         comparison: t.comparison, value: value, valueText: t.value?.span.text, unit: unit, unitLabel: t.unitLabel, perYear: t.perYear,
                         qualitative: t.isQualitative, qualitativeText: t.qualitative, baseline: baseline,
                         baselineValueText: t.baseline?.value?.span.text,
                         baselineText: t.baseline?.text, baselineUnitLabel: t.baseline?.unitLabel,
                         baselinePeriod: t.baseline?.period.flatMap(periodValue),
                         period: t.period.flatMap(periodValue) ?? goalPeriod, measured: measured, span: t.header.span,
                         sources: t.header.attribute(.source), assumptions: t.header.attribute(.assumption),
                         notes: t.header.attribute(.note), forEachMunicipality: t.forEachMunicipality, valueGiven: t.given != nil)
    }

    func unitName(_ u: TargetUnit) -> String {
        switch u {
        case .percent: return "percentage"
        case .duration(let k): return "duration in \(k.rawValue)"
        case .money: return "sum of money"
        case .number: return "number"
        }
    }

    func checkVerdicts() {
        let local = verdictDecls.filter { $0.unit == localUnit }
        let chosen = local.first ?? verdictDecls.last
        for extra in (local.isEmpty ? verdictDecls.dropLast() : local.dropFirst()) where extra.unit == localUnit || local.isEmpty {
            if extra.unit == chosen?.unit {
                diags.error(.duplicateDeclaration, "the policy has two verdict policies", at: extra.span,
                            notes: chosen.map { [DiagnosticNote("the other", at: $0.span)] } ?? [])
            }
        }
        guard let v = chosen?.node else {
            if let g = goals.first {
                diags.error(.verdictPolicy, "goals need a verdict policy", at: g.span,
                            help: "add `verdicts { near within 5 points for percentages … goal \"Toteutuu\" when no target is missed }`")
            }
            return
        }
        var policy = VerdictPolicy(nearPoints: nil, nearRelative: nil, prorateperYear: false, assessments: [], goalRules: [], span: v.span)
        var names = Set<String>()
        for item in v.items {
            switch item {
            case .near(let amount, let points, let forPct, let span):
                guard case .number(let t) = amount.kind, let f = Fixed.parse(Substring(t)) else { continue }
                if points {
                    if forPct == false { diags.error(.verdictPolicy, "points measure percentages; use `%` for other values", at: span) }
                    policy.nearPoints = f
                } else if forPct == true {
                    diags.error(.verdictPolicy, "a tolerance for percentages is in points (`5 points`)", at: span)
                } else {
                    policy.nearRelative = f
                }
            case .prorate(let perYear, _):
                policy.prorateperYear = perYear
            case .assessment(let n, let label, let countsAs, let span):
                if !names.insert(n.text).inserted {
                    diags.error(.duplicateDeclaration, "assessment `\(n.text)` is declared twice", at: n.span)
                }
                if countsAs == .assessed || countsAs == .no_data {
                    diags.error(.verdictPolicy, "an assessment counts as `met`, `near` or `missed`", at: span)
                }
                policy.assessments.append(AssessmentDef(name: n.text, label: label, countsAs: countsAs))
            case .goal(let label, let condition, let span):
                policy.goalRules.append(GoalVerdictRule(label: label, condition: condition, span: span))
            }
        }
        if policy.goalRules.isEmpty {
            diags.error(.verdictPolicy, "the verdict policy gives no goal verdicts", at: v.span,
                        help: "add e.g. `goal \"Ei toteudu\" when any target is missed` and `goal \"Toteutuu\" otherwise`")
        }
        if targets.contains(where: \.qualitative), policy.assessments.isEmpty {
            diags.error(.verdictPolicy, "qualitative targets need assessments in the verdict policy", at: v.span,
                        help: "add `assessment on_track \"Etenee\" counts as met`")
        }
        verdicts = policy
    }

    func checkReport() {
        guard let d = reportDecls.last else { return }
        for extra in reportDecls.dropLast() where extra.unit == d.unit {
            diags.error(.duplicateDeclaration, "the policy has two report settings", at: extra.span)
        }
        let r = d.node
        let dir = units[d.unit].directory
        if let e = r.suppressBelow {
            let t = typeExpr(e, expected: .int, env: Env(client: false, aggregates: false, asOf: false))
            var v: Value?
            if case .param(let p) = t.kind { v = params[p].base } else if case .constant(let c) = t.kind { v = c }
            if case .int(let n)? = v, n >= 1, n <= 1000 { report.suppressBelow = Int(n) }
            else if !t.type.isError {
                diags.error(.typeMismatch, "`suppress below` takes a whole number (a param or a literal) from 1 to 1000", at: e.span)
            }
        }
        report.sampleClients = r.sampleClients.map { Paths.normalize(dir + "/" + $0) }
        report.sampleActuals = r.sampleActuals.map { Paths.normalize(dir + "/" + $0) }
        for (path, raw) in [(report.sampleClients, r.sampleClients), (report.sampleActuals, r.sampleActuals)] {
            if let p = path, let raw, !FileManager.default.fileExists(atPath: p) {
                diags.error(.unreadable, "sample file `\(raw)` does not exist", at: r.span)
            }
        }
        if let a = r.sampleAsOf, case .date(let t) = a.kind { report.sampleAsOf = Day.parse(Substring(t)) }
        report.samplePeriod = r.samplePeriod.flatMap(periodValue)
    }
}

extension Checker {
    /// Unit words and their two forms: no word may belong to two units.
    func checkUnits() {
        var seen: [String: Span] = [:]
        for d in unitDecls {
            let u = d.node
            for word in Set([u.one, u.other]) {
                if let first = seen[word] {
                    diags.error(.duplicateDeclaration, "the unit word `\(word)` is declared twice", at: u.span,
                                notes: [DiagnosticNote("first declared here", at: first)])
                    continue
                }
                seen[word] = u.span
            }
            unitDefs.append(UnitDef(one: u.one, other: u.other, span: u.span))
        }
    }

    /// A target that counts in a unit word with no declared forms.
    func checkUnitForms(_ label: String?, at span: Span) {
        guard let word = label, word.contains(where: { $0.isLetter }),
              !unitDefs.contains(where: { $0.one == word || $0.other == word }) else { return }
        diags.warning(.unitWithoutForms, "the unit `\(word)` has no form for 1: outputs would read \"1 \(word)\"", at: span,
                      help: "declare its forms, e.g. `unit \"…\" other \"\(word)\"` (the form after 1, then after other numbers)")
    }
}
