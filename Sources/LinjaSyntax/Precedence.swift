import LinjaBase

/// How tightly each expression form binds: the one table the expression
/// parser climbs and the formatter prints by (an operand whose level is
/// below what its position needs is printed in parentheses). Higher binds
/// tighter. Comparisons do not chain.
///
/// `otherwise` binds tighter than `and`/`or` and looser than comparisons,
/// so `a and since d > 3 months otherwise false` reads as
/// `a and ((since d > 3 months) otherwise false)`.
public enum Precedence {
    /// `if … then … else …` and aggregates that end in a `where` filter:
    /// they run to the end of the expression, so inside another one they are
    /// parenthesised.
    public static let open = 0
    public static let or = 1
    public static let and = 2
    public static let not = 3
    public static let otherwise = 4
    public static let comparison = 5
    public static let additive = 6
    public static let multiplicative = 7
    /// Unary minus.
    public static let unary = 8
    /// `since d`, `ratio of a to b`: a prefix form whose operand is a postfix
    /// expression, so a `.field` after it would belong to the operand.
    public static let prefix = 9
    public static let primary = 10

    /// The binary operator a token spells, with its precedence.
    static func binary(_ t: Token) -> (BinaryOp, Int)? {
        let op: BinaryOp
        switch t.kind {
        case .keyword(.otherwise): op = .otherwise
        case .keyword(.or): op = .or
        case .keyword(.and): op = .and
        case .eq, .eqeq: op = .eq
        case .neq: op = .neq
        case .lt: op = .lt
        case .le: op = .le
        case .gt: op = .gt
        case .ge: op = .ge
        case .plus: op = .add
        case .minus: op = .sub
        case .star: op = .mul
        case .slash: op = .div
        default: return nil
        }
        return (op, of(op))
    }

    /// A binary operator's precedence.
    public static func of(_ op: BinaryOp) -> Int {
        switch op {
        case .or: return or
        case .and: return and
        case .otherwise: return otherwise
        case .eq, .neq, .lt, .le, .gt, .ge: return comparison
        case .add, .sub: return additive
        case .mul, .div: return multiplicative
        }
    }

    /// The precedence of an expression's outermost form.
    public static func of(_ e: Expr) -> Int {
        switch e.kind {
        case .binary(let op, _, _): return of(op)
        case .isMissing, .isValue, .membership: return comparison
        case .unary(.not, _): return not
        case .unary(.negate, _): return unary
        case .since: return prefix
        case .ifElse: return open
        case .aggregate(let a):
            return a.filter != nil || a.among != nil ? open : prefix
        case .bool, .number, .percent, .money, .duration, .date, .period, .text, .name, .asOf, .periodStart, .periodEnd, .missing,
             .member, .call, .caseOf, .set, .error:
            return primary
        }
    }
}
