import LinjaBase
import LinjaSyntax
import LinjaModel

/// Compiles a checked policy, for one `as_of`, into a `Program`.
///
/// Params take their value in force on `as_of`; expressions that do not read
/// the client are evaluated once, here; spans (`since d`) become pairs of
/// registers and comparisons with durations become date arithmetic. What the
/// compiler cannot lower runs through the reference evaluator (`reference`).
public struct Compiler {
    let policy: Policy
    let asOf: Day
    var code: [Instr] = []
    var nextRegister: Int32 = 0
    var bitsets: [MunicipalitySet] = []
    var lists: [[Int64]] = []
    var strings: [String] = []
    var fallbacks: [TExpr] = []
    var spans: [Span] = []
    var letFunctions: [Function?]
    let context: EvalContext
    var clientLets: [Bool]
    /// Whether comparisons may be folded into thresholds (off while emitting the general fallback).
    var folding = true

    struct Unsupported: Error {}

    /// A compiled value: one register, or a span's start and end.
    enum Operand {
        case reg(Int32)
        case span(Int32, Int32)
    }

    public init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:]) {
        self.policy = policy
        self.asOf = asOf
        self.context = EvalContext(policy: policy, asOf: asOf, paramOverrides: paramOverrides)
        self.letFunctions = Array(repeating: nil, count: policy.lets.count)
        self.nextRegister = Int32(policy.record?.fields.count ?? 0)
        self.clientLets = []
        self.clientLets = policy.lets.map { readsClient($0.expr) }
    }

    /// Compiles the whole policy.
    public static func compile(_ policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:]) -> Program {
        var c = Compiler(policy: policy, asOf: asOf, paramOverrides: paramOverrides)
        return c.program()
    }

    package mutating func program() -> Program {
        var rules: [CompiledRule] = []
        var inactive: [Int] = []
        let mCount = policy.municipalities.count
        for r in policy.rules {
            guard r.isActive(on: asOf) else { inactive.append(r.id); continue }
            var order = Array(repeating: [Int](), count: mCount)
            for (m, vs) in r.variantOrder where m < mCount { order[m] = vs }
            rules.append(CompiledRule(
                rule: r.id, scope: r.scope, condition: r.condition.map { function($0) },
                exceptions: r.exceptions.map { function($0.condition) }, outcomes: r.outcomes,
                variants: r.variants.map { CompiledVariant(condition: $0.condition.map { function($0) }, outcomes: $0.outcomes) },
                variantOrder: order, over: r.over))
        }
        var starts: [Int] = []
        for r in rules {
            if let c = r.condition { starts.append(c.start) }
            starts += r.exceptions.map(\.start)
            starts += r.variants.compactMap { $0.condition?.start }
        }
        starts += letFunctions.compactMap { $0?.start }
        let remap = Compiler.peephole(&code, entries: Set(starts))
        func moved(_ f: Function) -> Function { Function(start: remap[f.start], result: f.result) }
        for i in rules.indices {
            rules[i].condition = rules[i].condition.map(moved)
            rules[i].exceptions = rules[i].exceptions.map(moved)
            for v in rules[i].variants.indices { rules[i].variants[v].condition = rules[i].variants[v].condition.map(moved) }
        }
        letFunctions = letFunctions.map { $0.map(moved) }
        return Program(asOf: asOf, code: code, registerCount: Int(nextRegister), rules: rules, inactiveRules: inactive,
                       lets: letFunctions, bitsets: bitsets, lists: lists, strings: strings, fallbacks: fallbacks,
                       spans: spans, context: context,
                       municipalitySlot: policy.record?.fields.first { $0.type.base == .municipality }?.slot,
                       outcomeCount: policy.outcomes.count, fieldRegisters: policy.record?.fields.count ?? 0)
    }

    /// Removes `move Y, X` where the instruction just before computes X for
    /// this move alone: it computes Y instead. Returns the old→new index map
    /// (jump targets and function starts are rewritten with it).
    static func peephole(_ code: inout [Instr], entries: Set<Int>) -> [Int] {
        var targets = entries
        for i in code where isJump(i.op) { targets.insert(Int(i.c)) }
        var uses: [Int32: Int] = [:]
        for i in code {
            for r in reads(i) { uses[r, default: 0] += 1 }
        }
        var keep = [Bool](repeating: true, count: code.count)
        for pc in 1..<max(1, code.count) where code[pc].op == .move && !targets.contains(pc) {
            let x = code[pc].b
            let prev = code[pc - 1]
            guard keep[pc - 1], writes(prev) == x, uses[x] == 1 else { continue }
            code[pc - 1].a = code[pc].a
            keep[pc] = false
        }
        var remap = [Int](repeating: 0, count: code.count + 1)
        var n = 0
        for pc in 0..<code.count {
            remap[pc] = n
            if keep[pc] { n += 1 }
        }
        remap[code.count] = n
        var out: [Instr] = []
        out.reserveCapacity(n)
        for pc in 0..<code.count where keep[pc] {
            var i = code[pc]
            if isJump(i.op) { i.c = Int32(remap[Int(i.c)]) }
            out.append(i)
        }
        code = out
        return remap
    }

    static func isJump(_ op: Op) -> Bool {
        switch op {
        case .jump, .jumpIfFalse, .jumpIfTrue, .jumpIfMissing, .jumpIfPresent, .jumpIfCmpK, .jumpIfCmp, .jumpIfOutside: return true
        default: return false
        }
    }

    /// The registers an instruction reads.
    static func reads(_ i: Instr) -> [Int32] {
        switch i.op {
        case .loadField, .loadConst, .jump, .retK: return []
        case .jumpIfCmpK, .jumpIfOutside: return [i.b]
        case .jumpIfCmp: return [i.a, i.b]
        case .jumpIfFalse, .jumpIfTrue, .jumpIfMissing, .jumpIfPresent, .ret, .checkPresent: return [i.a]
        case .move, .not, .isMissing, .isPresent, .cmpK, .negI, .negF, .absI, .absF, .toFixed, .addDays, .addMonths,
             .addWorkingDays, .deadline, .year, .month, .inMask, .inBits, .inList, .eqText, .age:
            return [i.b]
        case .cmp, .addI, .subI, .mulI, .addF, .subF, .mulF, .divF, .mulFPercent, .ageOn, .monthsSpan,
             .workingDaysBetween, .min, .max:
            return [i.b, i.c]
        case .letCall, .reference: return []
        }
    }

    /// The register an instruction writes, if any.
    static func writes(_ i: Instr) -> Int32? {
        switch i.op {
        case .jump, .jumpIfFalse, .jumpIfTrue, .jumpIfMissing, .jumpIfPresent, .ret, .checkPresent,
             .jumpIfCmpK, .jumpIfCmp, .jumpIfOutside, .retK: return nil
        default: return i.a
        }
    }

    /// Compiles a standalone function (a condition, a let, an aggregate filter).
    public mutating func function(_ e: TExpr) -> Function {
        let savedCode = code
        let savedLets = letFunctions
        do {
            // Lets used by the function are compiled first, out of line.
            var lets = Set<Int>()
            collectLets(e, into: &lets)
            for l in lets.sorted() where !Self.inlined(policy.lets[l].type) { _ = letFunction(l) }
            let start = code.count
            if e.type == .bool {
                let r = fresh()
                try boolBody(e, r)
                return Function(start: start, result: r)
            }
            let r = try scalar(e)
            emit(Instr(.ret, a: r))
            return Function(start: start, result: r)
        } catch {
            code = savedCode
            letFunctions = savedLets
            let start = code.count
            let r = fresh()
            fallbacks.append(e)
            emit(Instr(.reference, a: r, b: Int32(fallbacks.count - 1)))
            emit(Instr(.ret, a: r))
            return Function(start: start, result: r)
        }
    }

    mutating func fresh() -> Int32 {
        nextRegister += 1
        return nextRegister - 1
    }

    mutating func emit(_ i: Instr) { code.append(i) }

    mutating func label() -> Int { code.count }
    mutating func patch(_ at: Int, to target: Int) { code[at].c = Int32(target) }

    mutating func spanIndex(_ s: Span) -> Int64 {
        spans.append(s)
        return Int64(spans.count - 1)
    }

    // MARK: Constants

    /// Whether an expression reads the client (fields, client lets, aggregates).
    func readsClient(_ e: TExpr) -> Bool {
        switch e.kind {
        case .field, .aggregate: return true
        case .letRef(let l):
            return l < clientLets.count ? clientLets[l] : (l < policy.lets.count ? readsClient(policy.lets[l].expr) : true)
        default:
            var found = false
            e.forEachChild { if !found && readsClient($0) { found = true } }
            return found
        }
    }

    func constant(_ e: TExpr) -> Value? {
        guard !readsClient(e) else { return nil }
        if case .constant(let v) = e.kind { return v }
        var ev = ReferenceEvaluator(context: context, client: [])
        return try? ev.eval(e)
    }

    mutating func loadConst(_ v: Int64) -> Int32 {
        let r = fresh()
        emit(Instr(.loadConst, a: r, imm: v))
        return r
    }

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
        case .constant, .param, .asOf, .error, .aggregate:
            throw Unsupported()
        case .field(let slot):
            // Registers 0..<width hold the client's fields (the VM copies them in).
            return .reg(Int32(slot))
        case .letRef(let l):
            if Self.inlined(policy.lets[l].type) {
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

    func collectLets(_ e: TExpr, into out: inout Set<Int>) {
        if case .letRef(let l) = e.kind {
            if out.insert(l).inserted, l < policy.lets.count { collectLets(policy.lets[l].expr, into: &out) }
            return
        }
        e.forEachChild { collectLets($0, into: &out) }
    }

    /// The let's code, compiled once; a body the compiler cannot lower runs
    /// through the reference evaluator.
    @discardableResult
    mutating func letFunction(_ l: Int) -> Function {
        if let f = letFunctions[l] { return f }
        // Lets it uses come first, so that no function's code interleaves another's.
        var deps = Set<Int>()
        collectLets(policy.lets[l].expr, into: &deps)
        deps.remove(l)
        for d in deps.sorted() where !Self.inlined(policy.lets[d].type) { letFunction(d) }
        let start = code.count
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
            return f
        } catch {
            code.removeSubrange(start...)
            let r = fresh()
            fallbacks.append(policy.lets[l].expr)
            emit(Instr(.reference, a: r, b: Int32(fallbacks.count - 1)))
            emit(Instr(.ret, a: r))
            let f = Function(start: start, result: r)
            letFunctions[l] = f
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
            case .constant, .field, .param, .asOf: return true
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
            let outside = label()
            emit(Instr(.jumpIfOutside, a: Int32(fold.range.upperBound - fold.range.lowerBound), b: rx, imm: Int64(fold.range.lowerBound)))
            if let constant = fold.constant {
                if constant == jumpWhen { sites.append(label()); emit(Instr(.jump)) }
            } else {
                // true for d < threshold (trueBelow) or for d >= threshold.
                var rel: UInt8 = fold.trueBelow ? 2 : 5
                if !jumpWhen { rel = Compiler.inverse(rel) }
                sites.append(label())
                emit(Instr(.jumpIfCmpK, rel: rel, b: rx, imm: Int64(fold.threshold)))
            }
            let over = label()
            emit(Instr(.jump))
            patch(outside, to: label())
            let general = try compareGeneral(op, a, b, e)
            sites += branchOnValue(general, optional: e.type.isOptional, jumpWhen: jumpWhen, missingIs: missingIs)
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

    // MARK: Folding comparisons on one date into a threshold

    /// The record fields an expression reads (through lets).
    func fields(of e: TExpr, into out: inout Set<Int>) {
        switch e.kind {
        case .field(let s): out.insert(s)
        case .letRef(let l): if l < policy.lets.count { fields(of: policy.lets[l].expr, into: &out) }
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
        case .letRef(let l): return l < policy.lets.count ? direction(policy.lets[l].expr) : nil
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
        let toGeneral = label()
        emit(Instr(.jumpIfOutside, a: Int32(fold.range.upperBound - fold.range.lowerBound), b: rx, imm: Int64(fold.range.lowerBound)))
        if let c = fold.constant {
            emit(Instr(.loadConst, a: r, imm: c ? 1 : 0))
        } else {
            emit(Instr(.cmpK, rel: fold.trueBelow ? 2 : 5, a: r, b: rx, imm: Int64(fold.threshold)))
        }
        jumps.append(label())
        emit(Instr(.jump))
        patch(toGeneral, to: label())
        let general = try compareGeneral(op, a, b, e)
        emit(Instr(.move, a: r, b: general))
        for j in jumps { patch(j, to: label()) }
        return r
    }

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
