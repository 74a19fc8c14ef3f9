import Linja

/// Printing goals, targets, verdict policies and report settings.
extension Layout {
    // MARK: Goals

    /// goal_decl = "goal" IDENT [ STRING ] { "level" IDENT | "for" period | attribute } "{" { target_decl } "}" ;
    func goal(_ g: GoalDecl) {
        w.group {
            w.token("goal ", at: g.header.span.start)
            name(g.header.name)
            if let l = g.header.label {
                // The label moves to a line of its own when it does not fit on the head line.
                w.group {
                    w.indent(2) {
                        w.line()
                        w.text(Layout.quote(l))
                    }
                }
            }
            var items: [Item] = []
            if let l = g.level {
                items.append(clause("level ", at: keywordBefore(anchor(l))) { [self] in
                    name(l)
                })
            }
            if let p = g.period {
                items.append(clause("for ", at: keywordBefore(anchor(p))) { [self] in
                    expr(p)
                })
            }
            headClauses(items, attributes: g.header.attributes)
        }
        let heads = g.targets.map(targetParts)
        // A goal's targets are a table: their comparisons line up when every
        // head is short and every aligned line fits.
        let headWidth = heads.map(\.head).max() ?? 0
        let aligned = heads.count >= 2 && headWidth <= Layout.alignedTargetHead
            && heads.allSatisfy { 2 + headWidth + 1 + $0.tail <= Formatter.width }
        let items = zip(g.targets, heads).map { t, parts in
            Item(anchor: t.header.span.start) { [self] in
                target(t, padding: aligned ? headWidth - parts.head : 0)
            }
        }
        block(items, close: closeBrace(endingAt: g.header.span.end))
    }

    /// The clauses of a head that ends in `{` (a goal's, a fixture's): on
    /// the head line, or, when they do not fit or there are attributes,
    /// each on a line of its own with the `{` on a line of its own.
    func headClauses(_ inline: [Item], attributes: [Attribute]) {
        let attrs = Set(attributes.compactMap { $0.span.isKnown ? $0.span.start : nil })
        w.group {
            w.indent(2) {
                for item in sorted(inline + attributeItems(attributes)) {
                    if let a = item.anchor, attrs.contains(a) { w.hardline() } else { w.line() }
                    if let a = item.anchor { w.flushComments(before: a) }
                    item.print()
                }
            }
            w.line()
        }
    }

    /// Targets whose `target name "label"` takes at most this many columns
    /// may have their comparisons aligned.
    static let alignedTargetHead = 60

    /// The widths of a target's head (`target name "label"`) and of the rest of its first line.
    func targetParts(_ t: TargetDecl) -> (head: Int, tail: Int) {
        var head = "target ".count + t.header.name.text.count
        if let l = t.header.label { head += 1 + Layout.quote(l).count }
        let m = Layout(measuring: src)
        m.targetComparison(t)
        var printer = DocPrinter(width: Int.max / 4)
        let tail = printer.print(m.w.doc()).split(separator: "\n").map(\.count).reduce(0, +)
        return (head, tail)
    }

    /// target_decl = "target" IDENT [ STRING ] ( comparison_op target_value [ unit ] [ "per" "year" ]
    ///               | "assessed" [ STRING ] ) { target_clause } ;
    /// The comparison goes on the next line when it does not fit on the head's.
    func target(_ t: TargetDecl, padding: Int) {
        w.group {
            head("target", t.header)
            w.indent(2) {
                w.flatOnly(String(repeating: " ", count: padding))
                w.line()
                targetComparison(t)
            }
        }
        var items = attributeItems(t.header.attributes)
        if let l = t.level {
            items.append(clause("level ", at: keywordBefore(anchor(l))) { [self] in
                name(l)
            })
        }
        if let b = t.baseline {
            items.append(clause("baseline ", at: b.span.isKnown ? b.span.start : nil) { [self] in
                if let text = b.text {
                    w.text(Layout.quote(text))
                } else if let v = b.value {
                    expr(v)
                    unitLabel(b.unitLabel, after: v)
                }
                if let p = b.period {
                    w.text(" in ")
                    expr(p)
                }
            })
        }
        if let p = t.period {
            items.append(clause("for ", at: keywordBefore(anchor(p))) { [self] in
                expr(p)
            })
        }
        if t.forEachMunicipality {
            let toks = Array(src.tokens(in: t.header.span.start..<t.header.span.end))
            let at = toks.indices.first { k in
                toks[k].text == "for" && k + 1 < toks.count && toks[k + 1].text == "each"
            }.map { toks[$0].start }
            items.append(clause("for each municipality", at: at) {})
        }
        switch t.source {
        case .measured(let e):
            items.append(clause("measured ", at: keywordBefore(anchor(e))) { [self] in
                expr(e)
            })
        case .reported:
            // Reported is the default: printed only where the source says it.
            let toks = Array(src.tokens(in: t.header.span.start..<t.header.span.end))
            for (k, tok) in toks.enumerated() where tok.kind == .identifier && tok.text == "reported" && k > 0 {
                let before = toks[k - 1]
                if before.kind == .keyword(.target) || (before.kind == .identifier && before.text == "level") { continue }
                items.append(Item(anchor: tok.start) { [self] in w.token("reported", at: tok.start) })
                break
            }
        }
        clauses(items)
    }

    /// `>= 75 %`, `<= 130 "asiakasta/htv"`, `> 600 hlöä per year`, `assessed "valmis"`.
    func targetComparison(_ t: TargetDecl) {
        if t.isQualitative {
            w.text("assessed")
            if let q = t.qualitative { w.text(" " + Layout.quote(q)) }
        } else if let op = t.comparison, let v = t.value {
            let at = anchor(v).flatMap { src.token(before: $0)?.start }
            w.token(op.rawValue + " ", at: at)
            expr(v)
            unitLabel(t.unitLabel, after: v)
            if t.perYear { w.text(" per year") }
        } else if let op = t.comparison, let g = t.given {
            let at = g.span.isKnown ? src.token(before: g.span.start)?.start : nil
            w.token(op.rawValue + " ", at: at)
            w.token("given", at: g.span.isKnown ? g.span.start : nil)
            switch g.kind {
            case .euros: w.text(" euros")
            case .percent: w.text(" percent")
            case .count:
                guard let unit = t.unitLabel else { break }
                let tok = g.span.isKnown ? src.token(after: g.span.end) : nil
                let bare = tok.map { $0.kind == .identifier && $0.text == unit } ?? false
                w.text(" ")
                w.token(bare ? unit : Layout.quote(unit), at: tok?.start)
            }
        }
    }

    /// A target's own unit (`hlöä`, `"asiakasta/htv"`), quoted as in the source.
    func unitLabel(_ unit: String?, after value: Expr) {
        guard let unit else { return }
        let tok = value.span.isKnown ? src.token(after: value.span.end) : nil
        let bare: Bool
        if let tok, tok.text == unit, tok.kind == .identifier || tok.kind == .string {
            bare = tok.kind == .identifier
        } else {
            bare = false
        }
        w.text(" ")
        w.token(bare ? unit : Layout.quote(unit), at: tok?.start)
    }

    // MARK: Verdicts and report

    /// verdicts_decl = "verdicts" "{" { verdict_item } "}" ;
    func verdicts(_ v: VerdictsDecl) {
        w.token("verdicts ", at: v.span.start)
        let items = v.items.map { item -> Item in
            switch item {
            case .near(let amount, let points, let forPercentages, let span):
                return Item(anchor: span.start) { [self] in
                    w.token("near within ", at: span.start)
                    if points {
                        w.token(literal(amount.span, fallback: Layout.numberText(amount)) + " points", at: anchor(amount))
                    } else {
                        w.token(literal(amount.span, fallback: Layout.numberText(amount) + " %"), at: anchor(amount))
                    }
                    if let p = forPercentages { w.text(p ? " for percentages" : " for others") }
                }
            case .prorate(let perYear, let span):
                return Item(anchor: span.start) { [self] in
                    w.token(perYear ? "prorate per year" : "prorate none", at: span.start)
                }
            case .assessment(let n, let l, let status, let span):
                return Item(anchor: span.start) { [self] in
                    w.token("assessment ", at: span.start)
                    name(n)
                    label(l)
                    w.text(" counts as " + status.rawValue)
                }
            case .goal(let l, let condition, let span):
                return Item(anchor: span.start) { [self] in
                    w.token("goal " + (l.map(Layout.quote) ?? "none"), at: span.start)
                    if let c = condition {
                        w.text(" when ")
                        goalCondition(c)
                    } else {
                        w.text(" otherwise")
                    }
                }
            }
        }
        block(items, close: closeBrace(endingAt: v.span.end))
    }

    private static func numberText(_ e: Expr) -> String {
        if case .number(let t) = e.kind { return t }
        return "0"
    }

    func goalCondition(_ c: GoalCondition) {
        for (i, conj) in c.anyOf.enumerated() {
            if i > 0 { w.text(" or ") }
            for (j, atom) in conj.enumerated() {
                if j > 0 { w.text(" and ") }
                // The words as written (`target is` or `targets are`, `has` or `have`).
                let words = atom.span.isKnown ? src.tokens(in: atom.span.start..<atom.span.end).map(\.text) : []
                let text: String
                if words.count == 4 {
                    text = words.joined(separator: " ")
                } else if let s = atom.status {
                    text = atom.quantifier.rawValue + " target is " + s.rawValue
                } else {
                    text = atom.quantifier.rawValue + " target has data"
                }
                w.token(text, at: atom.span.isKnown ? atom.span.start : nil)
            }
        }
    }

    /// report_decl = "report" "{" { report_item } "}" ;
    func report(_ r: ReportDecl) {
        w.token("report ", at: r.span.start)
        // The tree keeps the settings, not where they stand: find the last of each in the source.
        let toks = Array(src.tokens(in: r.span.start..<r.span.end))
        func find(_ first: String, _ second: String) -> Int? {
            var found: Int?
            for k in 0..<max(0, toks.count - 1) where toks[k].kind == .identifier && toks[k].text == first {
                if toks[k + 1].text == second { found = toks[k].start }
            }
            return found
        }
        var items: [Item] = []
        if let e = r.suppressBelow {
            items.append(clause("suppress below ", at: find("suppress", "below")) { [self] in
                expr(e)
            })
        }
        if let s = r.sampleClients {
            let at = find("sample", "clients")
            items.append(Item(anchor: at) { [self] in w.token("sample clients " + Layout.quote(s), at: at) })
        }
        if let s = r.sampleActuals {
            let at = find("sample", "actuals")
            items.append(Item(anchor: at) { [self] in w.token("sample actuals " + Layout.quote(s), at: at) })
        }
        if let d = r.sampleAsOf {
            items.append(clause("sample as_of ", at: find("sample", "as_of")) { [self] in
                expr(d)
            })
        }
        if let p = r.samplePeriod {
            items.append(clause("sample period ", at: find("sample", "period")) { [self] in
                expr(p)
            })
        }
        block(items, close: closeBrace(endingAt: r.span.end))
    }
}

extension Layout {
    /// unit_decl: `unit "tapahtuma" other "tapahtumaa"`, attributes each on a line.
    func unit(_ u: UnitDecl) {
        w.token("unit ", at: u.span.start)
        w.text(Layout.quote(u.one))
        w.text(" other ")
        w.text(Layout.quote(u.other))
        clauses(attributeItems(u.attributes))
    }
}
