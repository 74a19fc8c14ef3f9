import LinjaBase
import LinjaSyntax
import LinjaModel
import LinjaRuntime
import LinjaData

/// Targets and goals evaluated for a period: actuals from indicator data
/// or computed over clients, per-year targets pro-rated, statuses by the
/// verdict policy's tolerances, goal verdicts by its rules (all from the
/// rule files: nothing here decides what counts as achieved).

public struct TargetResult: Sendable {
    public var target: Int
    /// The actual for the whole area, if any.
    public var actual: Value?
    /// The target value compared against: pro-rated for per-year targets.
    public var effectiveTarget: Value?
    /// Days covered / days in the year, when pro-rated.
    public var prorated: (days: Int, of: Int)?
    public var status: TargetStatus
    /// For an assessed target: the status its assessment counts as.
    public var countsAs: TargetStatus?
    public var assessment: String?
    public var note: String?
    public enum Source: Sendable, Equatable { case data(row: Int), clients, none }
    public var source: Source
    /// Per municipality: the actual, how many clients it rests on and what
    /// kind of figure it is (for disclosure control), and its status.
    public var byMunicipality: [Int: LocalResult]
    public var byGroup: [Int: LocalResult]
    /// What kind of figure the area's actual is, when computed over clients.
    public var areaFigure: MeasuredFigure?

    /// The status used for goal verdicts.
    public var effectiveStatus: TargetStatus { status == .assessed ? (countsAs ?? .no_data) : status }
}

/// A target's actual in one municipality or group.
public struct LocalResult: Sendable {
    public var value: Value?
    /// The clients the figure rests on (a share's `among` group, an
    /// average's clients); nil for indicator data.
    public var n: Int?
    public var status: TargetStatus
    /// What kind of figure it is, for disclosure control; nil for indicator data.
    public var figure: MeasuredFigure?
    /// The municipality's own target, when the data gives it (`given euros`).
    public var target: Value?

    public init(value: Value?, n: Int?, status: TargetStatus, figure: MeasuredFigure? = nil, target: Value? = nil) {
        self.target = target
        self.value = value
        self.n = n
        self.status = status
        self.figure = figure
    }
}

/// The kind of figure a measured target computes, with the counts under it.
public enum MeasuredFigure: Sendable, Equatable {
    /// A count of clients.
    case count(Int)
    /// `numerator` of `group` clients.
    case share(numerator: Int, group: Int)
    case average(group: Int)
    case median(group: Int)
    case sum(group: Int)
    case extreme(group: Int)
    /// Several aggregates combined (a ratio): the smallest group under them.
    case composite(group: Int)
}

public struct GoalResult: Sendable {
    public var goal: Int
    public var verdict: String?
    public var targets: [TargetResult]
    /// Notes from the data ("Tieto päivittyy vko 16").
    public var notes: [String]
}

public struct GoalEvaluation: Sendable {
    public var period: Period
    public var asOf: Day?
    public var goals: [GoalResult]
    /// Clients the aggregates were computed over.
    public var clients: Int?
}

public struct GoalEngine {
    public let policy: Policy
    public let period: Period
    public var indicators: [IndicatorValue] = []
    public var asOf: Day?
    public var paramOverrides: [Int: Value] = [:]

    public init(policy: Policy, period: Period) {
        self.policy = policy
        self.period = period
    }

    /// Per aggregate, per key (-1 overall, municipality id, or -2 - group id):
    /// counts and values.
    public struct Accumulator: Sendable {
        public var count = 0
        public var among = 0
        public var values: [Fixed] = []
        public var sum = Fixed(raw: 0)
        public var overflow = false
    }

    /// Aggregates over clients: each aggregate node's accumulators.
    public struct ClientAggregates: Sendable {
        public var accumulators: [[Int: Accumulator]]
        public var nodes: [TAggregate]
        public var clients = 0
        public var failures: [EvalError] = []
    }

    /// The aggregate nodes of every measured target, in order.
    public func aggregateNodes() -> [(target: Int, node: TAggregate)] {
        var out: [(Int, TAggregate)] = []
        func walk(_ e: TExpr, _ t: Int) {
            if case .aggregate(let a) = e.kind { out.append((t, a)) }
            e.forEachChild { walk($0, t) }
        }
        for t in policy.targets { if let m = t.measured { walk(m, t.id) } }
        return out
    }

    /// Computes every aggregate over the clients a reader gives.
    /// Aggregates over the clients `next` gives. A client that cannot be
    /// counted is kept in `failures` and, when `failed` is given, reported
    /// through it at once (so the caller can name the row it just read).
    public func aggregate(_ next: (inout ClientBatch) -> Bool?, asOf: Day,
                          failed: ((EvalError) -> Void)? = nil) -> ClientAggregates {
        let nodes = aggregateNodes().map(\.node)
        var result = ClientAggregates(accumulators: Array(repeating: [:], count: nodes.count), nodes: nodes)
        guard let record = policy.record, !nodes.isEmpty else { return result }
        var compiler = Compiler(policy: policy, asOf: asOf, paramOverrides: paramOverrides, period: period)
        struct Compiled { var filter: Function?; var among: Function?; var value: Function?; var valueType: LType? }
        let compiled = nodes.map { n in
            Compiled(filter: n.filter.map { compiler.function($0) }, among: n.among.map { compiler.function($0) },
                     value: n.value.map { compiler.function($0) }, valueType: n.value?.type)
        }
        let program = compiler.program()
        let evaluator = Evaluator(policy: policy, program: program)
        let mSlot = record.fields.firstIndex { $0.type.base == .municipality }
        var batch = ClientBatch(width: record.fields.count, capacity: 1)
        let groupsOf: [Int: [Int]] = {
            var g: [Int: [Int]] = [:]
            for grp in policy.groups { for m in grp.members.ids { g[m, default: []].append(grp.id) } }
            return g
        }()
        while true {
            batch.removeAll()
            guard let got = next(&batch) else { break }
            if !got { continue }
            // A client whose data the record rules out (a birth date after
            // as_of) is not counted, and is reported.
            let ruledOut: EvalError? = batch.slots.withUnsafeBufferPointer { p in
                guard let row = p.baseAddress else { return nil }
                do { try evaluator.checkRecord(row: row) } catch { return error as? EvalError }
                return nil
            }
            if let e = ruledOut {
                if result.failures.count < 100 { result.failures.append(e) }
                failed?(e)
                continue
            }
            result.clients += 1
            batch.slots.withUnsafeBufferPointer { p in
                guard let row = p.baseAddress else { return }
                let m = mSlot.map { Int(row[$0]) } ?? -1
                let keys = [-1] + (m >= 0 ? [m] + (groupsOf[m] ?? []).map { -2 - $0 } : [])
                for (i, c) in compiled.enumerated() {
                    do {
                        let pass = try c.filter.map { try evaluator.value(of: $0, row: row, texts: batch.texts) == 1 } ?? true
                        let inAmong = try c.among.map { try evaluator.value(of: $0, row: row, texts: batch.texts) == 1 } ?? true
                        var v: Fixed?
                        if pass, let vf = c.value {
                            let raw = try evaluator.value(of: vf, row: row, texts: batch.texts)
                            if raw != Slot.missing {
                                let integral = c.valueType?.base == .int || c.valueType?.base == .date
                                v = integral ? Fixed(integer: Int(raw)) : Fixed(raw: raw)
                            }
                        }
                        for k in keys {
                            var acc = result.accumulators[i][k] ?? Accumulator()
                            if nodes[i].kind == .share {
                                if inAmong {
                                    acc.among += 1
                                    if pass { acc.count += 1 }
                                }
                            } else if pass {
                                acc.count += 1
                                if let v {
                                    acc.values.append(v)
                                    if let s = acc.sum.adding(v) { acc.sum = s } else { acc.overflow = true }
                                }
                            }
                            result.accumulators[i][k] = acc
                        }
                    } catch let e as EvalError {
                        if result.failures.count < 100 { result.failures.append(e) }
                        failed?(e)
                    } catch {}
                }
            }
        }
        return result
    }

    /// The value of one aggregate for one key, and how many clients it rests on.
    static func value(_ node: TAggregate, _ acc: Accumulator?) -> (Value, Int) {
        let a = acc ?? Accumulator()
        switch node.kind {
        case .count: return (.int(Int64(a.count)), a.count)
        case .share:
            guard a.among > 0, let n = Fixed(integer: a.count * 100), let d = Fixed(integer: a.among), let r = n.divided(by: d) else {
                return (.missing, a.among)
            }
            return (.percent(r), a.among)
        case .sum:
            if a.overflow { return (.missing, a.count) }
            return (wrap(a.sum, node.value?.type), a.count)
        case .average:
            guard !a.values.isEmpty, !a.overflow, let n = Fixed(integer: a.values.count), let r = a.sum.divided(by: n) else { return (.missing, 0) }
            return (wrap(r, node.value?.type, average: true), a.values.count)
        case .median:
            guard !a.values.isEmpty else { return (.missing, 0) }
            let s = a.values.sorted()
            let mid = s.count / 2
            if s.count % 2 == 1 { return (wrap(s[mid], node.value?.type, average: true), s.count) }
            guard let sum = s[mid - 1].adding(s[mid]), let r = sum.divided(by: Fixed(raw: 2 * Fixed.scale)) else { return (.missing, s.count) }
            return (wrap(r, node.value?.type, average: true), s.count)
        case .minimum, .maximum:
            guard let m = node.kind == .minimum ? a.values.min() : a.values.max() else { return (.missing, 0) }
            if node.value?.type.base == .date, let i = m.integerValue { return (.date(Day(number: Int32(truncatingIfNeeded: i))), a.values.count) }
            return (wrap(m, node.value?.type), a.values.count)
        case .ratio:
            return (.missing, 0)
        }
    }

    static func wrap(_ f: Fixed, _ t: LType?, average: Bool = false) -> Value {
        switch t?.base {
        case .percent?: return .percent(f)
        case .money?: return .money(f)
        case .int?: if !average, let i = f.integerValue { return .int(i) }; return .decimal(f)
        default: return .decimal(f)
        }
    }

    /// Evaluates a measured target for one key using computed aggregates.
    func measuredValue(_ target: TargetDef, key: Int, aggregates: ClientAggregates, offset: Int, asOf: Day) -> (Value?, Int?) {
        let (v, n, _) = measured(target, key: key, aggregates: aggregates, offset: offset, asOf: asOf)
        return (v, n)
    }

    /// A measured target's value for one key, the clients it rests on, and
    /// what kind of figure it is.
    func measured(_ target: TargetDef, key: Int, aggregates: ClientAggregates, offset: Int, asOf: Day)
        -> (Value?, Int?, MeasuredFigure?) {
        guard let m = target.measured else { return (nil, nil, nil) }
        var index = offset
        var ns: [Int] = []
        var figures: [MeasuredFigure] = []
        var values: [Int: Value] = [:]
        // Aggregates in the order `aggregateNodes` walks them.
        func walk(_ e: TExpr) {
            if case .aggregate(let a) = e.kind {
                let acc = aggregates.accumulators[index][key] ?? Accumulator()
                let (v, n) = GoalEngine.value(a, acc)
                values[e.span.start] = v
                ns.append(n)
                switch a.kind {
                case .count: figures.append(.count(acc.count))
                case .share: figures.append(.share(numerator: acc.count, group: acc.among))
                case .average: figures.append(.average(group: n))
                case .median: figures.append(.median(group: n))
                case .sum: figures.append(.sum(group: n))
                case .minimum, .maximum: figures.append(.extreme(group: n))
                case .ratio: figures.append(.composite(group: n))
                }
                index += 1
            }
            e.forEachChild(walk)
        }
        walk(m)
        let figure: MeasuredFigure? = figures.count == 1 ? figures[0] : ns.min().map { .composite(group: $0) }
        var ev = ReferenceEvaluator(context: EvalContext(policy: policy, asOf: asOf, paramOverrides: paramOverrides, period: period), client: [])
        ev.aggregate = { a, span in
            if a.kind == .ratio {
                var inner = ReferenceEvaluator(context: ev.context, client: [])
                inner.aggregate = { _, s in values[s.start] ?? .missing }
                guard a.ratio.count == 2 else { return .missing }
                let x = try inner.eval(a.ratio[0]), y = try inner.eval(a.ratio[1])
                if x.isMissing || y.isMissing { return .missing }
                if case .int(0) = y { return .missing }
                return (try? Operators.arith(.div, x, y, span: span)) ?? .missing
            }
            return values[span.start] ?? .missing
        }
        let v = (try? ev.eval(m)) ?? .missing
        return (v.isMissing ? nil : v, ns.min(), figure)
    }

    /// Evaluates every goal for the period.
    public func evaluate(aggregates: ClientAggregates? = nil) -> GoalEvaluation {
        let verdicts = policy.verdicts
        var offsets: [Int: Int] = [:]
        var k = 0
        for (t, _) in aggregateNodes() {
            if offsets[t] == nil { offsets[t] = k }
            k += 1
        }
        var goals: [GoalResult] = []
        for g in policy.goals {
            var results: [TargetResult] = []
            var notes: [String] = []
            for tid in g.targets {
                let t = policy.targets[tid]
                var r = TargetResult(target: tid, actual: nil, effectiveTarget: t.value, prorated: nil, status: .no_data,
                                     countsAs: nil, assessment: nil, note: nil, source: .none, byMunicipality: [:], byGroup: [:],
                                     areaFigure: nil)
                if let tp = t.period, !period.within(tp) {
                    r.note = "the target is for \(tp)"
                    results.append(r)
                    continue
                }
                let rows = indicators.filter { $0.target == tid && $0.period == period }
                // A target given in the data is judged against each row's own target value.
                func judged(_ row: IndicatorValue) -> TargetDef {
                    var own = t
                    if t.valueGiven { own.value = row.targetValue }
                    return own
                }
                if let overall = rows.first(where: { $0.municipality == nil }) {
                    r.actual = overall.value
                    if t.valueGiven { r.effectiveTarget = overall.targetValue }
                    r.assessment = overall.assessment
                    r.note = overall.note
                    r.source = .data(row: overall.row)
                } else if t.measured != nil, let agg = aggregates, let asOf, let off = offsets[tid] {
                    let (v, _, f) = measured(t, key: -1, aggregates: agg, offset: off, asOf: asOf)
                    r.actual = v
                    r.areaFigure = f
                    r.source = .clients
                }
                // Per municipality and group from the clients, also where the
                // area's figure comes from indicator data (a municipality's
                // card shows its own).
                if t.measured != nil, let agg = aggregates, let asOf, let off = offsets[tid] {
                    for m in policy.municipalities {
                        let (mv, n, f) = measured(t, key: m.id, aggregates: agg, offset: off, asOf: asOf)
                        r.byMunicipality[m.id] = LocalResult(value: mv, n: n, status: GoalEngine.status(mv, t, period: period, verdicts: verdicts).0,
                                                             figure: f)
                    }
                    for grp in policy.groups {
                        let (gv, n, f) = measured(t, key: -2 - grp.id, aggregates: agg, offset: off, asOf: asOf)
                        r.byGroup[grp.id] = LocalResult(value: gv, n: n, status: GoalEngine.status(gv, t, period: period, verdicts: verdicts).0,
                                                        figure: f)
                    }
                }
                for row in rows where row.municipality != nil {
                    if let m = row.municipality {
                        r.byMunicipality[m] = LocalResult(value: row.value, n: nil, status: GoalEngine.status(row.value, judged(row), period: period, verdicts: verdicts).0,
                                                          target: t.valueGiven ? row.targetValue : nil)
                    }
                }
                if let n = r.note { notes.append(n) }
                if let a = r.assessment {
                    r.status = .assessed
                    r.countsAs = verdicts?.assessments.first { $0.name == a }?.countsAs
                } else if t.valueGiven {
                    if let overall = rows.first(where: { $0.municipality == nil }) {
                        r.status = GoalEngine.status(r.actual, judged(overall), period: period, verdicts: verdicts).0
                    } else {
                        r.status = GoalEngine.worst(policy.municipalities.map { r.byMunicipality[$0.id]?.status ?? .no_data })
                        if !r.byMunicipality.isEmpty { r.note = r.note ?? "the area's status is its municipalities' together (each against its own target)" }
                    }
                } else {
                    let (st, eff, pr) = GoalEngine.status(r.actual, t, period: period, verdicts: verdicts)
                    r.status = st
                    r.effectiveTarget = eff
                    r.prorated = pr
                }
                results.append(r)
            }
            goals.append(GoalResult(goal: g.id, verdict: GoalEngine.verdict(results, verdicts), targets: results, notes: notes))
        }
        return GoalEvaluation(period: period, asOf: asOf, goals: goals, clients: aggregates?.clients)
    }

    /// The area's status when each municipality has its own target and the
    /// area none: missed if any municipality missed, near if any is near,
    /// met only if every municipality met, no data otherwise.
    public static func worst(_ statuses: [TargetStatus]) -> TargetStatus {
        if statuses.contains(.missed) { return .missed }
        if statuses.contains(.near) { return .near }
        if !statuses.isEmpty, statuses.allSatisfy({ $0 == .met }) { return .met }
        return .no_data
    }

    /// A target's status for an actual: met, near (within the policy's
    /// tolerance), missed, or no data; with the pro-rated target.
    public static func status(_ actual: Value?, _ t: TargetDef, period: Period, verdicts: VerdictPolicy?)
        -> (TargetStatus, Value?, (days: Int, of: Int)?) {
        guard let target = t.value, let op = t.comparison else { return (actual == nil ? .no_data : .assessed, nil, nil) }
        var effective = target
        var prorated: (Int, Int)?
        if t.perYear, verdicts?.prorateperYear ?? false, period.kind != .year {
            let days = period.days, of = period.daysInYear
            if let f = Operators.fixed(target), let d = Fixed(integer: days), let y = Fixed(integer: of),
               let p = f.multiplied(by: d)?.divided(by: y) {
                effective = .decimal(p)
                prorated = (days, of)
            }
        }
        guard let a = actual else { return (.no_data, effective, prorated) }
        let binary: BinaryOp
        switch op {
        case .ge: binary = .ge
        case .gt: binary = .gt
        case .le: binary = .le
        case .lt: binary = .lt
        case .eq: binary = .eq
        }
        var met = (try? Operators.compare(binary, a, effective, span: .none)) ?? false
        if case .duration = effective, a.isPlainNumber, let x = magnitude(a), let y = magnitude(effective) {
            // A measured average of days against a target in days.
            met = (try? Operators.compare(binary, .decimal(x), .decimal(y), span: .none)) ?? false
        }
        if met { return (.met, effective, prorated) }
        guard let v = verdicts, let x = magnitude(a), let y = magnitude(effective),
              let diff = x.subtracting(y) else { return (.missed, effective, prorated) }
        let gap = Fixed(raw: diff.raw < 0 ? 0 &- diff.raw : diff.raw)
        let tolerance: Fixed?
        if t.unit == .percent {
            tolerance = v.nearPoints
        } else if let rel = v.nearRelative {
            let absTarget = Fixed(raw: y.raw < 0 ? 0 &- y.raw : y.raw)
            tolerance = absTarget.multiplied(by: rel)?.divided(by: Fixed(raw: 100 * Fixed.scale))
        } else {
            tolerance = nil
        }
        if let tol = tolerance, gap <= tol { return (.near, effective, prorated) }
        return (.missed, effective, prorated)
    }

    /// A value as an exact number for tolerances (durations by their length).
    static func magnitude(_ v: Value) -> Fixed? {
        switch v {
        case .duration(let d): return Fixed(integer: Operators.length(d))
        default: return Operators.fixed(v)
        }
    }

    /// The goal's verdict: the first of the policy's goal rules that holds.
    public static func verdict(_ results: [TargetResult], _ verdicts: VerdictPolicy?) -> String? {
        guard let v = verdicts else { return nil }
        let statuses = results.map(\.effectiveStatus)
        func holds(_ a: GoalAtom) -> Bool {
            let matches = statuses.map { s -> Bool in
                if let want = a.status { return s == want || (want == .assessed && false) }
                return s != .no_data
            }
            switch a.quantifier {
            case .any, .some: return matches.contains(true)
            case .no: return !matches.contains(true)
            case .every, .all: return !matches.isEmpty && !matches.contains(false)
            }
        }
        for rule in v.goalRules {
            guard let c = rule.condition else { return rule.label }
            if c.anyOf.contains(where: { $0.allSatisfy(holds) }) { return rule.label }
        }
        return nil
    }
}
