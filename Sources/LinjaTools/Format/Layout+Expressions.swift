import Linja

extension Layout {
    /// Prints an expression standing where the grammar needs at least `level`;
    /// parenthesised when it binds less tightly.
    func expr(_ e: Expr, _ level: Int = Precedence.open, inOr: Bool = false) {
        if Precedence.of(e) < level {
            parenthesised(e)
        } else {
            exprBody(e, inOr: inOr)
        }
    }

    func parenthesised(_ e: Expr) {
        w.token("(", at: anchor(e))
        w.align { exprBody(e, inOr: false) }
        w.text(")")
    }

    /// Whether an expression's printed form starts with the word `missing`
    /// (its leftmost operand is the literal, unparenthesised).
    static func startsWithMissing(_ e: Expr) -> Bool {
        switch e.kind {
        case .missing: return true
        case .binary(_, let l, _), .member(let l, _), .isMissing(let l, _), .isValue(let l, _, _), .membership(let l, _, _):
            return startsWithMissing(l)
        default: return false
        }
    }

    /// The offset of an expression's first token (its opening parenthesis, if written).
    func anchor(_ e: Expr) -> Int? {
        if case .error = e.kind { return nil }
        return e.span.isKnown ? e.span.start : nil
    }

    func anchor(_ n: Name) -> Int? {
        n.span.isKnown ? n.span.start : nil
    }

    /// The offset of the token right before the one at `offset` (a clause keyword before its operand).
    func keywordBefore(_ offset: Int?) -> Int? {
        guard let offset else { return nil }
        return src.token(before: offset)?.start
    }

    private func exprBody(_ e: Expr, inOr: Bool) {
        let at = anchor(e)
        switch e.kind {
        case .bool(let b): w.token(b ? "true" : "false", at: at)
        case .number(let t): w.token(literal(e.span, fallback: t), at: at)
        case .percent(let t): w.token(literal(e.span, fallback: t + " %"), at: at)
        case .money(let t): w.token(literal(e.span, fallback: t + " €"), at: at)
        case .duration(let t, let u): w.token(literal(e.span, fallback: t + " " + u.rawValue), at: at)
        case .date(let t), .period(let t): w.token(t, at: at)
        case .text(let t): w.token(Layout.quote(t), at: at)
        case .name(let n): w.token(n, at: at)
        case .asOf: w.token("as_of", at: at)
        case .periodStart: w.token("period_start", at: at)
        case .periodEnd: w.token("period_end", at: at)
        case .missing: w.token("missing", at: at)
        case .error: break
        case .member:
            // `a.b.c`, without recursing along the chain.
            var fields: [Name] = []
            var node = e
            while case .member(let base, let field) = node.kind {
                fields.append(field)
                node = base
            }
            longestChain = max(longestChain, fields.count)
            expr(node, Precedence.primary)
            for field in fields.reversed() {
                w.text(".")
                w.token(field.text, at: anchor(field))
            }
        case .unary(.not, let operand):
            w.token("not ", at: at)
            expr(operand, Precedence.not)
        case .unary(.negate, let operand):
            w.token("-", at: at)
            expr(operand, Precedence.unary)
        case .binary(let op, _, _) where op == .and || op == .or:
            chain(e, op, inOr: inOr)
        case .binary(let op, let l, let r) where op.isComparison:
            // Comparisons do not chain: a comparison operand is parenthesised.
            let level = Precedence.of(op)
            expr(l, level + 1)
            w.text(" ")
            w.token(Layout.spelling(op), at: keywordBefore(anchor(r)))
            w.text(" ")
            expr(r, level + 1)
        case .binary(let op, _, _):
            // A left-associative chain of one level (`a - b + c`), without recursing along it.
            let level = Precedence.of(op)
            var rest: [(BinaryOp, Expr)] = []
            var node = e
            while case .binary(let o, let l, let r) = node.kind, !o.isComparison, Precedence.of(o) == level {
                rest.append((o, r))
                node = l
            }
            longestChain = max(longestChain, rest.count + 1)
            expr(node, level)
            for (o, r) in rest.reversed() {
                w.text(" ")
                w.token(Layout.spelling(o), at: keywordBefore(anchor(r)))
                w.text(" ")
                expr(r, level + 1)
            }
        case .isMissing(let x, let negated):
            expr(x, Precedence.comparison + 1)
            w.text(negated ? " is present" : " is missing")
        case .isValue(let x, let y, let negated):
            expr(x, Precedence.comparison + 1)
            w.text(negated ? " is not " : " is ")
            if case .missing = y.kind {
                // `x is missing` would read as the presence test.
                w.token("(", at: anchor(y))
                w.text("missing)")
            } else if Layout.startsWithMissing(y) {
                // So would `x is missing * 2`, followed by `* 2`.
                parenthesised(y)
            } else {
                expr(y, Precedence.additive)
            }
        case .membership(let x, let y, let negated):
            expr(x, Precedence.comparison + 1)
            w.text(negated ? " not in " : " in ")
            expr(y, Precedence.additive)
        case .since(let operand):
            w.token("since ", at: at)
            // `since since d` parses as written: printed `since (since d)`,
            // each `since` would add a level of nesting, and enough of them
            // would pass the parser's limit (fuzz finding F12).
            if case .since = operand.kind { expr(operand, Precedence.prefix) } else { expr(operand, Precedence.primary) }
        case .call(let name, let args):
            w.token(name.text + "(", at: at)
            w.group {
                w.align {
                    for (i, a) in args.enumerated() {
                        if i > 0 { w.text(","); w.line() }
                        expr(a)
                    }
                }
            }
            w.text(")")
        case .ifElse(let c, let a, let b):
            w.group {
                w.align {
                    w.token("if ", at: at)
                    expr(c)
                    w.line()
                    w.token("then ", at: keywordBefore(anchor(a)))
                    expr(a)
                    w.line()
                    w.token("else ", at: keywordBefore(anchor(b)))
                    expr(b)
                }
            }
        case .caseOf(let subject, let arms, let otherwise):
            caseExpr(e, subject, arms, otherwise)
        case .set(let items):
            w.token("{", at: at)
            w.align {
                w.fill(items.enumerated().map { i, item in
                    { [self] in
                        expr(item)
                        if i < items.count - 1 { w.text(",") }
                    }
                })
            }
            w.text("}")
        case .aggregate(let a):
            aggregate(e, a)
        }
    }

    /// An `and` or `or` chain: one operand per line when it does not fit,
    /// each line after the first starting with the operator, aligned with
    /// the chain's first operand. An `and` chain inside an `or` chain is
    /// indented two more, so the two operators never share a column.
    private func chain(_ e: Expr, _ op: BinaryOp, inOr: Bool) {
        var operands: [Expr] = []
        var node = e
        while case .binary(let o, let l, let r) = node.kind, o == op {
            operands.append(r)
            node = l
        }
        operands.append(node)
        operands.reverse()
        longestChain = max(longestChain, operands.count)
        let level = Precedence.of(op)
        let body = { [self] in
            for (i, operand) in operands.enumerated() {
                if i == 0 {
                    expr(operand, level, inOr: op == .or)
                } else {
                    w.line()
                    w.token(op.rawValue + " ", at: keywordBefore(anchor(operand)))
                    expr(operand, level + 1, inOr: op == .or)
                }
            }
        }
        w.group {
            if op == .and && inOr {
                w.indent(2, body)
            } else {
                w.align(body)
            }
        }
    }

    private func caseExpr(_ e: Expr, _ subject: Expr, _ arms: [CaseArm], _ otherwise: Expr?) {
        w.group {
            w.token("case ", at: anchor(e))
            expr(subject)
            w.text(" {")
            var entries: [(anchor: Int?, print: () -> Void)] = arms.map { arm in
                (arm.span.isKnown ? arm.span.start : nil, { [self] in
                    for (i, v) in arm.values.enumerated() {
                        if i > 0 { w.text(", ") }
                        expr(v)
                    }
                    w.text(" => ")
                    expr(arm.result)
                })
            }
            if let otherwise {
                // `else` stands two tokens before its result (`else =>`).
                let arrow = src.token(before: anchor(otherwise) ?? 0)
                let elseAt = arrow.flatMap { src.token(before: $0.start)?.start }
                entries.append((elseAt, { [self] in
                    w.token("else", at: elseAt)
                    w.text(" => ")
                    expr(otherwise)
                }))
            }
            w.indent(2) {
                for (i, entry) in entries.enumerated() {
                    w.line()
                    if let a = entry.anchor { w.flushComments(before: a) }
                    entry.print()
                    if i < entries.count - 1 { w.text(",") }
                }
            }
            w.line()
            w.text("}")
        }
    }

    private func aggregate(_ e: Expr, _ a: Aggregate) {
        let at = anchor(e)
        // The aggregate's word, after the parentheses written around it.
        var first = at.flatMap { src.token(at: $0) }
        while let t = first, t.kind == .lparen { first = src.token(after: t.end) }
        let word = first.map(\.text) ?? Layout.aggregateWord(a.kind)
        let population = a.population?.text ?? "clients"
        w.group {
            w.align {
                w.group {
                    w.token(word + " of ", at: at)
                    if a.ratio.count == 2 {
                        expr(a.ratio[0], Precedence.primary)
                        w.text(" to ")
                        expr(a.ratio[1], Precedence.primary)
                        return
                    }
                    if let v = a.value {
                        expr(v, Precedence.primary)
                        w.text(" over ")
                    }
                    w.token(population, at: a.population.flatMap(anchor))
                    if let f = a.filter {
                        // `where` moves under the aggregate's word when the line is full.
                        w.line()
                        w.token("where ", at: keywordBefore(anchor(f)))
                        expr(f, Precedence.or)
                    }
                }
                if let among = a.among {
                    let amongPopulation = a.amongPopulation?.text ?? population
                    w.line()
                    w.token("among " + amongPopulation + " where ", at: a.amongPopulation.flatMap(anchor).flatMap(keywordBefore))
                    expr(among, Precedence.or)
                }
            }
        }
    }

    /// The word that starts an aggregate when the source cannot tell.
    static func aggregateWord(_ k: AggregateKind) -> String {
        switch k.rawValue {
        case "minimum": return "min"
        case "maximum": return "max"
        default: return k.rawValue
        }
    }

    /// The canonical spelling of a binary operator (`=` for `==`, `!=` for `<>` and `≠`).
    static func spelling(_ op: BinaryOp) -> String {
        op.rawValue
    }

    /// A literal with a unit as written, spaced canonically: the number as
    /// written (with its `_`), one space, the unit words as written.
    func literal(_ span: Span, fallback: String) -> String {
        guard span.isKnown, span.end > span.start else { return fallback }
        let raw = src.text(span.start, span.end)
        let numberPart = raw.prefix { $0.isASCII && ($0.isNumber || $0 == "_" || $0 == ".") }
        guard !numberPart.isEmpty else { return fallback }
        let unit = raw.dropFirst(numberPart.count)
            .split(whereSeparator: { $0 == " " || $0 == "\t" })
            .joined(separator: " ")
        return unit.isEmpty ? String(numberPart) : numberPart + " " + unit
    }

    /// A string literal with `"`, `\` and control characters escaped.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A name as written: in quotes when it was quoted.
    func name(_ n: Name) {
        w.token(n.quoted ? Layout.quote(n.text) : n.text, at: anchor(n))
    }
}
