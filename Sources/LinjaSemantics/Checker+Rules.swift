import LinjaBase
import LinjaSyntax
import LinjaModel

/// Rules: scopes, conditions, exceptions, outcomes, variants and their
/// precedence (the most specific scope wins; ties need `over`).
extension Checker {
    /// The slot of the field that places a client in a municipality.
    var municipalitySlot: Int? { record?.fields.first { $0.type.base == .municipality }?.slot }

    func checkRules() {
        let sorted = sortedByOrder(ruleDecls, "rule")
        for (i, (name, _)) in sorted.enumerated() { ruleIndex[name] = i }
        for (name, d) in sorted {
            rules.append(checkRule(name, d.node, origin: units[d.unit].directory))
        }
        // Priorities name other rules.
        for (i, (_, d)) in sorted.enumerated() {
            for o in d.node.over {
                if let j = ruleIndex[o.text] {
                    if j == i { diags.error(.unknownName, "a rule cannot take priority over itself", at: o.span) }
                    else { rules[i].over.append(j) }
                } else {
                    diags.error(.unknownName, "`over` names an unknown rule `\(o.text)`", at: o.span,
                                help: suggestion(o.text, among: ruleIndex.keys.map { $0 }))
                }
            }
        }
        if record == nil, !rules.isEmpty {
            diags.error(.recordCount, "the policy has rules but no record for them to read", at: rules[0].span,
                        help: "declare `record client { … }` or import a policy that does")
        }
    }

    func checkRule(_ name: String, _ r: RuleDecl, origin: String) -> Rule {
        var scope: MunicipalitySet?
        if let names = r.scope {
            var set = MunicipalitySet()
            for n in names { if let (s, _) = resolveScope(n) { set = set.union(s) } }
            scope = set
            if set.isEmpty, !names.isEmpty, !diags.hasErrors {
                diags.error(.deadRule, "rule `\(name)` applies in no municipality", at: r.header.name.span)
            }
        }
        let effectiveScope = scope ?? allMunicipalities
        let condition = r.condition.map { requireBool(typeExpr($0, expected: .bool, env: .perClient), "the condition of rule `\(name)`") }
        if let c = condition, case .constant(.bool(false)) = c.kind {
            diags.warning(.deadRule, "rule `\(name)` can never apply: its condition is `false`", at: c.span)
        }
        let exceptions = r.exceptions.map {
            RuleException(condition: requireBool(typeExpr($0.condition, expected: .bool, env: .perClient), "an exception of rule `\(name)`"),
                          label: $0.label, span: $0.span)
        }
        let outcomes = resolveOutcomes(r.outcomes, in: name)
        var variants: [RuleVariant] = []
        for (vi, v) in r.variants.enumerated() {
            var set = MunicipalitySet()
            var specificity = 3
            for n in v.scope {
                if let (s, spec) = resolveScope(n) {
                    set = set.union(s)
                    specificity = min(specificity, spec)
                }
            }
            let outside = set.subtracting(effectiveScope)
            if !outside.isEmpty {
                let names = outside.ids.map { municipalities[$0].name }
                diags.error(.variantOutOfScope, "a variant of rule `\(name)` names \(names.map { "`\($0)`" }.joined(separator: ", ")), outside the rule's scope",
                            at: v.scope.first.map { $0.span.to(v.scope.last?.span ?? $0.span) } ?? v.span,
                            notes: r.scope.map { [DiagnosticNote("the rule applies in \($0.map(\.text).joined(separator: ", "))", at: $0.first?.span)] } ?? [],
                            help: "widen the rule's `in`, or remove the municipality from the variant")
            }
            let vc = v.condition.map { requireBool(typeExpr($0, expected: .bool, env: .perClient), "the condition of a variant of rule `\(name)`") }
            variants.append(RuleVariant(index: vi, scope: set.intersection(effectiveScope),
                                        scopeText: v.scope.map { $0.quoted ? "\"\($0.text)\"" : $0.text }.joined(separator: ", "),
                                        specificity: specificity, condition: vc,
                                        outcomes: resolveOutcomes(v.outcomes, in: name), span: v.span))
        }
        var from: Day?
        var until: Day?
        if let f = r.effectiveFrom, case .date(let t) = f.kind { from = Day.parse(Substring(t)) }
        if let u = r.effectiveUntil, case .date(let t) = u.kind { until = Day.parse(Substring(t)) }
        if let f = from, let u = until, f > u, let span = r.effectiveUntil?.span {
            diags.error(.effectiveDates, "rule `\(name)` ends (\(u)) before it starts (\(f))", at: span)
        }
        let order = variantOrder(name, r, variants, scope: effectiveScope)
        return Rule(id: rules.count, name: name, label: r.header.label, scope: scope,
                    scopeText: r.scope?.map { $0.quoted ? "\"\($0.text)\"" : $0.text }.joined(separator: ", "),
                    condition: condition, exceptions: exceptions, outcomes: outcomes, variants: variants,
                    from: from, until: until, over: [], span: r.header.span, sources: r.header.attribute(.source),
                    assumptions: r.header.attribute(.assumption), variantOrder: order, origin: origin)
    }

    func resolveOutcomes(_ refs: [OutcomeRef], in rule: String) -> [GivenOutcome] {
        var out: [GivenOutcome] = []
        for ref in refs {
            guard let g = resolveOutcome(ref, requireDestination: true) else { continue }
            if let prev = out.first(where: { $0.outcome == g.outcome }) {
                if prev.destination != g.destination {
                    diags.error(.ruleConflict, "rule `\(rule)` refers `\(ref.name.text)` to two destinations at once", at: ref.span,
                                notes: [DiagnosticNote("the other", at: prev.span)])
                } else {
                    diags.error(.duplicateClause, "rule `\(rule)` gives `\(ref.kind.rawValue) \(ref.name.text)` twice", at: ref.span)
                }
                continue
            }
            out.append(g)
        }
        return out
    }

    /// For each municipality, the variants to try, most specific first. Two
    /// variants of equal specificity covering one municipality must say
    /// which wins (`over`) unless their conditions exclude each other.
    func variantOrder(_ name: String, _ r: RuleDecl, _ variants: [RuleVariant], scope: MunicipalitySet) -> [Int: [Int]] {
        var order: [Int: [Int]] = [:]
        var reported = Set<String>()
        for m in scope.ids {
            let candidates = variants.filter { $0.scope.contains(m) }
            guard !candidates.isEmpty else { continue }
            let wins: (RuleVariant, RuleVariant) -> Bool = { a, b in
                let overNames = Set(r.variants[a.index].over.map(\.text))
                return r.variants[b.index].scope.contains { overNames.contains($0.text) }
            }
            let sorted = candidates.sorted { a, b in
                if a.specificity != b.specificity { return a.specificity > b.specificity }
                if wins(a, b) { return true }
                if wins(b, a) { return false }
                return a.index < b.index
            }
            for (i, a) in sorted.enumerated() {
                for b in sorted[(i + 1)...] where a.specificity == b.specificity && !wins(a, b) && !wins(b, a) {
                    if exclusive(conditionAtoms(a.condition), conditionAtoms(b.condition)) { continue }
                    let key = "\(a.index)-\(b.index)"
                    guard reported.insert(key).inserted else { continue }
                    let both = a.scope.intersection(b.scope).ids.map { municipalities[$0].name }
                    diags.error(.ambiguousVariant,
                                "rule `\(name)` has two variants for \(both.map { "`\($0)`" }.joined(separator: ", ")) and does not say which wins",
                                at: b.span, notes: [DiagnosticNote("the other variant", at: a.span)],
                                help: "write `in \(b.scopeText) over \(a.scopeText):` (or the other way round)")
                }
            }
            order[m] = sorted.map(\.index)
        }
        return order
    }
}
