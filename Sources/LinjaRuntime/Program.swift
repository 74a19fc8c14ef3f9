import LinjaBase
import LinjaSyntax
import LinjaModel

/// The compiled form of a policy for one `as_of`: flat bytecode over Int64
/// registers, every name resolved to a slot, every param and every
/// client-independent expression folded to a constant.
public enum Op: UInt8, Sendable {
    case loadField, loadConst, move
    case jump, jumpIfFalse, jumpIfTrue, jumpIfMissing, jumpIfPresent
    case not, isMissing, isPresent
    /// r[a] = r[b] REL r[c] / r[b] REL imm
    case cmp, cmpK
    case addI, subI, mulI, negI
    case addF, subF, mulF, divF, negF, mulFPercent, toFixed
    case addDays, addMonths, addWorkingDays, deadline
    case age, ageOn, monthsSpan, workingDaysBetween, year, month
    case min, max, absI, absF
    /// r[a] = (imm >> r[b]) & 1: membership in a set of small indexes.
    case inMask
    /// r[a] = bitsets[c].contains(r[b])
    case inBits
    /// r[a] = r[b] in lists[c]
    case inList
    /// r[a] = texts(r[b]) == strings[c]; rel 1 negates.
    case eqText
    case letCall
    /// r[a] = fallbacks[b] evaluated by the reference evaluator.
    case reference
    /// Fails the evaluation when r[a] is missing (a value the checker showed present).
    case checkPresent
    case ret
    /// Jump to c when r[b] REL imm (compare and branch in one).
    case jumpIfCmpK
    /// Jump to c when r[a] REL r[b].
    case jumpIfCmp
    /// r[a] = imm, and return.
    case retK
    /// Jump to c unless r[b] is in bitsets[a] (a rule's scope, a variant's municipalities).
    case jumpUnlessInBits
    /// Append giveSites[a]'s outcomes to the client's gives and log the firing.
    case give
    /// Jump to c when r[b] lies inside imm ... imm + a (one unsigned test).
    case jumpIfInside
    /// A let's body inlined where it is used (the decision's): with let b
    /// already known for this client, r[a] = its value and jump to c (past
    /// the body); else go on into the body, which ends in `letStore(K)`.
    case letEnter
    /// Let b's value is r[imm] (`letStore`) or imm (`letStoreK`): remember
    /// it for this client, r[a] = it, and jump to c.
    case letStore, letStoreK
    // The VM's own forms of the compare instructions, one per relation (it
    // rewrites `jumpIfCmpK` and `cmp` to these when it loads a program, so
    // that the relation is not a second dispatch). The compiler never emits them.
    case jumpIfEqK, jumpIfNeK, jumpIfLtK, jumpIfLeK, jumpIfGtK, jumpIfGeK
    case cmpEq, cmpNe, cmpLt, cmpLe, cmpGt, cmpGe
    // The VM's fused forms of two instructions (it rewrites the first of
    // the pair when it loads a program; the second stays for any jump to
    // it). The compiler never emits them either.
    /// `jumpIfInside` over the fold range to a threshold test `jumpIfLtK`/
    /// `jumpIfGeK` of the same register: inside the range, jump to c when
    /// r[b] < imm (>= imm), else go on at a; outside it, fall through.
    case jumpIfDateLtK, jumpIfDateGeK
    /// `inMask` followed by `jumpIfFalse`/`jumpIfTrue` on its result:
    /// r[a] = (imm >> r[b]) & 1, jump to c when it is 0 (1), else skip the
    /// second instruction.
    case jumpUnlessInMask, jumpIfInMask
    /// `give` of a site with one outcome: giveTemplates[b], by rule c, variant imm.
    case give1
}

public struct Instr: Sendable {
    public var op: Op
    /// The relation for comparisons: 0 =, 1 !=, 2 <, 3 <=, 4 >, 5 >=.
    public var rel: UInt8
    public var a: Int32
    public var b: Int32
    public var c: Int32
    public var imm: Int64

    init(_ op: Op, rel: UInt8 = 0, a: Int32 = 0, b: Int32 = 0, c: Int32 = 0, imm: Int64 = 0) {
        self.op = op
        self.rel = rel
        self.a = a
        self.b = b
        self.c = c
        self.imm = imm
    }
}

/// A compiled function: a range of code leaving its result in `result`.
public struct Function: Sendable {
    public var start: Int
    public var result: Int32
}

/// Where the whole decision gives outcomes: a rule (by its id in the
/// policy), the variant chosen (-1: the rule's own `then`) and its outcomes,
/// `count` templates from `start` in `Program.giveTemplates`.
public struct GiveSite: Sendable, Equatable {
    public var rule: Int32
    public var variant: Int32
    public var start: Int32
    public var count: Int32
}

public struct CompiledVariant: Sendable {
    public var condition: Function?
    public var outcomes: [GivenOutcome]
}

public struct CompiledRule: Sendable {
    public var rule: Int
    public var scope: MunicipalitySet?
    public var condition: Function?
    public var exceptions: [Function]
    public var outcomes: [GivenOutcome]
    public var variants: [CompiledVariant]
    /// Indexed by municipality id: the variants to try, most specific first.
    public var variantOrder: [[Int]]
    public var over: [Int]
}

/// A policy compiled for one date.
public struct Program: Sendable {
    public var asOf: Day
    public var code: [Instr]
    public var registerCount: Int
    public var rules: [CompiledRule]
    /// Rules not in force on `asOf` (by their `from`/`until`).
    public var inactiveRules: [Int]
    public var lets: [Function?]
    public var bitsets: [MunicipalitySet]
    public var lists: [[Int64]]
    public var strings: [String]
    public var fallbacks: [TExpr]
    public var spans: [Span]
    public var context: EvalContext
    public var municipalitySlot: Int?
    public var outcomeCount: Int
    /// Registers 0..<fieldRegisters hold the client's fields.
    public var fieldRegisters: Int = 0
    /// The whole decision as one function starting here: every rule in
    /// force, in order, its scope, condition, exceptions and variant laid
    /// out as jumps, ending in `give`s (what `Evaluator.decideGives` runs,
    /// one call per client instead of one per condition). Nil when a
    /// function could not be copied into it; the rules then run one by one.
    public var decision: Int?
    public var giveSites: [GiveSite] = []
    public var giveTemplates: [Give] = []
}


extension Program {
    /// The bytecode as text, one instruction a line (for developers: `linja bench --disassemble`).
    public func disassembly() -> String {
        var out = ""
        var functionStarts: [Int: String] = [:]
        for (i, l) in lets.enumerated() { if let f = l { functionStarts[f.start, default: ""] += "let#\(i) " } }
        if let d = decision { functionStarts[d, default: ""] += "decision " }
        for r in rules {
            if let c = r.condition { functionStarts[c.start, default: ""] += "rule#\(r.rule).when " }
            for (k, e) in r.exceptions.enumerated() { functionStarts[e.start, default: ""] += "rule#\(r.rule).unless\(k) " }
        }
        for (pc, i) in code.enumerated() {
            if let f = functionStarts[pc] { out += "\(f):\n" }
            out += "  \(pc): \(i.op) rel=\(i.rel) a=\(i.a) b=\(i.b) c=\(i.c) imm=\(i.imm)\n"
        }
        return out
    }
}
