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
    /// [0]: generation, [1]: failed flag.
    let state: UnsafeMutablePointer<UInt32>
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

    public init(program: Program, record: RecordType) {
        self.program = program
        self.record = record
        codeCount = program.code.count
        code = .allocate(capacity: max(1, codeCount))
        for (i, ins) in program.code.enumerated() { (code + i).initialize(to: ins) }
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
        state = .allocate(capacity: 2)
        state.initialize(repeating: 0, count: 2)
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
    }

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
            case .jumpIfOutside:
                if !reg(ins.b) || ins.a < 0 || ins.c < 0 || Int(ins.c) > n { return false }
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
    func exec(_ start: Int, _ row: UnsafePointer<Int64>) {
        var pc = start
        let code = self.code, r = self.regs, codeCount = self.codeCount
        while pc < codeCount {
            let i = code[pc]
            pc &+= 1
            let a = Int(i.a)
            switch i.op {
            case .loadField: r[a] = row[Int(i.b)]
            case .loadConst: r[a] = i.imm
            case .move: r[a] = r[Int(i.b)]
            case .jump: pc = Int(i.c)
            case .jumpIfFalse: if r[a] == 0 { pc = Int(i.c) }
            case .jumpIfTrue: if r[a] != 0 && r[a] != Slot.missing { pc = Int(i.c) }
            case .jumpIfMissing: if r[a] == Slot.missing { pc = Int(i.c) }
            case .jumpIfPresent: if r[a] != Slot.missing { pc = Int(i.c) }
            case .not: r[a] = r[Int(i.b)] == 0 ? 1 : 0
            case .isMissing: r[a] = r[Int(i.b)] == Slot.missing ? 1 : 0
            case .isPresent: r[a] = r[Int(i.b)] == Slot.missing ? 0 : 1
            case .cmp: r[a] = VM.relation(i.rel, r[Int(i.b)], r[Int(i.c)]) ? 1 : 0
            case .cmpK: r[a] = VM.relation(i.rel, r[Int(i.b)], i.imm) ? 1 : 0
            case .addI:
                let (v, o) = r[Int(i.b)].addingReportingOverflow(r[Int(i.c)])
                if o || v == Slot.missing { fail("the result is too large", i.imm); r[a] = Slot.missing } else { r[a] = v }
            case .subI:
                let (v, o) = r[Int(i.b)].subtractingReportingOverflow(r[Int(i.c)])
                if o || v == Slot.missing { fail("the result is too large", i.imm); r[a] = Slot.missing } else { r[a] = v }
            case .mulI:
                let (v, o) = r[Int(i.b)].multipliedReportingOverflow(by: r[Int(i.c)])
                if o || v == Slot.missing { fail("the result is too large", i.imm); r[a] = Slot.missing } else { r[a] = v }
            case .negI, .negF:
                let (v, o) = Int64(0).subtractingReportingOverflow(r[Int(i.b)])
                if o { fail("the result is too large", i.imm); r[a] = Slot.missing } else { r[a] = v }
            case .absI, .absF:
                let x = r[Int(i.b)]
                if x == Int64.min + 1 || x == Slot.missing { fail("the result is too large", i.imm); r[a] = Slot.missing }
                else { r[a] = x < 0 ? -x : x }
            case .addF, .subF, .mulF, .divF, .mulFPercent:
                let x = Fixed(raw: r[Int(i.b)]), y = Fixed(raw: r[Int(i.c)])
                var v: Fixed?
                switch i.op {
                case .addF: v = x.adding(y)
                case .subF: v = x.subtracting(y)
                case .mulF: v = x.multiplied(by: y)
                case .mulFPercent: v = x.multiplied(by: y).flatMap { $0.divided(by: Fixed(raw: 100 * Fixed.scale)) }
                default:
                    if y.raw == 0 { fail("division by zero", i.imm); r[a] = Slot.missing; continue }
                    v = x.divided(by: y)
                }
                if let v, v.raw != Slot.missing { r[a] = v.raw } else { fail("the result is too large", i.imm); r[a] = Slot.missing }
            case .toFixed:
                let (v, o) = r[Int(i.b)].multipliedReportingOverflow(by: Fixed.scale)
                if o || v == Slot.missing { fail("the result is too large", i.imm); r[a] = Slot.missing } else { r[a] = v }
            case .addDays:
                if let out = Day(number: Int32(truncatingIfNeeded: r[Int(i.b)])).adding(days: Int(i.imm)) {
                    r[a] = Int64(out.number)
                } else {
                    fail("the date is outside the calendar", Int64(i.c))
                    r[a] = Slot.missing
                }
            case .addMonths, .addWorkingDays:
                let v = DayCache.value(dayCache, op: i.op, day: r[Int(i.b)], argument: i.imm)
                if v == Slot.missing { fail("the date is outside the calendar", Int64(i.c)) }
                r[a] = v
            case .deadline:
                let v = DayCache.value(dayCache, op: .deadline, day: r[Int(i.b)], argument: 0)
                if v == Slot.missing { fail("the date is outside the calendar", i.imm) }
                r[a] = v
            case .age, .ageOn:
                let born = Day(number: Int32(truncatingIfNeeded: r[Int(i.b)]))
                let on = Day(number: Int32(truncatingIfNeeded: i.op == .age ? i.imm : r[Int(i.c)]))
                r[a] = Int64(LinjaBase.age(born: born, on: on))
            case .monthsSpan:
                let s = Day(number: Int32(truncatingIfNeeded: r[Int(i.b)]))
                let e = Day(number: Int32(truncatingIfNeeded: r[Int(i.c)]))
                r[a] = Int64(calendarSpan(from: s, to: e).months) / i.imm
            case .workingDaysBetween:
                let s = Day(number: Int32(truncatingIfNeeded: r[Int(i.b)]))
                let e = Day(number: Int32(truncatingIfNeeded: r[Int(i.c)]))
                r[a] = Int64(FinnishCalendar.workingDays(from: s, to: e))
            case .year: r[a] = Int64(Day(number: Int32(truncatingIfNeeded: r[Int(i.b)])).year)
            case .month: r[a] = Int64(Day(number: Int32(truncatingIfNeeded: r[Int(i.b)])).month)
            case .min: r[a] = Swift.min(r[Int(i.b)], r[Int(i.c)])
            case .max: r[a] = Swift.max(r[Int(i.b)], r[Int(i.c)])
            case .inMask:
                let x = r[Int(i.b)]
                r[a] = x >= 0 && x < 63 ? (i.imm >> x) & 1 : 0
            case .inBits:
                let x = r[Int(i.b)]
                let off = Int(bitRange[2 * Int(i.c)]), count = Int(bitRange[2 * Int(i.c) + 1])
                if x >= 0, x / 64 < Int64(count) {
                    r[a] = Int64((bitWords[off + Int(x / 64)] >> UInt64(x % 64)) & 1)
                } else {
                    r[a] = 0
                }
            case .inList:
                let x = r[Int(i.b)]
                let off = Int(listRange[2 * Int(i.c)]), count = Int(listRange[2 * Int(i.c) + 1])
                var found: Int64 = 0
                for k in 0..<count where listValues[off + k] == x { found = 1; break }
                r[a] = found
            case .eqText:
                let x = Int(r[Int(i.b)])
                let same = x >= 0 && x < texts.count && texts[x] == program.strings[Int(i.c)]
                r[a] = same != (i.rel == 1) ? 1 : 0
            case .letCall:
                let l = Int(i.b)
                let generation = state[0]
                if letGeneration[l] != generation {
                    let s = Int(letStart[l])
                    if s >= 0 {
                        exec(s, row)
                        letValues[l] = r[Int(letResult[l])]
                    } else {
                        letValues[l] = Slot.missing
                    }
                    letGeneration[l] = generation
                }
                r[a] = letValues[l]
            case .reference:
                r[a] = reference(Int(i.b), row)
            case .checkPresent:
                if r[a] == Slot.missing { fail("a value shown present is missing", i.imm) }
            case .ret:
                return
            case .jumpIfCmpK: if VM.relation(i.rel, r[Int(i.b)], i.imm) { pc = Int(i.c) }
            case .jumpIfCmp: if VM.relation(i.rel, r[a], r[Int(i.b)]) { pc = Int(i.c) }
            case .jumpIfOutside:
                if UInt64(bitPattern: r[Int(i.b)] &- i.imm) > UInt64(UInt32(bitPattern: i.a)) { pc = Int(i.c) }
            case .retK:
                r[a] = i.imm
                return
            }
        }
    }

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
