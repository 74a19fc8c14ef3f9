import LinjaBase
import LinjaSyntax
import LinjaModel

/// Expressions: operands, lets, comparisons.
extension Compiler {
    // MARK: Expressions

    /// A one-register value.
    mutating func scalar(_ e: TExpr) throws -> Int32 {
        switch try operand(e) {
        case .reg(let r): return r
        case .span: throw Unsupported()
        }
    }

    mutating func operand(_ e: TExpr) throws -> Operand {
        if let v = constant(e) {
            if case .span(let s, let t) = v {
                return .span(loadConst(Int64(s.number)), loadConst(Int64(t.number)))
            }
            if case .text(let s) = v, case .text = e.type.base {
                strings.append(s)
                throw Unsupported()
            }
            guard let raw = Slot.encode(v) else { throw Unsupported() }
            return .reg(loadConst(raw))
        }
        switch e.kind {
        case .constant, .param, .asOf, .periodBound, .error, .aggregate:
            throw Unsupported()
        case .field(let slot):
            // Registers 0..<width hold the client's fields (the VM copies them in).
            return .reg(Int32(slot))
        case .letRef(let l):
            if Self.inlined(policy.lets[l].type) {
                inlined += 1
                if inlined > Self.inlineLimit { throw Unsupported() }
                return try operand(policy.lets[l].expr)
            }
            guard letFunctions[l] != nil else { throw Unsupported() }
            let r = fresh()
            emit(Instr(.letCall, a: r, b: Int32(l)))
            return .reg(r)
        case .unwrap(let a):
            let op = try operand(a)
            if case .reg(let r) = op { emit(Instr(.checkPresent, a: r, imm: spanIndex(e.span))) }
            return op
        case .not(let a):
            let ra = try scalar(a)
            let r = fresh()
            emit(Instr(.not, a: r, b: ra))
            return .reg(r)
        case .and(let a, let b), .or(let a, let b):
            let isAnd: Bool = { if case .and = e.kind { return true }; return false }()
            let r = fresh()
            let ra = try scalar(a)
            emit(Instr(.move, a: r, b: ra))
            let j = label()
            emit(Instr(isAnd ? .jumpIfFalse : .jumpIfTrue, a: r))
            let rb = try scalar(b)
            emit(Instr(.move, a: r, b: rb))
            patch(j, to: label())
            return .reg(r)
        case .otherwise(let a, let b):
            let r = fresh()
            let ra = try scalar(a)
            emit(Instr(.move, a: r, b: ra))
            let j = label()
            emit(Instr(.jumpIfPresent, a: r))
            let rb = try scalar(b)
            emit(Instr(.move, a: r, b: rb))
            patch(j, to: label())
            return .reg(r)
        case .isMissing(let a, let negated):
            let ra = try scalar(a)
            let r = fresh()
            emit(Instr(negated ? .isPresent : .isMissing, a: r, b: ra))
            return .reg(r)
        case .compare(let op, let a, let b):
            return .reg(try compare(op, a, b, e))
        case .arith(let op, let a, let b):
            return try arith(op, a, b, e)
        case .negate(let a):
            let ra = try scalar(a)
            let r = fresh()
            return .reg(lifted(r, [(ra, a.type.isOptional)]) {
                $0.emit(Instr(a.type.base == .int ? .negI : .negF, a: r, b: ra, imm: $0.spanIndex(e.span)))
            })
        case .since(let a):
            let ra = try scalar(a)
            let now = loadConst(Int64(asOf.number))
            return .span(ra, now)
        case .inGroup(let m, let g):
            guard case .constant(.group(let gid)) = g.kind else { throw Unsupported() }
            let rm = try scalar(m)
            bitsets.append(context.members(gid))
            let idx = Int32(bitsets.count - 1)
            let r = fresh()
            return .reg(lifted(r, [(rm, m.type.isOptional)]) { $0.emit(Instr(.inBits, a: r, b: rm, c: idx)) })
        case .inSet(let x, let s):
            guard let setValue = constant(s), case .set(let items) = setValue else { throw Unsupported() }
            let rx = try scalar(x)
            var raws: [Int64] = []
            for item in items { guard let raw = Slot.encode(item) else { throw Unsupported() }; raws.append(raw) }
            let r = fresh()
            if case .enumeration = x.type.base, raws.allSatisfy({ $0 >= 0 && $0 < 63 }) {
                let mask = raws.reduce(Int64(0)) { $0 | (1 << $1) }
                return .reg(lifted(r, [(rx, x.type.isOptional)]) { $0.emit(Instr(.inMask, a: r, b: rx, imm: mask)) })
            }
            lists.append(raws.sorted())
            let idx = Int32(lists.count - 1)
            return .reg(lifted(r, [(rx, x.type.isOptional)]) { $0.emit(Instr(.inList, a: r, b: rx, c: idx)) })
        case .call(let b, let args):
            return try call(b, args, e)
        case .ifElse(let c, let a, let b):
            let r = fresh()
            let rc = try scalar(c)
            let j = label()
            emit(Instr(.jumpIfFalse, a: rc))
            let ra = try scalar(a)
            emit(Instr(.move, a: r, b: ra))
            let jEnd = label()
            emit(Instr(.jump))
            patch(j, to: label())
            let rb = try scalar(b)
            emit(Instr(.move, a: r, b: rb))
            patch(jEnd, to: label())
            return .reg(r)
        case .caseOf(let subject, let branches, let otherwise):
            let r = fresh()
            let rs = try scalar(subject)
            var ends: [Int] = []
            for br in branches {
                var toBranch: [Int] = []
                for v in br.values {
                    guard let raw = Slot.encode(v) else { throw Unsupported() }
                    let t = fresh()
                    emit(Instr(.cmpK, rel: 0, a: t, b: rs, imm: raw))
                    toBranch.append(label())
                    emit(Instr(.jumpIfTrue, a: t))
                }
                let skip = label()
                emit(Instr(.jump))
                for j in toBranch { patch(j, to: label()) }
                let rr = try scalar(br.result)
                emit(Instr(.move, a: r, b: rr))
                ends.append(label())
                emit(Instr(.jump))
                patch(skip, to: label())
            }
            if let o = otherwise {
                let ro = try scalar(o)
                emit(Instr(.move, a: r, b: ro))
            } else {
                emit(Instr(.loadConst, a: r, imm: Slot.missing))
            }
            for j in ends { patch(j, to: label()) }
            return .reg(r)
        }
    }

    /// Lets of these types are compiled where they are used, not called.
    static func inlined(_ t: LType) -> Bool {
        switch t.base {
        case .span, .text, .duration, .set, .error: return true
        default: return false
        }
    }

    /// The lets the code of `e` calls: those it names, and through the
    /// inlined lets it names, those they name (ascending).
    func calledLets(_ e: TExpr) -> [Int] {
        var found = Set<Int>()
        var seenInlined = Set<Int>()
        var work = [e]
        while let x = work.popLast() {
            if case .letRef(let l) = x.kind {
                guard l < policy.lets.count else { continue }
                if Self.inlined(policy.lets[l].type) {
                    if seenInlined.insert(l).inserted { work.append(policy.lets[l].expr) }
                } else {
                    found.insert(l)
                }
                continue
            }
            x.forEachChild { work.append($0) }
        }
        return found.sorted()
    }

    /// `calledLets` of a let's definition, found once.
    func calledLets(ofLet l: Int) -> [Int] {
        if let known = memo.calls[l] { return known }
        let calls = calledLets(policy.lets[l].expr).filter { $0 != l }
        memo.calls[l] = calls
        return calls
    }

    /// Compiles every let the code of `e` calls that is not compiled yet,
    /// each after the lets it calls (a depth-first walk with an explicit
    /// stack), so that no function's code interleaves another's.
    mutating func compileLets(usedBy e: TExpr) {
        var open = Set<Int>()
        for root in calledLets(e) where letFunctions[root] == nil {
            var work: [(let: Int, next: Int)] = [(root, 0)]
            open.insert(root)
            while let (l, next) = work.last {
                let deps = calledLets(ofLet: l)
                if next < deps.count {
                    work[work.count - 1].next = next + 1
                    let d = deps[next]
                    if letFunctions[d] == nil, open.insert(d).inserted { work.append((d, 0)) }
                    continue
                }
                work.removeLast()
                if letFunctions[l] == nil { letFunction(l) }
            }
        }
    }

    /// The let's code, compiled once; a body the compiler cannot lower runs
    /// through the reference evaluator.
    @discardableResult
    mutating func letFunction(_ l: Int) -> Function {
        if let f = letFunctions[l] { return f }
        // Lets it calls come first, so that no function's code interleaves another's.
        compileLets(usedBy: policy.lets[l].expr)
        if let f = letFunctions[l] { return f }
        let start = code.count
        let savedInlined = inlined
        inlined = 0
        defer { inlined = savedInlined }
        compiledLets.append(l)
        do {
            let body = policy.lets[l].expr
            let r: Int32
            if body.type == .bool {
                r = fresh()
                try boolBody(body, r)
            } else {
                r = try scalar(body)
                emit(Instr(.ret, a: r))
            }
            let f = Function(start: start, result: r)
            letFunctions[l] = f
            functionEnds[start] = code.count
            return f
        } catch {
            code.removeSubrange(start...)
            let r = fresh()
            fallbacks.append(policy.lets[l].expr)
            emit(Instr(.reference, a: r, b: Int32(fallbacks.count - 1)))
            emit(Instr(.ret, a: r))
            let f = Function(start: start, result: r)
            letFunctions[l] = f
            functionEnds[start] = code.count
            return f
        }
    }

    /// Emits `body` guarded so that a missing operand makes the result missing.
    mutating func lifted(_ r: Int32, _ operands: [(Int32, Bool)], _ body: (inout Compiler) -> Void) -> Int32 {
        let optional = operands.filter(\.1).map(\.0)
        if optional.isEmpty {
            body(&self)
            return r
        }
        var jumps: [Int] = []
        for o in optional {
            jumps.append(label())
            emit(Instr(.jumpIfMissing, a: o))
        }
        body(&self)
        let jEnd = label()
        emit(Instr(.jump))
        for j in jumps { patch(j, to: label()) }
        emit(Instr(.loadConst, a: r, imm: Slot.missing))
        patch(jEnd, to: label())
        return r
    }

    static func rel(_ op: BinaryOp) -> UInt8 {
        switch op {
        case .eq: return 0
        case .neq: return 1
        case .lt: return 2
        case .le: return 3
        case .gt: return 4
        case .ge: return 5
        default: return 0
        }
    }

    /// Adds a constant duration to a date register.
    mutating func addDuration(_ date: Int32, _ d: Duration, _ s: Span, negate: Bool = false) throws -> Int32 {
        var cur = date
        let sign: Int64 = negate ? -1 : 1
        if d.months != 0 {
            let r = fresh()
            emit(Instr(.addMonths, a: r, b: cur, c: Int32(spanIndex(s)), imm: sign * Int64(d.months)))
            cur = r
        }
        if d.days != 0 {
            let r = fresh()
            emit(Instr(.addDays, a: r, b: cur, c: Int32(spanIndex(s)), imm: sign * Int64(d.days)))
            cur = r
        }
        if d.workingDays != 0 {
            if negate { throw Unsupported() }
            let r = fresh()
            emit(Instr(.addWorkingDays, a: r, b: cur, c: Int32(spanIndex(s)), imm: Int64(d.workingDays)))
            cur = r
        }
        if cur == date {
            let r = fresh()
            emit(Instr(.move, a: r, b: date))
            cur = r
        }
        return cur
    }

    mutating func compare(_ op: BinaryOp, _ a: TExpr, _ b: TExpr, _ e: TExpr) throws -> Int32 {
        if folding, let folded = try foldMonotone(op, a, b, e) { return folded }
        let (x, y) = (a.type.base, b.type.base)
        // A span against a duration: end OP start + duration.
        if x == .span || y == .span {
            let (spanSide, durSide, o) = x == .span ? (a, b, op) : (b, a, op.mirrored)
            guard let dv = constant(durSide), case .duration(let d) = dv else { throw Unsupported() }
            guard case .span(let s, let t) = try operand(spanSide) else { throw Unsupported() }
            let r = fresh()
            return lifted(r, [(s, spanSide.type.isOptional)]) { c in
                do {
                    let limit = try c.addDuration(s, d, e.span)
                    c.emit(Instr(.cmp, rel: Self.rel(o), a: r, b: t, c: limit))
                } catch {
                    c.emit(Instr(.loadConst, a: r, imm: Slot.missing))
                }
            }
        }
        if case .duration = x { throw Unsupported() }
        if x == .text || y == .text {
            guard op == .eq || op == .neq else { throw Unsupported() }
            let (textSide, constSide) = constant(b) != nil ? (a, b) : (b, a)
            guard case .text(let str)? = constant(constSide) else { throw Unsupported() }
            let rt = try scalar(textSide)
            strings.append(str)
            let idx = Int32(strings.count - 1)
            let r = fresh()
            return lifted(r, [(rt, textSide.type.isOptional)]) { $0.emit(Instr(.eqText, rel: op == .eq ? 0 : 1, a: r, b: rt, c: idx)) }
        }
        let promote = (x == .int && y == .decimal) || (x == .decimal && y == .int)
        // Constant right side: compare with an immediate.
        if let bv = constant(b), var raw = Slot.encode(bv), raw != Slot.missing {
            let ra = try scalar(a)
            var ra2 = ra
            if promote {
                if x == .int { ra2 = toFixed(ra, a.type.isOptional, e.span) } else if case .int(let i) = bv {
                    guard let f = Fixed(integer: Int(i)) else { throw Unsupported() }
                    raw = f.raw
                }
            }
            let r = fresh()
            let operandReg = ra2
            return lifted(r, [(operandReg, a.type.isOptional)]) { $0.emit(Instr(.cmpK, rel: Self.rel(op), a: r, b: operandReg, imm: raw)) }
        }
        var ra = try scalar(a)
        var rb = try scalar(b)
        if promote {
            if x == .int { ra = toFixed(ra, a.type.isOptional, e.span) }
            if y == .int { rb = toFixed(rb, b.type.isOptional, e.span) }
        }
        let r = fresh()
        let (fa, fb) = (ra, rb)
        return lifted(r, [(fa, a.type.isOptional), (fb, b.type.isOptional)]) { $0.emit(Instr(.cmp, rel: Self.rel(op), a: r, b: fa, c: fb)) }
    }
}

extension Compiler {
    mutating func compareGeneral(_ op: BinaryOp, _ a: TExpr, _ b: TExpr, _ e: TExpr) throws -> Int32 {
        folding = false
        defer { folding = true }
        return try compare(op, a, b, e)
    }

    mutating func toFixed(_ r: Int32, _ optional: Bool, _ s: Span) -> Int32 {
        let out = fresh()
        return lifted(out, [(r, optional)]) { $0.emit(Instr(.toFixed, a: out, b: r, imm: $0.spanIndex(s))) }
    }

    mutating func arith(_ op: BinaryOp, _ a: TExpr, _ b: TExpr, _ e: TExpr) throws -> Operand {
        let (x, y) = (a.type.base, b.type.base)
        // Dates with constant durations.
        if x == .date, case .duration = y {
            guard let dv = constant(b), case .duration(let d) = dv else { throw Unsupported() }
            let ra = try scalar(a)
            let r = fresh()
            return .reg(lifted(r, [(ra, a.type.isOptional)]) { c in
                do {
                    let out = try c.addDuration(ra, d, e.span, negate: op == .sub)
                    c.emit(Instr(.move, a: r, b: out))
                } catch {
                    c.emit(Instr(.loadConst, a: r, imm: Slot.missing))
                }
            })
        }
        if y == .date, case .duration = x, op == .add { return try arith(.add, b, a, e) }
        if x == .date, y == .date, op == .sub {
            return .span(try scalar(b), try scalar(a))
        }
        if case .duration = x { throw Unsupported() }
        if case .duration = y { throw Unsupported() }
        var ra = try scalar(a)
        var rb = try scalar(b)
        let r = fresh()
        let si = spanIndex(e.span)
        let lift = [(ra, a.type.isOptional), (rb, b.type.isOptional)]
        if x == .int, y == .int, op != .div {
            let o: Op = op == .add ? .addI : op == .sub ? .subI : .mulI
            let (fa, fb) = (ra, rb)
            return .reg(lifted(r, lift) { $0.emit(Instr(o, a: r, b: fa, c: fb, imm: si)) })
        }
        if x == .int { ra = toFixed(ra, a.type.isOptional, e.span) }
        if y == .int { rb = toFixed(rb, b.type.isOptional, e.span) }
        let o: Op
        switch op {
        case .add: o = .addF
        case .sub: o = .subF
        case .mul: o = (x == .money && y == .percent) || (x == .percent && y == .money) ? .mulFPercent : .mulF
        default: o = .divF
        }
        let (fa, fb) = (ra, rb)
        return .reg(lifted(r, [(fa, a.type.isOptional), (fb, b.type.isOptional)]) { $0.emit(Instr(o, a: r, b: fa, c: fb, imm: si)) })
    }

    mutating func call(_ b: Builtin, _ args: [TExpr], _ e: TExpr) throws -> Operand {
        let si = spanIndex(e.span)
        func one() throws -> (Int32, Bool) {
            guard args.count == 1 else { throw Unsupported() }
            return (try scalar(args[0]), args[0].type.isOptional)
        }
        let r = fresh()
        switch b {
        case .age:
            let (ra, opt) = try one()
            let now = loadConst(Int64(asOf.number))
            return .reg(lifted(r, [(ra, opt)]) { $0.emit(Instr(.ageOn, a: r, b: ra, c: now)) })
        case .age_on, .days_between, .working_days:
            guard args.count == 2 else { throw Unsupported() }
            let ra = try scalar(args[0]), rb = try scalar(args[1])
            let o: Op = b == .age_on ? .ageOn : b == .days_between ? .subI : .workingDaysBetween
            let (first, second) = b == .days_between ? (rb, ra) : (ra, rb)
            return .reg(lifted(r, [(ra, args[0].type.isOptional), (rb, args[1].type.isOptional)]) {
                $0.emit(Instr(o, a: r, b: first, c: second, imm: si))
            })
        case .days, .months, .years:
            guard args.count == 1, case .span(let s, let t) = try operand(args[0]) else { throw Unsupported() }
            let opt = args[0].type.isOptional
            if b == .days {
                return .reg(lifted(r, [(s, opt)]) { $0.emit(Instr(.subI, a: r, b: t, c: s, imm: si)) })
            }
            return .reg(lifted(r, [(s, opt)]) { $0.emit(Instr(.monthsSpan, a: r, b: s, c: t, imm: b == .years ? 12 : 1)) })
        case .deadline:
            let (ra, opt) = try one()
            return .reg(lifted(r, [(ra, opt)]) { $0.emit(Instr(.deadline, a: r, b: ra, imm: si)) })
        case .year, .month:
            let (ra, opt) = try one()
            return .reg(lifted(r, [(ra, opt)]) { $0.emit(Instr(b == .year ? .year : .month, a: r, b: ra)) })
        case .abs:
            let (ra, opt) = try one()
            let o: Op = args[0].type.base == .int ? .absI : .absF
            return .reg(lifted(r, [(ra, opt)]) { $0.emit(Instr(o, a: r, b: ra, imm: si)) })
        case .min, .max:
            guard args.count == 2 else { throw Unsupported() }
            var ra = try scalar(args[0]), rb = try scalar(args[1])
            let (x, y) = (args[0].type.base, args[1].type.base)
            if x == .int, y == .decimal { ra = toFixed(ra, args[0].type.isOptional, e.span) }
            if y == .int, x == .decimal { rb = toFixed(rb, args[1].type.isOptional, e.span) }
            let (fa, fb) = (ra, rb)
            return .reg(lifted(r, [(fa, args[0].type.isOptional), (fb, args[1].type.isOptional)]) {
                $0.emit(Instr(b == .min ? .min : .max, a: r, b: fa, c: fb))
            })
        }
    }
}
