import LinjaBase

extension Parser {
    /// goal_decl     = "goal" IDENT [ STRING ] { "level" IDENT | "for" period | attribute }
    ///                 "{" { target_decl } "}" ;
    mutating func parseGoal(_ doc: [String]) throws -> GoalDecl {
        let start = advance()
        var goal = GoalDecl(header: try parseHeader(doc, what: "goal", start: start), level: nil, period: nil, targets: [])
        while true {
            if let a = parseAttribute() { goal.header.attributes.append(a) }
            else if acceptWord("level") { goal.level = try expectIdentifier("a level (`KV`, `LTK`)", after: "`level`") }
            else if acceptWord("for") { goal.period = try parsePeriodLiteral(after: "`for`") }
            else { break }
        }
        let what = "goal `\(goal.header.name.text)`"
        let body = try parseBlock(what, after: "the name of the goal") { p in
            guard p.at(.target) else {
                throw p.fail("`target` or `}`", after: "the previous target of \(what)")
            }
            goal.targets.append(try p.parseTarget())
        }
        goal.header.span = span(start).to(body)
        return goal
    }

    static let targetClauseWords: Set<String> = ["level", "baseline", "for", "measured", "reported", "per",
                                                 "source", "assumption", "note"]

    /// target_decl   = "target" IDENT [ STRING ]
    ///                 ( comparison_op ( target_value [ unit ] [ "per" "year" ] | given_value )
    ///                 | "assessed" [ STRING ] )
    ///                 { target_clause } ;
    /// given_value   = "given" ( "euros" | "percent" | unit ) ; (* each data row gives its own target *)
    /// comparison_op = ">=" | ">" | "<=" | "<" | "=" ;
    /// unit          = IDENT | STRING ;                         (* the seed's own unit: hlöä, "asiakasta/htv" *)
    /// target_clause = "level" IDENT
    ///               | "baseline" ( target_value [ unit ] | STRING ) [ "in" period ]
    ///               | "for" period
    ///               | "for" "each" "municipality"              (* a verdict in each municipality *)
    ///               | "measured" expr                          (* computed over clients *)
    ///               | "reported"                               (* fed by indicator data *)
    ///               | attribute ;
    mutating func parseTarget() throws -> TargetDecl {
        let start = advance()
        let doc = docComments(before: start.start)
        let h = try parseHeader(doc, what: "target", start: start)
        var t = TargetDecl(header: h, comparison: nil, value: nil, unitLabel: nil, perYear: false,
                           qualitative: nil, isQualitative: false, level: nil, baseline: nil, period: nil,
                           source: .reported)
        let what = "target `\(h.name.text)`"
        if acceptWord("assessed") {
            t.isQualitative = true
            t.qualitative = optionalLabel()
        } else if let op = comparisonOp(current) {
            advance()
            t.comparison = op
            if atWord("given") {
                let g = advance()
                if acceptWord("euros") {
                    t.given = GivenTarget(kind: .euros, span: span(g))
                } else if acceptWord("percent") {
                    t.given = GivenTarget(kind: .percent, span: span(g))
                } else {
                    t.given = GivenTarget(kind: .count, span: span(g))
                    t.unitLabel = parseUnitLabel()
                    if t.unitLabel == nil {
                        throw fail("the unit of the values the data gives (`euros`, `percent`, or a count's unit such as `henkilöä`)",
                                   after: "`given` in \(what)")
                    }
                }
            } else {
                t.value = try parseTargetValue(after: "`\(op.rawValue)` in \(what)")
                t.unitLabel = parseUnitLabel()
                if atWord("per"), atWord("year", offset: 1) {
                    advance(); advance()
                    t.perYear = true
                }
            }
        } else {
            throw fail("a comparison (`>=`, `>`, `<=`, `<`, `=`) or `assessed`", after: "the label of \(what)",
                       help: "write the target out: `>= 75 %`, or `assessed \"…\"` for a qualitative target")
        }
        var sawSource = false
        while true {
            if let a = parseAttribute() { t.header.attributes.append(a); continue }
            if acceptWord("level") { t.level = try expectIdentifier("a level (`KV`, `LTK`)", after: "`level`"); continue }
            if atWord("baseline") {
                let bs = advance()
                var b = Baseline(value: nil, unitLabel: nil, text: nil, period: nil, span: span(bs))
                if at(.string) {
                    b.text = advance().text
                } else {
                    b.value = try parseTargetValue(after: "`baseline`")
                    b.unitLabel = parseUnitLabel()
                }
                if accept(.in) { b.period = try parsePeriodLiteral(after: "`in` in a baseline") }
                b.span = span(from: bs.start)
                t.baseline = b
                continue
            }
            if atWord("for"), atWord("each", offset: 1) {
                advance(); advance()
                try expectWord("municipality", after: "`for each`")
                t.forEachMunicipality = true
                continue
            }
            if acceptWord("for") { t.period = try parsePeriodLiteral(after: "`for`"); continue }
            if atWord("measured") {
                let ms = advance()
                if sawSource { duplicateClause("measured", what, span(ms)) }
                sawSource = true
                t.source = .measured(try parseExpr())
                continue
            }
            if atWord("reported") {
                let rs = advance()
                if sawSource { duplicateClause("reported", what, span(rs)) }
                sawSource = true
                t.source = .reported
                continue
            }
            break
        }
        if !at(.rbrace), !at(.target), !current.isEOF, !isDeclarationStart {
            throw fail("a clause of \(what) (`baseline`, `level`, `for`, `for each municipality`, `measured`, `reported`, `source`) or the next target",
                       after: "\(what)")
        }
        t.header.span = span(from: start.start)
        return t
    }

    func comparisonOp(_ t: Token) -> ComparisonOp? {
        switch t.kind {
        case .ge: return .ge
        case .gt: return .gt
        case .le: return .le
        case .lt: return .lt
        case .eq, .eqeq: return .eq
        default: return nil
        }
    }

    /// target_value  = [ "-" ] ( NUMBER | PERCENT | DURATION | MONEY ) ;
    ///
    /// A literal value with its unit: a number, percentage, duration or money (maybe negative).
    mutating func parseTargetValue(after: String) throws -> Expr {
        let s = current.start
        let negative = accept(.minus)
        let t = current
        let e: Expr
        switch t.kind {
        case .number: advance(); e = Expr(.number(t.text), span(t))
        case .percent: advance(); e = Expr(.percent(t.text), span(t))
        case .duration(let u): advance(); e = Expr(.duration(t.text, u), span(t))
        case .money(let m): advance(); e = Expr(.money(m ? Parser.timesMillion(t.text) : t.text), span(t))
        default: throw fail("a value (`75 %`, `14 vrk`, `600`)", after: after)
        }
        return negative ? Expr(.unary(.negate, e), span(from: s)) : e
    }

    /// A free unit label after a target value (`hlöä`, `"asiakasta/htv"`).
    mutating func parseUnitLabel() -> String? {
        if at(.string), !current.atLineStart { return advance().text }
        if at(.identifier), !current.atLineStart, !Parser.targetClauseWords.contains(current.text) {
            return advance().text
        }
        return nil
    }

    /// verdicts_decl = "verdicts" "{" { verdict_item } "}" ;
    /// verdict_item  = "near" "within" ( NUMBER "points" | PERCENT ) [ "for" ( "percentages" | "others" ) ]
    ///               | "prorate" ( "per" "year" | "none" )
    ///               | "assessment" IDENT [ STRING ] "counts" "as" status
    ///               | "goal" ( STRING | "none" ) ( "when" goal_condition | "otherwise" ) ;
    mutating func parseVerdicts(_ doc: [String]) throws -> VerdictsDecl {
        let start = advance()
        var items: [VerdictItem] = []
        let body = try parseBlock("the verdict policy", after: "`verdicts`", items: [.goal]) { p in
            let s = p.current.start
            if p.acceptWord("near") {
                try p.expectWord("within", after: "`near`")
                var points = false
                let amount: Expr
                if p.at(.percent) {
                    let t = p.advance()
                    amount = Expr(.number(t.text), p.span(t))
                } else if p.at(.number) {
                    let t = p.advance()
                    amount = Expr(.number(t.text), p.span(t))
                    try p.expectWord("points", after: "the tolerance")
                    points = true
                } else {
                    throw p.fail("a tolerance (`5 points` or `10 %`)", after: "`near within`")
                }
                var forPct: Bool?
                if p.acceptWord("for") {
                    if p.acceptWord("percentages") { forPct = true }
                    else if p.acceptWord("others") { forPct = false }
                    else { throw p.fail("`percentages` or `others`", after: "`for`") }
                }
                items.append(.near(amount: amount, points: points, forPercentages: forPct, span: p.span(from: s)))
            } else if p.acceptWord("prorate") {
                if p.acceptWord("per") {
                    try p.expectWord("year", after: "`prorate per`")
                    items.append(.prorate(perYear: true, span: p.span(from: s)))
                } else if p.acceptWord("none") {
                    items.append(.prorate(perYear: false, span: p.span(from: s)))
                } else {
                    throw p.fail("`per year` or `none`", after: "`prorate`")
                }
            } else if p.acceptWord("assessment") {
                let n = try p.expectIdentifier("an assessment name", after: "`assessment`")
                let label = p.optionalLabel()
                try p.expectWord("counts", after: "assessment `\(n.text)`")
                try p.expectWord("as", after: "`counts`")
                let st = try p.parseStatus()
                items.append(.assessment(name: n, label: label, countsAs: st, span: p.span(from: s)))
            } else if p.at(.goal) {
                p.advance()
                var label: String?
                if p.at(.string) { label = p.advance().text }
                else if !p.acceptWord("none") { throw p.fail("a verdict in quotes or `none`", after: "`goal`") }
                if p.accept(.otherwise) {
                    items.append(.goal(label: label, condition: nil, span: p.span(from: s)))
                } else {
                    _ = try p.expect(.when, after: "the goal verdict", help: "write `when any target is missed` or `otherwise`")
                    items.append(.goal(label: label, condition: try p.parseGoalCondition(), span: p.span(from: s)))
                }
            } else {
                throw p.fail("`near`, `prorate`, `assessment`, `goal` or `}`", after: "an item of the verdict policy")
            }
        }
        return VerdictsDecl(doc: doc, items: items, span: span(start).to(body))
    }

    /// status        = "met" | "near" | "missed" | "no_data" | "assessed" ;
    mutating func parseStatus() throws -> TargetStatus {
        if at(.identifier), let st = TargetStatus(rawValue: current.text) {
            advance()
            return st
        }
        throw fail("a status (`met`, `near`, `missed`, `no_data`, `assessed`)")
    }

    /// goal_condition= goal_conj { "or" goal_conj } ;
    /// goal_conj     = goal_atom { "and" goal_atom } ;
    /// goal_atom     = quantifier ( "target" | "targets" ) ( ( "is" | "are" ) status | ( "has" | "have" ) "data" ) ;
    /// quantifier    = "any" | "some" | "no" | "every" | "all" ;
    mutating func parseGoalCondition() throws -> GoalCondition {
        var alternatives: [[GoalAtom]] = []
        repeat {
            var conj: [GoalAtom] = []
            repeat {
                let s = current.start
                guard at(.identifier), let q = Quantifier(rawValue: current.text) else {
                    throw fail("`any`, `some`, `no`, `every` or `all`", after: "`when`")
                }
                advance()
                if !accept(.target) { try expectWord("targets", after: "`\(q.rawValue)`") }
                var status: TargetStatus?
                if acceptWord("has") || acceptWord("have") {
                    try expectWord("data", after: "`has`")
                } else {
                    if !accept(.is) { try expectWord("are", after: "`target`") }
                    status = try parseStatus()
                }
                conj.append(GoalAtom(quantifier: q, status: status, span: span(from: s)))
            } while accept(.and)
            alternatives.append(conj)
        } while accept(.or)
        return GoalCondition(anyOf: alternatives)
    }

    /// unit_decl     = "unit" STRING "other" STRING { attribute } ;  (* the form after 1, after other numbers *)
    mutating func parseUnit(_ doc: [String]) throws -> UnitDecl {
        let start = advance()
        let one = try expect(.string, "the unit's form after the number 1, in quotes", after: "`unit`",
                             help: "e.g. `unit \"tapahtuma\" other \"tapahtumaa\"`")
        try expectWord("other", after: "the form after 1")
        let other = try expect(.string, "the unit's form after other numbers, in quotes", after: "`other`")
        var attributes: [Attribute] = []
        while let a = parseAttribute() { attributes.append(a) }
        return UnitDecl(doc: doc, one: one.text, other: other.text, attributes: attributes, span: span(from: start.start))
    }

    /// report_decl   = "report" "{" { report_item } "}" ;
    /// report_item   = "suppress" "below" expr
    ///               | "sample" ( "clients" STRING | "actuals" STRING | "as_of" DATE | "period" period ) ;
    mutating func parseReport(_ doc: [String]) throws -> ReportDecl {
        let start = advance()
        var r = ReportDecl(doc: doc, suppressBelow: nil, sampleClients: nil, sampleActuals: nil,
                           sampleAsOf: nil, samplePeriod: nil, span: span(start))
        let body = try parseBlock("the report settings", after: "`report`") { p in
            if p.acceptWord("suppress") {
                try p.expectWord("below", after: "`suppress`")
                r.suppressBelow = try p.parseExpr()
            } else if p.acceptWord("sample") {
                if p.acceptWord("clients") {
                    r.sampleClients = try p.expect(.string, "a file path in quotes", after: "`sample clients`").text
                } else if p.acceptWord("actuals") {
                    r.sampleActuals = try p.expect(.string, "a file path in quotes", after: "`sample actuals`").text
                } else if p.accept(.as_of) {
                    r.sampleAsOf = try p.parseDateLiteral(after: "`sample as_of`")
                } else if p.acceptWord("period") {
                    r.samplePeriod = try p.parsePeriodLiteral(after: "`sample period`")
                } else {
                    throw p.fail("`clients`, `actuals`, `as_of` or `period`", after: "`sample`")
                }
            } else {
                throw p.fail("`suppress`, `sample` or `}`", after: "an item of the report settings")
            }
        }
        r.span = span(start).to(body)
        return r
    }
}
