import LinjaBase
import LinjaSyntax
import LinjaModel

/// The compiled evaluator: a policy compiled for one date, deciding clients
/// packed as slots. Not thread-safe; make one per thread (they may share a
/// `Program`).
///
/// The rules are laid out once in flat tables behind unsafe pointers, so
/// deciding a client allocates nothing and pays no reference counting.
public final class Evaluator {
    public let policy: Policy
    public let program: Program
    let vm: VM
    let municipalitySlot: Int
    let municipalityCount: Int
    /// Where the program's whole decision starts (-1: none, or the program
    /// is invalid; the rules then run one by one).
    let decision: Int
    /// The date fields declared `not after as_of`, by slot.
    let notAfterAsOf: [(slot: Int, field: Field)]
    /// Their slots, read on every client (the fields only for the error:
    /// copying a `Field` out of the array retained its strings per client).
    let notAfterSlots: UnsafeMutablePointer<Int>
    let notAfterCount: Int
    let asOfNumber: Int64

    /// One active rule: indexes into the flat tables.
    struct RuleCode {
        var rule: Int32
        /// Offset of the scope's words in `scopeWords`, -1 for the whole area.
        var scopeOffset: Int32
        var scopeCount: Int32
        var condition: Int32            // function index or -1
        var exceptionStart: Int32       // into `exceptionFunctions`
        var exceptionCount: Int32
        var orderOffset: Int32          // into `orderRange`: 2 × municipality count entries, or -1
        var outcomeStart: Int32         // into `templates`
        var outcomeCount: Int32
        var variantStart: Int32         // into `variants`
    }
    struct VariantCode {
        var condition: Int32
        var outcomeStart: Int32
        var outcomeCount: Int32
    }

    let ruleCount: Int
    let rules: UnsafeMutablePointer<RuleCode>
    let functions: UnsafeMutablePointer<Function>
    let exceptionFunctions: UnsafeMutablePointer<Int32>
    let variants: UnsafeMutablePointer<VariantCode>
    let orderRange: UnsafeMutablePointer<Int32>
    let orderFlat: UnsafeMutablePointer<Int32>
    let templates: UnsafeMutablePointer<Give>
    let scopeWords: UnsafeMutablePointer<UInt64>
    let giveBuffer: UnsafeMutablePointer<Give>
    let giveCapacity: Int
    /// [0]: the last client's gives, [1]: its firings, [2]: whether firings
    /// are logged (behind a pointer: a class's stored vars pay a run-time
    /// exclusivity check on every access, several per client).
    let countsBox: UnsafeMutablePointer<Int>
    var giveCount: Int {
        @inline(__always) get { countsBox[0] }
        @inline(__always) set { countsBox[0] = newValue }
    }
    /// The rules that applied to the last client, and the variant of each
    /// (-1 for the rule's own `then`), when `logFirings` is set (summaries).
    let firedRules: UnsafeMutablePointer<Int32>
    let firedVariants: UnsafeMutablePointer<Int32>
    var firedCount: Int {
        @inline(__always) get { countsBox[1] }
        @inline(__always) set { countsBox[1] = newValue }
    }
    public var logFirings: Bool {
        get { countsBox[2] != 0 }
        set { countsBox[2] = newValue ? 1 : 0 }
    }

    public init(policy: Policy, program: Program) {
        self.policy = policy
        self.program = program
        self.municipalitySlot = program.municipalitySlot ?? -1
        self.municipalityCount = policy.municipalities.count
        self.notAfterAsOf = (policy.record?.fields ?? []).filter { $0.notAfterAsOf != nil && $0.type.base == .date }.map { ($0.slot, $0) }
        notAfterCount = notAfterAsOf.count
        notAfterSlots = .allocate(capacity: max(1, notAfterAsOf.count))
        notAfterSlots.initialize(repeating: 0, count: max(1, notAfterAsOf.count))
        for (k, f) in notAfterAsOf.enumerated() { notAfterSlots[k] = f.slot }
        asOfNumber = Int64(program.asOf.number)
        var fns: [Function] = []
        func fn(_ f: Function?) -> Int32 {
            guard let f else { return -1 }
            fns.append(f)
            return Int32(fns.count - 1)
        }
        var ruleCodes: [RuleCode] = []
        var exFns: [Int32] = []
        var vcodes: [VariantCode] = []
        var orderR: [Int32] = []
        var orderF: [Int32] = []
        var temps: [Give] = []
        var words: [UInt64] = []
        var maxGives = 0
        for cr in program.rules {
            var rc = RuleCode(rule: Int32(cr.rule), scopeOffset: -1, scopeCount: 0, condition: fn(cr.condition),
                              exceptionStart: Int32(exFns.count), exceptionCount: Int32(cr.exceptions.count), orderOffset: -1,
                              outcomeStart: Int32(temps.count), outcomeCount: Int32(cr.outcomes.count), variantStart: Int32(vcodes.count))
            if let s = cr.scope {
                rc.scopeOffset = Int32(words.count)
                rc.scopeCount = Int32(s.words.count)
                words += s.words
            }
            for ex in cr.exceptions { exFns.append(fn(ex)) }
            for o in cr.outcomes { temps.append(Give(outcome: Int32(o.outcome), destination: Int32(o.destination ?? -1), rule: Int32(cr.rule))) }
            var most = cr.outcomes.count
            for v in cr.variants {
                let vc = VariantCode(condition: fn(v.condition), outcomeStart: Int32(temps.count), outcomeCount: Int32(v.outcomes.count))
                for o in v.outcomes { temps.append(Give(outcome: Int32(o.outcome), destination: Int32(o.destination ?? -1), rule: Int32(cr.rule))) }
                vcodes.append(vc)
                most = max(most, v.outcomes.count)
            }
            maxGives += most
            if !cr.variants.isEmpty {
                rc.orderOffset = Int32(orderR.count)
                for m in 0..<max(1, policy.municipalities.count) {
                    let list = m < cr.variantOrder.count ? cr.variantOrder[m] : []
                    orderR.append(Int32(orderF.count))
                    orderR.append(Int32(list.count))
                    orderF += list.map(Int32.init)
                }
            }
            ruleCodes.append(rc)
        }
        func copy<T>(_ a: [T], filler: T) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, a.count))
            if a.isEmpty { p.initialize(to: filler) } else { p.initialize(from: a, count: a.count) }
            return p
        }
        ruleCount = ruleCodes.count
        rules = copy(ruleCodes, filler: RuleCode(rule: 0, scopeOffset: -1, scopeCount: 0, condition: -1, exceptionStart: 0,
                                                 exceptionCount: 0, orderOffset: -1, outcomeStart: 0, outcomeCount: 0, variantStart: 0))
        functions = copy(fns, filler: Function(start: 0, result: 0))
        exceptionFunctions = copy(exFns, filler: -1)
        variants = copy(vcodes, filler: VariantCode(condition: -1, outcomeStart: 0, outcomeCount: 0))
        orderRange = copy(orderR, filler: 0)
        orderFlat = copy(orderF, filler: 0)
        templates = copy(temps, filler: Give(outcome: 0, destination: -1, rule: 0))
        scopeWords = copy(words, filler: 0)
        countsBox = .allocate(capacity: 3)
        countsBox.initialize(repeating: 0, count: 3)
        giveCapacity = max(1, maxGives, VM.neededGives(program))
        giveBuffer = .allocate(capacity: giveCapacity)
        giveBuffer.initialize(repeating: Give(outcome: 0, destination: -1, rule: 0), count: giveCapacity)
        firedRules = .allocate(capacity: max(1, ruleCodes.count))
        firedRules.initialize(repeating: 0, count: max(1, ruleCodes.count))
        firedVariants = .allocate(capacity: max(1, ruleCodes.count))
        firedVariants.initialize(repeating: 0, count: max(1, ruleCodes.count))
        vm = VM(program: program, record: policy.record ?? RecordType(name: "client", label: nil, fields: [], span: .none),
                gives: giveBuffer, giveCapacity: giveCapacity, firedRules: firedRules, firedVariants: firedVariants,
                firingCapacity: max(1, ruleCodes.count))
        decision = vm.valid ? program.decision ?? -1 : -1
    }

    deinit {
        rules.deallocate(); functions.deallocate(); exceptionFunctions.deallocate(); variants.deallocate()
        orderRange.deallocate(); orderFlat.deallocate(); templates.deallocate(); scopeWords.deallocate()
        giveBuffer.deallocate(); firedRules.deallocate(); firedVariants.deallocate(); countsBox.deallocate()
        notAfterSlots.deallocate()
    }

    public convenience init(policy: Policy, asOf: Day, paramOverrides: [Int: Value] = [:]) {
        self.init(policy: policy, program: Compiler.compile(policy, asOf: asOf, paramOverrides: paramOverrides))
    }

    /// Whether a rule reads a text field's value (then `texts` must be
    /// given to `decide`); otherwise text fields are never looked at.
    public var needsTexts: Bool { vm.needsTexts }

    /// How many rules applied to the last client (with `logFirings`).
    @inline(__always) public var lastFiringCount: Int { firedCount }
    /// The `i`th rule that applied to the last client, and its variant (-1: none).
    @inline(__always) public func firing(_ i: Int) -> (rule: Int, variant: Int) { (Int(firedRules[i]), Int(firedVariants[i])) }

    /// Decides one client. `trace` fills each rule's status.
    public func decide(row: UnsafePointer<Int64>, texts: [String], trace: Bool = false) throws -> Decision {
        var statuses: [RuleStatus]? = trace ? Array(repeating: .inactive, count: policy.rules.count) : nil
        try collect(row: row, texts: texts, statuses: &statuses)
        return Decision(outcomes: Decision.resolve(lastGives, rules: policy.rules), statuses: statuses)
    }

    @inline(__always)
    func run(_ f: Int32) throws -> Int64 {
        let v = vm.run(functions[Int(f)])
        if vm.failed, let failure = vm.failure { throw failure }
        return v
    }

    /// Fails for a client whose date fields declared `not after as_of` lie
    /// after the evaluation date (a birth date of 9999-12-31): such a client
    /// is reported as one that cannot be decided, never decided on it.
    @inline(__always)
    public func checkRecord(row: UnsafePointer<Int64>) throws {
        for k in 0..<notAfterCount {
            let v = row[notAfterSlots[k]]
            if v != Slot.missing, v > asOfNumber {
                throw notAfterAsOf[k].field.afterAsOf(Day(number: Int32(truncatingIfNeeded: v)), asOf: program.asOf)
            }
        }
    }

    /// The hot path: the gives for one client, left in the give buffer.
    /// The counts live in locals while rules run (stored properties of a
    /// class pay a run-time exclusivity check on every change).
    @inline(__always)
    func collect(row: UnsafePointer<Int64>, texts: [String], statuses: inout [RuleStatus]?) throws {
        if notAfterCount > 0 {
            do { try checkRecord(row: row) } catch {
                giveCount = 0
                firedCount = 0
                throw error
            }
        }
        vm.begin(row: row, texts: texts)
        let vm = self.vm
        if decision >= 0 && statuses == nil {
            // The whole decision in one run of the interpreter.
            vm.decide(decision, row)
            if vm.failed {
                giveCount = 0
                firedCount = 0
                throw vm.failure ?? EvalError(message: "the evaluation failed", span: .none)
            }
            giveCount = vm.giveCount
            firedCount = logFirings ? vm.firingCount : 0
            return
        }
        let valid = vm.valid
        let functions = self.functions
        let m = municipalitySlot >= 0 ? Int(row[municipalitySlot]) : -1
        let tracing = statuses != nil
        let logging = logFirings
        var gives = 0
        var fired = 0
        defer {
            giveCount = gives
            firedCount = fired
        }
        /// Runs function `f` for this client; throws when it failed.
        @inline(__always)
        func run(_ f: Int32) throws -> Int64 {
            let v = valid ? vm.call(functions[Int(f)], row) : vm.run(functions[Int(f)])
            if vm.failed, let failure = vm.failure { throw failure }
            return v
        }
        for k in 0..<ruleCount {
            let rc = rules[k]
            let rule = Int(rc.rule)
            if rc.scopeOffset >= 0 {
                let inScope = m >= 0 && m / 64 < Int(rc.scopeCount) && (scopeWords[Int(rc.scopeOffset) + m / 64] >> UInt64(m % 64)) & 1 == 1
                if !inScope {
                    if tracing { statuses?[rule] = .outOfScope }
                    continue
                }
            }
            if rc.condition >= 0, try run(rc.condition) != 1 {
                if tracing { statuses?[rule] = .conditionFalse }
                continue
            }
            var excepted = -1
            for e in 0..<Int(rc.exceptionCount) where try run(exceptionFunctions[Int(rc.exceptionStart) + e]) == 1 {
                excepted = e
                break
            }
            if excepted >= 0 {
                if tracing { statuses?[rule] = .exception(excepted) }
                continue
            }
            var outStart = Int(rc.outcomeStart), outCount = Int(rc.outcomeCount)
            var chosen = -1
            if rc.orderOffset >= 0, m >= 0, m < municipalityCount {
                let r = Int(rc.orderOffset) + 2 * m
                let start = Int(orderRange[r]), count = Int(orderRange[r + 1])
                for j in 0..<count {
                    let vi = Int(orderFlat[start + j])
                    let v = variants[Int(rc.variantStart) + vi]
                    if v.condition >= 0, try run(v.condition) != 1 { continue }
                    chosen = vi
                    outStart = Int(v.outcomeStart)
                    outCount = Int(v.outcomeCount)
                    break
                }
            }
            if tracing { statuses?[rule] = .fired(variant: chosen >= 0 ? chosen : nil) }
            if logging {
                firedRules[fired] = Int32(rule)
                firedVariants[fired] = Int32(chosen)
                fired += 1
            }
            for j in 0..<outCount where gives < giveCapacity {
                giveBuffer[gives] = templates[outStart + j]
                gives += 1
            }
        }
    }

    /// Decides without building a `Decision`: the gives of the last client are
    /// read with `lastGiveCount` and `give(_:)`. For summaries and benchmarks.
    @inline(__always)
    public func decideGives(row: UnsafePointer<Int64>, texts: [String]) throws {
        var none: [RuleStatus]? = nil
        try collect(row: row, texts: texts, statuses: &none)
    }

    @inline(__always) public var lastGiveCount: Int { giveCount }
    /// The last client's gives (`lastGiveCount` of them), valid until the next decision.
    public var lastGiveBuffer: UnsafePointer<Give> { UnsafePointer(giveBuffer) }
    @inline(__always) public func give(_ i: Int) -> Give { giveBuffer[i] }
    public var lastGives: [Give] { (0..<giveCount).map { giveBuffer[$0] } }

    /// Whether the last client's gives need priority resolution (two rules
    /// giving one outcome); usually they do not.
    public var lastGivesAreDistinct: Bool {
        let n = giveCount
        if n < 2 { return true }
        for i in 1..<n { for j in 0..<i where giveBuffer[i].outcome == giveBuffer[j].outcome { return false } }
        return true
    }

    /// Decides a client given as values (tests, the REPL).
    public func decide(_ values: [Value], trace: Bool = false) throws -> Decision {
        guard let rec = policy.record else { return Decision(outcomes: [], statuses: nil) }
        var batch = ClientBatch(width: rec.fields.count)
        batch.append(values, record: rec)
        return try batch.slots.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return Decision(outcomes: [], statuses: nil) }
            var d = try decide(row: base, texts: batch.texts, trace: trace)
            if trace, var st = d.statuses {
                for r in program.inactiveRules { st[r] = .inactive }
                d.statuses = st
            }
            return d
        }
    }

    /// Starts a client for `run(_:row:texts:)`: several functions of one
    /// client after one start (lets they share are computed once).
    public func start(row: UnsafePointer<Int64>, texts: [String]) {
        vm.begin(row: row, texts: texts)
    }

    /// Runs a function for the client started last. After a failure the
    /// client is started again, so the next function runs afresh.
    public func run(_ f: Function, row: UnsafePointer<Int64>, texts: [String]) throws -> Int64 {
        let v = vm.run(f)
        if vm.failed {
            let failure = vm.failure ?? EvalError(message: "the evaluation failed", span: .none)
            vm.begin(row: row, texts: texts)
            throw failure
        }
        return v
    }

    /// Evaluates a compiled function (an aggregate filter) for a client.
    public func value(of f: Function, row: UnsafePointer<Int64>, texts: [String]) throws -> Int64 {
        vm.begin(row: row, texts: texts)
        let v = vm.run(f)
        if vm.failed, let fail = vm.failure { throw fail }
        return v
    }
}
