import Linja

extension Layout {
    /// test_decl = "test" STRING "{" { test_item } "}" ;
    func test(_ t: TestDecl) {
        w.token("test ", at: t.span.start)
        w.text(Layout.quote(t.name) + " ")
        var items: [Item] = []
        if let d = t.asOf {
            items.append(clause("as_of ", at: keywordBefore(anchor(d))) { [self] in
                expr(d)
            })
        }
        if let p = t.period {
            items.append(clause("period ", at: keywordBefore(anchor(p))) { [self] in
                expr(p)
            })
        }
        for c in t.clients {
            items.append(clause("client ", at: c.span.isKnown ? c.span.start : nil) { [self] in
                if let n = c.name {
                    name(n)
                    w.text(" ")
                }
                if let b = c.base {
                    w.text("like ")
                    name(b)
                    w.text(" ")
                }
                fieldValues(c.fields, close: c.span.isKnown ? closeBrace(endingAt: c.span.end) : nil)
            })
        }
        // Values written in one `actuals { … }` form one block.
        var runs: [[ActualValue]] = []
        for a in t.actuals {
            let previous = a.span.isKnown ? src.token(before: a.span.start) : nil
            if runs.isEmpty || previous?.kind == .lbrace { runs.append([a]) } else { runs[runs.count - 1].append(a) }
        }
        for run in runs {
            let open = run.first.flatMap { $0.span.isKnown ? src.token(before: $0.span.start) : nil }
            let at = open.flatMap { src.token(before: $0.start)?.start }
            let close = run.last.flatMap { $0.span.isKnown ? src.tokenSkippingCommas(after: $0.span.end) : nil }
            items.append(Item(anchor: at) { [self] in
                w.token("actuals ", at: at)
                let entries = run.map { a in
                    Item(anchor: a.span.isKnown ? a.span.start : nil) { [self] in
                        w.token(a.target.text + ": ", at: a.span.isKnown ? a.span.start : nil)
                        expr(a.value)
                        label(a.note)
                    }
                }
                inlineBlock(entries, close: close?.kind == .rbrace ? close?.start : nil)
            })
        }
        for e in t.expectations {
            let at = e.span.isKnown ? e.span.start : nil
            items.append(Item(anchor: at) { [self] in expectation(e) })
        }
        for table in t.tables {
            let at = table.span.isKnown ? table.span.start : nil
            items.append(Item(anchor: at) { [self] in examples(table) })
        }
        if let check = t.check {
            items.append(clause("check ", at: t.checkSpan.flatMap { $0.isKnown ? keywordBefore($0.start) : nil }) { [self] in
                checkText(check, at: t.checkSpan.flatMap { $0.isKnown ? $0.start : nil })
            })
        }
        block(items, close: closeBrace(endingAt: t.span.end))
    }

    /// fixture_decl = "fixture" IDENT [ STRING ] [ "like" IDENT ] { attribute } field_values ;
    func fixture(_ f: FixtureDecl) {
        head("fixture", f.header)
        if let b = f.base {
            w.text(" like ")
            name(b)
        }
        headClauses([], attributes: f.header.attributes)
        // A `{` on a line of its own opens a block of lines.
        fieldValues(f.fields, close: closeBrace(endingAt: f.header.span.end), broken: !f.header.attributes.isEmpty)
    }

    /// field_values = "{" [ field_value { [ "," ] field_value } ] "}" ;
    func fieldValues(_ fields: [FieldValue], close: Int?, broken: Bool = false) {
        inlineBlock(broken: broken, fields.map { f in
            Item(anchor: anchor(f.field)) { [self] in
                w.token(f.field.text + ": ", at: anchor(f.field))
                expr(f.value)
            }
        }, close: close)
    }

    /// A block of values (a client's, a fixture's, actuals): on one line
    /// with commas when it fits, else one value a line without commas.
    /// `broken` puts the values on lines of their own even when they would fit.
    func inlineBlock(broken: Bool = false, _ entries: [Item], close: Int?) {
        let closeAt = close ?? Int.max
        if entries.isEmpty && (close == nil || !w.hasComments(before: closeAt)) {
            w.text("{}")
            return
        }
        w.group {
            w.text("{")
            w.indent(2) {
                for (i, entry) in entries.enumerated() {
                    if i > 0 { w.flatOnly(",") }
                    if broken { w.hardline() } else { w.line() }
                    if let at = entry.anchor { w.flushComments(before: at) }
                    entry.print()
                }
                if close != nil { w.flushComments(before: closeAt, blankAfter: false) }
            }
            w.line()
            w.token("}", at: close)
        }
    }

    /// expectation = [ IDENT ":" ] ( [ "not" ] outcome_ref | "target" IDENT "is" status
    ///               | "goal" IDENT "is" ( STRING | "none" ) | "error" STRING | expr ) ;
    private func expectation(_ e: ExpectDecl) {
        w.token("expect ", at: e.span.isKnown ? e.span.start : nil)
        if let c = e.client {
            name(c)
            w.text(": ")
        }
        switch e.expectation {
        case .outcome(let ref, let negated):
            if negated { w.text("not ") }
            outcomeRef(ref)
        case .holds(let x):
            expr(x)
        case .targetStatus(let n, let s):
            w.text("target ")
            name(n)
            w.text(" is " + s.rawValue)
        case .goalVerdict(let n, let v):
            w.text("goal ")
            name(n)
            w.text(" is " + (v.map(Layout.quote) ?? "none"))
        case .checkError(let message):
            w.text("error " + Layout.quote(message))
        }
    }

    /// examples = "examples" "{" header_row { row } "}" ; with the columns aligned.
    private func examples(_ table: ExamplesTable) {
        w.token("examples {", at: table.span.isKnown ? table.span.start : nil)
        let header = table.columns.map(columnText)
        let rows = table.rows.map { row in row.cells.map(cellText) }
        let count = max(header.count, rows.map(\.count).max() ?? 0)
        var widths = Array(repeating: 0, count: count)
        for r in [header] + rows {
            for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) }
        }
        func line(_ cells: [String]) -> String {
            var s = "|"
            for (i, c) in cells.enumerated() {
                s += " " + c + String(repeating: " ", count: widths[i] - c.count) + " |"
            }
            return s
        }
        let close = table.span.isKnown ? closeBrace(endingAt: table.span.end) : nil
        w.indent(2) {
            w.hardline()
            w.token(line(header), at: table.columnSpans.first.flatMap { $0.isKnown ? src.token(before: $0.start)?.start : nil })
            for (row, cells) in zip(table.rows, rows) {
                w.hardline()
                w.token(line(cells), at: row.span.isKnown ? row.span.start : nil)
            }
            if let close { w.flushComments(before: close, blankAfter: false) }
        }
        w.hardline()
        w.token("}", at: close)
    }

    private func columnText(_ c: TableColumn) -> String {
        switch c {
        case .name(let n): return n.text
        case .outcome(let ref):
            return ref.kind.rawValue + " " + ref.name.text + (ref.destination.map { " to " + $0.text } ?? "")
        case .target(let n): return "target " + n.text
        case .goal(let n): return "goal " + n.text
        }
    }

    /// A cell's text, laid out on one line.
    private func cellText(_ e: Expr) -> String {
        let m = Layout(measuring: src)
        m.expr(e)
        var printer = DocPrinter(width: Int.max / 4)
        let text = printer.print(m.w.doc())
        return text.split(separator: "\n").joined(separator: " ")
    }

    /// A `check` text as a `"""` block, its lines one level deeper than
    /// `check`, when it reads back the same; else as a one-line string.
    private func checkText(_ text: String, at offset: Int?) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var probe = "\"\"\"\n"
        for l in lines { probe += (l.isEmpty ? "" : "  ") + l + "\n" }
        probe += "  \"\"\""
        let lexed = Lexer.lex(SourceFile(path: "<check>", text: probe))
        let roundTrips = lexed.diagnostics.isEmpty && lexed.tokens.count == 2
            && lexed.tokens[0].kind == .string && lexed.tokens[0].text == text
        guard roundTrips else {
            w.text(Layout.quote(text), standingFor: offset)
            return
        }
        // Comments before the string go before the block, never into it.
        if let offset { w.flushComments(before: offset, blankAfter: false) }
        w.text("\"\"\"")
        w.indent(2) {
            w.verbatim(lines)
            w.hardline()
            w.text("\"\"\"", standingFor: offset)
        }
    }
}
