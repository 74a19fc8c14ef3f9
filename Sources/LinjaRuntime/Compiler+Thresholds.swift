import LinjaBase
import LinjaSyntax
import LinjaModel

/// Folding a comparison that is monotone in one date field into a threshold computed once per as_of.
extension Compiler {
    // MARK: Folding comparisons on one date into a threshold

    /// The record fields an expression reads (through lets).
    func fields(of e: TExpr, into out: inout Set<Int>) {
        switch e.kind {
        case .field(let s): out.insert(s)
        case .letRef(let l):
            guard l < policy.lets.count else { return }
            if let known = memo.fields[l] { out.formUnion(known); return }
            var own = Set<Int>()
            fields(of: policy.lets[l].expr, into: &own)
            memo.fields[l] = own
            out.formUnion(own)
        case .aggregate: out.insert(-1)
        default: e.forEachChild { fields(of: $0, into: &out) }
        }
    }

    /// How an expression moves as its one date field grows: +1 never down,
    /// -1 never up, 0 constant, nil unknown (or not provably monotone).
    func direction(_ e: TExpr) -> Int? {
        if !readsClient(e) { return 0 }
        switch e.kind {
        case .field: return e.type.base == .date ? 1 : nil
        case .unwrap(let a): return direction(a)
        case .letRef(let l):
            guard l < policy.lets.count else { return nil }
            if let known = memo.direction[l] { return known }
            let d = direction(policy.lets[l].expr)
            memo.direction[l] = .some(d)
            return d
        case .since(let a):
            // span(a, as_of) compared with a duration: end > start + d falls as start rises.
            return direction(a).map { -$0 }
        case .call(.age, let args): return args.count == 1 ? direction(args[0]).map { -$0 } : nil
        case .call(.deadline, let args): return args.count == 1 ? direction(args[0]) : nil
        case .arith(.add, let x, let y):
            if case .duration = y.type.base, constant(y) != nil { return direction(x) }
            if case .duration = x.type.base, constant(x) != nil { return direction(y) }
            return nil
        case .arith(.sub, let x, let y):
            if case .duration = y.type.base, constant(y) != nil, case .duration(let d)? = constant(y), d.workingDays == 0 { return direction(x) }
            if x.type.base == .date, y.type.base == .date, constant(x) != nil { return direction(y).map { -$0 } }   // span(y, x)
            return nil
        default: return nil
        }
    }

    /// Dates outside this range run the general code (folding probes inside it only).
    static let foldRange: ClosedRange<Int32> = {
        let lo = Day(year: 1600, month: 1, day: 1)?.number ?? 0
        let hi = Day(year: 2600, month: 12, day: 31)?.number ?? 0
        return lo...hi
    }()

    /// `f(date) OP constant`, with `f` monotone in one date field, becomes a
    /// comparison of the raw field with a threshold found once here by binary
    /// search with the reference evaluator (so it means exactly the same). A
    /// date outside `foldRange` takes the general code.
    struct Fold {
        var slot: Int32
        var optional: Bool
        var range: ClosedRange<Int32>
        /// The predicate's value on the whole range, when it is constant there.
        var constant: Bool?
        var threshold: Int32
        var trueBelow: Bool
    }

    /// Whether `f(date) OP constant` is monotone in one date field, and where it changes.
    mutating func monotoneFold(_ op: BinaryOp, _ a: TExpr, _ b: TExpr) -> Fold? {
        guard folding, op != .eq, op != .neq else { return nil }
        var subject = a, other = b
        if constant(b) == nil, constant(a) != nil { subject = b; other = a }
        guard constant(other) != nil, readsClient(subject) else { return nil }
        var fs = Set<Int>()
        fields(of: subject, into: &fs)
        guard fs.count == 1, let slot = fs.first, slot >= 0, let rec = policy.record, slot < rec.fields.count,
              rec.fields[slot].type.base == .date, let dir = direction(subject), dir != 0 else { return nil }
        let width = rec.fields.count
        let ctx = context
        let probe = TExpr(.compare(op, a, b), .bool, a.span)
        func holds(_ d: Int32) -> Bool? {
            var client = [Value](repeating: .missing, count: width)
            client[slot] = .date(Day(number: d))
            var ev = ReferenceEvaluator(context: ctx, client: client)
            guard let v = try? ev.eval(probe) else { return nil }
            if case .bool(let x) = v { return x }
            return nil
        }
        let range = Compiler.foldRange
        guard let atLow = holds(range.lowerBound), let atHigh = holds(range.upperBound) else { return nil }
        let optional = rec.fields[slot].type.isOptional
        if atLow == atHigh {
            return Fold(slot: Int32(slot), optional: optional, range: range, constant: atLow, threshold: 0, trueBelow: atLow)
        }
        var lo = range.lowerBound, hi = range.upperBound   // holds(lo) == atLow, holds(hi) == atHigh
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            guard let v = holds(mid) else { return nil }
            if v == atLow { lo = mid } else { hi = mid }
        }
        // Check the claim on both sides of the threshold, in case monotonicity was wrong.
        guard holds(hi) == atHigh, holds(hi - 1) == atLow else { return nil }
        return Fold(slot: Int32(slot), optional: optional, range: range, constant: nil, threshold: hi, trueBelow: atLow)
    }

    /// `f(date) OP constant`, with `f` monotone in one date field, becomes a
    /// comparison of the raw field with a threshold found once here by binary
    /// search with the reference evaluator (so it means exactly the same). A
    /// date outside `foldRange` takes the general code.
    mutating func foldMonotone(_ op: BinaryOp, _ a: TExpr, _ b: TExpr, _ e: TExpr) throws -> Int32? {
        guard let fold = monotoneFold(op, a, b) else { return nil }
        let rx = fold.slot
        let r = fresh()
        var jumps: [Int] = []
        if fold.optional {
            // Missing stays missing (the caller says what it means).
            let j = label()
            emit(Instr(.jumpIfPresent, a: rx))
            emit(Instr(.loadConst, a: r, imm: Slot.missing))
            jumps.append(label())
            emit(Instr(.jump))
            patch(j, to: label())
        }
        // Inside the range: the threshold test, placed last so that it
        // falls through to what follows.
        let inside = label()
        emit(Instr(.jumpIfInside, a: Int32(fold.range.upperBound - fold.range.lowerBound), b: rx, imm: Int64(fold.range.lowerBound)))
        let general = try compareGeneral(op, a, b, e)
        emit(Instr(.move, a: r, b: general))
        jumps.append(label())
        emit(Instr(.jump))
        patch(inside, to: label())
        if let c = fold.constant {
            emit(Instr(.loadConst, a: r, imm: c ? 1 : 0))
        } else {
            emit(Instr(.cmpK, rel: fold.trueBelow ? 2 : 5, a: r, b: rx, imm: Int64(fold.threshold)))
        }
        for j in jumps { patch(j, to: label()) }
        return r
    }
}
