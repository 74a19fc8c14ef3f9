import LinjaBase
import LinjaSyntax
import LinjaModel

/// Runs compiled functions over one client's slots. One per thread: it owns
/// its registers and the per-client memo of lets.
///
/// The hot loop touches only memory this object owns through unsafe
/// pointers (copied from the `Program` once, and validated then), so it pays
/// no reference counting and no exclusivity checks per instruction.
public final class VM {
    public let program: Program
    let record: RecordType
    let codeCount: Int
    let code: UnsafeMutablePointer<Instr>
    let registerCount: Int
    let fieldRegisters: Int
    let regs: UnsafeMutablePointer<Int64>
    let letCount: Int
    let letStart: UnsafeMutablePointer<Int32>
    let letResult: UnsafeMutablePointer<Int32>
    let letValues: UnsafeMutablePointer<Int64>
    let letGeneration: UnsafeMutablePointer<UInt32>
    /// Bitsets: words, and each bitset's (offset, count) in `bitWords`.
    let bitWords: UnsafeMutablePointer<UInt64>
    let bitRange: UnsafeMutablePointer<Int32>
    let listValues: UnsafeMutablePointer<Int64>
    let listRange: UnsafeMutablePointer<Int32>
    /// [0]: generation, [1]: failed flag, [2]: gives so far, [3]: firings so far.
    let state: UnsafeMutablePointer<UInt32>
    /// Lets being computed (the interpreter calls them in its own loop):
    /// per level the pc to return to, the register to fill and the let.
    let letStack: UnsafeMutablePointer<Int32>
    let letStackCapacity: Int
    /// The decision's give sites and their outcomes; the gives and firings of
    /// the client decided last (buffers owned by the `Evaluator`).
    let giveSites: UnsafeMutablePointer<GiveSite>
    let giveTemplates: UnsafeMutablePointer<Give>
    let gives: UnsafeMutablePointer<Give>
    let giveCapacity: Int
    let firedRules: UnsafeMutablePointer<Int32>
    let firedVariants: UnsafeMutablePointer<Int32>
    let firingCapacity: Int
    /// The fold range (`Compiler.foldRange`) as the fused date tests read it.
    let foldLow = Int64(Compiler.foldRange.lowerBound)
    let foldWidth = UInt64(Compiler.foldRange.upperBound - Compiler.foldRange.lowerBound)
    /// Whether any instruction reads text fields (else they are not kept per client).
    let needsTexts: Bool
    /// Whether the program passed validation; if not, every function runs
    /// through the reference evaluator.
    public let valid: Bool
    /// The client's text fields and any failure, behind pointers so the
    /// interpreter loop never goes through an exclusivity check.
    let textsBox: UnsafeMutablePointer<[String]>
    let failureBox: UnsafeMutablePointer<EvalError?>
    let rowBox: UnsafeMutablePointer<UnsafePointer<Int64>?>
    /// Results of calendar arithmetic already done for earlier clients
    /// (`DayCache`): client dates repeat, and month arithmetic and
    /// deadlines cost a calendar conversion each.
    let dayCache: UnsafeMutablePointer<DayCache.Entry>

    /// Set when an evaluation fails (overflow, a date outside the calendar).
    public var failure: EvalError? { failureBox.pointee }
    var texts: [String] { textsBox.pointee }
    var row: UnsafePointer<Int64>? { rowBox.pointee }

    /// A VM for `program`; the decision's gives and firings go to the
    /// buffers given (at least `Program.neededGives` and rule-count entries).
    init(program: Program, record: RecordType, gives: UnsafeMutablePointer<Give>, giveCapacity: Int,
         firedRules: UnsafeMutablePointer<Int32>, firedVariants: UnsafeMutablePointer<Int32>, firingCapacity: Int) {
        self.program = program
        self.record = record
        codeCount = program.code.count
        // One more instruction: a `ret` after the last, so that the loop
        // needs no bound check (jumps are validated to land at most there).
        code = .allocate(capacity: codeCount + 1)
        for (i, ins) in VM.loaded(program.code, sites: program.giveSites).enumerated() { (code + i).initialize(to: ins) }
        (code + codeCount).initialize(to: Instr(.ret, a: 0))
        self.gives = gives
        self.giveCapacity = giveCapacity
        self.firedRules = firedRules
        self.firedVariants = firedVariants
        self.firingCapacity = firingCapacity
        giveSites = .allocate(capacity: max(1, program.giveSites.count))
        giveSites.initialize(repeating: GiveSite(rule: 0, variant: -1, start: 0, count: 0), count: max(1, program.giveSites.count))
        for (i, g) in program.giveSites.enumerated() { giveSites[i] = g }
        giveTemplates = .allocate(capacity: max(1, program.giveTemplates.count))
        giveTemplates.initialize(repeating: Give(outcome: 0, destination: -1, rule: 0), count: max(1, program.giveTemplates.count))
        for (i, g) in program.giveTemplates.enumerated() { giveTemplates[i] = g }
        letStackCapacity = program.lets.count + 1
        letStack = .allocate(capacity: 3 * letStackCapacity)
        letStack.initialize(repeating: 0, count: 3 * letStackCapacity)
        registerCount = max(1, program.registerCount, program.fieldRegisters)
        fieldRegisters = min(program.fieldRegisters, record.fields.count)
        regs = .allocate(capacity: registerCount)
        regs.initialize(repeating: 0, count: registerCount)
        letCount = program.lets.count
        letStart = .allocate(capacity: max(1, letCount))
        letResult = .allocate(capacity: max(1, letCount))
        letValues = .allocate(capacity: max(1, letCount))
        letGeneration = .allocate(capacity: max(1, letCount))
        letValues.initialize(repeating: 0, count: max(1, letCount))
        letGeneration.initialize(repeating: 0, count: max(1, letCount))
        for i in 0..<max(1, letCount) {
            let f = i < letCount ? program.lets[i] : nil
            (letStart + i).initialize(to: Int32(f?.start ?? -1))
            (letResult + i).initialize(to: f?.result ?? 0)
        }
        let words = program.bitsets.flatMap(\.words)
        bitWords = .allocate(capacity: max(1, words.count))
        bitWords.initialize(repeating: 0, count: max(1, words.count))
        for (i, w) in words.enumerated() { bitWords[i] = w }
        bitRange = .allocate(capacity: max(2, program.bitsets.count * 2))
        bitRange.initialize(repeating: 0, count: max(2, program.bitsets.count * 2))
        var off = 0
        for (i, b) in program.bitsets.enumerated() {
            bitRange[2 * i] = Int32(off)
            bitRange[2 * i + 1] = Int32(b.words.count)
            off += b.words.count
        }
        let lv = program.lists.flatMap { $0 }
        listValues = .allocate(capacity: max(1, lv.count))
        listValues.initialize(repeating: 0, count: max(1, lv.count))
        for (i, v) in lv.enumerated() { listValues[i] = v }
        listRange = .allocate(capacity: max(2, program.lists.count * 2))
        listRange.initialize(repeating: 0, count: max(2, program.lists.count * 2))
        off = 0
        for (i, l) in program.lists.enumerated() {
            listRange[2 * i] = Int32(off)
            listRange[2 * i + 1] = Int32(l.count)
            off += l.count
        }
        textsBox = .allocate(capacity: 1)
        textsBox.initialize(to: [])
        failureBox = .allocate(capacity: 1)
        failureBox.initialize(to: nil)
        rowBox = .allocate(capacity: 1)
        rowBox.initialize(to: nil)
        state = .allocate(capacity: 4)
        state.initialize(repeating: 0, count: 4)
        state[0] = 1
        dayCache = .allocate(capacity: DayCache.size)
        dayCache.initialize(repeating: DayCache.Entry(day: Int64.min, op: 0, argument: 0, result: 0), count: DayCache.size)
        valid = VM.validate(program, width: record.fields.count)
        needsTexts = program.code.contains { $0.op == .eqText || $0.op == .reference }
    }

    deinit {
        code.deallocate(); regs.deallocate(); letStart.deallocate(); letResult.deallocate()
        letValues.deallocate(); letGeneration.deallocate(); bitWords.deallocate(); bitRange.deallocate()
        listValues.deallocate(); listRange.deallocate(); state.deallocate()
        textsBox.deinitialize(count: 1); textsBox.deallocate()
        failureBox.deinitialize(count: 1); failureBox.deallocate()
        rowBox.deallocate()
        dayCache.deallocate()
        letStack.deallocate(); giveSites.deallocate(); giveTemplates.deallocate()
    }

    /// The VM's own form of a program's code: compares with the relation in
    /// the opcode, and the pairs the decision runs most fused into one
    /// instruction (the pair's second instruction stays, for jumps to it).
    /// A give of one outcome names its outcome, rule and variant itself.
    /// Same length, same meaning: every jump target keeps its place.
    static func loaded(_ program: [Instr], sites: [GiveSite]) -> [Instr] {
        var out = program.map(specialised)
        let fold = Compiler.foldRange
        for pc in 0..<max(0, program.count - 1) {
            let i = program[pc], next = program[pc + 1]
            switch i.op {
            case .jumpIfInside:
                // Over the fold range, to a threshold test on the same register.
                let t = Int(i.c)
                guard i.imm == Int64(fold.lowerBound), i.a == fold.upperBound - fold.lowerBound,
                      t > pc, t + 1 < program.count, program[t].op == .jumpIfCmpK, program[t].b == i.b,
                      program[t].rel == 2 || program[t].rel == 5 else { continue }
                out[pc] = Instr(program[t].rel == 2 ? .jumpIfDateLtK : .jumpIfDateGeK,
                                a: Int32(t + 1), b: i.b, c: program[t].c, imm: program[t].imm)
            case .inMask where (next.op == .jumpIfFalse || next.op == .jumpIfTrue) && next.a == i.a:
                out[pc] = Instr(next.op == .jumpIfFalse ? .jumpUnlessInMask : .jumpIfInMask, a: i.a, b: i.b, c: next.c, imm: i.imm)
            case .give where i.a >= 0 && Int(i.a) < sites.count && sites[Int(i.a)].count == 1:
                let site = sites[Int(i.a)]
                out[pc] = Instr(.give1, a: i.a, b: site.start, c: site.rule, imm: Int64(site.variant))
            default: continue
            }
        }
        return out
    }

    /// A compare with its relation in the opcode.
    static func specialised(_ i: Instr) -> Instr {
        var out = i
        let jumps: [Op] = [.jumpIfEqK, .jumpIfNeK, .jumpIfLtK, .jumpIfLeK, .jumpIfGtK, .jumpIfGeK]
        let compares: [Op] = [.cmpEq, .cmpNe, .cmpLt, .cmpLe, .cmpGt, .cmpGe]
        let r = Int(min(i.rel, 5))
        if i.op == .jumpIfCmpK { out.op = jumps[r] }
        if i.op == .cmp { out.op = compares[r] }
        return out
    }

    /// The most gives one run of the program's decision can leave.
    static func neededGives(_ p: Program) -> Int { p.giveSites.reduce(0) { $0 + max(0, Int($1.count)) } }

    /// Every register, jump, let, bitset, list and string index in range, and
    /// every function ends in `ret`: the interpreter may then trust the code.
    static func validate(_ p: Program, width: Int) -> Bool {
        let n = p.code.count, r = p.registerCount
        func reg(_ x: Int32) -> Bool { x >= 0 && Int(x) < r }
        for ins in p.code {
            switch ins.op {
            case .jump:
                if ins.c < 0 || Int(ins.c) > n { return false }
            case .jumpIfFalse, .jumpIfTrue, .jumpIfMissing, .jumpIfPresent:
                if !reg(ins.a) || ins.c < 0 || Int(ins.c) > n { return false }
            case .loadField:
                if !reg(ins.a) || ins.b < 0 || Int(ins.b) >= width { return false }
            case .loadConst, .checkPresent, .ret, .retK:
                if !reg(ins.a) { return false }
            case .jumpIfCmpK:
                if !reg(ins.b) || ins.c < 0 || Int(ins.c) > n { return false }
            case .jumpIfCmp:
                if !reg(ins.a) || !reg(ins.b) || ins.c < 0 || Int(ins.c) > n { return false }
            case .jumpIfInside:
                if !reg(ins.b) || ins.a < 0 || ins.c < 0 || Int(ins.c) > n { return false }
            case .jumpUnlessInBits:
                if !reg(ins.b) || ins.a < 0 || Int(ins.a) >= p.bitsets.count || ins.c < 0 || Int(ins.c) > n { return false }
            case .give:
                guard ins.a >= 0, Int(ins.a) < p.giveSites.count else { return false }
                let g = p.giveSites[Int(ins.a)]
                if g.start < 0 || g.count < 0 || Int(g.start) + Int(g.count) > p.giveTemplates.count { return false }
            case .jumpIfEqK, .jumpIfNeK, .jumpIfLtK, .jumpIfLeK, .jumpIfGtK, .jumpIfGeK,
                 .cmpEq, .cmpNe, .cmpLt, .cmpLe, .cmpGt, .cmpGe, .jumpIfDateLtK, .jumpIfDateGeK,
                 .jumpUnlessInMask, .jumpIfInMask, .give1:
                return false // the VM's own forms: never in a program
            case .letEnter, .letStoreK:
                if !reg(ins.a) || ins.b < 0 || Int(ins.b) >= p.lets.count || p.lets[Int(ins.b)] == nil || ins.c < 0 || Int(ins.c) > n { return false }
            case .letStore:
                if !reg(ins.a) || ins.imm < 0 || ins.imm >= Int64(r) || ins.b < 0 || Int(ins.b) >= p.lets.count || p.lets[Int(ins.b)] == nil
                    || ins.c < 0 || Int(ins.c) > n { return false }
            case .letCall:
                if !reg(ins.a) || ins.b < 0 || Int(ins.b) >= p.lets.count { return false }
            case .reference:
                if !reg(ins.a) || ins.b < 0 || Int(ins.b) >= p.fallbacks.count { return false }
            case .inBits:
                if !reg(ins.a) || !reg(ins.b) || ins.c < 0 || Int(ins.c) >= p.bitsets.count { return false }
            case .inList:
                if !reg(ins.a) || !reg(ins.b) || ins.c < 0 || Int(ins.c) >= p.lists.count { return false }
            case .eqText:
                if !reg(ins.a) || !reg(ins.b) || ins.c < 0 || Int(ins.c) >= p.strings.count { return false }
            case .move, .not, .isMissing, .isPresent, .cmpK, .negI, .negF, .absI, .absF, .toFixed, .addDays,
                 .addMonths, .addWorkingDays, .deadline, .year, .month, .inMask, .age:
                if !reg(ins.a) || !reg(ins.b) { return false }
            case .cmp, .addI, .subI, .mulI, .addF, .subF, .mulF, .divF, .mulFPercent, .ageOn, .monthsSpan,
                 .workingDaysBetween, .min, .max:
                if !reg(ins.a) || !reg(ins.b) || !reg(ins.c) { return false }
            }
            if ins.op == .monthsSpan, ins.imm == 0 { return false }
        }
        for f in p.lets.compactMap({ $0 }) where f.start < 0 || f.start >= n || !reg(f.result) { return false }
        if let d = p.decision, d < 0 || d >= n { return false }
        return true
    }

    /// Starts a new client: forgets memoised lets and any failure.
    @inline(__always)
    public func begin(row: UnsafePointer<Int64>, texts: [String]) {
        state[0] &+= 1
        if state[0] == 0 {
            letGeneration.update(repeating: 0, count: max(1, letCount))
            state[0] = 1
        }
        state[1] = 0
        state[2] = 0
        state[3] = 0
        // The fields are registers 0..<fieldRegisters.
        regs.update(from: row, count: min(fieldRegisters, registerCount))
        rowBox.pointee = row
        if needsTexts { textsBox.pointee = texts }
        if failureBox.pointee != nil { failureBox.pointee = nil }
    }

    /// Whether the last run failed (then `failure` says why).
    @inline(__always)
    public var failed: Bool { state[1] != 0 }

    func fail(_ message: String, _ spanIndex: Int64) {
        if state[1] == 0 {
            let s = spanIndex >= 0 && Int(spanIndex) < program.spans.count ? program.spans[Int(spanIndex)] : .none
            failureBox.pointee = EvalError(message: message, span: s)
            state[1] = 1
        }
    }

    @inline(__always)
    static func relation(_ rel: UInt8, _ x: Int64, _ y: Int64) -> Bool {
        switch rel {
        case 0: return x == y
        case 1: return x != y
        case 2: return x < y
        case 3: return x <= y
        case 4: return x > y
        default: return x >= y
        }
    }

    /// Runs a function and returns its result slot.
    @inline(__always)
    public func run(_ f: Function) -> Int64 {
        guard let row else { return Slot.missing }
        if !valid { return reference(f) }
        exec(f.start, row)
        return regs[Int(f.result)]
    }

    /// Runs a function of a valid program for the client `begin` started
    /// (the evaluator's hot path: it checks `valid` once per client).
    @inline(__always)
    func call(_ f: Function, _ row: UnsafePointer<Int64>) -> Int64 {
        exec(f.start, row)
        return regs[Int(f.result)]
    }

    /// When validation failed: the function's source expression through the
    /// reference evaluator (found by its position in the program).
    func reference(_ f: Function) -> Int64 {
        fail("the compiled program is invalid", -1)
        return Slot.missing
    }

    /// The interpreter loop. Everything it reads per instruction is in
    /// locals: stores through the register pointer could alias the
    /// object's fields, so the compiler would otherwise load them again
    /// after every store.
    ///
    /// Lets are called in the loop itself: `letCall` pushes where to return,
    /// a `ret` with calls open pops it. It never calls itself, so one stack
    /// per VM serves.
    func exec(_ start: Int, _ row: UnsafePointer<Int64>) {
        var pc = start
        let code = self.code, r = self.regs
        let stack = self.letStack
        let foldLow = self.foldLow, foldWidth = self.foldWidth
        var depth = 0
        while true {
            let i = code + pc
            pc &+= 1
            let a = Int(i.pointee.a)
            switch i.pointee.op {
            case .loadField: r[a] = row[Int(i.pointee.b)]
            case .loadConst: r[a] = i.pointee.imm
            case .move: r[a] = r[Int(i.pointee.b)]
            case .jump: pc = Int(i.pointee.c)
            case .jumpIfFalse: if r[a] == 0 { pc = Int(i.pointee.c) }
            case .jumpIfTrue: if r[a] != 0 && r[a] != Slot.missing { pc = Int(i.pointee.c) }
            case .jumpIfMissing: if r[a] == Slot.missing { pc = Int(i.pointee.c) }
            case .jumpIfPresent: if r[a] != Slot.missing { pc = Int(i.pointee.c) }
            case .not: r[a] = r[Int(i.pointee.b)] == 0 ? 1 : 0
            case .isMissing: r[a] = r[Int(i.pointee.b)] == Slot.missing ? 1 : 0
            case .isPresent: r[a] = r[Int(i.pointee.b)] == Slot.missing ? 0 : 1
            case .cmp: r[a] = VM.relation(i.pointee.rel, r[Int(i.pointee.b)], r[Int(i.pointee.c)]) ? 1 : 0
            case .cmpK: r[a] = VM.relation(i.pointee.rel, r[Int(i.pointee.b)], i.pointee.imm) ? 1 : 0
            case .addI:
                let (v, o) = r[Int(i.pointee.b)].addingReportingOverflow(r[Int(i.pointee.c)])
                if o || v == Slot.missing { fail("the result is too large", i.pointee.imm); r[a] = Slot.missing } else { r[a] = v }
            case .subI:
                let (v, o) = r[Int(i.pointee.b)].subtractingReportingOverflow(r[Int(i.pointee.c)])
                if o || v == Slot.missing { fail("the result is too large", i.pointee.imm); r[a] = Slot.missing } else { r[a] = v }
            case .mulI:
                let (v, o) = r[Int(i.pointee.b)].multipliedReportingOverflow(by: r[Int(i.pointee.c)])
                if o || v == Slot.missing { fail("the result is too large", i.pointee.imm); r[a] = Slot.missing } else { r[a] = v }
            case .negI, .negF:
                let (v, o) = Int64(0).subtractingReportingOverflow(r[Int(i.pointee.b)])
                if o { fail("the result is too large", i.pointee.imm); r[a] = Slot.missing } else { r[a] = v }
            case .absI, .absF:
                let x = r[Int(i.pointee.b)]
                if x == Int64.min + 1 || x == Slot.missing { fail("the result is too large", i.pointee.imm); r[a] = Slot.missing }
                else { r[a] = x < 0 ? -x : x }
            case .addF, .subF, .mulF, .divF, .mulFPercent:
                let x = Fixed(raw: r[Int(i.pointee.b)]), y = Fixed(raw: r[Int(i.pointee.c)])
                var v: Fixed?
                switch i.pointee.op {
                case .addF: v = x.adding(y)
                case .subF: v = x.subtracting(y)
                case .mulF: v = x.multiplied(by: y)
                case .mulFPercent: v = x.multiplied(by: y).flatMap { $0.divided(by: Fixed(raw: 100 * Fixed.scale)) }
                default:
                    if y.raw == 0 { fail("division by zero", i.pointee.imm); r[a] = Slot.missing; continue }
                    v = x.divided(by: y)
                }
                if let v, v.raw != Slot.missing { r[a] = v.raw } else { fail("the result is too large", i.pointee.imm); r[a] = Slot.missing }
            case .toFixed:
                let (v, o) = r[Int(i.pointee.b)].multipliedReportingOverflow(by: Fixed.scale)
                if o || v == Slot.missing { fail("the result is too large", i.pointee.imm); r[a] = Slot.missing } else { r[a] = v }
            case .addDays:
                if let out = Day(number: Int32(truncatingIfNeeded: r[Int(i.pointee.b)])).adding(days: Int(i.pointee.imm)) {
                    r[a] = Int64(out.number)
                } else {
                    fail("the date is outside the calendar", Int64(i.pointee.c))
                    r[a] = Slot.missing
                }
            case .addMonths, .addWorkingDays:
                let v = DayCache.value(dayCache, op: i.pointee.op, day: r[Int(i.pointee.b)], argument: i.pointee.imm)
                if v == Slot.missing { fail("the date is outside the calendar", Int64(i.pointee.c)) }
                r[a] = v
            case .deadline:
                let v = DayCache.value(dayCache, op: .deadline, day: r[Int(i.pointee.b)], argument: 0)
                if v == Slot.missing { fail("the date is outside the calendar", i.pointee.imm) }
                r[a] = v
            case .age, .ageOn:
                let born = Day(number: Int32(truncatingIfNeeded: r[Int(i.pointee.b)]))
                let on = Day(number: Int32(truncatingIfNeeded: i.pointee.op == .age ? i.pointee.imm : r[Int(i.pointee.c)]))
                r[a] = Int64(LinjaBase.age(born: born, on: on))
            case .monthsSpan:
                let s = Day(number: Int32(truncatingIfNeeded: r[Int(i.pointee.b)]))
                let e = Day(number: Int32(truncatingIfNeeded: r[Int(i.pointee.c)]))
                r[a] = Int64(calendarSpan(from: s, to: e).months) / i.pointee.imm
            case .workingDaysBetween:
                let s = Day(number: Int32(truncatingIfNeeded: r[Int(i.pointee.b)]))
                let e = Day(number: Int32(truncatingIfNeeded: r[Int(i.pointee.c)]))
                r[a] = Int64(FinnishCalendar.workingDays(from: s, to: e))
            case .year: r[a] = Int64(Day(number: Int32(truncatingIfNeeded: r[Int(i.pointee.b)])).year)
            case .month: r[a] = Int64(Day(number: Int32(truncatingIfNeeded: r[Int(i.pointee.b)])).month)
            case .min: r[a] = Swift.min(r[Int(i.pointee.b)], r[Int(i.pointee.c)])
            case .max: r[a] = Swift.max(r[Int(i.pointee.b)], r[Int(i.pointee.c)])
            case .inMask:
                let x = r[Int(i.pointee.b)]
                r[a] = x >= 0 && x < 63 ? (i.pointee.imm >> x) & 1 : 0
            case .inBits:
                let x = r[Int(i.pointee.b)]
                let off = Int(bitRange[2 * Int(i.pointee.c)]), count = Int(bitRange[2 * Int(i.pointee.c) + 1])
                if x >= 0, x / 64 < Int64(count) {
                    r[a] = Int64((bitWords[off + Int(x / 64)] >> UInt64(x % 64)) & 1)
                } else {
                    r[a] = 0
                }
            case .inList:
                let x = r[Int(i.pointee.b)]
                let off = Int(listRange[2 * Int(i.pointee.c)]), count = Int(listRange[2 * Int(i.pointee.c) + 1])
                var found: Int64 = 0
                for k in 0..<count where listValues[off + k] == x { found = 1; break }
                r[a] = found
            case .eqText:
                let x = Int(r[Int(i.pointee.b)])
                let same = x >= 0 && x < texts.count && texts[x] == program.strings[Int(i.pointee.c)]
                r[a] = same != (i.pointee.rel == 1) ? 1 : 0
            case .letCall:
                let l = Int(i.pointee.b)
                let generation = state[0]
                if letGeneration[l] == generation {
                    r[a] = letValues[l]
                } else if letStart[l] < 0 {
                    letValues[l] = Slot.missing
                    letGeneration[l] = generation
                    r[a] = Slot.missing
                } else if depth < letStackCapacity {
                    stack[3 * depth] = Int32(truncatingIfNeeded: pc)
                    stack[3 * depth + 1] = i.pointee.a
                    stack[3 * depth + 2] = i.pointee.b
                    depth += 1
                    pc = Int(letStart[l])
                } else {
                    fail("lets call each other too deeply", -1)
                    r[a] = Slot.missing
                }
            case .letEnter:
                let l = Int(i.pointee.b)
                if letGeneration[l] == state[0] {
                    r[a] = letValues[l]
                    pc = Int(i.pointee.c)
                }
            case .letStore, .letStoreK:
                let l = Int(i.pointee.b)
                let v = i.pointee.op == .letStoreK ? i.pointee.imm : r[Int(i.pointee.imm)]
                letValues[l] = v
                letGeneration[l] = state[0]
                r[a] = v
                pc = Int(i.pointee.c)
            case .jumpUnlessInMask, .jumpIfInMask:
                let x = r[Int(i.pointee.b)]
                let v = x >= 0 && x < 63 ? (i.pointee.imm >> x) & 1 : 0
                r[a] = v
                pc = (v == 0) == (i.pointee.op == .jumpUnlessInMask) ? Int(i.pointee.c) : pc &+ 1
            case .jumpIfDateLtK:
                let x = r[Int(i.pointee.b)]
                if UInt64(bitPattern: x &- foldLow) <= foldWidth { pc = x < i.pointee.imm ? Int(i.pointee.c) : Int(a) }
            case .jumpIfDateGeK:
                let x = r[Int(i.pointee.b)]
                if UInt64(bitPattern: x &- foldLow) <= foldWidth { pc = x >= i.pointee.imm ? Int(i.pointee.c) : Int(a) }
            case .reference:
                r[a] = reference(Int(i.pointee.b), row)
            case .checkPresent:
                if r[a] == Slot.missing { fail("a value shown present is missing", i.pointee.imm) }
            case .ret:
                if depth == 0 { return }
                depth -= 1
                pc = returnFromLet(depth)
            case .jumpIfCmpK: if VM.relation(i.pointee.rel, r[Int(i.pointee.b)], i.pointee.imm) { pc = Int(i.pointee.c) }
            case .jumpIfCmp: if VM.relation(i.pointee.rel, r[a], r[Int(i.pointee.b)]) { pc = Int(i.pointee.c) }
            case .retK:
                r[a] = i.pointee.imm
                if depth == 0 { return }
                depth -= 1
                pc = returnFromLet(depth)
            case .jumpIfInside:
                if UInt64(bitPattern: r[Int(i.pointee.b)] &- i.pointee.imm) <= UInt64(UInt32(bitPattern: i.pointee.a)) { pc = Int(i.pointee.c) }
            case .jumpUnlessInBits:
                let x = r[Int(i.pointee.b)]
                let off = Int(bitRange[2 * Int(i.pointee.a)]), count = Int(bitRange[2 * Int(i.pointee.a) + 1])
                if x < 0 || x / 64 >= Int64(count) || (bitWords[off + Int(x / 64)] >> UInt64(x % 64)) & 1 == 0 { pc = Int(i.pointee.c) }
            case .give:
                let site = giveSites[a]
                give(Int(site.start), Int(site.count), rule: site.rule, variant: site.variant)
            case .give1:
                give(Int(i.pointee.b), 1, rule: i.pointee.c, variant: Int32(truncatingIfNeeded: i.pointee.imm))
            case .jumpIfEqK: if r[Int(i.pointee.b)] == i.pointee.imm { pc = Int(i.pointee.c) }
            case .jumpIfNeK: if r[Int(i.pointee.b)] != i.pointee.imm { pc = Int(i.pointee.c) }
            case .jumpIfLtK: if r[Int(i.pointee.b)] < i.pointee.imm { pc = Int(i.pointee.c) }
            case .jumpIfLeK: if r[Int(i.pointee.b)] <= i.pointee.imm { pc = Int(i.pointee.c) }
            case .jumpIfGtK: if r[Int(i.pointee.b)] > i.pointee.imm { pc = Int(i.pointee.c) }
            case .jumpIfGeK: if r[Int(i.pointee.b)] >= i.pointee.imm { pc = Int(i.pointee.c) }
            case .cmpEq: r[a] = r[Int(i.pointee.b)] == r[Int(i.pointee.c)] ? 1 : 0
            case .cmpNe: r[a] = r[Int(i.pointee.b)] != r[Int(i.pointee.c)] ? 1 : 0
            case .cmpLt: r[a] = r[Int(i.pointee.b)] < r[Int(i.pointee.c)] ? 1 : 0
            case .cmpLe: r[a] = r[Int(i.pointee.b)] <= r[Int(i.pointee.c)] ? 1 : 0
            case .cmpGt: r[a] = r[Int(i.pointee.b)] > r[Int(i.pointee.c)] ? 1 : 0
            case .cmpGe: r[a] = r[Int(i.pointee.b)] >= r[Int(i.pointee.c)] ? 1 : 0
            }
        }
    }

    /// Appends `count` outcomes from `giveTemplates[start...]` to the
    /// client's gives and logs the firing of `rule` (`variant`).
    @inline(__always)
    func give(_ start: Int, _ count: Int, rule: Int32, variant: Int32) {
        let n = Int(state[2]), f = Int(state[3])
        if n + count <= giveCapacity, f < firingCapacity {
            for k in 0..<count { gives[n + k] = giveTemplates[start + k] }
            state[2] = UInt32(n + count)
            firedRules[f] = rule
            firedVariants[f] = variant
            state[3] = UInt32(f + 1)
        } else {
            fail("too many outcomes for one client", -1)
        }
    }

    /// Ends the let called at `level`: memoises its value, hands it to the
    /// caller's register, and returns where the caller continues.
    @inline(__always)
    func returnFromLet(_ level: Int) -> Int {
        let l = Int(letStack[3 * level + 2])
        let v = regs[Int(letResult[l])]
        letValues[l] = v
        letGeneration[l] = state[0]
        regs[Int(letStack[3 * level + 1])] = v
        return Int(letStack[3 * level])
    }

    /// Runs the whole decision for the client `begin` started: its gives
    /// and firings are left in the buffers, their counts in `giveCount` and
    /// `firingCount`.
    @inline(__always)
    func decide(_ start: Int, _ row: UnsafePointer<Int64>) { exec(start, row) }
    @inline(__always) var giveCount: Int { Int(state[2]) }
    @inline(__always) var firingCount: Int { Int(state[3]) }

    /// Evaluates a fallback expression with the reference evaluator.
    func reference(_ index: Int, _ row: UnsafePointer<Int64>) -> Int64 {
        let e = program.fallbacks[index]
        var values: [Value] = []
        values.reserveCapacity(record.fields.count)
        for (k, f) in record.fields.enumerated() { values.append(Slot.decode(row[k], f.type, texts: texts)) }
        var ev = ReferenceEvaluator(context: program.context, client: values)
        do {
            let v = try ev.eval(e)
            if let raw = Slot.encode(v) { return raw }
            fail("a value of this kind cannot be used here", -1)
        } catch let error as EvalError {
            if state[1] == 0 { failureBox.pointee = error; state[1] = 1 }
        } catch {
            fail("\(error)", -1)
        }
        return Slot.missing
    }
}

/// A direct-mapped cache of calendar arithmetic per VM: month arithmetic,
/// working days and deadlines of a date, which client data repeats a lot.
/// Each is a pure function of the date and the argument, so a hit gives
/// what computing would.
enum DayCache {
    static let size = 4096

    struct Entry {
        /// The date's day number (`Int64.min`: empty), the instruction and
        /// its argument, and the result (`Slot.missing` when the date falls
        /// outside the calendar).
        var day: Int64
        var op: UInt8
        var argument: Int64
        var result: Int64
    }

    @inline(__always)
    static func value(_ cache: UnsafeMutablePointer<Entry>, op: Op, day: Int64, argument: Int64) -> Int64 {
        let slot = Int(truncatingIfNeeded: (UInt64(bitPattern: day) &* 0x9E37_79B9_7F4A_7C15
            ^ UInt64(bitPattern: argument) &* 0xC2B2_AE3D_27D4_EB4F) >> 52) & (size - 1)
        let e = cache[slot]
        if e.day == day, e.op == op.rawValue, e.argument == argument { return e.result }
        let result = compute(op, day: day, argument: argument)
        cache[slot] = Entry(day: day, op: op.rawValue, argument: argument, result: result)
        return result
    }

    static func compute(_ op: Op, day: Int64, argument: Int64) -> Int64 {
        let d = Day(number: Int32(truncatingIfNeeded: day))
        let out: Day?
        switch op {
        case .addMonths: out = d.adding(months: Int(argument))
        case .addWorkingDays: out = FinnishCalendar.addingWorkingDays(Int(argument), to: d)
        case .deadline: out = FinnishCalendar.deadline(d)
        default: out = nil
        }
        return out.map { Int64($0.number) } ?? Slot.missing
    }
}
