import LinjaBase
import LinjaSyntax
import LinjaModel

/// Typing expressions: names resolved (lets, params, fields, enumeration

/// Operators, calls, case and aggregates: their operand types and units.
extension Checker {
    // MARK: Operators

    func typeBinary(_ op: BinaryOp, _ a: Expr, _ b: Expr, expected: LType?, env: Env, span s: Span) -> TExpr {
        switch op {
        case .and, .or:
            let ta = requireBool(typeExpr(a, expected: .bool, env: env), "the left side of `\(op.rawValue)`")
            var envB = env
            envB.present.formUnion(op == .and ? presentWhenTrue(ta) : presentWhenFalse(ta))
            let tb = requireBool(typeExpr(b, expected: .bool, env: envB), "the right side of `\(op.rawValue)`")
            return TExpr(op == .and ? .and(ta, tb) : .or(ta, tb), .bool, s)
        case .otherwise:
            let ta = typeExpr(a, expected: expected?.optionalized, env: env)
            let tb = typeExpr(b, expected: ta.type.base, env: env)
            if !ta.type.isOptional, !ta.type.isError {
                diags.warning(.neverMissing, "`\(a.span.text)` is never missing, so `otherwise` has no effect", at: s)
                return ta
            }
            guard sameType(ta.type.base, tb.type.base) else {
                diags.error(.typeMismatch, "`otherwise` gives \(tb.type.a) for \(ta.type.base.a)", at: b.span,
                            help: "the value used when `\(a.span.text)` is missing must be \(ta.type.base.a)")
                return err(s)
            }
            let rt: LType = tb.type.isOptional ? ta.type : (ta.type.base == .int && tb.type.base == .decimal ? .decimal : ta.type.base)
            return TExpr(.otherwise(ta, tb), rt, s)
        case .eq, .neq, .lt, .le, .gt, .ge:
            let ta = typeExpr(a, expected: nil, env: env)
            let tb = typeExpr(b, expected: ta.type.base, env: env)
            return compare(op, ta, tb, span: s)
        case .add, .sub, .mul, .div:
            let ta = typeExpr(a, expected: expected, env: env)
            let tb = typeExpr(b, expected: ta.type.base.isNumeric ? nil : ta.type.base, env: env)
            return arith(op, ta, tb, span: s)
        }
    }

    /// Whether values of two types may be compared with `op`.
    func compare(_ op: BinaryOp, _ ta: TExpr, _ tb: TExpr, span s: Span) -> TExpr {
        let (x, y) = (ta.type.base, tb.type.base)
        let lifted = ta.type.isOptional || tb.type.isOptional
        let result: LType = lifted ? .optional(.bool) : .bool
        // One mistake, one message: an operand already reported makes the comparison an error too.
        if x.isError || y.isError { return err(s) }
        let ordering = op != .eq && op != .neq
        var ok = false
        var help: String?
        switch (x, y) {
        case _ where x.isNumeric && y.isNumeric: ok = true
        case (.percent, .percent), (.money, .money), (.date, .date), (.period, .period): ok = true
        case (.text, .text), (.bool, .bool), (.municipality, .municipality): ok = !ordering
        case (.enumeration(let i, _), .enumeration(let j, _)): ok = i == j && !ordering
        case (.duration(let k1), .duration(let k2)):
            ok = k1 == k2 && k1 != .mixed
            if !ok {
                diags.error(.unitMismatch, "cannot compare \(x.a) with \(y.a)", at: s,
                            help: "a month has no fixed number of days; measure from a date (`since d > 3 months`) to compare calendar-exactly")
                return err(s)
            }
        case (.span, .duration), (.duration, .span): ok = true
        case (.span, .int), (.int, .span):
            diags.error(.unitMismatch, "cannot compare a span with a bare number", at: s,
                        help: "give the number a unit: `400 days`, `3 months`")
            return err(s)
        case (.date, .duration), (.duration, .date):
            help = "to measure time from a date, use `since`: `since d > 3 months`"
        case (.date, .span), (.span, .date):
            help = "compare the span with a duration (`since d > 3 months`)"
        case (.percent, _) where y.isNumeric, (_, .percent) where x.isNumeric:
            help = "write the percentage with `%`: `75 %`"
        default: break
        }
        if !ok {
            let code: DiagnosticCode = isUnitMismatch(x, y) ? .unitMismatch : .typeMismatch
            let what = ordering ? "order" : "compare"
            if x == y {
                diags.error(.typeMismatch, "cannot \(what) values of type \(x) with `\(op.rawValue)`", at: s,
                            help: ordering ? "only `=` and `!=` apply to \(x)" : nil)
            } else {
                diags.error(code, "cannot compare \(x.a) with \(y.a)", at: s, help: help)
            }
            return err(s)
        }
        return TExpr(.compare(op, ta, tb), result, s)
    }

    func isUnitMismatch(_ x: LType, _ y: LType) -> Bool {
        func measured(_ t: LType) -> Bool {
            switch t {
            case .percent, .money, .duration, .span, .date, .int, .decimal: return true
            default: return false
            }
        }
        return measured(x) && measured(y)
    }

    func arith(_ op: BinaryOp, _ ta: TExpr, _ tb: TExpr, span s: Span) -> TExpr {
        let (x, y) = (ta.type.base, tb.type.base)
        let lifted = ta.type.isOptional || tb.type.isOptional
        if x.isError || y.isError { return err(s) }
        var r: LType?
        var help: String?
        switch op {
        case .add:
            switch (x, y) {
            case (.int, .int): r = .int
            case _ where x.isNumeric && y.isNumeric: r = .decimal
            case (.percent, .percent), (.money, .money): r = x
            case (.date, .duration), (.duration, .date): r = .date
            case (.duration(let a), .duration(let b)): r = .duration(a == b ? a : .mixed)
            case (.date, .date): help = "subtract dates to get a span (`as_of - d`), or add a duration (`d + 10 days`)"
            default: break
            }
        case .sub:
            switch (x, y) {
            case (.int, .int): r = .int
            case _ where x.isNumeric && y.isNumeric: r = .decimal
            case (.percent, .percent), (.money, .money): r = x
            case (.date, .duration): r = .date
            case (.date, .date): r = .span
            case (.duration(let a), .duration(let b)): r = .duration(a == b ? a : .mixed)
            default: break
            }
        case .mul:
            switch (x, y) {
            case (.int, .int): r = .int
            case _ where x.isNumeric && y.isNumeric: r = .decimal
            case (.money, _) where y.isNumeric, (.percent, _) where y.isNumeric: r = x
            case (_, .money) where x.isNumeric, (_, .percent) where x.isNumeric: r = y
            case (.money, .percent): r = .money
            case (.percent, .money): r = .money
            case (.duration(let k), .int): r = .duration(k)
            case (.int, .duration(let k)): r = .duration(k)
            default: break
            }
        case .div:
            switch (x, y) {
            case _ where x.isNumeric && y.isNumeric: r = .decimal
            case (.money, _) where y.isNumeric, (.percent, _) where y.isNumeric: r = x
            case (.money, .money), (.percent, .percent): r = .decimal
            default: break
            }
        default: break
        }
        guard let rt = r else {
            let verb = ["+": "add", "-": "subtract", "*": "multiply", "/": "divide"][op.rawValue] ?? op.rawValue
            let msg: String
            switch op {
            case .add: msg = "cannot add \(y.a) to \(x.a)"
            case .sub: msg = "cannot subtract \(y.a) from \(x.a)"
            default: msg = "cannot \(verb) \(x.a) by \(y.a)"
            }
            diags.error(isUnitMismatch(x, y) ? .unitMismatch : .typeMismatch, msg, at: s, help: help)
            return err(s)
        }
        return TExpr(.arith(op, ta, tb), lifted ? .optional(rt) : rt, s)
    }

    func membership(_ ta: TExpr, _ tb: TExpr, span s: Span) -> TExpr {
        let lifted = ta.type.isOptional
        if ta.type.isError || tb.type.isError { return err(s) }
        if ta.type.base == .municipality, tb.type.base == .group || tb.type.base == .municipality {
            let g = tb.type.base == .municipality ? { () -> TExpr in
                if case .constant(.municipality(let m)) = tb.kind { return TExpr(.constant(.group(-m - 1)), .group, tb.span) }
                return tb
            }() : tb
            return TExpr(.inGroup(ta, g), lifted ? .optional(.bool) : .bool, s)
        }
        if case .set(let et) = tb.type.base, sameType(et, ta.type.base) || et.isError {
            return TExpr(.inSet(ta, tb), lifted || tb.type.isOptional ? .optional(.bool) : .bool, s)
        }
        diags.error(.typeMismatch, "cannot test whether \(ta.type.a) is in \(tb.type.a)", at: s,
                    help: ta.type.base == .municipality ? "name a group, an area or municipalities" : "list the values: `x in {a, b}`")
        return err(s)
    }

    func typeCall(_ name: Name, _ args: [Expr], env: Env, span s: Span) -> TExpr {
        guard let b = Builtin(rawValue: name.text) else {
            diags.error(.badCall, "unknown function `\(name.text)`", at: name.span,
                        help: suggestion(name.text, among: Builtin.allCases.map(\.rawValue))
                            ?? "the functions are \(Builtin.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))")
            return err(s)
        }
        if b == .age, !env.asOf {
            diags.error(.misplaced, "`age` counts to `as_of`, which is not known here", at: s)
            return err(s)
        }
        let targs = args.map { typeExpr($0, expected: nil, env: env) }
        switch b.resultType(targs.map(\.type)) {
        case .success(let t):
            let lifted = targs.contains { $0.type.isOptional }
            return TExpr(.call(b, targs), lifted ? t.optionalized : t, s)
        case .failure(let e):
            let at = e.argument.flatMap { $0 < args.count ? args[$0].span : nil } ?? s
            diags.error(.badCall, e.message, at: at, help: "\(b.rawValue)(\(b.signature.parameters)): \(b.signature.doc)")
            return err(s)
        }
    }

    func typeCase(_ subject: Expr, _ arms: [CaseArm], _ otherwise: Expr?, expected: LType?, env: Env, span s: Span) -> TExpr {
        let ts = typeExpr(subject, expected: nil, env: env)
        if ts.type.isOptional {
            diags.error(.optionalUnhandled, "the subject of `case` may be missing", at: subject.span,
                        help: "give it a value when missing: `case x otherwise … { … }`")
            return err(s)
        }
        var branches: [CaseBranch] = []
        var resultType: LType? = expected
        var covered: Set<Value> = []
        for arm in arms {
            var values: [Value] = []
            for v in arm.values {
                let tv = typeExpr(v, expected: ts.type, env: env)
                if tv.type.isError { continue }
                guard case .constant(let cv) = tv.kind, sameType(tv.type, ts.type) else {
                    diags.error(.typeMismatch, "a `case` branch lists constants of type \(ts.type)", at: v.span)
                    continue
                }
                if !covered.insert(cv).inserted {
                    diags.error(.duplicateClause, "`\(v.span.text)` has a branch already", at: v.span)
                }
                values.append(cv)
            }
            let tr = typeExpr(arm.result, expected: resultType, env: env)
            if let rt = resultType {
                guard let u = unify(rt, tr.type) else {
                    diags.error(.typeMismatch, "this branch gives \(tr.type.a), the others \(rt.a)", at: arm.result.span)
                    continue
                }
                resultType = u
            } else {
                resultType = tr.type
            }
            branches.append(CaseBranch(values: values, result: tr))
        }
        var tOtherwise: TExpr?
        if let o = otherwise {
            let to = typeExpr(o, expected: resultType, env: env)
            resultType = resultType.flatMap { unify($0, to.type) } ?? to.type
            tOtherwise = to
        } else if case .enumeration(let id, let name) = ts.type {
            let missing = enums[id].values.enumerated().filter { !covered.contains(.enumeration(type: id, index: $0.offset)) }.map(\.element)
            if !missing.isEmpty {
                diags.error(.missingCase, "`case` over `\(name)` has no branch for \(missing.map { "`\($0)`" }.joined(separator: ", "))",
                            at: s, help: "add the branches, or `else => …`")
            }
        } else if !ts.type.isError {
            diags.error(.missingCase, "`case` over \(ts.type.a) needs an `else` branch", at: s)
        }
        return TExpr(.caseOf(ts, branches, tOtherwise), resultType ?? .error, s)
    }

    func typeAggregate(_ agg: Aggregate, env: Env, span s: Span) -> TExpr {
        guard env.aggregates else {
            diags.error(.misplaced, "`\(agg.kind.rawValue) of …` counts over all clients and stands only in a target's `measured`", at: s)
            return err(s)
        }
        for p in [agg.population, agg.amongPopulation].compactMap({ $0 }) {
            if let r = record, p.text != r.name, p.text != r.name + "s", p.text != "clients" {
                diags.error(.aggregateForm, "`\(p.text)` is not a population: write `clients`", at: p.span)
            }
        }
        var clientEnv = Env.perClient
        clientEnv.aggregates = false
        clientEnv.period = env.period
        let filter = agg.filter.map { requireBool(typeExpr($0, expected: .bool, env: clientEnv), "the `where` condition") }
        let among = agg.among.map { requireBool(typeExpr($0, expected: .bool, env: clientEnv), "the `among` condition") }
        switch agg.kind {
        case .count:
            return TExpr(.aggregate(TAggregate(kind: .count, filter: filter, among: nil, value: nil, ratio: [])), .int, s)
        case .share:
            return TExpr(.aggregate(TAggregate(kind: .share, filter: filter, among: among, value: nil, ratio: [])), .optional(.percent), s)
        case .average, .median, .sum, .minimum, .maximum:
            guard let v = agg.value else { return err(s) }
            var tv = typeExpr(v, expected: nil, env: clientEnv)
            switch tv.type.base {
            case .int, .decimal, .percent, .money, .error: break
            case .date where agg.kind == .minimum || agg.kind == .maximum: break
            case .span:
                tv = TExpr(.call(.days, [tv]), tv.type.isOptional ? .optional(.int) : .int, tv.span)
            default:
                diags.error(.aggregateForm, "cannot take the \(agg.kind.rawValue) of \(tv.type.a)", at: v.span)
                return err(s)
            }
            let keepsType = agg.kind == .sum || agg.kind == .minimum || agg.kind == .maximum
            let rt: LType = keepsType ? tv.type.base : (tv.type.base.isNumeric ? .decimal : tv.type.base)
            return TExpr(.aggregate(TAggregate(kind: agg.kind, filter: filter, among: nil, value: tv, ratio: [])),
                         agg.kind == .sum ? rt : .optional(rt), s)
            // (minimum and maximum are missing over no clients, like average)
        case .ratio:
            let parts = agg.ratio.map { typeExpr($0, expected: nil, env: env) }
            for p in parts where !(p.type.base.isNumeric || p.type.base == .money || p.type.base == .percent || p.type.isError) {
                diags.error(.aggregateForm, "a ratio divides numbers, not \(p.type.a)", at: p.span)
            }
            return TExpr(.aggregate(TAggregate(kind: .ratio, filter: nil, among: nil, value: nil, ratio: parts)), .optional(.decimal), s)
        }
    }
}
