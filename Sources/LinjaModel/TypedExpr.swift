import LinjaBase
import LinjaSyntax

/// A checked expression: every name resolved to a slot, every node typed.
/// Both evaluators run this form: the reference evaluator walks it, the
/// compiler turns it into bytecode.
public struct TExpr: Sendable {
    public var kind: Kind
    public var type: LType
    public var span: Span

    public init(_ kind: Kind, _ type: LType, _ span: Span) {
        self.kind = kind
        self.type = type
        self.span = span
    }

    public indirect enum Kind: Sendable {
        case constant(Value)
        /// A record field by slot.
        case field(Int)
        case param(Int)
        case letRef(Int)
        case asOf
        /// The first (`start`) or last day of the period goals are evaluated for.
        case periodBound(start: Bool)
        /// An optional the checker has shown to be present here (`x is present and …`).
        case unwrap(TExpr)
        case not(TExpr)
        case and(TExpr, TExpr)
        case or(TExpr, TExpr)
        case otherwise(TExpr, TExpr)
        case isMissing(TExpr, negated: Bool)
        /// A comparison; what it means follows from the operand types.
        case compare(BinaryOp, TExpr, TExpr)
        case arith(BinaryOp, TExpr, TExpr)
        case negate(TExpr)
        case since(TExpr)
        /// A municipality in a group or area (or equal to a municipality).
        case inGroup(TExpr, TExpr)
        case inSet(TExpr, TExpr)
        case call(Builtin, [TExpr])
        case ifElse(TExpr, TExpr, TExpr)
        case caseOf(TExpr, [CaseBranch], TExpr?)
        case aggregate(TAggregate)
        /// An expression already reported as wrong.
        case error
    }

    /// Calls `body` on each direct child.
    public func forEachChild(_ body: (TExpr) -> Void) {
        switch kind {
        case .constant, .field, .param, .letRef, .asOf, .periodBound, .error: break
        case .unwrap(let a), .not(let a), .isMissing(let a, _), .negate(let a), .since(let a): body(a)
        case .and(let a, let b), .or(let a, let b), .otherwise(let a, let b), .compare(_, let a, let b),
             .arith(_, let a, let b), .inGroup(let a, let b), .inSet(let a, let b):
            body(a); body(b)
        case .call(_, let args): args.forEach(body)
        case .ifElse(let a, let b, let c): body(a); body(b); body(c)
        case .caseOf(let s, let arms, let o):
            body(s)
            arms.forEach { body($0.result) }
            if let o { body(o) }
        case .aggregate(let a):
            if let f = a.filter { body(f) }
            if let f = a.among { body(f) }
            if let v = a.value { body(v) }
            a.ratio.forEach { body($0) }
        }
    }
}

public struct CaseBranch: Sendable {
    public var values: [Value]
    public var result: TExpr

    package init(values: [Value], result: TExpr) {
        self.values = values
        self.result = result
    }
}

public struct TAggregate: Sendable {
    public var kind: AggregateKind
    public var filter: TExpr?
    public var among: TExpr?
    public var value: TExpr?
    public var ratio: [TExpr]

    package init(kind: AggregateKind, filter: TExpr?, among: TExpr?, value: TExpr?, ratio: [TExpr]) {
        self.kind = kind
        self.filter = filter
        self.among = among
        self.value = value
        self.ratio = ratio
    }
}
