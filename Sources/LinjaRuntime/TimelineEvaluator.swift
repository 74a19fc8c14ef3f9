import LinjaBase
import LinjaSyntax
import LinjaModel

/// Decides clients over a window with the compiled evaluator: each client
/// on `as_of`, then again only on the days a `ChangePlan` watch changes for
/// it. The decision of any day is the compiled program of that day (the one
/// `linja run --as-of DAY` uses), so the result is what deciding on every
/// day gives.
///
/// Not thread-safe: one per thread.
public final class TimelineEvaluator {
    public let plan: ChangePlan
    public let policy: Policy
    let paramOverrides: [Int: Value]
    /// One compiled evaluator per day of the window, made when first needed.
    var evaluators: [Evaluator?]
    /// Computes the anchors of threshold watches that are not a plain field.
    let anchorEvaluator: Evaluator
    struct ThresholdWatch {
        var watch: Int
        var threshold: Threshold
        /// The anchor's field, when it is one.
        var slot: Int?
        var function: Function?
        /// Days its value changes for a client whose anchor is missing.
        var missingDays: [Int]
    }
    let thresholds: [ThresholdWatch]
    let dailyWatches: [Int]
    let sharedByDay: [[Int]]
    // Per client, reused.
    var stamp: Int32 = 0
    var marked: [Int32]
    var flips: [(day: Int32, watch: Int32)] = []
    var gives: [Give] = []
    var previousGives: [Give] = []

    public init(plan: ChangePlan, paramOverrides: [Int: Value] = [:]) {
        self.plan = plan
        self.policy = plan.policy
        self.paramOverrides = paramOverrides
        self.evaluators = Array(repeating: nil, count: plan.window.length + 1)
        self.marked = Array(repeating: 0, count: plan.window.length + 1)
        var compiler = Compiler(policy: plan.policy, asOf: plan.window.asOf, paramOverrides: paramOverrides)
        var pending: [(watch: Int, threshold: Threshold, slot: Int?, function: Function?)] = []
        var daily: [Int] = []
        var shared = Array(repeating: [Int](), count: plan.window.length + 1)
        for (i, w) in plan.watches.enumerated() {
            switch w.kind {
            case .threshold(let t):
                if case .field(let s) = t.anchor.kind {
                    pending.append((i, t, s, nil))
                } else {
                    pending.append((i, t, nil, compiler.function(t.anchor)))
                }
            case .daily:
                daily.append(i)
            case .shared(let values):
                for d in 1..<max(1, values.count) where values[d] != values[d - 1] { shared[d].append(i) }
            case .inForce(_, let values):
                for d in 1..<max(1, values.count) where values[d] != values[d - 1] { shared[d].append(i) }
            }
        }
        let (program, functions) = compiler.program(keeping: pending.compactMap(\.function))
        var next = 0
        var built: [ThresholdWatch] = []
        for p in pending {
            var function: Function?
            if p.function != nil, next < functions.count {
                function = functions[next]
                next += 1
            }
            let m = p.threshold.whenMissing
            let missingDays = (1..<max(1, m.count)).filter { m[$0] != m[$0 - 1] }
            built.append(ThresholdWatch(watch: p.watch, threshold: p.threshold, slot: p.slot, function: function, missingDays: missingDays))
        }
        self.anchorEvaluator = Evaluator(policy: plan.policy, program: program)
        self.thresholds = built
        self.dailyWatches = daily
        self.sharedByDay = shared
    }

    /// The compiled evaluator of day `i` of the window.
    public func evaluator(day i: Int) -> Evaluator {
        if let e = evaluators[i] { return e }
        let e = Evaluator(policy: policy, asOf: plan.window.day(i), paramOverrides: paramOverrides)
        evaluators[i] = e
        return e
    }

    @inline(__always)
    func mark(_ day: Int, _ watch: Int) {
        marked[day] = stamp
        flips.append((Int32(day), Int32(watch)))
    }

    /// The client's timeline. `values` gives the client as values, asked
    /// for only when a watch must be evaluated day by day. Throws when the
    /// client cannot be decided on a day it is decided on.
    public func timeline(row: UnsafePointer<Int64>, texts: [String], values: () -> [Value]) throws -> ClientTimeline {
        let length = plan.window.length
        stamp &+= 1
        if stamp == 0 {
            for i in marked.indices { marked[i] = 0 }
            stamp = 1
        }
        flips.removeAll(keepingCapacity: true)
        var client: [Value]?
        func clientValues() -> [Value] {
            if let c = client { return c }
            let c = values()
            client = c
            return c
        }
        func byDay(_ w: Int) {
            let c = clientValues()
            var previous = plan.value(of: w, client: c, day: 0)
            for d in stride(from: 1, through: length, by: 1) {
                let v = plan.value(of: w, client: c, day: d)
                if v != previous { mark(d, w) }
                previous = v
            }
        }
        if length > 0 {
            for d in 1...length { for w in sharedByDay[d] { mark(d, w) } }
            let range = ChangePlan.anchorRange
            for t in thresholds {
                var raw: Int64
                if let s = t.slot {
                    raw = row[s]
                } else if let f = t.function {
                    guard let v = try? anchorEvaluator.value(of: f, row: row, texts: texts) else {
                        byDay(t.watch)
                        continue
                    }
                    raw = v
                } else {
                    byDay(t.watch)
                    continue
                }
                if raw == Slot.missing {
                    for d in t.missingDays { mark(d, t.watch) }
                    continue
                }
                guard raw >= Int64(range.lowerBound), raw <= Int64(range.upperBound) else {
                    byDay(t.watch)
                    continue
                }
                let anchor = Int32(truncatingIfNeeded: raw)
                let limits = t.threshold.limits, below = t.threshold.below
                var previous = anchor < limits[0] ? below[0] : !below[0]
                for d in 1...length {
                    let h = anchor < limits[d] ? below[d] : !below[d]
                    if h != previous { mark(d, t.watch) }
                    previous = h
                }
            }
            for w in dailyWatches { byDay(w) }
        }
        // Day 0, then the marked days.
        let e0 = evaluator(day: 0)
        try e0.decideGives(row: row, texts: texts)
        copyGives(e0, into: &previousGives)
        let first = Decision(outcomes: Decision.resolve(previousGives, rules: policy.rules), statuses: nil)
        var previous = first
        var steps: [ClientTimeline.Step] = []
        if length > 0 {
            for d in 1...length where marked[d] == stamp {
                let e = evaluator(day: d)
                try e.decideGives(row: row, texts: texts)
                copyGives(e, into: &gives)
                if gives == previousGives { continue }
                let before = previous
                let now = Decision(outcomes: Decision.resolve(gives, rules: policy.rules), statuses: nil)
                swap(&gives, &previousGives)
                previous = now
                if now.outcomes == before.outcomes { continue }
                let changed = flips.filter { Int($0.day) == d }.map { Int($0.watch) }
                steps.append(ClientTimeline.Step(day: d, decision: now, watches: changed))
            }
        }
        return ClientTimeline(start: first, steps: steps)
    }

    @inline(__always)
    func copyGives(_ e: Evaluator, into out: inout [Give]) {
        out.removeAll(keepingCapacity: true)
        for k in 0..<e.lastGiveCount { out.append(e.give(k)) }
    }
}
