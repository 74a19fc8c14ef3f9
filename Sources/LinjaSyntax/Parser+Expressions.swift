import LinjaBase

extension Parser {
    /// expr          = or_expr ;
    mutating func parseExpr() throws -> Expr {
        try parseBinary(1)
    }

    /// or_expr       = and_expr { "or" and_expr } ;
    /// and_expr      = not_expr { "and" not_expr } ;
    /// otherwise_expr= comparison { "otherwise" comparison } ;
    /// comparison    = additive [ compare_op additive
    ///                          | "is" [ "not" ] ( "missing" | "present" | additive )
    ///                          | [ "not" ] "in" additive ] ;
    /// compare_op    = "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | "≤" | "≥" | "≠" ;
    /// additive      = multiplicative { ( "+" | "-" ) multiplicative } ;
    /// multiplicative= unary { ( "*" | "/" ) unary } ;
    ///
    /// These levels are read by climbing the one precedence table
    /// (`Precedence`): an operand is parsed at a level, then operators of
    /// that level or tighter extend it (`is` and `in` at the comparison level).
    mutating func parseBinary(_ minPrec: Int) throws -> Expr {
        try enter(currentSpan)
        // Each operator in a chain nests the tree one level deeper: count it,
        // so `1 + 1 + … + 1` hits the nesting limit instead of the stack.
        var wraps = 0
        defer {
            leave()
            for _ in 0..<wraps { leaveChain() }
        }
        var left = try parsePrefix(minPrec)
        var sawComparison = false
        while true {
            // `is` and `in` sit at comparison level.
            if minPrec <= Precedence.comparison, at(.is) || at(.in) || (at(.not) && peek(1).kind == .keyword(.in)) {
                if sawComparison { throw chainedComparison() }
                sawComparison = true
                try enterChain(currentSpan)
                wraps += 1
                left = try parseIsOrIn(left)
                continue
            }
            guard let (op, prec) = Precedence.binary(current), prec >= minPrec else { break }
            if op.isComparison {
                if sawComparison { throw chainedComparison() }
                sawComparison = true
            }
            try enterChain(currentSpan)
            wraps += 1
            advance()
            let right = try parseBinary(prec + 1)
            left = Expr(.binary(op, left, right), left.span.to(right.span))
        }
        return left
    }

    mutating func chainedComparison() -> ParseAbort {
        error(.expectedToken, "comparisons cannot be chained", currentSpan,
              help: "join them with `and`: `a < b and b < c`")
        return ParseAbort()
    }

    mutating func parseIsOrIn(_ left: Expr) throws -> Expr {
        if accept(.is) {
            let negated = accept(.not)
            if at(.missing) || at(.present) {
                let t = advance()
                let isPresent = t.kind == .keyword(.present)
                return Expr(.isMissing(left, negated: negated != isPresent), left.span.to(span(t)))
            }
            let right = try parseBinary(Precedence.additive)
            return Expr(.isValue(left, right, negated: negated), left.span.to(right.span))
        }
        let negated = accept(.not)
        _ = try expect(.in)
        let right = try parseBinary(Precedence.additive)
        return Expr(.membership(left, right, negated: negated), left.span.to(right.span))
    }

    /// not_expr      = "not" not_expr | otherwise_expr ;
    /// unary         = "-" unary | postfix ;
    mutating func parsePrefix(_ minPrec: Int) throws -> Expr {
        if at(.not) {
            let t = advance()
            let operand = try parseBinary(Precedence.otherwise)
            return Expr(.unary(.not, operand), span(t).to(operand.span))
        }
        if at(.minus) {
            let t = advance()
            let operand = try parseBinary(Precedence.unary)
            return Expr(.unary(.negate, operand), span(t).to(operand.span))
        }
        return try parsePostfix()
    }

    /// postfix       = primary { "." IDENT } ;
    mutating func parsePostfix() throws -> Expr {
        var e = try parsePrimary()
        while at(.dot) {
            advance()
            let n = try expectMemberName()
            e = Expr(.member(e, n), e.span.to(n.span))
        }
        return e
    }

    mutating func expectMemberName() throws -> Name {
        if case .keyword(let k) = current.kind {
            let t = advance()
            return Name(k.rawValue, span: span(t))
        }
        return try expectIdentifier("a field name", after: "`.`")
    }

    /// primary       = literal
    ///               | "true" | "false" | "missing" | "as_of"
    ///               | "period_start" | "period_end"             (* the goal's period, in a target's measured *)
    ///               | IDENT [ "(" [ expr { "," expr } ] ")" ]     (* a name, or a builtin call *)
    ///               | aggregate
    ///               | "since" postfix                           (* the span from a date to as_of *)
    ///               | "if" expr "then" expr "else" expr
    ///               | "case" expr "{" case_arm { [ "," ] case_arm } "}"
    ///               | "{" [ expr { "," expr } ] "}"             (* a set *)
    ///               | "(" expr ")" ;
    /// literal       = NUMBER | PERCENT | DURATION | MONEY | DATE | PERIOD | STRING ;
    mutating func parsePrimary() throws -> Expr {
        let t = current
        let s = span(t)
        switch t.kind {
        case .number:
            advance()
            try checkUnitTypo()
            return Expr(.number(t.text), s)
        case .percent: advance(); return Expr(.percent(t.text), s)
        case .duration(let u): advance(); return Expr(.duration(t.text, u), s)
        case .money(let millions):
            advance()
            return Expr(.money(millions ? Parser.timesMillion(t.text) : t.text), s)
        case .date: advance(); return Expr(.date(t.text), s)
        case .period: advance(); return Expr(.period(t.text), s)
        case .string: advance(); return Expr(.text(t.text), s)
        case .keyword(.true): advance(); return Expr(.bool(true), s)
        case .keyword(.false): advance(); return Expr(.bool(false), s)
        case .keyword(.missing): advance(); return Expr(.missing, s)
        case .keyword(.as_of): advance(); return Expr(.asOf, s)
        case .keyword(.period_start): advance(); return Expr(.periodStart, s)
        case .keyword(.period_end): advance(); return Expr(.periodEnd, s)
        case .keyword(.since):
            advance()
            // `since since since …` recurses here, not through `parseBinary`: count it.
            try enter(s)
            defer { leave() }
            let operand = try parsePostfix()
            return Expr(.since(operand), s.to(operand.span))
        case .keyword(.if):
            advance()
            let c = try parseExpr()
            _ = try expect(.then, after: "the condition of `if`")
            let a = try parseExpr()
            _ = try expect(.else, after: "the `then` branch of `if`", help: "an `if` expression needs both branches")
            let b = try parseExpr()
            return Expr(.ifElse(c, a, b), s.to(b.span))
        case .keyword(.case):
            return try parseCase()
        case .lbrace:
            advance()
            openBlocks.append((what: "`{` of a set", span: s))
            defer { openBlocks.removeLast() }
            var items: [Expr] = []
            while !at(.rbrace) {
                items.append(try parseExpr())
                if !accept(.comma) { break }
            }
            let close = try expect(.rbrace, "`}` or `,`", after: "a set element")
            return Expr(.set(items), s.to(span(close)))
        case .lparen:
            advance()
            openBlocks.append((what: "`(`", span: s))
            defer { openBlocks.removeLast() }
            let e = try parseExpr()
            if !at(.rparen) {
                error(.unclosedDelimiter, "expected `)` to close the `(` at line \(file.line(of: t.start))", missingSpan,
                      notes: [DiagnosticNote("`(` opened here", at: s)])
                throw ParseAbort()
            }
            let close = advance()
            return Expr(e.kind, s.to(span(close)))
        case .identifier:
            if peek(1).kind == .keyword(.of), let agg = AggregateKind(word: t.text) {
                return try parseAggregate(agg)
            }
            advance()
            if at(.lparen), current.start == t.end {
                return try parseCall(Name(t.text, span: s))
            }
            return Expr(.name(t.text), s)
        case .invalid:
            advance()
            throw ParseAbort()
        default:
            throw fail("an expression")
        }
    }

    /// A number followed on the same line by a word close to a unit: `3 monts`.
    mutating func checkUnitTypo() throws {
        guard current.kind == .identifier, !current.atLineStart, current.text.count >= 3 else { return }
        if let u = Lexer.closestUnit(current.text), u != current.text {
            error(.unknownUnit, "unknown unit `\(current.text)`", currentSpan, help: "did you mean `\(u)`?")
            throw ParseAbort()
        }
    }

    static func timesMillion(_ text: String) -> String {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        let frac = parts.count > 1 ? String(parts[1]) : ""
        let padded = frac + String(repeating: "0", count: max(0, 6 - frac.count))
        let intPart = whole + padded.prefix(6)
        let rest = padded.dropFirst(6)
        var trimmed = String(intPart.drop { $0 == "0" })
        if trimmed.isEmpty { trimmed = "0" }
        return rest.isEmpty ? trimmed : trimmed + "." + rest
    }

    /// A builtin call: the name and its parenthesised arguments (`primary`).
    mutating func parseCall(_ name: Name) throws -> Expr {
        let open = advance()
        openBlocks.append((what: "`(` of `\(name.text)(…)`", span: span(open)))
        defer { openBlocks.removeLast() }
        var args: [Expr] = []
        while !at(.rparen) {
            args.append(try parseExpr())
            if !accept(.comma) { break }
        }
        if !at(.rparen) {
            throw fail("`)` or `,`", after: "an argument of `\(name.text)`")
        }
        let close = advance()
        return Expr(.call(name, args), name.span.to(span(close)))
    }

    /// case_arm      = ( expr { "," expr } | "else" ) "=>" expr ;
    mutating func parseCase() throws -> Expr {
        let start = advance()
        let subject = try parseExpr()
        let open = try expect(.lbrace, after: "the subject of `case`")
        openBlocks.append((what: "`{` of `case`", span: span(open)))
        defer { openBlocks.removeLast() }
        var arms: [CaseArm] = []
        var otherwise: Expr?
        while !at(.rbrace) {
            if current.isEOF { throw fail("`}`", after: "the branches of `case`") }
            let armStart = current.start
            if accept(.else) {
                _ = try expect(.arrow, after: "`else` in `case`")
                otherwise = try parseExpr()
            } else {
                var values = [try parseExpr()]
                while accept(.comma) { values.append(try parseExpr()) }
                _ = try expect(.arrow, "`=>`", after: "the values of a `case` branch")
                let result = try parseExpr()
                arms.append(CaseArm(values: values, result: result, span: span(from: armStart)))
            }
            _ = accept(.comma)
        }
        let close = advance()
        return Expr(.caseOf(subject, arms, otherwise: otherwise), span(start).to(span(close)))
    }

    /// aggregate     = ( "count" | "share" ) "of" IDENT [ "where" expr ]
    ///                 [ "among" IDENT "where" expr ]            (* share only *)
    ///               | ( "average" | "median" | "sum" | "min" | "max" ) "of" postfix "over" IDENT [ "where" expr ]
    ///               | "ratio" "of" postfix "to" postfix ;
    mutating func parseAggregate(_ kind: AggregateKind) throws -> Expr {
        try enter(currentSpan)
        defer { leave() }
        let start = advance()
        _ = advance() // of
        var agg = Aggregate(kind: kind, population: nil, filter: nil, among: nil, value: nil, ratio: [])
        switch kind {
        case .count, .share:
            agg.population = try expectIdentifier("the population (`clients`)", after: "`\(kind.rawValue) of`")
            if accept(.where) { agg.filter = try parseBinary(Precedence.or) }
            if kind == .share {
                if accept(.among) {
                    let among = try expectIdentifier("the population (`clients`)", after: "`among`")
                    // `among clients` alone would mean all clients, which `share` means without it.
                    _ = try expect(.where, after: "`among \(among.text)` (which clients the share is taken among)")
                    agg.amongPopulation = among
                    agg.among = try parseBinary(Precedence.or)
                }
            }
        case .average, .median, .sum, .minimum, .maximum:
            agg.value = try parsePostfix()
            _ = try expect(.over, after: "the value of `\(kind.rawValue)`")
            agg.population = try expectIdentifier("the population (`clients`)", after: "`over`")
            if accept(.where) { agg.filter = try parseBinary(Precedence.or) }
        case .ratio:
            let a = try parsePostfix()
            _ = try expect(.to, after: "the numerator of `ratio`")
            let b = try parsePostfix()
            agg.ratio = [a, b]
        }
        return Expr(.aggregate(agg), span(start).to(Span(file: file, start: previousEnd, end: previousEnd)))
    }
}

extension AggregateKind {
    /// The word that starts the aggregate (`min of …` is `minimum`).
    init?(word: String) {
        switch word {
        case "min": self = .minimum
        case "max": self = .maximum
        case "minimum", "maximum": return nil
        default: self.init(rawValue: word)
        }
    }
}
