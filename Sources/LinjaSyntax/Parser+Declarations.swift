import LinjaBase

extension Parser {
    /// import_decl   = "import" STRING ;                       (* a directory, relative *)
    mutating func parseImport(_ doc: [String]) throws -> ImportDecl {
        let start = advance()
        let path = try expect(.string, "a directory path in quotes", after: "`import`")
        return ImportDecl(doc: doc, path: path.text, span: span(start).to(span(path)))
    }

    /// The common head of declarations: name and optional label.
    mutating func parseHeader(_ doc: [String], what: String, start: Token) throws -> DeclHeader {
        let name = try expectIdentifier("the name of the \(what)", after: "`\(start.text)`")
        let label = optionalLabel()
        return DeclHeader(doc: doc, name: name, label: label, attributes: [], span: span(start))
    }

    /// area_decl     = "area" IDENT [ STRING ] { attribute } "{" { area_item } "}" ;
    /// area_item     = "responsible" name
    ///               | "municipalities" municipality { "," municipality }
    ///               | "group" IDENT [ STRING ] "=" name { "," name } { attribute }
    ///               | attribute ;
    /// municipality  = name [ "code" ( STRING | NUMBER ) ] ;
    mutating func parseArea(_ doc: [String]) throws -> AreaDecl {
        let start = advance()
        var area = AreaDecl(header: try parseHeader(doc, what: "area", start: start),
                            responsible: nil, municipalities: [], groups: [])
        let what = "area `\(area.header.name.text)`"
        let body = try parseBlock(what, after: "the name of the area") { p in
            if let a = p.parseAttribute() {
                area.header.attributes.append(a)
            } else if p.acceptWord("responsible") {
                area.responsible = try p.expectName("the responsible municipality", after: "`responsible`")
            } else if p.acceptWord("municipalities") {
                repeat {
                    let n = try p.expectName("a municipality", after: "`municipalities`")
                    var code: String?
                    if p.acceptWord("code") {
                        if p.at(.string) || p.at(.number) { code = p.advance().text } else {
                            throw p.fail("a municipality code", after: "`code`")
                        }
                    }
                    area.municipalities.append(MunicipalityEntry(name: n, code: code))
                } while p.accept(.comma)
            } else if p.atWord("group") {
                let gs = p.advance()
                let name = try p.expectIdentifier("the name of the group", after: "`group`")
                let label = p.optionalLabel()
                _ = try p.expect(.eq, after: "the name of group `\(name.text)`")
                var members: [Name] = []
                repeat {
                    members.append(try p.expectName("a municipality", after: "`=` in group `\(name.text)`"))
                } while p.accept(.comma)
                var h = DeclHeader(doc: [], name: name, label: label, attributes: [], span: p.span(gs))
                while let a = p.parseAttribute() { h.attributes.append(a) }
                h.span = p.span(from: gs.start)
                area.groups.append(GroupDecl(header: h, members: members))
            } else {
                throw p.fail("`responsible`, `municipalities`, `group` or `}`", after: "an item of \(what)")
            }
        }
        area.header.span = span(start).to(body)
        return area
    }

    /// record_decl   = "record" IDENT [ STRING ] "{" { field | attribute } "}" ;
    /// field         = IDENT [ STRING ] ":" type { field_clause } ;
    /// field_clause  = "column" STRING { "," STRING }
    ///               | "values" "{" value_map { "," value_map } "}"
    ///               | "default" expr
    ///               | "not" "after" "as_of"
    ///               | attribute ;
    /// value_map     = ( STRING | NUMBER ) ":" expr ;
    mutating func parseRecord(_ doc: [String]) throws -> RecordDecl {
        let start = advance()
        var rec = RecordDecl(header: try parseHeader(doc, what: "record", start: start), fields: [])
        let what = "record `\(rec.header.name.text)`"
        let body = try parseBlock(what, after: "the name of the record") { p in
            if let a = p.parseAttribute() {
                rec.header.attributes.append(a)
                return
            }
            let fs = p.current
            let fdoc = p.docComments(before: fs.start)
            let name = try p.expectIdentifier("a field name", after: "the previous field")
            let label = p.optionalLabel()
            _ = try p.expect(.colon, after: "field name `\(name.text)`")
            let type = try p.parseType()
            var field = FieldDecl(header: DeclHeader(doc: fdoc, name: name, label: label, attributes: [], span: p.span(fs)),
                                  type: type, columns: [], values: [], defaultValue: nil)
            while true {
                if let a = p.parseAttribute() {
                    field.header.attributes.append(a)
                } else if p.acceptWord("column") {
                    repeat {
                        field.columns.append(try p.expect(.string, "a column name in quotes", after: "`column`").text)
                    } while p.accept(.comma)
                } else if p.atWord("values") {
                    p.advance()
                    let open = try p.expect(.lbrace, after: "`values`")
                    p.openBlocks.append((what: "`{` of `values`", span: p.span(open)))
                    while !p.at(.rbrace) {
                        let code = p.current
                        guard code.kind == .string || code.kind == .number else {
                            throw p.fail("a code in quotes", after: "`values {`")
                        }
                        p.advance()
                        _ = try p.expect(.colon, after: "the code \(code.describe)")
                        let v = try p.parseExpr()
                        field.values.append(ValueMapping(code: code.text, value: v, span: p.span(from: code.start)))
                        if !p.accept(.comma) { break }
                    }
                    _ = try p.expect(.rbrace, "`}` or `,`", after: "a value mapping")
                    p.openBlocks.removeLast()
                } else if p.acceptWord("default") {
                    field.defaultValue = try p.parseExpr()
                } else if p.at(.not) {
                    let clause = p.advance()
                    guard p.acceptWord("after") else { throw p.fail("`after as_of`", after: "`not` in field `\(name.text)`") }
                    _ = try p.expect(.as_of, after: "`not after`")
                    field.notAfterAsOf = p.span(from: clause.start)
                } else {
                    break
                }
            }
            field.header.span = p.span(from: fs.start)
            rec.fields.append(field)
        }
        rec.header.span = span(start).to(body)
        return rec
    }

    /// type          = base_type [ "?" ] ;                      (* ? = may be missing *)
    /// base_type     = "set" "of" type
    ///               | IDENT [ STRING ] { "|" IDENT [ STRING ] }  (* a named type, or an inline enumeration *)
    ///               ;
    mutating func parseType() throws -> TypeExpr {
        try enter(currentSpan)
        defer { leave() }
        let start = current.start
        var t: TypeExpr
        if atWord("set"), peek(1).kind == .keyword(.of) {
            advance(); advance()
            let inner = try parseType()
            t = .setOf(inner, span(from: start))
        } else {
            let first = try expectIdentifier("a type", after: "`:`")
            if at(.pipe) || (at(.string) && peek(1).kind == .pipe) {
                var values = [EnumValueDecl(name: first, label: optionalLabel())]
                while accept(.pipe) {
                    let n = try expectIdentifier("an enumeration value", after: "`|`")
                    values.append(EnumValueDecl(name: n, label: optionalLabel()))
                }
                t = .inlineEnum(values, span(from: start))
            } else {
                t = .named(first)
            }
        }
        if at(.question), current.start == previousEnd {
            advance()
            t = .optional(t, span(from: start))
        }
        return t
    }

    /// enum_decl     = "enum" IDENT [ STRING ] "{" { IDENT [ STRING ] [ "," ] | attribute } "}" ;
    mutating func parseEnum(_ doc: [String]) throws -> EnumDecl {
        let start = advance()
        var e = EnumDecl(header: try parseHeader(doc, what: "enumeration", start: start), values: [])
        let body = try parseBlock("enumeration `\(e.header.name.text)`", after: "the name of the enumeration") { p in
            if let a = p.parseAttribute() { e.header.attributes.append(a); return }
            let n = try p.expectIdentifier("an enumeration value")
            e.values.append(EnumValueDecl(name: n, label: p.optionalLabel()))
            _ = p.accept(.comma)
        }
        e.header.span = span(start).to(body)
        return e
    }

    /// outcome_decl  = "outcome" kind IDENT [ STRING ]
    ///                 [ "to" destination { "," destination } ] { attribute } ;
    /// kind          = "refer" | "assess" | "eligible" | "flag" ;
    /// destination   = IDENT [ STRING ] ;
    mutating func parseOutcome(_ doc: [String]) throws -> OutcomeDecl {
        let start = advance()
        guard let kind = outcomeKind(current) else {
            throw fail("an outcome kind (`refer`, `assess`, `eligible` or `flag`)", after: "`outcome`")
        }
        advance()
        let name = try expectIdentifier("the name of the outcome", after: "`\(kind.rawValue)`")
        var h = DeclHeader(doc: doc, name: name, label: optionalLabel(), attributes: [], span: span(start))
        var dests: [Destination] = []
        if accept(.to) {
            repeat {
                let d = try expectIdentifier("a destination", after: "`to`")
                dests.append(Destination(name: d, label: optionalLabel()))
            } while accept(.comma)
        }
        while let a = parseAttribute() { h.attributes.append(a) }
        h.span = span(from: start.start)
        return OutcomeDecl(header: h, kind: kind, destinations: dests)
    }

    func outcomeKind(_ t: Token) -> OutcomeKind? {
        switch t.kind {
        case .keyword(.refer): return .refer
        case .keyword(.assess): return .assess
        case .keyword(.eligible): return .eligible
        case .keyword(.flag): return .flag
        default: return nil
        }
    }

    /// param_decl    = "param" IDENT [ STRING ] [ ":" type ] "=" expr
    ///                 { "from" DATE "=" expr | attribute | "overrides" } ;
    mutating func parseParam(_ doc: [String]) throws -> ParamDecl {
        let start = advance()
        var h = try parseHeader(doc, what: "param", start: start)
        var type: TypeExpr?
        if accept(.colon) { type = try parseType() }
        _ = try expect(.eq, after: "the name of param `\(h.name.text)`", help: "a param has a value: `param x = 3 months`")
        let value = try parseExpr()
        var dated: [DatedValue] = []
        var overrides = false
        while true {
            if at(.from) {
                let fs = advance()
                let d = try parsePrimary()
                _ = try expect(.eq, after: "the date of a dated value")
                let v = try parseExpr()
                dated.append(DatedValue(from: d, value: v, span: span(from: fs.start)))
            } else if let a = parseAttribute() {
                h.attributes.append(a)
            } else if accept(.overrides) {
                overrides = true
            } else {
                break
            }
        }
        h.span = span(from: start.start)
        return ParamDecl(header: h, type: type, value: value, dated: dated, overrides: overrides)
    }

    /// let_decl      = "let" IDENT [ STRING ] "=" expr { attribute | "overrides" } ;
    mutating func parseLet(_ doc: [String]) throws -> LetDecl {
        let start = advance()
        var h = try parseHeader(doc, what: "let", start: start)
        _ = try expect(.eq, after: "the name of let `\(h.name.text)`")
        let value = try parseExpr()
        var overrides = false
        while true {
            if let a = parseAttribute() { h.attributes.append(a) } else if accept(.overrides) { overrides = true } else { break }
        }
        h.span = span(from: start.start)
        return LetDecl(header: h, value: value, overrides: overrides)
    }

    /// rule_decl     = "rule" IDENT [ STRING ] { rule_clause } ;
    /// rule_clause   = "in" scope                  (* before `then`: where the rule applies *)
    ///               | "when" expr
    ///               | "unless" expr [ STRING ]    (* an exception, with its wording *)
    ///               | "then" outcomes
    ///               | variant                     (* after `then` *)
    ///               | "from" DATE | "until" DATE   (* effective dates, both inclusive *)
    ///               | "overrides" [ IDENT ]       (* replaces an imported rule *)
    ///               | "over" IDENT { "," IDENT }  (* wins over these rules *)
    ///               | attribute ;
    mutating func parseRule(_ doc: [String]) throws -> RuleDecl {
        let start = advance()
        let h = try parseHeader(doc, what: "rule", start: start)
        var rule = RuleDecl(header: h, scope: nil, condition: nil, exceptions: [], outcomes: [], variants: [],
                            effectiveFrom: nil, effectiveUntil: nil, overrides: nil, overridesSameName: false, over: [])
        let ruleName = "rule `\(h.name.text)`"
        var sawThen = false
        var sawWhen = false
        clauses: while true {
            switch current.kind {
            case .keyword(.in):
                let s = advance()
                if sawThen {
                    rule.variants.append(try parseVariant(start: s, rule: ruleName))
                } else {
                    if rule.scope != nil { duplicateClause("in", ruleName, span(s)) }
                    rule.scope = try parseScope(after: "`in`")
                }
            case .keyword(.when):
                let s = advance()
                if sawWhen { duplicateClause("when", ruleName, span(s)) }
                sawWhen = true
                rule.condition = try parseExpr()
            case .keyword(.unless):
                let s = advance()
                let c = try parseExpr()
                let label = optionalLabel()
                rule.exceptions.append(Exception(condition: c, label: label, span: span(from: s.start)))
            case .keyword(.then):
                let s = advance()
                if sawThen { duplicateClause("then", ruleName, span(s)) }
                sawThen = true
                rule.outcomes = try parseOutcomes(after: "`then` in \(ruleName)")
            case .keyword(.from):
                let s = advance()
                if rule.effectiveFrom != nil { duplicateClause("from", ruleName, span(s)) }
                rule.effectiveFrom = try parseDateLiteral(after: "`from`")
            case .keyword(.until):
                let s = advance()
                if rule.effectiveUntil != nil { duplicateClause("until", ruleName, span(s)) }
                rule.effectiveUntil = try parseDateLiteral(after: "`until`")
            case .keyword(.overrides):
                let s = advance()
                if rule.overrides != nil { duplicateClause("overrides", ruleName, span(s)) }
                if at(.identifier), !atAttribute, !current.atLineStart {
                    rule.overrides = try expectIdentifier("a rule name")
                } else {
                    rule.overrides = Name(h.name.text, span: span(s))
                    rule.overridesSameName = true
                }
            case .keyword(.over):
                advance()
                repeat {
                    rule.over.append(try expectIdentifier("a rule name", after: "`over`"))
                } while accept(.comma)
            default:
                if let a = parseAttribute() {
                    rule.header.attributes.append(a)
                    continue clauses
                }
                break clauses
            }
        }
        if !sawThen {
            let help = "a rule says what it gives: `then assess career_guidance`"
            if current.isEOF || isDeclarationStart {
                error(.expectedToken, "expected `then` in \(ruleName)" + (sawWhen ? " after its condition" : ""),
                      missingSpan, help: help)
            } else {
                error(.expectedToken, "expected `then` after the " + (sawWhen ? "condition" : "name") + " of \(ruleName), found \(current.describe)",
                      currentSpan, help: help)
            }
            throw ParseAbort()
        }
        if !(current.isEOF || isDeclarationStart) {
            if current.kind != .invalid {
                error(.expectedToken, "expected a clause of \(ruleName) or a new declaration, found \(current.describe)",
                      currentSpan, help: "rule clauses are `when`, `unless`, `then`, `in … :`, `from`, `until`, `over`, `overrides`, `source`")
            }
            throw ParseAbort()
        }
        rule.header.span = span(from: start.start)
        return rule
    }

    var isDeclarationStart: Bool {
        if case .keyword(let k) = current.kind { return k.startsDeclaration }
        return false
    }

    mutating func duplicateClause(_ clause: String, _ what: String, _ s: Span) {
        error(.duplicateClause, "\(what) has a second `\(clause)`", s,
              help: clause == "when" ? "join the conditions with `and`" : nil)
    }

    /// scope         = name { "," name } ;         (* municipalities, groups, areas *)
    mutating func parseScope(after: String) throws -> [Name] {
        var names: [Name] = []
        repeat {
            names.append(try expectName("a municipality, group or area", after: after))
        } while accept(.comma)
        return names
    }

    /// variant       = "in" scope [ "over" scope ] [ "when" expr ] ":" "then" outcomes ;
    mutating func parseVariant(start: Token, rule: String) throws -> Variant {
        let scope = try parseScope(after: "`in`")
        var over: [Name] = []
        if accept(.over) { over = try parseScope(after: "`over`") }
        var condition: Expr?
        if accept(.when) { condition = try parseExpr() }
        _ = try expect(.colon, "`:`", after: "the scope of a variant of \(rule)")
        _ = try expect(.then, after: "`:` in a variant of \(rule)", help: "a variant replaces the rule's `then`: `in Keuruu: then …`")
        let outcomes = try parseOutcomes(after: "`then` in a variant of \(rule)")
        return Variant(scope: scope, over: over, condition: condition, outcomes: outcomes, span: span(from: start.start))
    }

    /// outcomes      = "nothing"
    ///               | outcome_ref { "," ( outcome_ref | IDENT [ "to" IDENT ] ) } ;
    mutating func parseOutcomes(after: String) throws -> [OutcomeRef] {
        if accept(.nothing) { return [] }
        var out: [OutcomeRef] = []
        guard var kind = outcomeKind(current) else {
            let guess = current.kind == .identifier ? Suggest.closest(current.text, among: OutcomeKind.allCases.map(\.rawValue) + ["nothing"]) : nil
            throw fail("an outcome (`refer`, `assess`, `eligible`, `flag` or `nothing`)", after: after,
                       help: guess.map { "did you mean `\($0)`?" })
        }
        repeat {
            let s = current.start
            if let k = outcomeKind(current) { kind = k; advance() }
            let name = try expectIdentifier("the name of an outcome", after: "`\(kind.rawValue)`")
            var dest: Name?
            if accept(.to) { dest = try expectIdentifier("a destination", after: "`to`") }
            out.append(OutcomeRef(kind: kind, name: name, destination: dest, span: span(from: s)))
        } while accept(.comma)
        return out
    }

    /// outcome_ref   = kind IDENT [ "to" IDENT ] ;
    ///
    /// One outcome reference (tests and tables): kind NAME [ "to" NAME ].
    mutating func parseOutcomeRef() throws -> OutcomeRef {
        let s = current.start
        guard let kind = outcomeKind(current) else { throw fail("an outcome") }
        advance()
        let name = try expectIdentifier("the name of an outcome", after: "`\(kind.rawValue)`")
        var dest: Name?
        if accept(.to) { dest = try expectIdentifier("a destination", after: "`to`") }
        return OutcomeRef(kind: kind, name: name, destination: dest, span: span(from: s))
    }

    mutating func parseDateLiteral(after: String) throws -> Expr {
        if at(.date) {
            let t = advance()
            return Expr(.date(t.text), span(t))
        }
        throw fail("a date (`2026-01-01`)", after: after)
    }

    /// period        = PERIOD | NUMBER ;                        (* 2026-Q1, 2026-03, 2026 *)
    ///
    /// A period: `2026`, `2026-Q1` or `2026-03`.
    mutating func parsePeriodLiteral(after: String) throws -> Expr {
        if at(.period) || (at(.number) && current.text.count == 4 && !current.text.contains(".")) {
            let t = advance()
            return Expr(.period(t.text), span(t))
        }
        throw fail("a period (`2026`, `2026-Q1` or `2026-03`)", after: after)
    }
}
