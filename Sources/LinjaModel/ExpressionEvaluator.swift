import LinjaBase
import LinjaSyntax

/// An error while evaluating one client (overflow, division by zero, a date
/// outside the calendar). It names the expression; the client is reported,
/// never silently dropped.
public struct EvalError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var span: Span
    public init(message: String, span: Span) {
        self.message = message
        self.span = span
    }
    public var description: String {
        if let l = span.location { return "\(l): \(message)" }
        return message
    }
}

/// What evaluation needs besides the client: the date, the params' values
/// in force on it, the lets' expressions and the places' municipalities.
public struct EvalContext: Sendable {
    public var asOf: Day?
    public var params: [Value]
    public var lets: [TExpr]
    /// Group ids, then area ids (see `Value.group`).
    public var groupSets: [MunicipalitySet]
    /// The period goals are evaluated for (`period_start`, `period_end`).
    public var period: Period?

    public init(asOf: Day?, params: [Value], lets: [TExpr], groupSets: [MunicipalitySet], period: Period? = nil) {
        self.asOf = asOf
        self.params = params
        self.lets = lets
        self.groupSets = groupSets
        self.period = period
    }

    /// The context a policy gives on `asOf`: its params' values in force
    /// that day (or overridden), its lets and its places.
    public init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:], period: Period? = nil) {
        var params = policy.params.map { $0.value(on: asOf) }
        for (i, v) in paramOverrides where i < params.count { params[i] = v }
        self.init(asOf: asOf, params: params, lets: policy.lets.map(\.expr),
                  groupSets: policy.groups.map(\.members) + policy.areas.map(\.municipalities), period: period)
    }

    public func members(_ g: Int) -> MunicipalitySet {
        if g < 0 { return MunicipalitySet([-g - 1]) }
        return g < groupSets.count ? groupSets[g] : MunicipalitySet()
    }
}

/// The reference evaluator: a plain walk over the checked tree, written for
/// obviousness rather than speed. The compiled evaluator is tested against it.
public struct ReferenceEvaluator {
    public let context: EvalContext
    public var client: [Value]
    var letCache: [Value?]
    /// Evaluates aggregates (the goal engine supplies it).
    public var aggregate: ((TAggregate, Span) throws -> Value)?

    public init(context: EvalContext, client: [Value]) {
        self.context = context
        self.client = client
        self.letCache = Array(repeating: nil, count: context.lets.count)
    }

    public mutating func eval(_ e: TExpr) throws -> Value {
        switch e.kind {
        case .constant(let v): return v
        case .error: throw EvalError(message: "the expression has errors", span: e.span)
        case .field(let slot):
            guard slot < client.count else { throw EvalError(message: "no value for this field", span: e.span) }
            return client[slot]
        case .param(let p):
            guard p < context.params.count else { throw EvalError(message: "unknown param", span: e.span) }
            return context.params[p]
        case .letRef(let l):
            guard l < context.lets.count else { throw EvalError(message: "unknown let", span: e.span) }
            if let v = letCache[l] { return v }
            let v = try eval(context.lets[l])
            letCache[l] = v
            return v
        case .asOf:
            guard let d = context.asOf else { throw EvalError(message: "`as_of` is not given", span: e.span) }
            return .date(d)
        case .periodBound(let start):
            guard let p = context.period else {
                throw EvalError(message: "`\(start ? "period_start" : "period_end")` is not given: no period", span: e.span)
            }
            return .date(start ? p.first : p.last)
        case .unwrap(let a):
            let v = try eval(a)
            if v.isMissing { throw EvalError(message: "a value shown present is missing", span: e.span) }
            return v
        case .not(let a):
            return .bool(!(try evalBool(a)))
        case .and(let a, let b):
            return .bool(try evalBool(a) && evalBool(b))
        case .or(let a, let b):
            return .bool(try evalBool(a) || evalBool(b))
        case .otherwise(let a, let b):
            let v = try eval(a)
            return v.isMissing ? try eval(b) : v
        case .isMissing(let a, let negated):
            return .bool(try eval(a).isMissing != negated)
        case .compare(let op, let a, let b):
            let x = try eval(a), y = try eval(b)
            if x.isMissing || y.isMissing { return .missing }
            return .bool(try Operators.compare(op, x, y, span: e.span))
        case .arith(let op, let a, let b):
            let x = try eval(a), y = try eval(b)
            if x.isMissing || y.isMissing { return .missing }
            return try Operators.arith(op, x, y, span: e.span)
        case .negate(let a):
            let x = try eval(a)
            if x.isMissing { return .missing }
            return try Operators.negate(x, span: e.span)
        case .since(let a):
            let x = try eval(a)
            if x.isMissing { return .missing }
            guard case .date(let d) = x, let now = context.asOf else {
                throw EvalError(message: "`since` needs a date and `as_of`", span: e.span)
            }
            return .span(d, now)
        case .inGroup(let a, let g):
            let x = try eval(a), y = try eval(g)
            if x.isMissing { return .missing }
            guard case .municipality(let m) = x, case .group(let gid) = y else {
                throw EvalError(message: "`in` needs a municipality and a group", span: e.span)
            }
            return .bool(context.members(gid).contains(m))
        case .inSet(let a, let set):
            let x = try eval(a), y = try eval(set)
            if x.isMissing || y.isMissing { return .missing }
            guard case .set(let items) = y else { throw EvalError(message: "`in` needs a set", span: e.span) }
            for item in items where try Operators.compare(.eq, x, item, span: e.span) { return .bool(true) }
            return .bool(false)
        case .call(let b, let args):
            var values: [Value] = []
            for a in args {
                let v = try eval(a)
                if v.isMissing { return .missing }
                values.append(v)
            }
            return try Operators.call(b, values, asOf: context.asOf, span: e.span)
        case .ifElse(let c, let a, let b):
            return try evalBool(c) ? eval(a) : eval(b)
        case .caseOf(let subject, let branches, let otherwise):
            let v = try eval(subject)
            for br in branches where br.values.contains(v) { return try eval(br.result) }
            if let o = otherwise { return try eval(o) }
            throw EvalError(message: "no `case` branch for this value", span: e.span)
        case .aggregate(let agg):
            guard let f = aggregate else { throw EvalError(message: "aggregates are computed over all clients", span: e.span) }
            return try f(agg, e.span)
        }
    }

    public mutating func evalBool(_ e: TExpr) throws -> Bool {
        switch try eval(e) {
        case .bool(let b): return b
        case .missing: throw EvalError(message: "a condition is missing", span: e.span)
        default: throw EvalError(message: "a condition is not true or false", span: e.span)
        }
    }
}
