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
    /// Whether each let reads the client, directly or through other lets.
    var clientLets: [Bool]
    /// Evaluates client-independent expressions; it holds the value of
    /// every let that reads no client, computed once.
    var constants: ReferenceEvaluator
    /// Facts about lets, found once per let (a let shared by many others
    /// would otherwise be walked once per path to it).
    let memo = LetMemo()
    /// Lets compiled so far, in order: a function that falls back to the
    /// reference evaluator takes back those compiled for it.
    var compiledLets: [Int] = []
    /// Inlined lets expanded in the function being compiled: past
    /// `inlineLimit` the function runs through the reference evaluator
    /// instead (lets that name each other twice would double each time).
    var inlined = 0
    static let inlineLimit = 4096
    /// Whether comparisons may be folded into thresholds (off while emitting the general fallback).
    var folding = true
    /// Where each standalone function's code ends (by its start): its code
    /// is the range from start to end, the lets it calls lie before it.
    var functionEnds: [Int: Int] = [:]
    /// Instructions of lets' bodies the decision has inlined so far.
    var inlinedLetCode = 0

    struct Unsupported: Error {}

    /// A compiled value: one register, or a span's start and end.
    enum Operand {
        case reg(Int32)
        case span(Int32, Int32)
    }

    /// A compiler for `asOf`; with `period`, for a goal's measured
    /// expressions over it (`period_start`, `period_end`).
    public init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:], period: Period? = nil) {
        self.policy = policy
        self.asOf = asOf
        self.context = EvalContext(policy: policy, asOf: asOf, paramOverrides: paramOverrides, period: period)
        self.letFunctions = Array(repeating: nil, count: policy.lets.count)
        self.nextRegister = Int32(policy.record?.fields.count ?? 0)
        self.clientLets = Array(repeating: true, count: policy.lets.count)
        self.constants = ReferenceEvaluator(context: context, client: [])
        // Each let after the lets it names: what is known of them is known
        // when it is needed, and nothing recurses down a chain of lets.
        for l in Compiler.letOrder(policy.lets) {
            let def = policy.lets[l]
            clientLets[l] = readsClient(def.expr)
            if !clientLets[l] { _ = try? constants.eval(TExpr(.letRef(l), def.type, def.span)) }
        }
    }

    /// Every let after the lets its definition names (a depth-first walk
    /// with an explicit stack; a cycle, which the checker reports, is cut).
    static func letOrder(_ lets: [LetDef]) -> [Int] {
        var state = Array(repeating: UInt8(0), count: lets.count) // 0 new, 1 open, 2 done
        var order: [Int] = []
        order.reserveCapacity(lets.count)
        for root in lets.indices where state[root] == 0 {
            var work: [(let: Int, deps: [Int], next: Int)] = [(root, directLets(lets[root].expr), 0)]
            state[root] = 1
            while !work.isEmpty {
                let top = work.count - 1
                if work[top].next < work[top].deps.count {
                    let d = work[top].deps[work[top].next]
                    work[top].next += 1
                    if d >= 0, d < lets.count, state[d] == 0 {
                        state[d] = 1
                        work.append((d, directLets(lets[d].expr), 0))
                    }
                    continue
                }
                state[work[top].let] = 2
                order.append(work[top].let)
                work.removeLast()
            }
        }
        return order
    }

    /// The lets an expression names itself, in ascending order.
    static func directLets(_ e: TExpr) -> [Int] {
        var found = Set<Int>()
        var work = [e]
        while let x = work.popLast() {
            if case .letRef(let l) = x.kind { found.insert(l); continue }
            x.forEachChild { work.append($0) }
        }
        return found.sorted()
    }

    /// Compiles the whole policy.
    public static func compile(_ policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:]) -> Program {
        var c = Compiler(policy: policy, asOf: asOf, paramOverrides: paramOverrides)
        return c.program()
    }

    package mutating func program() -> Program { program(keeping: []).program }

    /// The whole policy, and functions compiled before it (with `function`)
    /// kept callable: their starts move with the code the peephole pass moves.
    package mutating func program(keeping extra: [Function]) -> (program: Program, functions: [Function]) {
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
        starts += extra.map(\.start)
        let remap = Compiler.peephole(&code, entries: Set(starts))
        var ends: [Int: Int] = [:]
        for (start, end) in functionEnds where start < remap.count && end < remap.count { ends[remap[start]] = remap[end] }
        functionEnds = ends
        func moved(_ f: Function) -> Function { Function(start: remap[f.start], result: f.result) }
        for i in rules.indices {
            rules[i].condition = rules[i].condition.map(moved)
            rules[i].exceptions = rules[i].exceptions.map(moved)
            for v in rules[i].variants.indices { rules[i].variants[v].condition = rules[i].variants[v].condition.map(moved) }
        }
        letFunctions = letFunctions.map { $0.map(moved) }
        let municipalitySlot = policy.record?.fields.first { $0.type.base == .municipality }?.slot
        let fused = decisionFunction(rules, municipalitySlot: municipalitySlot)
        var program = Program(asOf: asOf, code: code, registerCount: Int(nextRegister), rules: rules, inactiveRules: inactive,
                              lets: letFunctions, bitsets: bitsets, lists: lists, strings: strings, fallbacks: fallbacks,
                              spans: spans, context: context,
                              municipalitySlot: municipalitySlot,
                              outcomeCount: policy.outcomes.count, fieldRegisters: policy.record?.fields.count ?? 0)
        if let fused {
            program.decision = fused.start
            program.giveSites = fused.sites
            program.giveTemplates = fused.templates
        }
        return (program, extra.map(moved))
    }

    /// Compiles a standalone function (a condition, a let, an aggregate filter).
    public mutating func function(_ e: TExpr) -> Function {
        let codeMark = code.count, letMark = compiledLets.count
        inlined = 0
        do {
            // Lets used by the function are compiled first, out of line.
            compileLets(usedBy: e)
            let start = code.count
            let r: Int32
            if e.type == .bool {
                r = fresh()
                try boolBody(e, r)
            } else {
                r = try scalar(e)
                emit(Instr(.ret, a: r))
            }
            functionEnds[start] = code.count
            return Function(start: start, result: r)
        } catch {
            // Truncated rather than restored from a copy: a copy of the
            // code per function made compiling quadratic in the rules.
            code.removeSubrange(codeMark...)
            for l in compiledLets[letMark...] { letFunctions[l] = nil }
            compiledLets.removeSubrange(letMark...)
            let start = code.count
            let r = fresh()
            fallbacks.append(e)
            emit(Instr(.reference, a: r, b: Int32(fallbacks.count - 1)))
            emit(Instr(.ret, a: r))
            functionEnds[start] = code.count
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
        case .letRef(let l): return l < clientLets.count ? clientLets[l] : true
        default:
            var found = false
            e.forEachChild { if !found && readsClient($0) { found = true } }
            return found
        }
    }

    func constant(_ e: TExpr) -> Value? {
        guard !readsClient(e) else { return nil }
        if case .constant(let v) = e.kind { return v }
        var ev = constants
        return try? ev.eval(e)
    }

    mutating func loadConst(_ v: Int64) -> Int32 {
        let r = fresh()
        emit(Instr(.loadConst, a: r, imm: v))
        return r
    }
}

/// What the compiler has found out about each let, kept by reference so
/// that its non-mutating helpers can remember it.
final class LetMemo {
    /// The record fields a let reads, through other lets.
    var fields: [Int: Set<Int>] = [:]
    /// How a let moves with its one date field (`direction`); `.some(nil)` is "unknown".
    var direction: [Int: Int?] = [:]
    /// The lets a let's compiled code calls: those it names, and those
    /// named by the inlined lets it names.
    var calls: [Int: [Int]] = [:]
}
