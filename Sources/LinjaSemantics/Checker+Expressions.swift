import LinjaBase
import LinjaSyntax
import LinjaModel

/// Typing expressions: names resolved (lets, params, fields, enumeration
/// values, municipalities, groups), units checked, optionals tracked.
extension Checker {
    /// Where an expression stands decides what it may refer to.
    struct Env {
        /// The record's fields may be read (false for params and constants).
        var client: Bool
        /// Aggregates over clients are allowed (a target's `measured`).
        var aggregates: Bool
        /// Optional values shown present here (`x is present and …`), by key.
        var present: Set<String> = []
        /// `as_of` may be read.
        var asOf: Bool = true
        /// Params and lets may be named.
        var names: Bool = true
        /// `period_start` and `period_end` may be read (a target's `measured`).
        var period: Bool = false

        static let constant = Env(client: false, aggregates: false, asOf: false, names: false)
        static let perClient = Env(client: true, aggregates: false)
        static let measured = Env(client: false, aggregates: true, period: true)
    }

    /// A key identifying an optional value for narrowing: `field:3`, `let:2`.
    func presenceKey(_ e: TExpr) -> String? {
        switch e.kind {
        case .field(let s): return "field:\(s)"
        case .letRef(let l): return "let:\(l)"
        case .param(let p): return "param:\(p)"
        case .unwrap(let inner): return presenceKey(inner)
        default: return nil
        }
    }

    /// Keys that `e` being true shows present (`x is present`, `x is present and y is present`).
    func presentWhenTrue(_ e: TExpr) -> Set<String> {
        switch e.kind {
        case .isMissing(let x, let negated) where negated: return presenceKey(x).map { [$0] } ?? []
        case .and(let a, let b): return presentWhenTrue(a).union(presentWhenTrue(b))
        case .not(let a): return presentWhenFalse(a)
        default: return []
        }
    }

    /// Keys that `e` being false shows present (`x is missing or …`).
    func presentWhenFalse(_ e: TExpr) -> Set<String> {
        switch e.kind {
        case .isMissing(let x, let negated) where !negated: return presenceKey(x).map { [$0] } ?? []
        case .or(let a, let b): return presentWhenFalse(a).union(presentWhenFalse(b))
        case .not(let a): return presentWhenTrue(a)
        default: return []
        }
    }

    func err(_ span: Span) -> TExpr { TExpr(.error, .error, span) }

    /// Narrows an optional the environment shows present.
    func narrowed(_ e: TExpr, _ env: Env) -> TExpr {
        if e.type.isOptional, let k = presenceKey(e), env.present.contains(k) {
            return TExpr(.unwrap(e), e.type.base, e.span)
        }
        return e
    }

    /// Types an expression. `expected` resolves bare names (an enumeration
    /// value, a municipality) and quoted names; callers check the result type.
    func typeExpr(_ e: Expr, expected: LType?, env: Env) -> TExpr {
        let s = e.span
        switch e.kind {
        case .error: return err(s)
        case .bool(let b): return TExpr(.constant(.bool(b)), .bool, s)
        case .number(let t):
            if t.contains(".") {
                guard let f = Fixed.parse(Substring(t)) else { return invalidNumber(t, s) }
                return TExpr(.constant(.decimal(f)), .decimal, s)
            }
            if expected?.base == .decimal, let f = Fixed.parse(Substring(t)) {
                return TExpr(.constant(.decimal(f)), .decimal, s)
            }
            guard let i = Int64(t) else { return invalidNumber(t, s) }
            return TExpr(.constant(.int(i)), .int, s)
        case .percent(let t):
            guard let f = Fixed.parse(Substring(t)) else { return invalidNumber(t, s) }
            return TExpr(.constant(.percent(f)), .percent, s)
        case .money(let t):
            guard let f = Fixed.parse(Substring(t)) else { return invalidNumber(t, s) }
            return TExpr(.constant(.money(f)), .money, s)
        case .duration(let t, let unit):
            guard let n = Int(t), n <= 1_000_000 else { return invalidNumber(t, s) }
            let d = Duration.literal(n, unit)
            return TExpr(.constant(.duration(d)), .duration(d.kind), s)
        case .date(let t):
            guard let d = Day.parse(Substring(t)) else {
                diags.error(.invalidDate, "`\(t)` is not a calendar date", at: s)
                return err(s)
            }
            return TExpr(.constant(.date(d)), .date, s)
        case .period(let t):
            guard let p = Period.parse(t) else {
                diags.error(.invalidPeriod, "`\(t)` is not a period", at: s)
                return err(s)
            }
            return TExpr(.constant(.period(p)), .period, s)
        case .text(let t):
            if let exp = expected?.base, exp == .municipality || exp == .group {
                return resolvePlace(Name(t.precomposedNFC, span: s, quoted: true), expected: exp) ?? err(s)
            }
            return TExpr(.constant(.text(t)), .text, s)
        case .missing:
            if let exp = expected, exp.isOptional {
                return TExpr(.constant(.missing), exp, s)
            }
            diags.error(.optionalUnhandled, "`missing` stands only where a value may be missing", at: s,
                        help: "test for it with `x is missing`")
            return err(s)
        case .asOf:
            if !env.asOf {
                diags.error(.misplaced, "`as_of` is not known here: a param's value is a constant", at: s)
                return err(s)
            }
            return TExpr(.asOf, .date, s)
        case .periodStart, .periodEnd:
            let start = e.kind == .periodStart
            if !env.period {
                diags.error(.misplaced, "`\(start ? "period_start" : "period_end")` is known only where a goal is evaluated for a period: in a target's `measured`",
                            at: s, help: "for a date that does not depend on the period, write it, or use `as_of`")
                return err(s)
            }
            return TExpr(.periodBound(start: start), .date, s)
        case .name(let n):
            return resolveName(Name(n, span: s), expected: expected, env: env)
        case .member(let base, let field):
            return typeMember(base, field, env: env, span: s)
        case .unary(let op, let a):
            let ta = typeExpr(a, expected: op == .not ? .bool : expected, env: env)
            switch op {
            case .not:
                return TExpr(.not(requireBool(ta, "the operand of `not`")), .bool, s)
            case .negate:
                switch ta.type.base {
                case .int, .decimal, .percent, .money, .duration, .error:
                    return TExpr(.negate(ta), ta.type, s)
                default:
                    diags.error(.typeMismatch, "cannot negate \(ta.type.a)", at: s)
                    return err(s)
                }
            }
        case .binary(let op, let a, let b):
            return typeBinary(op, a, b, expected: expected, env: env, span: s)
        case .isMissing(let a, let negated):
            let ta = typeExpr(a, expected: nil, env: env)
            if !ta.type.isOptional, !ta.type.isError {
                diags.warning(.neverMissing, "`\(a.span.text)` is never missing", at: s,
                              help: "only optional fields (`date?`) and values made from them can be missing")
            }
            return TExpr(.isMissing(ta, negated: negated), .bool, s)
        case .isValue(let a, let b, let negated):
            let ta = typeExpr(a, expected: nil, env: env)
            var tb = typeExpr(b, expected: ta.type.base == .municipality ? .group : ta.type.base, env: env)
            if ta.type.base == .municipality, tb.type.base == .group {
                let m = TExpr(.inGroup(ta, tb), ta.type.isOptional ? .optional(.bool) : .bool, s)
                return negated ? negate(m, s) : m
            }
            if tb.type.base == .group, case .constant(.group(let gid)) = tb.kind, gid < 0 {
                // A municipality written where a group was expected.
                tb = TExpr(.constant(.municipality(-gid - 1)), .municipality, tb.span)
            }
            let c = compare(.eq, ta, tb, span: s)
            return negated ? negate(c, s) : c
        case .membership(let a, let b, let negated):
            let ta = typeExpr(a, expected: nil, env: env)
            let elementType: LType = ta.type.base == .municipality ? .group : .set(ta.type.base)
            let tb = typeExpr(b, expected: elementType, env: env)
            let m = membership(ta, tb, span: s)
            return negated ? negate(m, s) : m
        case .since(let a):
            let ta = typeExpr(a, expected: .date, env: env)
            if ta.type.isError { return err(s) }
            if !env.asOf {
                diags.error(.misplaced, "`since` counts to `as_of`, which is not known here", at: s)
                return err(s)
            }
            guard ta.type.base == .date || ta.type.isError else {
                diags.error(.typeMismatch, "`since` needs a date, not \(ta.type.a)", at: a.span)
                return err(s)
            }
            return TExpr(.since(ta), ta.type.isOptional ? .optional(.span) : .span, s)
        case .call(let name, let args):
            return typeCall(name, args, env: env, span: s)
        case .ifElse(let c, let a, let b):
            let tc = requireBool(typeExpr(c, expected: .bool, env: env), "the condition of `if`")
            var envThen = env
            envThen.present.formUnion(presentWhenTrue(tc))
            var envElse = env
            envElse.present.formUnion(presentWhenFalse(tc))
            let ta = typeExpr(a, expected: expected, env: envThen)
            let tb = typeExpr(b, expected: expected ?? ta.type, env: envElse)
            guard let t = unify(ta.type, tb.type) else {
                diags.error(.typeMismatch, "the branches of `if` have different types: \(ta.type) and \(tb.type)", at: s)
                return err(s)
            }
            return TExpr(.ifElse(tc, ta, tb), t, s)
        case .caseOf(let subject, let arms, let otherwise):
            return typeCase(subject, arms, otherwise, expected: expected, env: env, span: s)
        case .set(let items):
            var elementType: LType? = { if case .set(let t)? = expected?.base { return t }; return nil }()
            var values: [Value] = []
            for item in items {
                let t = typeExpr(item, expected: elementType, env: env)
                if t.type.isError { continue }
                guard case .constant(let v) = t.kind else {
                    diags.error(.typeMismatch, "a set lists constants", at: item.span)
                    continue
                }
                if let et = elementType, !sameType(et, t.type) {
                    diags.error(.typeMismatch, "a set of \(et) cannot hold \(t.type.a)", at: item.span)
                    continue
                }
                elementType = elementType ?? t.type
                if !values.contains(v) { values.append(v) }
            }
            return TExpr(.constant(.set(values)), .set(elementType ?? .error), s)
        case .aggregate(let agg):
            return typeAggregate(agg, env: env, span: s)
        }
    }

    func invalidNumber(_ t: String, _ s: Span) -> TExpr {
        diags.error(.invalidNumber, "`\(t)` is not a number Linja can hold exactly", at: s,
                    help: "numbers have at most 6 decimals and 13 digits before the point")
        return err(s)
    }

    func negate(_ e: TExpr, _ s: Span) -> TExpr {
        if e.type.isOptional {
            return TExpr(.compare(.eq, e, TExpr(.constant(.bool(false)), .bool, s)), e.type, s)
        }
        return TExpr(.not(e), .bool, s)
    }

    func sameType(_ a: LType, _ b: LType) -> Bool {
        if a.isError || b.isError { return true }
        if a.isNumeric && b.isNumeric { return true }
        return a == b
    }

    /// The common type of two branches (`T` and `T?` give `T?`).
    func unify(_ a: LType, _ b: LType) -> LType? {
        if a.isError { return b }
        if b.isError { return a }
        let opt = a.isOptional || b.isOptional
        let (x, y) = (a.base, b.base)
        var t: LType?
        if x == y { t = x }
        else if x.isNumeric && y.isNumeric { t = .decimal }
        else if case .duration = x, case .duration = y { t = .duration(.mixed) }
        guard let r = t else { return nil }
        return opt ? .optional(r) : r
    }

    /// A condition must be a plain bool: an optional one must say what missing means.
    func requireBool(_ e: TExpr, _ what: String) -> TExpr {
        if e.type.isError { return e }
        if e.type == .optional(.bool) {
            diags.error(.optionalUnhandled, "\(what) may be missing (it depends on an optional value)", at: e.span,
                        help: "say what a missing value means: add `otherwise false`, or test `… is present and …`")
            return err(e.span)
        }
        if e.type != .bool {
            diags.error(.typeMismatch, "\(what) must be true or false, not \(e.type.a)", at: e.span)
            return err(e.span)
        }
        return e
    }
}
