import LinjaBase
import LinjaSyntax
import LinjaModel

/// The peephole pass: a move folded into the instruction that computed its source.
extension Compiler {
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

    package static func isJump(_ op: Op) -> Bool {
        switch op {
        case .jump, .jumpIfFalse, .jumpIfTrue, .jumpIfMissing, .jumpIfPresent, .jumpIfCmpK, .jumpIfCmp, .jumpIfInside,
             .jumpUnlessInBits, .jumpIfEqK, .jumpIfNeK, .jumpIfLtK, .jumpIfLeK, .jumpIfGtK, .jumpIfGeK,
             .jumpIfDateLtK, .jumpIfDateGeK, .jumpUnlessInMask, .jumpIfInMask, .letEnter, .letStore, .letStoreK: return true
        default: return false
        }
    }

    /// The registers an instruction reads.
    static func reads(_ i: Instr) -> [Int32] {
        switch i.op {
        case .loadField, .loadConst, .jump, .retK, .give, .give1: return []
        case .jumpIfCmpK, .jumpIfInside, .jumpUnlessInBits, .jumpIfEqK, .jumpIfNeK, .jumpIfLtK, .jumpIfLeK, .jumpIfGtK, .jumpIfGeK,
             .jumpIfDateLtK, .jumpIfDateGeK:
            return [i.b]
        case .jumpIfCmp: return [i.a, i.b]
        case .jumpIfFalse, .jumpIfTrue, .jumpIfMissing, .jumpIfPresent, .ret, .checkPresent: return [i.a]
        case .move, .not, .isMissing, .isPresent, .cmpK, .negI, .negF, .absI, .absF, .toFixed, .addDays, .addMonths,
             .addWorkingDays, .deadline, .year, .month, .inMask, .inBits, .inList, .eqText, .age, .jumpUnlessInMask, .jumpIfInMask:
            return [i.b]
        case .cmp, .addI, .subI, .mulI, .addF, .subF, .mulF, .divF, .mulFPercent, .ageOn, .monthsSpan,
             .workingDaysBetween, .min, .max, .cmpEq, .cmpNe, .cmpLt, .cmpLe, .cmpGt, .cmpGe:
            return [i.b, i.c]
        case .letCall, .reference, .letEnter, .letStoreK: return []
        case .letStore: return [Int32(truncatingIfNeeded: i.imm)]
        }
    }

    /// The register an instruction writes, if any.
    static func writes(_ i: Instr) -> Int32? {
        switch i.op {
        case .jump, .jumpIfFalse, .jumpIfTrue, .jumpIfMissing, .jumpIfPresent, .ret, .checkPresent,
             .jumpIfCmpK, .jumpIfCmp, .jumpIfInside, .retK, .jumpUnlessInBits, .give,
             .jumpIfEqK, .jumpIfNeK, .jumpIfLtK, .jumpIfLeK, .jumpIfGtK, .jumpIfGeK, .jumpIfDateLtK, .jumpIfDateGeK, .give1: return nil
        default: return i.a
        }
    }
}
