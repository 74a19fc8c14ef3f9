import LinjaBase
import LinjaSyntax

/// The meaning of Linja's operators on values, defined once: comparisons,
/// arithmetic and builtins. Month arithmetic clamps to the month's end;
/// "span > N months" means the end is strictly after start + N months.
public enum Operators {
    /// Exact decimal of a numeric value.
    package static func fixed(_ v: Value) -> Fixed? {
        switch v {
        case .int(let i): return Fixed(integer: Int(i))
        case .decimal(let f), .percent(let f), .money(let f): return f
        default: return nil
        }
    }

    static func order<T: Comparable>(_ op: BinaryOp, _ a: T, _ b: T) -> Bool {
        switch op {
        case .eq: return a == b
        case .neq: return a != b
        case .lt: return a < b
        case .le: return a <= b
        case .gt: return a > b
        case .ge: return a >= b
        default: return false
        }
    }

    /// A duration's length in its own unit (months, days or working days),
    /// for comparing durations of one kind.
    public static func length(_ d: Duration) -> Int { d.months != 0 ? d.months : (d.workingDays != 0 ? d.workingDays : d.days) }

    public static func compare(_ op: BinaryOp, _ x: Value, _ y: Value, span: Span) throws -> Bool {
        switch (x, y) {
        case (.int(let a), .int(let b)): return order(op, a, b)
        case (.int, .decimal), (.decimal, .int), (.decimal, .decimal), (.percent, .percent), (.money, .money):
            guard let a = fixed(x), let b = fixed(y) else { break }
            return order(op, a, b)
        case (.date(let a), .date(let b)): return order(op, a, b)
        case (.period(let a), .period(let b)): return order(op, a, b)
        case (.text(let a), .text(let b)): return order(op, a, b)
        case (.bool(let a), .bool(let b)): return op == .eq ? a == b : a != b
        case (.municipality(let a), .municipality(let b)): return op == .eq ? a == b : a != b
        case (.enumeration(let t1, let a), .enumeration(let t2, let b)):
            return op == .eq ? (t1 == t2 && a == b) : !(t1 == t2 && a == b)
        case (.duration(let a), .duration(let b)): return order(op, length(a), length(b))
        case (.span(let start, let end), .duration(let d)):
            // span OP d  ⇔  end OP start + d (calendar arithmetic).
            guard let limit = d.added(to: start) else {
                throw EvalError(message: "\(start) + \(d) is outside the calendar", span: span)
            }
            return order(op, end, limit)
        case (.duration, .span):
            return try compare(op.mirrored, y, x, span: span)
        default: break
        }
        throw EvalError(message: "cannot compare these values", span: span)
    }

    public static func arith(_ op: BinaryOp, _ x: Value, _ y: Value, span: Span) throws -> Value {
        func overflow() -> EvalError { EvalError(message: "the result is too large", span: span) }
        // Integers, like decimals, range over ±(2^63 - 1): Int64.min is the
        // compiled evaluator's "missing", so both evaluators call it overflow.
        switch (op, x, y) {
        case (.add, .int(let a), .int(let b)):
            let (r, o) = a.addingReportingOverflow(b); if o || r == Int64.min { throw overflow() }; return .int(r)
        case (.sub, .int(let a), .int(let b)):
            let (r, o) = a.subtractingReportingOverflow(b); if o || r == Int64.min { throw overflow() }; return .int(r)
        case (.mul, .int(let a), .int(let b)):
            let (r, o) = a.multipliedReportingOverflow(by: b); if o || r == Int64.min { throw overflow() }; return .int(r)
        case (.add, .date(let d), .duration(let du)), (.add, .duration(let du), .date(let d)):
            guard let r = du.added(to: d) else { throw EvalError(message: "the date is outside the calendar", span: span) }
            return .date(r)
        case (.sub, .date(let d), .duration(let du)):
            guard du.workingDays == 0, let r = du.negated.added(to: d) else {
                throw EvalError(message: du.workingDays != 0 ? "working days can only be added" : "the date is outside the calendar", span: span)
            }
            return .date(r)
        case (.sub, .date(let a), .date(let b)):
            return .span(b, a)
        case (.add, .duration(let a), .duration(let b)):
            return .duration(Duration(months: a.months + b.months, days: a.days + b.days, workingDays: a.workingDays + b.workingDays))
        case (.sub, .duration(let a), .duration(let b)):
            return .duration(Duration(months: a.months - b.months, days: a.days - b.days, workingDays: a.workingDays - b.workingDays))
        case (.mul, .duration(let a), .int(let n)), (.mul, .int(let n), .duration(let a)):
            guard abs(n) < 100_000 else { throw overflow() }
            let k = Int(n)
            return .duration(Duration(months: a.months * k, days: a.days * k, workingDays: a.workingDays * k))
        default: break
        }
        // Exact decimals: numbers, percentages and money.
        guard let a = fixed(x), let b = fixed(y) else {
            throw EvalError(message: "cannot apply `\(op.rawValue)` to these values", span: span)
        }
        var r: Fixed?
        switch op {
        case .add: r = a.adding(b)
        case .sub: r = a.subtracting(b)
        case .mul:
            if case .percent = y, case .money = x { r = a.multiplied(by: b).flatMap { $0.divided(by: Fixed(raw: 100 * Fixed.scale)) } }
            else if case .percent = x, case .money = y { r = a.multiplied(by: b).flatMap { $0.divided(by: Fixed(raw: 100 * Fixed.scale)) } }
            else { r = a.multiplied(by: b) }
        case .div:
            if b.raw == 0 { throw EvalError(message: "division by zero", span: span) }
            r = a.divided(by: b)
        default: break
        }
        guard let f = r else { throw overflow() }
        switch (x, y) {
        case (.money, _), (_, .money):
            if op == .div, case .money = y { return .decimal(f) }
            return .money(f)
        case (.percent, .percent):
            return op == .div ? .decimal(f) : .percent(f)
        case (.percent, _), (_, .percent): return .percent(f)
        default: return .decimal(f)
        }
    }

    public static func negate(_ x: Value, span: Span) throws -> Value {
        switch x {
        case .int(let i):
            let (r, o) = Int64(0).subtractingReportingOverflow(i)
            if o { throw EvalError(message: "the result is too large", span: span) }
            return .int(r)
        case .decimal(let f): return .decimal(Fixed(raw: 0 &- f.raw))
        case .percent(let f): return .percent(Fixed(raw: 0 &- f.raw))
        case .money(let f): return .money(Fixed(raw: 0 &- f.raw))
        case .duration(let d): return .duration(d.negated)
        default: throw EvalError(message: "cannot negate this value", span: span)
        }
    }

    public static func call(_ b: Builtin, _ args: [Value], asOf: Day?, span: Span) throws -> Value {
        func bad() -> EvalError { EvalError(message: "bad arguments to `\(b.rawValue)`", span: span) }
        switch b {
        case .age:
            guard case .date(let d)? = args.first, let now = asOf else { throw bad() }
            return .int(Int64(LinjaBase.age(born: d, on: now)))
        case .age_on:
            guard args.count == 2, case .date(let d) = args[0], case .date(let on) = args[1] else { throw bad() }
            return .int(Int64(LinjaBase.age(born: d, on: on)))
        case .days:
            guard case .span(let s, let e)? = args.first else { throw bad() }
            return .int(Int64(e.number) - Int64(s.number))
        case .months, .years:
            guard case .span(let s, let e)? = args.first else { throw bad() }
            let m = calendarSpan(from: s, to: e).months
            return .int(Int64(b == .months ? m : m / 12))
        case .days_between:
            guard args.count == 2, case .date(let a) = args[0], case .date(let c) = args[1] else { throw bad() }
            return .int(Int64(c.number) - Int64(a.number))
        case .working_days:
            guard args.count == 2, case .date(let a) = args[0], case .date(let c) = args[1] else { throw bad() }
            return .int(Int64(FinnishCalendar.workingDays(from: a, to: c)))
        case .deadline:
            guard case .date(let d)? = args.first, let r = FinnishCalendar.deadline(d) else { throw bad() }
            return .date(r)
        case .year:
            guard case .date(let d)? = args.first else { throw bad() }
            return .int(Int64(d.year))
        case .month:
            guard case .date(let d)? = args.first else { throw bad() }
            return .int(Int64(d.month))
        case .abs:
            guard let x = args.first else { throw bad() }
            if try compare(.lt, x, zero(like: x), span: span) { return try negate(x, span: span) }
            return x
        case .min, .max:
            guard args.count == 2 else { throw bad() }
            let less = try compare(.lt, args[1], args[0], span: span)
            return (b == .min) == less ? promote(args[1], like: args[0]) : promote(args[0], like: args[1])
        }
    }

    static func zero(like v: Value) -> Value {
        switch v {
        case .int: return .int(0)
        case .percent: return .percent(Fixed(raw: 0))
        case .money: return .money(Fixed(raw: 0))
        default: return .decimal(Fixed(raw: 0))
        }
    }

    /// `min(1, 2.5)` is a decimal: an integer meeting a decimal becomes one.
    static func promote(_ v: Value, like other: Value) -> Value {
        if case .int(let i) = v, case .decimal = other, let f = Fixed(integer: Int(i)) { return .decimal(f) }
        return v
    }
}
