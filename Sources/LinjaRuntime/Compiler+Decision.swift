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
        let base = code.count
        var yes: [Int] = [], no: [Int] = []
        for pc in f.start..<end {
            var i = code[pc]
            switch i.op {
            case .retK:
                if i.imm == 1 { yes.append(label()) } else { no.append(label()) }
                emit(Instr(.jump))
            case .ret:
                no.append(label())
                emit(Instr(.jumpIfCmpK, rel: 1, b: i.a, imm: 1))
                yes.append(label())
                emit(Instr(.jump))
            default:
                if Compiler.isJump(i.op) {
                    let t = Int(i.c)
                    guard t >= f.start, t < end else { throw Unsupported() }
                    i.c = Int32(t - f.start)   // made absolute below
                }
                emit(i)
            }
        }
        // The copy's jumps, now that the copy's layout is known: one
        // instruction per original, except `ret`, which became two.
        var at: [Int] = []
        at.reserveCapacity(end - f.start)
        var n = base
        for pc in f.start..<end {
            at.append(n)
            n += code[pc].op == .ret ? 2 : 1
        }
        var k = base
        for pc in f.start..<end {
            let original = code[pc]
            if original.op != .retK, original.op != .ret, Compiler.isJump(original.op) {
                code[k].c = Int32(at[Int(code[k].c)])
            }
            k += original.op == .ret ? 2 : 1
        }
        return (yes, no)
    }

    /// Tidies the decision's code (from `start` to the end, where no jump
    /// leaves): jumps to a `jump` go straight to its target, and code no path
    /// reaches and jumps to the next instruction are dropped.
    mutating func tidy(from start: Int) {
        let n = code.count
        guard start < n else { return }
        for pc in start..<n where Compiler.isJump(code[pc].op) {
            var t = Int(code[pc].c), hops = 0
            while t >= start, t < n, code[t].op == .jump, Int(code[t].c) != t, hops < 64 {
                t = Int(code[t].c)
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
        // A test computed into a register that only the next `jumpIfFalse`
        // reads: one compare-and-jump instead.
        var reads: [Int32: Int] = [:]
        for pc in start..<n { for r in Compiler.reads(code[pc]) { reads[r, default: 0] += 1 } }
        for pc in start..<(n - 1) where code[pc + 1].op == .jumpIfFalse && !targets.contains(pc + 1) {
            let i = code[pc], j = code[pc + 1]
            guard Compiler.writes(i) == j.a, reads[j.a] == 1 else { continue }
            let fused: Instr
            switch i.op {
            case .cmpK: fused = Instr(.jumpIfCmpK, rel: Compiler.inverse(i.rel), b: i.b, c: j.c, imm: i.imm)
            case .cmp: fused = Instr(.jumpIfCmp, rel: Compiler.inverse(i.rel), a: i.b, b: i.c, c: j.c)
            case .isMissing: fused = Instr(.jumpIfPresent, a: i.b, c: j.c)
            case .isPresent: fused = Instr(.jumpIfMissing, a: i.b, c: j.c)
            default: continue
            }
            code[pc + 1] = fused
            code[pc] = Instr(.jump, c: Int32(pc + 1))
        }
        // Reachable from the start.
        var keep = [Bool](repeating: false, count: n - start)
        var work = [start]
        while let pc = work.popLast() {
            guard pc >= start, pc < n, !keep[pc - start] else { continue }
            keep[pc - start] = true
            let i = code[pc]
            if Compiler.isJump(i.op) { work.append(Int(i.c)) }
            switch i.op {
            case .jump, .ret, .retK: break
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
}
