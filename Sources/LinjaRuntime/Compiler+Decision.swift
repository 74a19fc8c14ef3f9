import LinjaBase
import LinjaSyntax
import LinjaModel

/// The whole decision as one function: the rules' compiled conditions copied
/// in order and joined by jumps, so that deciding a client is one pass of
/// the interpreter instead of a call per condition.
extension Compiler {
    struct FusedDecision {
        var start: Int
        var sites: [GiveSite]
        var templates: [Give]
    }

    /// Lays out the decision after the compiled functions. Nil (and the code
    /// left as it was) when a function's code cannot be copied: its jumps
    /// leave its range.
    mutating func decisionFunction(_ rules: [CompiledRule], municipalitySlot: Int?) -> FusedDecision? {
        let mark = code.count, bitsetMark = bitsets.count
        var sites: [GiveSite] = []
        var templates: [Give] = []
        let mCount = policy.municipalities.count
        func give(_ rule: Int, _ variant: Int, _ outcomes: [GivenOutcome]) -> Instr {
            sites.append(GiveSite(rule: Int32(rule), variant: Int32(variant), start: Int32(templates.count), count: Int32(outcomes.count)))
            for o in outcomes { templates.append(Give(outcome: Int32(o.outcome), destination: Int32(o.destination ?? -1), rule: Int32(rule))) }
            return Instr(.give, a: Int32(sites.count - 1))
        }
        /// Jumps to the returned site unless the client's municipality is in `set`.
        func unlessIn(_ set: MunicipalitySet) -> Int {
            bitsets.append(set)
            let j = label()
            if let m = municipalitySlot {
                emit(Instr(.jumpUnlessInBits, a: Int32(bitsets.count - 1), b: Int32(m)))
            } else {
                emit(Instr(.jump))
            }
            return j
        }
        do {
            for r in rules {
                var next: [Int] = []
                if let scope = r.scope { next.append(unlessIn(scope)) }
                if let c = r.condition {
                    let (pass, fail) = try copy(c)
                    next += fail
                    for s in pass { patch(s, to: label()) }
                }
                for e in r.exceptions {
                    let (excepted, not) = try copy(e)
                    next += excepted
                    for s in not { patch(s, to: label()) }
                }
                if !r.variants.isEmpty {
                    // Municipalities grouped by the variants they try, in order.
                    var groups: [(order: [Int], members: [Int])] = []
                    for m in 0..<min(mCount, r.variantOrder.count) where !r.variantOrder[m].isEmpty {
                        if let g = groups.firstIndex(where: { $0.order == r.variantOrder[m] }) { groups[g].members.append(m) }
                        else { groups.append((r.variantOrder[m], [m])) }
                    }
                    for g in groups {
                        let other = unlessIn(MunicipalitySet(g.members))
                        for vi in g.order {
                            let v = r.variants[vi]
                            var tryNext: [Int] = []
                            if let c = v.condition {
                                let (pass, fail) = try copy(c)
                                tryNext = fail
                                for s in pass { patch(s, to: label()) }
                            }
                            emit(give(r.rule, vi, v.outcomes))
                            next.append(label())
                            emit(Instr(.jump))
                            for s in tryNext { patch(s, to: label()) }
                        }
                        // No variant's condition held: the rule's own `then`.
                        emit(give(r.rule, -1, r.outcomes))
                        next.append(label())
                        emit(Instr(.jump))
                        patch(other, to: label())
                    }
                }
                emit(give(r.rule, -1, r.outcomes))
                for s in next { patch(s, to: label()) }
            }
            emit(Instr(.retK, a: fresh(), imm: 0))
            tidy(from: mark)
        } catch {
            code.removeSubrange(mark...)
            bitsets.removeSubrange(bitsetMark...)
            return nil
        }
        return FusedDecision(start: mark, sites: sites, templates: templates)
    }

    /// Copies a compiled bool function's code to the end of the code, its
    /// returns turned into jumps: those taken when it returns 1 and those
    /// taken otherwise (missing or 0), for the caller to patch.
    mutating func copy(_ f: Function) throws -> (true: [Int], other: [Int]) {
        guard let end = functionEnds[f.start], f.start < end, end <= code.count else { throw Unsupported() }
        var yes: [Int] = [], no: [Int] = []
        try copyCode(f.start, end, depth: 0) { me, i in
            if i.op == .retK {
                if i.imm == 1 { yes.append(me.label()) } else { no.append(me.label()) }
                me.emit(Instr(.jump))
            } else {
                no.append(me.label())
                me.emit(Instr(.jumpIfCmpK, rel: 1, b: i.a, imm: 1))
                yes.append(me.label())
                me.emit(Instr(.jump))
            }
        }
        return (yes, no)
    }

    /// How far the decision inlines lets: a let's body of at most
    /// `inlineLetSize` instructions, lets inlined in lets `inlineLetDepth`
    /// deep, and at most `inlineLetBudget` instructions in all.
    static let inlineLetSize = 48
    static let inlineLetDepth = 4
    static let inlineLetBudget = 8192

    /// Copies the code from `start` to `end` (where no jump leaves) to the
    /// end of the code, its jumps moved with it; each `ret`/`retK` is
    /// `onReturn`'s to replace. A call of a small let becomes its body, behind
    /// a `letEnter` that skips it when the let is known already (so it is
    /// still computed once per client, and the memo it leaves serves every
    /// other call).
    mutating func copyCode(_ start: Int, _ end: Int, depth: Int,
                           onReturn: (inout Compiler, Instr) throws -> Void) throws {
        var at = [Int](repeating: 0, count: end - start)
        var jumps: [(at: Int, target: Int)] = []
        for pc in start..<end {
            let i = code[pc]
            at[pc - start] = code.count
            switch i.op {
            case .ret, .retK:
                try onReturn(&self, i)
            case .letCall:
                guard let (letStart, letEnd) = inlinableLet(Int(i.b), depth: depth) else { fallthrough }
                inlinedLetCode += letEnd - letStart
                let enter = label()
                emit(Instr(.letEnter, a: i.a, b: i.b))
                var exits: [Int] = []
                try copyCode(letStart, letEnd, depth: depth + 1) { me, r in
                    exits.append(me.label())
                    if r.op == .retK { me.emit(Instr(.letStoreK, a: i.a, b: i.b, imm: r.imm)) }
                    else { me.emit(Instr(.letStore, a: i.a, b: i.b, imm: Int64(r.a))) }
                }
                for e in [enter] + exits { patch(e, to: label()) }
            default:
                if Compiler.isJump(i.op) {
                    let t = Int(i.c)
                    guard t >= start, t < end else { throw Unsupported() }
                    jumps.append((code.count, t))
                }
                emit(i)
            }
        }
        for j in jumps { code[j.at].c = Int32(at[j.target - start]) }
    }

    /// The code range of let `l` when the decision may inline it here.
    func inlinableLet(_ l: Int, depth: Int) -> (Int, Int)? {
        guard depth < Compiler.inlineLetDepth, l >= 0, l < letFunctions.count, let f = letFunctions[l],
              let end = functionEnds[f.start], f.start < end, end <= code.count,
              end - f.start <= Compiler.inlineLetSize, inlinedLetCode + end - f.start <= Compiler.inlineLetBudget
        else { return nil }
        return (f.start, end)
    }

    /// Tidies the decision's code (from `start` to the end, where no jump
    /// leaves): jumps to a `jump` go straight to its target, and code no path
    /// reaches and jumps to the next instruction are dropped.
    mutating func tidy(from start: Int) {
        let n = code.count
        guard start < n else { return }
        threadJumps(from: start)
        // After a let's value stored as a constant, tests of it are known:
        // the store jumps past them.
        for pc in start..<n where code[pc].op == .letStoreK {
            let r = code[pc].a, v = code[pc].imm
            var t = Int(code[pc].c), hops = 0
            while t >= start, t < n, hops < 64, let taken = Compiler.knownJump(code[t], register: r, value: v) {
                t = taken ? Int(code[t].c) : t + 1
                hops += 1
            }
            code[pc].c = Int32(t)
        }
        // `jumpIfMissing r → X; jumpIfFalse r → X` on a bool r: one test, r ≠ 1.
        var targets = Set<Int>()
        for pc in start..<n where Compiler.isJump(code[pc].op) { targets.insert(Int(code[pc].c)) }
        for pc in start..<(n - 1) where code[pc].op == .jumpIfMissing && code[pc + 1].op == .jumpIfFalse
            && code[pc].a == code[pc + 1].a && code[pc].c == code[pc + 1].c && !targets.contains(pc + 1) {
            code[pc + 1] = Instr(.jumpIfCmpK, rel: 1, b: code[pc].a, c: code[pc].c, imm: 1)
            code[pc] = Instr(.jump, c: Int32(pc + 1))
        }
        propagateConstants(from: start)
        threadJumps(from: start)
        fuseTests(from: start)
        threadJumps(from: start)
        dropFirstLetEnters(from: start)
        threadJumps(from: start)
        // Reachable from the start.
        var keep = [Bool](repeating: false, count: n - start)
        var work = [start]
        while let pc = work.popLast() {
            guard pc >= start, pc < n, !keep[pc - start] else { continue }
            keep[pc - start] = true
            let i = code[pc]
            if Compiler.isJump(i.op) { work.append(Int(i.c)) }
            switch i.op {
            case .jump, .ret, .retK, .letStore, .letStoreK: break
            default: work.append(pc + 1)
            }
        }
        // A jump to the instruction that follows it (skipping dropped code).
        var nextKept = n
        for pc in stride(from: n - 1, through: start, by: -1) {
            if keep[pc - start], code[pc].op == .jump, Int(code[pc].c) == nextKept { keep[pc - start] = false }
            if keep[pc - start] { nextKept = pc }
        }
        var remap = [Int](repeating: 0, count: n - start + 1)
        var k = start
        for pc in start..<n {
            remap[pc - start] = k
            if keep[pc - start] { k += 1 }
        }
        remap[n - start] = k
        var out: [Instr] = []
        out.reserveCapacity(k - start)
        for pc in start..<n where keep[pc - start] {
            var i = code[pc]
            if Compiler.isJump(i.op) { i.c = Int32(remap[Int(i.c) - start]) }
            out.append(i)
        }
        code.replaceSubrange(start..., with: out)
    }

    /// Whether `i` jumps when register `r` holds `v`: nil unless `i` is a
    /// plain jump or a test of `r` alone.
    static func knownJump(_ i: Instr, register r: Int32, value v: Int64) -> Bool? {
        switch i.op {
        case .jump: return true
        case .jumpIfFalse where i.a == r: return v == 0
        case .jumpIfTrue where i.a == r: return v != 0 && v != Slot.missing
        case .jumpIfMissing where i.a == r: return v == Slot.missing
        case .jumpIfPresent where i.a == r: return v != Slot.missing
        case .jumpIfCmpK where i.b == r: return VM.relation(i.rel, v, i.imm)
        default: return nil
        }
    }

    /// A `letEnter` that no path reaches with its let computed already
    /// always goes into the body: its test becomes a jump to the next
    /// instruction, which the tidy pass drops (the body still remembers the
    /// value for later uses). Found in one pass in order, so only when
    /// every jump of the decision goes forward.
    mutating func dropFirstLetEnters(from start: Int) {
        let n = code.count
        var bit: [Int32: Int] = [:]
        for pc in start..<n {
            let i = code[pc]
            if Compiler.isJump(i.op), Int(i.c) <= pc { return }
            if i.op == .letEnter, bit[i.b] == nil { bit[i.b] = bit.count }
        }
        let words = (bit.count + 63) / 64
        guard words > 0, (n - start) * words <= 1 << 22 else { return }
        // What a `letCall` computes: its let and every let it calls.
        var computedByCall: [Int32: [Int]] = [:]
        func computed(by l: Int32) -> [Int] {
            if let known = computedByCall[l] { return known }
            var seen: Set<Int32> = [l], work = [l], found: [Int] = []
            while let x = work.popLast() {
                if let k = bit[x] { found.append(k) }
                guard x >= 0, Int(x) < letFunctions.count, let f = letFunctions[Int(x)],
                      let end = functionEnds[f.start], end <= n else { continue }
                for pc in f.start..<end where code[pc].op == .letCall && seen.insert(code[pc].b).inserted { work.append(code[pc].b) }
            }
            computedByCall[l] = found
            return found
        }
        func with(_ s: [UInt64], _ k: Int) -> [UInt64] {
            var t = s
            t[k / 64] |= 1 << UInt64(k % 64)
            return t
        }
        var pending: [Int: [UInt64]] = [:]
        func flow(_ s: [UInt64], to t: Int) {
            if let old = pending[t] { pending[t] = zip(old, s).map { $0 | $1 } } else { pending[t] = s }
        }
        var carried: [UInt64]? = [UInt64](repeating: 0, count: words)
        for pc in start..<n {
            var state = carried
            if let p = pending.removeValue(forKey: pc) { state = state.map { zip($0, p).map { $0 | $1 } } ?? p }
            carried = nil
            guard var s = state else { continue }   // no path reaches it
            let i = code[pc]
            switch i.op {
            case .letEnter:
                let k = bit[i.b] ?? 0
                if s[k / 64] >> UInt64(k % 64) & 1 == 0 {
                    code[pc] = Instr(.jump, c: Int32(pc + 1))
                } else {
                    flow(s, to: Int(i.c))
                }
                carried = s
                continue
            case .letStore, .letStoreK:
                flow(bit[i.b].map { with(s, $0) } ?? s, to: Int(i.c))
                continue
            case .letCall:
                for k in computed(by: i.b) { s = with(s, k) }
            default: break
            }
            if Compiler.isJump(i.op) { flow(s, to: Int(i.c)) }
            switch i.op {
            case .jump, .ret, .retK: break
            default: carried = s
            }
        }
    }

    /// Jumps to a `jump` go straight to its target.
    mutating func threadJumps(from start: Int) {
        let n = code.count
        for pc in start..<n where Compiler.isJump(code[pc].op) {
            var t = Int(code[pc].c), hops = 0
            while t >= start, t < n, code[t].op == .jump, Int(code[t].c) != t, hops < 64 {
                t = Int(code[t].c)
                hops += 1
            }
            code[pc].c = Int32(t)
        }
    }

    /// Where each register is read in the decision, and which instructions
    /// some jump lands on: what `deadAfter` needs.
    struct Readers {
        var at: [Int32: [Int]] = [:]
        var targets = Set<Int>()
        var fields: Int32
    }

    func readers(from start: Int) -> Readers {
        var r = Readers(fields: Int32(policy.record?.fields.count ?? 0))
        for pc in start..<code.count {
            for x in Compiler.reads(code[pc]) { r.at[x, default: []].append(pc) }
            if Compiler.isJump(code[pc].op) { r.targets.insert(Int(code[pc].c)) }
        }
        return r
    }

    /// Whether register `x`, written just before `use` (or on the way to
    /// it), is read nowhere else: every other read has its own write in the
    /// instruction before it, which nothing jumps past.
    func deadAfter(_ x: Int32, except use: Int, _ r: Readers, from start: Int) -> Bool {
        guard x >= r.fields else { return false }
        for p in r.at[x] ?? [] where p != use {
            guard p > start, !r.targets.contains(p) else { return false }
            let prev = code[p - 1]
            guard Compiler.writes(prev) == x, !Compiler.isJump(prev.op) else { return false }
        }
        return true
    }

    /// A register every write of which (in the decision) loads one
    /// constant is that constant: comparisons read it as an immediate, and
    /// the loads no one reads any more go.
    mutating func propagateConstants(from start: Int) {
        let n = code.count
        let fields = Int32(policy.record?.fields.count ?? 0)
        var value: [Int32: Int64] = [:], varying = Set<Int32>()
        for pc in start..<n {
            let i = code[pc]
            guard let w = Compiler.writes(i) else { continue }
            if i.op == .loadConst, w >= fields, !varying.contains(w), value[w] == nil || value[w] == i.imm { value[w] = i.imm }
            else { varying.insert(w); value[w] = nil }
        }
        guard !value.isEmpty else { return }
        func mirror(_ rel: UInt8) -> UInt8 { [0, 1, 4, 5, 2, 3][Int(min(rel, 5))] }
        for pc in start..<n {
            let i = code[pc]
            switch i.op {
            case .cmp:
                if let k = value[i.c], value[i.b] == nil { code[pc] = Instr(.cmpK, rel: i.rel, a: i.a, b: i.b, imm: k) }
                else if let k = value[i.b], value[i.c] == nil { code[pc] = Instr(.cmpK, rel: mirror(i.rel), a: i.a, b: i.c, imm: k) }
            case .jumpIfCmp:
                if let k = value[i.b], value[i.a] == nil { code[pc] = Instr(.jumpIfCmpK, rel: i.rel, b: i.a, c: i.c, imm: k) }
                else if let k = value[i.a], value[i.b] == nil { code[pc] = Instr(.jumpIfCmpK, rel: mirror(i.rel), b: i.b, c: i.c, imm: k) }
            default: break
            }
        }
        var read = Set<Int32>()
        for pc in start..<n { read.formUnion(Compiler.reads(code[pc])) }
        for pc in start..<n where code[pc].op == .loadConst && value[code[pc].a] != nil && !read.contains(code[pc].a) {
            code[pc] = Instr(.jump, c: Int32(pc + 1))
        }
    }

    /// Tests computed into a register and then tested by a jump, fused:
    /// - a compare (or `isMissing`/`isPresent`) right before the jump that
    ///   tests its result: one compare-and-jump;
    /// - a compare followed by a `jump` to the test: a compare-and-jump,
    ///   then a jump past the test;
    /// - a constant loaded before a test it decides: a jump where the test goes.
    /// Each only when the register is read nowhere else.
    mutating func fuseTests(from start: Int) {
        let n = code.count
        let r = readers(from: start)
        /// The register a test of a bool reads, where it jumps, and whether
        /// it jumps when the bool is true (else when it is not: 0 or missing).
        func test(_ i: Instr) -> (reg: Int32, to: Int32, whenTrue: Bool)? {
            if i.op == .jumpIfFalse { return (i.a, i.c, false) }
            if i.op == .jumpIfTrue { return (i.a, i.c, true) }
            if i.op == .jumpIfCmpK, i.rel == 1, i.imm == 1 { return (i.b, i.c, false) }
            return nil
        }
        /// A compare's result is never missing: the test jumps on it or on its negation.
        func fused(_ i: Instr, _ t: (reg: Int32, to: Int32, whenTrue: Bool)) -> Instr? {
            let rel = t.whenTrue ? i.rel : Compiler.inverse(i.rel)
            switch i.op {
            case .cmpK: return Instr(.jumpIfCmpK, rel: rel, b: i.b, c: t.to, imm: i.imm)
            case .cmp: return Instr(.jumpIfCmp, rel: rel, a: i.b, b: i.c, c: t.to)
            case .isMissing: return Instr(t.whenTrue ? .jumpIfMissing : .jumpIfPresent, a: i.b, c: t.to)
            case .isPresent: return Instr(t.whenTrue ? .jumpIfPresent : .jumpIfMissing, a: i.b, c: t.to)
            default: return nil
            }
        }
        for pc in start..<(n - 1) {
            let i = code[pc], next = code[pc + 1]
            if let t = test(next), !r.targets.contains(pc + 1), Compiler.writes(i) == t.reg,
               deadAfter(t.reg, except: pc + 1, r, from: start), let f = fused(i, t) {
                code[pc] = Instr(.jump, c: Int32(pc + 1))
                code[pc + 1] = f
            } else if next.op == .jump, Int(next.c) > pc + 1, Int(next.c) < n, let t = test(code[Int(next.c)]),
                      Compiler.writes(i) == t.reg, deadAfter(t.reg, except: Int(next.c), r, from: start), let f = fused(i, t) {
                code[pc] = f
                code[pc + 1] = Instr(.jump, c: next.c + 1)
            } else if i.op == .loadConst {
                let test = next.op == .jump ? Int(next.c) : pc + 1
                guard test < n, let taken = Compiler.knownJump(code[test], register: i.a, value: i.imm), code[test].op != .jump,
                      deadAfter(i.a, except: test, r, from: start) else { continue }
                code[pc] = Instr(.jump, c: taken ? code[test].c : Int32(test + 1))
            }
        }
    }
}
