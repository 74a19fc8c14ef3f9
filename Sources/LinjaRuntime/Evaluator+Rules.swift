import LinjaBase
import LinjaSyntax
import LinjaModel

extension Evaluator {
    /// For each rule of the policy (by id): its index among this program's
    /// rules, or -1 when it is not in force on the program's date.
    public var compiledRuleIndex: [Int32] {
        var out = Array(repeating: Int32(-1), count: policy.rules.count)
        for (k, r) in program.rules.enumerated() where r.rule < out.count { out[r.rule] = Int32(k) }
        return out
    }

    /// Decides only some rules (indexes into this program's rules,
    /// ascending), leaving their gives in the give buffer in rule order: for
    /// a day on which only these rules can have changed. The same per-rule
    /// steps as a whole decision, without statuses.
    public func decideGives(row: UnsafePointer<Int64>, texts: [String], compiledRules ks: [Int32]) throws {
        giveCount = 0
        vm.begin(row: row, texts: texts)
        let m = municipalitySlot >= 0 ? Int(row[municipalitySlot]) : -1
        for k32 in ks {
            let k = Int(k32)
            guard k >= 0, k < ruleCount else { continue }
            let rc = rules[k]
            if rc.scopeOffset >= 0 {
                let inScope = m >= 0 && m / 64 < Int(rc.scopeCount) && (scopeWords[Int(rc.scopeOffset) + m / 64] >> UInt64(m % 64)) & 1 == 1
                if !inScope { continue }
            }
            if rc.condition >= 0, try run(rc.condition) != 1 { continue }
            var excepted = false
            for e in 0..<Int(rc.exceptionCount) where try run(exceptionFunctions[Int(rc.exceptionStart) + e]) == 1 {
                excepted = true
                break
            }
            if excepted { continue }
            var outStart = Int(rc.outcomeStart), outCount = Int(rc.outcomeCount)
            if rc.orderOffset >= 0, m >= 0, m < municipalityCount {
                let r = Int(rc.orderOffset) + 2 * m
                let start = Int(orderRange[r]), count = Int(orderRange[r + 1])
                for j in 0..<count {
                    let vi = Int(orderFlat[start + j])
                    let v = variants[Int(rc.variantStart) + vi]
                    if v.condition >= 0, try run(v.condition) != 1 { continue }
                    outStart = Int(v.outcomeStart)
                    outCount = Int(v.outcomeCount)
                    break
                }
            }
            for j in 0..<outCount where giveCount < giveCapacity {
                giveBuffer[giveCount] = templates[outStart + j]
                giveCount += 1
            }
        }
    }
}
