/// Runs compiled functions over one client's slots. One per thread: it owns
/// its registers and the per-client memo of lets.
public final class VM {
    public let program: Program
    let record: RecordType
    var regs: [Int64]
    var letValues: [Int64]
    var letGeneration: [UInt32]
    var generation: UInt32 = 1
    /// Set when an evaluation fails (overflow, a date outside the calendar).
    public private(set) var failure: EvalError?
    var texts: [String] = []
    var row: UnsafePointer<Int64>?

    public init(program: Program, record: RecordType) {
        self.program = program
        self.record = record
        self.regs = Array(repeating: 0, count: max(1, program.registerCount))
        self.letValues = Array(repeating: 0, count: program.lets.count)
        self.letGeneration = Array(repeating: 0, count: program.lets.count)
    }

    /// Starts a new client: forgets memoised lets and any failure.
    @inline(__always)
    public func begin(row: UnsafePointer<Int64>, texts: [String]) {
        generation &+= 1
        if generation == 0 {
            for i in letGeneration.indices { letGeneration[i] = 0 }
            generation = 1
        }
        self.row = row
        self.texts = texts
        failure = nil
    }

    func fail(_ message: String, _ spanIndex: Int64) {
        if failure == nil {
            let s = spanIndex >= 0 && Int(spanIndex) < program.spans.count ? program.spans[Int(spanIndex)] : .none
            failure = EvalError(message: message, span: s)
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
    public func run(_ f: Function) -> Int64 {
        guard let row else { return Slot.missing }
        return program.code.withUnsafeBufferPointer { code in
            regs.withUnsafeMutableBufferPointer { r in
                exec(code, f.start, r, row)
            }
            return regs[Int(f.result)]
        }
    }

    /// The interpreter loop.
    func exec(_ code: UnsafeBufferPointer<Instr>, _ start: Int, _ r: UnsafeMutableBufferPointer<Int64>, _ row: UnsafePointer<Int64>) {
        var pc = start
        let n = code.count
        while pc < n {
            let i = code[pc]
            pc += 1
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
            case .addDays, .addMonths, .addWorkingDays:
                let d = Day(number: Int32(truncatingIfNeeded: r[Int(i.b)]))
                let out: Day?
                switch i.op {
                case .addDays: out = d.adding(days: Int(i.imm))
                case .addMonths: out = d.adding(months: Int(i.imm))
                default: out = FinnishCalendar.addingWorkingDays(Int(i.imm), to: d)
                }
                if let out { r[a] = Int64(out.number) } else { fail("the date is outside the calendar", Int64(i.c)); r[a] = Slot.missing }
            case .deadline:
                if let out = FinnishCalendar.deadline(Day(number: Int32(truncatingIfNeeded: r[Int(i.b)]))) { r[a] = Int64(out.number) }
                else { fail("the date is outside the calendar", i.imm); r[a] = Slot.missing }
            case .age, .ageOn:
                let born = Day(number: Int32(truncatingIfNeeded: r[Int(i.b)]))
                let on = Day(number: Int32(truncatingIfNeeded: r[Int(i.c)]))
                r[a] = Int64(Linja.age(born: born, on: on))
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
                r[a] = x >= 0 && x <= Int64(Int32.max) && program.bitsets[Int(i.c)].contains(Int(x)) ? 1 : 0
            case .inList:
                r[a] = program.lists[Int(i.c)].contains(r[Int(i.b)]) ? 1 : 0
            case .eqText:
                let x = Int(r[Int(i.b)])
                let same = x >= 0 && x < texts.count && texts[x] == program.strings[Int(i.c)]
                r[a] = same != (i.rel == 1) ? 1 : 0
            case .letCall:
                let l = Int(i.b)
                if letGeneration[l] != generation {
                    if let f = program.lets[l] {
                        exec(code, f.start, r, row)
                        letValues[l] = r[Int(f.result)]
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
            if failure == nil { failure = error }
        } catch {
            fail("\(error)", -1)
        }
        return Slot.missing
    }
}
