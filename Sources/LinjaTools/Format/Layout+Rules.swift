import Linja

/// Printing rules: scope, conditions, exceptions, outcomes and variants.
extension Layout {
    // MARK: Rules

    /// rule_decl = "rule" IDENT [ STRING ] { rule_clause } ;
    func rule(_ r: RuleDecl) {
        head("rule", r.header)
        var items = attributeItems(r.header.attributes)
        if let scope = r.scope, let first = scope.first {
            items.append(clause("in ", at: keywordBefore(anchor(first))) { [self] in
                list(scope) { [self] n in name(n) }
            })
        }
        if let c = r.condition {
            items.append(clause("when ", at: keywordBefore(anchor(c))) { [self] in
                expr(c)
            })
        }
        for x in r.exceptions {
            items.append(clause("unless ", at: x.span.isKnown ? x.span.start : nil) { [self] in
                expr(x.condition)
                label(x.label)
            })
        }
        let thenAt = r.outcomes.first.flatMap { $0.span.isKnown ? keywordBefore($0.span.start) : nil }
            ?? thenNothing(in: r.header.span)
        // `then` must stay before the variants, whatever the source tells.
        let thenOrder = thenAt ?? r.variants.first.map { $0.span.start } ?? r.header.span.end
        items.append(Item(anchor: thenOrder) { [self] in
            w.token("then ", at: thenAt)
            outcomes(r.outcomes)
        })
        for v in r.variants {
            let at = v.span.isKnown ? v.span.start : nil
            items.append(Item(anchor: at) { [self] in variant(v) })
        }
        if let d = r.effectiveFrom {
            items.append(clause("from ", at: keywordBefore(anchor(d))) { [self] in
                expr(d)
            })
        }
        if let d = r.effectiveUntil {
            items.append(clause("until ", at: keywordBefore(anchor(d))) { [self] in
                expr(d)
            })
        }
        if let o = r.overrides {
            if r.overridesSameName {
                items.append(Item(anchor: anchor(o)) { [self] in w.token("overrides", at: anchor(o)) })
            } else {
                items.append(clause("overrides ", at: keywordBefore(anchor(o))) { [self] in
                    name(o)
                })
            }
        }
        if let first = r.over.first {
            items.append(clause("over ", at: keywordBefore(anchor(first))) { [self] in
                list(r.over) { [self] n in name(n) }
            })
        }
        clauses(items)
    }

    /// The `then` of `then nothing` (not a variant's, which follows `:`).
    func thenNothing(in span: Span) -> Int? {
        let toks = Array(src.tokens(in: span.start..<span.end))
        for (k, t) in toks.enumerated() where t.kind == .keyword(.then) {
            if k + 1 < toks.count, toks[k + 1].kind == .keyword(.nothing), k == 0 || toks[k - 1].kind != .colon {
                return t.start
            }
        }
        return nil
    }

    /// variant = "in" scope [ "over" scope ] [ "when" expr ] ":" "then" outcomes ;
    func variant(_ v: Variant) {
        w.group {
            w.token("in ", at: v.span.isKnown ? v.span.start : nil)
            list(v.scope) { [self] n in name(n) }
            if let first = v.over.first {
                w.token(" over ", at: keywordBefore(anchor(first)))
                list(v.over) { [self] n in name(n) }
            }
            if let c = v.condition {
                // A condition that does not fit goes on the next line, under the variant's `then`.
                w.indent(2) {
                    w.line()
                    w.token("when ", at: keywordBefore(anchor(c)))
                    expr(c)
                }
            }
        }
        w.text(":")
        let toks = Array(src.tokens(in: v.span.start..<v.span.end))
        var thenAt: Int?
        for (k, t) in toks.enumerated() where t.kind == .keyword(.then) && k > 0 && toks[k - 1].kind == .colon {
            thenAt = t.start
        }
        w.indent(2) {
            w.hardline()
            w.token("then ", at: thenAt)
            outcomes(v.outcomes)
        }
    }

    /// outcomes = "nothing" | outcome_ref { "," ( outcome_ref | IDENT [ "to" IDENT ] ) } ;
    /// A kind the same as the previous one's is left out.
    func outcomes(_ refs: [OutcomeRef]) {
        guard !refs.isEmpty else {
            w.text("nothing")
            return
        }
        list(Array(refs.enumerated())) { [self] pair in
            let (i, ref) = pair
            outcomeRef(ref, kind: i == 0 || refs[i - 1].kind != ref.kind)
        }
    }

    func outcomeRef(_ ref: OutcomeRef, kind: Bool = true) {
        let at = ref.span.isKnown ? ref.span.start : nil
        w.token((kind ? ref.kind.rawValue + " " : "") + ref.name.text, at: at)
        if let d = ref.destination {
            w.text(" to ")
            name(d)
        }
    }
}
