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

    /// A compiler for `asOf`; with `period`, for a goal's measured
    /// expressions over it (`period_start`, `period_end`).
    public init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:], period: Period? = nil) {
        self.policy = policy
        self.asOf = asOf
        self.context = EvalContext(policy: policy, asOf: asOf, paramOverrides: paramOverrides, period: period)
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
        func moved(_ f: Function) -> Function { Function(start: remap[f.start], result: f.result) }
        for i in rules.indices {
            rules[i].condition = rules[i].condition.map(moved)
            rules[i].exceptions = rules[i].exceptions.map(moved)
            for v in rules[i].variants.indices { rules[i].variants[v].condition = rules[i].variants[v].condition.map(moved) }
        }
        letFunctions = letFunctions.map { $0.map(moved) }
        let program = Program(asOf: asOf, code: code, registerCount: Int(nextRegister), rules: rules, inactiveRules: inactive,
                              lets: letFunctions, bitsets: bitsets, lists: lists, strings: strings, fallbacks: fallbacks,
                              spans: spans, context: context,
                              municipalitySlot: policy.record?.fields.first { $0.type.base == .municipality }?.slot,
                              outcomeCount: policy.outcomes.count, fieldRegisters: policy.record?.fields.count ?? 0)
        return (program, extra.map(moved))
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
}
