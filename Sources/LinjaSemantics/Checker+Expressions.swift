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

        static let constant = Env(client: false, aggregates: false, asOf: false, names: false)
        static let perClient = Env(client: true, aggregates: false)
        static let measured = Env(client: false, aggregates: true)
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

    // MARK: Names

    func resolveName(_ n: Name, expected: LType?, env: Env) -> TExpr {
        let s = n.span
        // Where an enumeration value or a place is expected, its names come first.
        if let exp = expected?.base {
            if case .enumeration(let id, _) = exp, let vi = enums[id].index(of: n.text) {
                return TExpr(.constant(.enumeration(type: id, index: vi)), exp, s)
            }
            if case .set(.enumeration(let id, let en)) = exp, let vi = enums[id].index(of: n.text) {
                return TExpr(.constant(.enumeration(type: id, index: vi)), .enumeration(id: id, name: en), s)
            }
            if exp == .municipality || exp == .group, let r = resolvePlace(n, expected: exp, report: false) {
                return r
            }
        }
        if let pid = paramIndex[n.text], env.names {
            let p = TExpr(.param(pid), params[pid].type, s)
            return narrowed(p, env)
        }
        if let pid = paramIndex[n.text], !env.names {
            _ = pid
            diags.error(.misplaced, "`\(n.text)` is a param; a param's value is a constant and cannot name another", at: s)
            return err(s)
        }
        if let lid = letIndex[n.text] {
            guard env.names else {
                diags.error(.misplaced, "`\(n.text)` is a let; a param's value is a constant", at: s)
                return err(s)
            }
            let t = letType(lid, usedAt: s)
            guard env.client || !letUsesClient(lid) else {
                diags.error(.misplaced, "let `\(n.text)` depends on the client and cannot be used here", at: s)
                return err(s)
            }
            return narrowed(TExpr(.letRef(lid), t, s), env)
        }
        if let r = resolvePlace(n, expected: .group, report: false) { return r }
        let owners = enums.filter { $0.index(of: n.text) != nil }
        if owners.count == 1, let vi = owners[0].index(of: n.text) {
            return TExpr(.constant(.enumeration(type: owners[0].id, index: vi)), .enumeration(id: owners[0].id, name: owners[0].name), s)
        }
        if owners.count > 1 {
            diags.error(.unknownName, "`\(n.text)` is a value of several enumerations (\(owners.map(\.name).joined(separator: ", ")))", at: s,
                        help: "compare it with a field: `client.x is \(n.text)`")
            return err(s)
        }
        if let r = record, n.text == r.name {
            diags.error(.unknownName, "`\(n.text)` is the record; name one of its fields", at: s,
                        help: "e.g. `\(n.text).\(r.fields.first?.name ?? "field")`")
            return err(s)
        }
        if let r = record, r.field(n.text) != nil {
            diags.error(.unknownName, "unknown name `\(n.text)`", at: s, help: "did you mean the field `\(r.name).\(n.text)`?")
            return err(s)
        }
        var candidates = Array(paramIndex.keys) + Array(letIndex.keys) + municipalities.map(\.name) + groups.map(\.name)
        if case .enumeration(let id, _)? = expected?.base { candidates += enums[id].values } else { candidates += enums.flatMap(\.values) }
        let code: DiagnosticCode
        if case .enumeration(let id, _)? = expected?.base {
            code = .unknownEnumValue
            diags.error(code, "`\(n.text)` is not a value of `\(enums[id].name)`", at: s,
                        help: suggestion(n.text, among: enums[id].values) ?? "its values are \(enums[id].values.map { "`\($0)`" }.joined(separator: ", "))")
            return err(s)
        }
        if expected?.base == .municipality || expected?.base == .group || Suggest.closest(n.text, among: municipalities.map(\.name)) != nil {
            diags.error(.unknownMunicipality, "unknown municipality or group `\(n.text)`", at: s,
                        help: suggestion(n.text, among: municipalities.map(\.name) + groups.map(\.name) + areas.map(\.name)))
            return err(s)
        }
        diags.error(.unknownName, "unknown name `\(n.text)`", at: s, help: suggestion(n.text, among: candidates))
        return err(s)
    }

    /// A municipality (type municipality) or a group/area (type group). Ids of
    /// groups are ≥ 0 for groups, areas are offset after groups.
    func resolvePlace(_ n: Name, expected: LType, report: Bool = true) -> TExpr? {
        let s = n.span
        if let m = municipalityIndex[n.text] {
            if expected == .group {
                return TExpr(.constant(.group(-m - 1)), .group, s)
            }
            return TExpr(.constant(.municipality(m)), .municipality, s)
        }
        if let g = groupIndex[n.text] { return TExpr(.constant(.group(g)), .group, s) }
        if let a = areaIndex[n.text] { return TExpr(.constant(.group(groups.count + a)), .group, s) }
        if report {
            diags.error(.unknownMunicipality, "unknown municipality `\(n.text)`", at: s,
                        help: suggestion(n.text, among: municipalities.map(\.name) + (expected == .group ? groups.map(\.name) + areas.map(\.name) : [])))
        }
        return nil
    }

    /// The municipalities a group constant stands for (a municipality alone, a group or an area).
    func members(ofGroup g: Int) -> MunicipalitySet {
        if g < 0 { return MunicipalitySet([-g - 1]) }
        if g < groups.count { return groups[g].members }
        let a = g - groups.count
        return a < areas.count ? areas[a].municipalities : MunicipalitySet()
    }

    func typeMember(_ base: Expr, _ field: Name, env: Env, span s: Span) -> TExpr {
        guard case .name(let b) = base.kind, let r = record, b == r.name else {
            if case .name(let b) = base.kind, record == nil {
                diags.error(.unknownName, "`\(b)` is not a record: the policy declares none", at: base.span,
                            help: "declare the record the rules read: `record client { … }`, or import it")
                return err(s)
            }
            if case .name(let b) = base.kind {
                diags.error(.unknownName, "unknown record `\(b)`", at: base.span,
                            help: record.map { "the record is `\($0.name)`" })
                return err(s)
            }
            diags.error(.typeMismatch, "only a record's fields can be read with `.`", at: s)
            return err(s)
        }
        guard let slot = fieldIndex[field.text] else {
            diags.error(.unknownField, "record `\(r.name)` has no field `\(field.text)`", at: field.span,
                        help: suggestion(field.text, among: r.fields.map(\.name)))
            return err(s)
        }
        if !env.client {
            diags.error(.misplaced, "`\(r.name).\(field.text)` is a client's value and cannot be used here", at: s,
                        help: env.aggregates ? "client values are read inside `count of clients where …`" : "a param is a constant")
            return err(s)
        }
        return narrowed(TExpr(.field(slot), r.fields[slot].type, s), env)
    }

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
