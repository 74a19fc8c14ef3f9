import Linja

/// Printing areas, records, enumerations, outcomes, params and lets.
extension Layout {
    // MARK: Areas

    /// area_decl = "area" IDENT [ STRING ] "{" { area_item } "}" ;
    func area(_ a: AreaDecl) {
        head("area", a.header)
        w.text(" ")
        var items = attributeItems(a.header.attributes)
        if let r = a.responsible {
            items.append(clause("responsible ", at: keywordBefore(anchor(r))) { [self] in
                name(r)
            })
        }
        // Entries written after one `municipalities` word form one clause.
        var runs: [[MunicipalityEntry]] = []
        for m in a.municipalities {
            let previous = anchor(m.name).flatMap { src.token(before: $0) }
            if runs.isEmpty || previous?.kind != .comma { runs.append([m]) } else { runs[runs.count - 1].append(m) }
        }
        for run in runs {
            items.append(clause("municipalities ", at: run.first.flatMap { anchor($0.name) }.flatMap { keywordBefore($0) }) { [self] in
                list(run) { [self] m in municipality(m) }
            })
        }
        for g in a.groups {
            items.append(Item(anchor: g.header.span.start) { [self] in group(g) })
        }
        block(items, close: closeBrace(endingAt: a.header.span.end))
    }

    func municipality(_ m: MunicipalityEntry) {
        name(m.name)
        guard let code = m.code else { return }
        // Written as a string or a number: keep which.
        let codeWord = anchor(m.name).flatMap { _ in src.token(after: m.name.span.end) }
        let codeToken = codeWord.flatMap { src.token(after: $0.end) }
        let text = codeToken?.kind == .number && codeToken?.text == code ? code : Layout.quote(code)
        w.text(" code ")
        w.token(text, at: codeToken?.start)
    }

    func group(_ g: GroupDecl) {
        head("group", g.header)
        w.text(" =")
        w.group {
            w.indent(2) {
                w.line()
                list(g.members) { [self] n in name(n) }
            }
        }
        clauses(attributeItems(g.header.attributes))
    }

    // MARK: Records and enumerations

    /// record_decl = "record" IDENT [ STRING ] "{" { field | attribute } "}" ;
    func record(_ r: RecordDecl) {
        head("record", r.header)
        w.text(" ")
        var items = attributeItems(r.header.attributes)
        for f in r.fields {
            items.append(Item(anchor: f.header.span.start) { [self] in field(f) })
        }
        block(items, close: closeBrace(endingAt: r.header.span.end))
    }

    /// field = IDENT [ STRING ] ":" type { field_clause } ;
    func field(_ f: FieldDecl) {
        w.token(f.header.name.text, at: f.header.span.start)
        label(f.header.label)
        // An inline enumeration wraps before `|`, the `|` under the `:` when that
        // column is near enough, else indented.
        var headWidth = 2 + f.header.name.text.count
        if let l = f.header.label { headWidth += 1 + Layout.quote(l).count }
        if headWidth <= 40 {
            w.align {
                w.text(": ")
                type(f.type)
            }
        } else {
            w.text(": ")
            w.indent(4) { type(f.type) }
        }
        var items = attributeItems(f.header.attributes)
        items += columnItems(f)
        // Mappings written in one `values { … }` form one clause.
        var runs: [[ValueMapping]] = []
        for m in f.values {
            let previous = m.span.isKnown ? src.token(before: m.span.start) : nil
            if runs.isEmpty || previous?.kind == .lbrace { runs.append([m]) } else { runs[runs.count - 1].append(m) }
        }
        for run in runs {
            let open = run.first.flatMap { $0.span.isKnown ? src.token(before: $0.span.start) : nil }
            items.append(clause("values { ", at: open.flatMap { src.token(before: $0.start)?.start }) { [self] in
                list(run) { [self] m in valueMapping(m) }
                w.text(" }")
            })
        }
        if let d = f.defaultValue {
            items.append(clause("default ", at: keywordBefore(anchor(d))) { [self] in
                w.align { expr(d) }
            })
        }
        if let s = f.notAfterAsOf {
            items.append(clause("not after as_of", at: s.isKnown ? s.start : nil) {})
        }
        clauses(items)
    }

    func valueMapping(_ m: ValueMapping) {
        let at = m.span.isKnown ? m.span.start : nil
        let codeToken = at.flatMap { src.token(at: $0) }
        let code = codeToken?.kind == .number && codeToken?.text == m.code ? m.code : Layout.quote(m.code)
        w.token(code + ": ", at: at)
        expr(m.value)
    }

    /// `column "a", "b"` clauses: the tree keeps only the names, so the
    /// clauses are found in the source after the field's type.
    func columnItems(_ f: FieldDecl) -> [Item] {
        guard !f.columns.isEmpty else { return [] }
        var skip: [Range<Int>] = f.header.attributes.map { $0.span.start..<$0.span.end }
        skip += f.values.map { $0.span.start..<$0.span.end }
        if let d = f.defaultValue { skip.append(d.span.start..<d.span.end) }
        let toks = Array(src.tokens(in: f.type.span.end..<f.header.span.end))
        var runs: [(at: Int, count: Int)] = []
        var k = 0
        while k < toks.count {
            let t = toks[k]
            if t.kind == .identifier, t.text == "column", k + 1 < toks.count, toks[k + 1].kind == .string,
               !skip.contains(where: { $0.contains(t.start) }) {
                var count = 1
                var j = k + 2
                while j + 1 < toks.count, toks[j].kind == .comma, toks[j + 1].kind == .string {
                    count += 1
                    j += 2
                }
                runs.append((t.start, count))
                k = j
            } else {
                k += 1
            }
        }
        if runs.map(\.count).reduce(0, +) != f.columns.count {
            runs = [(runs.first?.at ?? f.type.span.end, f.columns.count)]
        }
        var items: [Item] = []
        var next = 0
        for run in runs {
            let names = Array(f.columns[next..<next + run.count])
            next += run.count
            items.append(Item(anchor: run.at) { [self] in
                w.token("column ", at: run.at)
                list(names) { [self] n in w.text(Layout.quote(n)) }
            })
        }
        return items
    }

    /// enum_decl = "enum" IDENT [ STRING ] "{" { IDENT [ STRING ] [ "," ] | attribute } "}" ;
    func enumDecl(_ e: EnumDecl) {
        head("enum", e.header)
        w.text(" ")
        var items = attributeItems(e.header.attributes)
        for v in e.values {
            items.append(Item(anchor: anchor(v.name)) { [self] in
                name(v.name)
                label(v.label)
            })
        }
        block(items, close: closeBrace(endingAt: e.header.span.end))
    }

    // MARK: Outcomes, params, lets

    /// outcome_decl = "outcome" kind IDENT [ STRING ] [ "to" destination { "," destination } ] { attribute } ;
    func outcome(_ o: OutcomeDecl) {
        // Two tokens, so that a comment between the keyword and the kind stays there.
        w.token("outcome ", at: o.header.span.start)
        w.token(o.kind.rawValue + " ", at: keywordBefore(anchor(o.header.name)))
        name(o.header.name)
        label(o.header.label)
        if let first = o.destinations.first {
            let at = keywordBefore(anchor(first.name))
            w.group {
                w.indent(2) {
                    w.line()
                    w.token("to ", at: at)
                    list(o.destinations) { [self] d in
                        name(d.name)
                        label(d.label)
                    }
                }
            }
        }
        clauses(attributeItems(o.header.attributes))
    }

    /// param_decl = "param" IDENT [ STRING ] [ ":" type ] "=" expr { "from" DATE "=" expr | attribute | "overrides" } ;
    func param(_ p: ParamDecl) {
        head("param", p.header)
        if let t = p.type {
            w.text(": ")
            type(t)
        }
        definition(p.value)
        var items = attributeItems(p.header.attributes)
        for d in p.dated {
            items.append(clause("from ", at: d.span.isKnown ? d.span.start : nil) { [self] in
                expr(d.from)
                definition(d.value)
            })
        }
        if p.overrides { items.append(overridesItem(p.header)) }
        clauses(items)
    }

    /// let_decl = "let" IDENT [ STRING ] "=" expr { attribute | "overrides" } ;
    func letDecl(_ l: LetDecl) {
        head("let", l.header)
        definition(l.value)
        var items = attributeItems(l.header.attributes)
        if l.overrides { items.append(overridesItem(l.header)) }
        clauses(items)
    }

    /// A bare `overrides` clause, found in the source (the tree keeps a flag).
    func overridesItem(_ h: DeclHeader) -> Item {
        let at = src.tokens(in: h.span.start..<h.span.end).last { $0.kind == .keyword(.overrides) }?.start
        return Item(anchor: at) { [self] in w.token("overrides", at: at) }
    }
}
