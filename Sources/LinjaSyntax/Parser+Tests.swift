import LinjaBase

extension Parser {
    /// test_decl     = "test" STRING "{" { test_item } "}" ;
    /// test_item     = "as_of" DATE
    ///               | "period" period
    ///               | "client" [ IDENT ] [ "like" IDENT ] field_values
    ///               | "actuals" "{" { IDENT ":" expr [ STRING ] [ "," ] } "}"
    ///               | "expect" expectation
    ///               | "examples" "{" header_row { row } "}"
    ///               | "check" STRING ;                         (* policy text that must not check *)
    mutating func parseTest(_ doc: [String]) throws -> TestDecl {
        let start = advance()
        let nameTok = try expect(.string, "the test's name in quotes", after: "`test`")
        var t = TestDecl(doc: doc, name: nameTok.text, nameSpan: span(nameTok), asOf: nil, period: nil,
                         clients: [], actuals: [], expectations: [], tables: [], check: nil, checkSpan: nil,
                         span: span(start))
        let what = "test \"\(nameTok.text)\""
        let errorsBefore = diagnostics.count
        let body = try parseBlock(what, after: "the test's name") { p in
            if p.accept(.as_of) {
                t.asOf = try p.parseDateLiteral(after: "`as_of`")
            } else if p.acceptWord("period") {
                t.period = try p.parsePeriodLiteral(after: "`period`")
            } else if p.atWord("client") {
                let cs = p.advance()
                var name: Name?
                var base: Name?
                if p.at(.identifier), !p.atWord("like") { name = try p.expectIdentifier("a client name") }
                if p.acceptWord("like") { base = try p.expectIdentifier("a fixture name", after: "`like`") }
                let (fields, _) = try p.parseFieldValues("client", after: "`client`")
                t.clients.append(ClientSpec(name: name, base: base, fields: fields, span: p.span(from: cs.start)))
            } else if p.atWord("actuals") {
                p.advance()
                _ = try p.parseBlock("`actuals`", after: "`actuals`") { q in
                    let n = try q.expectIdentifier("a target name")
                    _ = try q.expect(.colon, after: "target `\(n.text)`")
                    let v = try q.parseExpr()
                    let note = q.optionalLabel()
                    t.actuals.append(ActualValue(target: n, value: v, note: note, span: n.span.to(q.span(from: n.span.start))))
                    _ = q.accept(.comma)
                }
            } else if p.at(.expect) {
                t.expectations.append(try p.parseExpectation())
            } else if p.atWord("examples") {
                t.tables.append(try p.parseExamples())
            } else if p.atWord("check") {
                p.advance()
                let s = try p.expect(.string, "policy text in quotes (`\"\"\"…\"\"\"`)", after: "`check`")
                t.check = s.text
                t.checkSpan = p.span(s)
            } else {
                throw p.fail("`as_of`, `period`, `client`, `actuals`, `expect`, `examples`, `check` or `}`",
                             after: "an item of \(what)")
            }
        }
        t.span = span(start).to(body)
        t.incomplete = diagnostics.count > errorsBefore
        return t
    }

    /// field_values  = "{" [ field_value { [ "," ] field_value } ] "}" ;
    /// field_value   = IDENT ":" expr ;
    mutating func parseFieldValues(_ what: String, after: String) throws -> ([FieldValue], Span) {
        var fields: [FieldValue] = []
        let body = try parseBlock(what, after: after) { p in
            let n = try p.expectIdentifier("a field name")
            _ = try p.expect(.colon, after: "field `\(n.text)`")
            let v = try p.parseExpr()
            fields.append(FieldValue(field: n, value: v, span: n.span.to(v.span)))
            _ = p.accept(.comma)
        }
        return (fields, body)
    }

    /// Whether the next line (after the current token's) starts with `|`: a
    /// stray line inside a table, not the end of it.
    var nextLineStartsWithPipe: Bool {
        var k = pos + 1
        while k < tokens.count, !tokens[k].atLineStart, tokens[k].kind != .eof { k += 1 }
        return k < tokens.count && tokens[k].kind == .pipe
    }

    /// fixture_decl  = "fixture" IDENT [ STRING ] [ "like" IDENT ] { attribute } field_values ;
    mutating func parseFixture(_ doc: [String]) throws -> FixtureDecl {
        let start = advance()
        var h = try parseHeader(doc, what: "fixture", start: start)
        var base: Name?
        if acceptWord("like") { base = try expectIdentifier("a fixture name", after: "`like`") }
        while let a = parseAttribute() { h.attributes.append(a) }
        let (fields, body) = try parseFieldValues("fixture `\(h.name.text)`", after: "the name of the fixture")
        h.span = span(start).to(body)
        return FixtureDecl(header: h, base: base, fields: fields)
    }

    /// expectation   = [ IDENT ":" ]
    ///                 ( [ "not" ] outcome_ref
    ///                 | "target" IDENT "is" status
    ///                 | "goal" IDENT "is" ( STRING | "none" )
    ///                 | "error" STRING
    ///                 | expr ) ;
    mutating func parseExpectation() throws -> ExpectDecl {
        let start = advance()
        var client: Name?
        if at(.identifier), peek(1).kind == .colon {
            client = try expectIdentifier("a client name")
            advance()
        }
        let e: Expectation
        if at(.not), outcomeKind(peek(1)) != nil {
            advance()
            e = .outcome(try parseOutcomeRef(), negated: true)
        } else if outcomeKind(current) != nil {
            e = .outcome(try parseOutcomeRef(), negated: false)
        } else if accept(.target) {
            let n = try expectIdentifier("a target name", after: "`expect target`")
            _ = try expect(.is, after: "target `\(n.text)`")
            e = .targetStatus(n, try parseStatus())
        } else if accept(.goal) {
            let n = try expectIdentifier("a goal name", after: "`expect goal`")
            _ = try expect(.is, after: "goal `\(n.text)`")
            if at(.string) { e = .goalVerdict(n, advance().text) }
            else if acceptWord("none") { e = .goalVerdict(n, nil) }
            else { throw fail("a verdict in quotes or `none`", after: "`is`") }
        } else if atWord("error"), peek(1).kind == .string {
            advance()
            e = .checkError(advance().text)
        } else {
            e = .holds(try parseExpr())
        }
        return ExpectDecl(client: client, expectation: e, span: span(from: start.start))
    }

    /// header_row    = "|" column { "|" column } "|" ;          (* each row on a line of its own *)
    /// column        = outcome_ref | "target" IDENT | "goal" IDENT | "as_of" | IDENT ;
    /// row           = "|" expr { "|" expr } "|" ;
    mutating func parseExamples() throws -> ExamplesTable {
        let start = advance()
        let open = try expect(.lbrace, after: "`examples`")
        openBlocks.append((what: "`{` of `examples`", span: span(open)))
        defer { openBlocks.removeLast() }
        var table = ExamplesTable(columns: [], columnSpans: [], rows: [], span: span(start))
        // Header.
        guard at(.pipe) else { throw fail("a header row starting with `|`", after: "`examples {`") }
        advance()
        while !(at(.pipe) && (peek(1).atLineStart || peek(1).kind == .rbrace)) {
            let s = current.start
            if outcomeKind(current) != nil {
                table.columns.append(.outcome(try parseOutcomeRef()))
            } else if accept(.target) {
                table.columns.append(.target(try expectIdentifier("a target name", after: "`target`")))
            } else if accept(.goal) {
                table.columns.append(.goal(try expectIdentifier("a goal name", after: "`goal`")))
            } else if at(.as_of) {
                let t = advance()
                table.columns.append(.name(Name("as_of", span: span(t))))
            } else {
                table.columns.append(.name(try expectIdentifier("a column: a client field, `as_of`, a let or an outcome")))
            }
            table.columnSpans.append(span(from: s))
            if at(.pipe), peek(1).atLineStart || peek(1).kind == .rbrace { break }
            _ = try expect(.pipe, "`|`", after: "a column of the table")
        }
        _ = try expect(.pipe, "`|`", after: "the header row")
        // Rows: each recovers on its own, so one bad row costs one error.
        while at(.pipe) || (!current.isEOF && !at(.rbrace) && current.atLineStart && (!isDeclarationStart || nextLineStartsWithPipe)) {
            let rs = current
            do {
                guard at(.pipe) else { throw fail("a row starting with `|` or `}`", after: "the rows of the table") }
                advance()
                var cells: [Expr] = []
                while true {
                    if at(.pipe) {
                        // An empty cell.
                        cells.append(Expr(.error, currentSpan))
                    } else {
                        cells.append(try parseExpr())
                    }
                    _ = try expect(.pipe, "`|`", after: "a cell of the table")
                    if current.atLineStart || at(.rbrace) || current.isEOF { break }
                }
                if cells.count != table.columns.count {
                    error(.testForm, "this row has \(cells.count) cells, the header has \(table.columns.count)",
                          span(from: rs.start))
                }
                table.rows.append(TableRow(cells: cells, span: span(from: rs.start)))
            } catch {
                // Skip to the next line.
                if !current.isEOF { advance() }
                while !current.isEOF, !current.atLineStart { advance() }
            }
            if current.start == rs.start, !current.isEOF { advance() }
        }
        let close = try expect(.rbrace, "`}` or a row starting with `|`", after: "the table")
        table.span = span(start).to(span(close))
        return table
    }
}
