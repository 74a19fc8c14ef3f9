import LinjaBase
import LinjaSyntax
import LinjaModel

/// Conditions as branches: tests compiled to jumps, with missing values routed where the condition says.
extension Compiler {
    // MARK: Conditions as branches

    /// A bool function: tests compiled to jumps, returning 1 or 0 in `r`.
    mutating func boolBody(_ e: TExpr, _ r: Int32) throws {
        let falseSites = try branch(e, jumpWhen: false, missingIs: nil)
        emit(Instr(.retK, a: r, imm: 1))
        for site in falseSites { patch(site, to: label()) }
        emit(Instr(.retK, a: r, imm: 0))
    }

    static func inverse(_ rel: UInt8) -> UInt8 {
        switch rel {
        case 0: return 1
        case 1: return 0
        case 2: return 5
        case 3: return 4
        case 4: return 3
        default: return 2
        }
    }

    /// Whether a bool expression is a handful of tests on fields (worth
    /// inlining): no arithmetic, calls or spans; lets counted through.
    func cheap(_ e: TExpr, budget: Int) -> Bool {
        var left = budget
        func visit(_ x: TExpr) -> Bool {
            left -= 1
            if left < 0 { return false }
            switch x.kind {
            case .constant, .field, .param, .asOf, .periodBound: return true
            case .and(let a, let b), .or(let a, let b): return visit(a) && visit(b)
            case .not(let a), .unwrap(let a): return visit(a)
            case .isMissing(let a, _): return visit(a)
            case .otherwise(let a, let b): return visit(a) && visit(b)
            case .inGroup(let a, let b), .inSet(let a, let b): return visit(a) && visit(b)
            case .compare(_, let a, let b):
                if a.type.base == .span || b.type.base == .span { return readsClient(a) == false || readsClient(b) == false ? visitSpanCompare(a, b) : false }
                return visit(a) && visit(b)
            case .letRef(let l): return l < policy.lets.count && visit(policy.lets[l].expr)
            default: return !readsClient(x)
            }
        }
        func visitSpanCompare(_ a: TExpr, _ b: TExpr) -> Bool {
            // `since field OP constant duration` folds into one test.
            var fs = Set<Int>()
            fields(of: a, into: &fs)
            fields(of: b, into: &fs)
            return fs.count == 1
        }
        return visit(e)
    }

    /// Emits code that jumps (to the returned sites, patched by the caller)
    /// when `e` is `jumpWhen`, and falls through otherwise. `missingIs` is what
    /// a missing value counts as (set under `otherwise`; nil where the checker
    /// has shown a value cannot be missing).
    mutating func branch(_ e: TExpr, jumpWhen: Bool, missingIs: Bool?) throws -> [Int] {
        if let v = constant(e) {
            let b: Bool? = { if case .bool(let x) = v { return x }; if v.isMissing { return missingIs }; return nil }()
            guard let value = b else { throw Unsupported() }
            if value == jumpWhen { let j = label(); emit(Instr(.jump)); return [j] }
            return []
        }
        switch e.kind {
        case .and(let a, let b):
            if !jumpWhen { return try branch(a, jumpWhen: false, missingIs: missingIs) + branch(b, jumpWhen: false, missingIs: missingIs) }
            let skip = try branch(a, jumpWhen: false, missingIs: missingIs)
            let sites = try branch(b, jumpWhen: true, missingIs: missingIs)
            for s in skip { patch(s, to: label()) }
            return sites
        case .or(let a, let b):
            if jumpWhen { return try branch(a, jumpWhen: true, missingIs: missingIs) + branch(b, jumpWhen: true, missingIs: missingIs) }
            let skip = try branch(a, jumpWhen: true, missingIs: missingIs)
            let sites = try branch(b, jumpWhen: false, missingIs: missingIs)
            for s in skip { patch(s, to: label()) }
            return sites
        case .not(let a):
            return try branch(a, jumpWhen: !jumpWhen, missingIs: missingIs.map { !$0 })
        case .otherwise(let c, let k):
            if case .bool(let kb)? = constant(k) { return try branch(c, jumpWhen: jumpWhen, missingIs: kb) }
        case .letRef(let l) where l < policy.lets.count && cheap(policy.lets[l].expr, budget: 24):
            // A cheap test is inlined: a call and a memo would cost more than the test.
            return try branch(policy.lets[l].expr, jumpWhen: jumpWhen, missingIs: missingIs)
        case .compare(let op, let a, let b):
            if let sites = try branchCompare(op, a, b, e, jumpWhen: jumpWhen, missingIs: missingIs) { return sites }
        default:
            break
        }
        // Anything else: compute the value, then test it.
        let r = try scalar(e)
        return branchOnValue(r, optional: e.type.isOptional, jumpWhen: jumpWhen, missingIs: missingIs)
    }

    /// Jumps on a computed bool (or missing) value.
    mutating func branchOnValue(_ r: Int32, optional: Bool, jumpWhen: Bool, missingIs: Bool?) -> [Int] {
        var sites: [Int] = []
        var skips: [Int] = []
        if optional {
            let j = label()
            emit(Instr(.jumpIfMissing, a: r))
            if missingIs == jumpWhen { sites.append(j) } else { skips.append(j) }
        }
        let j = label()
        emit(Instr(jumpWhen ? .jumpIfTrue : .jumpIfFalse, a: r))
        sites.append(j)
        for s in skips { patch(s, to: label()) }
        return sites
    }

    /// A comparison as one compare-and-branch where it can be: with a
    /// constant, or folded into a threshold on one date field.
    mutating func branchCompare(_ op: BinaryOp, _ a: TExpr, _ b: TExpr, _ e: TExpr, jumpWhen: Bool, missingIs: Bool?) throws -> [Int]? {
        let (x, y) = (a.type.base, b.type.base)
        func plain(_ t: LType) -> Bool {
            switch t {
            case .int, .date, .enumeration, .municipality, .bool, .percent, .money: return true
            case .decimal: return true
            default: return false
            }
        }
        if let fold = monotoneFold(op, a, b) {
            var sites: [Int] = []
            var skips: [Int] = []
            let rx = fold.slot
            if fold.optional {
                let j = label()
                emit(Instr(.jumpIfMissing, a: rx))
                if missingIs == jumpWhen { sites.append(j) } else { skips.append(j) }
            }
            // Dates inside the range jump to the threshold test, placed
            // after the general code: it then falls through to what follows
            // (one dispatch fewer on the common path than a jump over the
            // general code).
            let inside = label()
            emit(Instr(.jumpIfInside, a: Int32(fold.range.upperBound - fold.range.lowerBound), b: rx, imm: Int64(fold.range.lowerBound)))
            let general = try compareGeneral(op, a, b, e)
            sites += branchOnValue(general, optional: e.type.isOptional, jumpWhen: jumpWhen, missingIs: missingIs)
            let over = label()
            emit(Instr(.jump))
            patch(inside, to: label())
            if let constant = fold.constant {
                if constant == jumpWhen { sites.append(label()); emit(Instr(.jump)) }
            } else {
                // true for d < threshold (trueBelow) or for d >= threshold.
                var rel: UInt8 = fold.trueBelow ? 2 : 5
                if !jumpWhen { rel = Compiler.inverse(rel) }
                sites.append(label())
                emit(Instr(.jumpIfCmpK, rel: rel, b: rx, imm: Int64(fold.threshold)))
            }
            patch(over, to: label())
            for s in skips { patch(s, to: label()) }
            return sites
        }
        guard plain(x), plain(y), x == y else { return nil }
        if let bv = constant(b), let raw = Slot.encode(bv), raw != Slot.missing {
            let ra = try scalar(a)
            var sites: [Int] = []
            var skips: [Int] = []
            if a.type.isOptional {
                let j = label()
                emit(Instr(.jumpIfMissing, a: ra))
                if missingIs == jumpWhen { sites.append(j) } else { skips.append(j) }
            }
            var rel = Compiler.rel(op)
            if !jumpWhen { rel = Compiler.inverse(rel) }
            sites.append(label())
            emit(Instr(.jumpIfCmpK, rel: rel, b: ra, imm: raw))
            for s in skips { patch(s, to: label()) }
            return sites
        }
        return nil
    }
}
