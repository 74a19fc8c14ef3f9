import LinjaBase
import LinjaSyntax
import LinjaModel

/// Decides clients over a window with the compiled evaluator: each client
/// on `as_of`, then again only on the days a `ChangePlan` watch changes for
/// it. The decision of any day is the compiled program of that day (the one
/// `linja run --as-of DAY` uses), so the result is what deciding on every
/// day gives.
///
/// Watches only matter through rules that can give something to the client
/// in the window: a rule out of the client's municipality, or one whose
/// condition has a part without the date that is false for the client (its
/// `ChangePlan.ruleGates`), gives nothing on any day, and its watches are
/// not looked at.
///
/// Not thread-safe: one per thread.
public final class TimelineEvaluator {
    public let plan: ChangePlan
    public let policy: Policy
    let paramOverrides: [Int: Value]
    /// One compiled evaluator per day of the window, made when first needed.
    var evaluators: [Evaluator?]
    /// Computes anchors that are not a plain field, and rule gates.
    let helper: Evaluator

    /// A threshold watch, flat (no reference counting when read per client).
    struct ThresholdWatch {
        var watch: Int
        /// The anchor's field, when it is one; else its function.
        var slot: Int
        var function: Function?
        /// Where its limits start in `limits` (and its values in `below`).
        var offset: Int
        /// +1: `below` is the same every day and the limit never falls; -1:
        /// never rises (one change at most, found by binary search); 0: scanned.
        var monotone: Int
    }
    let thresholds: [ThresholdWatch]
    /// Per threshold (same order): days its value changes when the anchor is missing.
    let missingDays: [[Int]]
    /// Every threshold's limits per day, one after another (`length + 1` each).
    let limits: [Int32]
    let below: [Bool]
    let dailyWatches: [Int]
    /// The shared and in-force watches' changes, by day: (day, watch).
    let sharedChanges: [(day: Int, watch: Int)]

    /// The rules each watch matters through: `watchRules[watchRuleStart[w] ..< watchRuleStart[w + 1]]`.
    let watchRuleStart: [Int]
    let watchRules: [Int]
    /// Per rule: its gate functions' range in `gates`, and its scope.
    let gateStart: [Int]
    let gates: [Function]
    let scopes: [MunicipalitySet?]
    let municipalitySlot: Int?

    // Per client, reused.
    // Per client, reused; the per-day and per-rule marks are plain memory
    // (read and written many times per client, with no reference counting
    // and no run-time exclusivity check).
    var stamp: Int32 = 0
    let marked: UnsafeMutablePointer<Int32>
    let dayCount: Int
    var flips: [(day: Int32, watch: Int32)] = []
    var gives: [Give] = []
    var previousGives: [Give] = []
    var startGives: [Give] = []
    var redo: [Int] = []
    var compiled: [Int32] = []
    /// Per day: each rule's index in that day's program, made with its evaluator.
    var ruleIndexes: [[Int32]?]
    /// Per rule: whether it can give the client anything, known when `ruleStamp[r] == stamp`.
    let ruleStamp: UnsafeMutablePointer<Int32>
    let ruleLive: UnsafeMutablePointer<Bool>
    let ruleCount: Int
    /// Whether the helper has started the current client.
    var helperStarted = false
    /// Decisions made so far (one per client and day decided), for measuring.
    public private(set) var decisionCount = 0

    public init(plan: ChangePlan, paramOverrides: [Int: Value] = [:]) {
        self.plan = plan
        self.policy = plan.policy
        self.paramOverrides = paramOverrides
        let length = plan.window.length
        self.evaluators = Array(repeating: nil, count: length + 1)
        self.ruleIndexes = Array(repeating: nil, count: length + 1)
        self.dayCount = length + 1
        self.marked = .allocate(capacity: length + 1)
        marked.initialize(repeating: 0, count: length + 1)
        var compiler = Compiler(policy: plan.policy, asOf: plan.window.asOf, paramOverrides: paramOverrides)
        var pending: [(watch: Int, threshold: Threshold, slot: Int, function: Function?)] = []
        var daily: [Int] = []
        var shared = Array(repeating: [Int](), count: length + 1)
        for (i, w) in plan.watches.enumerated() {
            switch w.kind {
            case .threshold(let t):
                if case .field(let s) = t.anchor.kind {
                    pending.append((i, t, s, nil))
                } else {
                    pending.append((i, t, -1, compiler.function(t.anchor)))
                }
            case .daily:
                daily.append(i)
            case .shared(let values):
                for d in 1..<max(1, values.count) where values[d] != values[d - 1] { shared[d].append(i) }
            case .inForce(_, let values):
                for d in 1..<max(1, values.count) where values[d] != values[d - 1] { shared[d].append(i) }
            }
        }
        var gateFunctions: [Function] = []
        var gateStart: [Int] = []
        for g in plan.ruleGates {
            gateStart.append(gateFunctions.count)
            for e in g { gateFunctions.append(compiler.function(e)) }
        }
        gateStart.append(gateFunctions.count)
        let anchorFunctions = pending.compactMap(\.function)
        let (program, functions) = compiler.program(keeping: anchorFunctions + gateFunctions)
        var next = 0
        var built: [ThresholdWatch] = []
        var missing: [[Int]] = []
        var limits: [Int32] = [], below: [Bool] = []
        for p in pending {
            var function: Function?
            if p.function != nil, next < anchorFunctions.count {
                function = functions[next]
                next += 1
            }
            let m = p.threshold.whenMissing
            missing.append((1..<max(1, m.count)).filter { m[$0] != m[$0 - 1] })
            let l = p.threshold.limits, b = p.threshold.below
            var monotone = 0
            if b.allSatisfy({ $0 == b[0] }) {
                if zip(l, l.dropFirst()).allSatisfy({ $0 <= $1 }) { monotone = 1 }
                else if zip(l, l.dropFirst()).allSatisfy({ $0 >= $1 }) { monotone = -1 }
            }
            built.append(ThresholdWatch(watch: p.watch, slot: p.slot, function: function, offset: limits.count, monotone: monotone))
            limits += l
            below += b
        }
        self.limits = limits
        self.below = below
        self.helper = Evaluator(policy: plan.policy, program: program)
        self.thresholds = built
        self.missingDays = missing
        self.dailyWatches = daily
        self.sharedChanges = shared.enumerated().flatMap { d, ws in ws.map { (d, $0) } }
        self.gates = Array(functions.dropFirst(anchorFunctions.count))
        self.gateStart = gateStart
        var starts: [Int] = [], rules: [Int] = []
        for w in plan.watches {
            starts.append(rules.count)
            rules += w.rules
        }
        starts.append(rules.count)
        self.watchRuleStart = starts
        self.watchRules = rules
        self.scopes = plan.policy.rules.map(\.scope)
        self.ruleCount = max(1, plan.policy.rules.count)
        self.ruleStamp = .allocate(capacity: ruleCount)
        ruleStamp.initialize(repeating: 0, count: ruleCount)
        self.ruleLive = .allocate(capacity: ruleCount)
        ruleLive.initialize(repeating: false, count: ruleCount)
        self.municipalitySlot = plan.policy.record?.fields.first { $0.type.base == .municipality }?.slot
    }

    deinit {
        marked.deallocate()
        ruleStamp.deallocate()
        ruleLive.deallocate()
    }

    /// The compiled evaluator of day `i` of the window.
    public func evaluator(day i: Int) -> Evaluator {
        if let e = evaluators[i] { return e }
        let e = Evaluator(policy: policy, asOf: plan.window.day(i), paramOverrides: paramOverrides)
        evaluators[i] = e
        return e
    }

    /// Whether rule `r` can give the client anything in the window: in its
    /// municipality, and every gate true (one that cannot be evaluated counts
    /// as true). Worked out once per client, when first asked.
    func isLive(_ r: Int, row: UnsafePointer<Int64>, texts: [String]) -> Bool {
        if ruleStamp[r] == stamp { return ruleLive[r] }
        var live = true
        if let scope = scopes[r] {
            let m = municipalitySlot.map { Int(row[$0]) } ?? -1
            live = scope.contains(m)
        }
        if live {
            for g in gateStart[r]..<gateStart[r + 1] {
                if !helperStarted {
                    helper.start(row: row, texts: texts)
                    helperStarted = true
                }
                if let v = try? helper.run(gates[g], row: row, texts: texts), v == 0 {
                    live = false
                    break
                }
            }
        }
        ruleStamp[r] = stamp
        ruleLive[r] = live
        return live
    }

    /// Whether watch `w` matters for the client: a rule it is read by is live.
    func matters(_ w: Int, row: UnsafePointer<Int64>, texts: [String]) -> Bool {
        for k in watchRuleStart[w]..<watchRuleStart[w + 1] where isLive(watchRules[k], row: row, texts: texts) { return true }
        return false
    }

    /// The steps of the client's timeline; the day-0 gives are left in `startGives`.
    func steps(row: UnsafePointer<Int64>, texts: [String], values: () -> [Value]) throws -> [ClientTimeline.Step] {
        let length = plan.window.length
        stamp &+= 1
        if stamp == 0 {
            marked.update(repeating: 0, count: dayCount)
            ruleStamp.update(repeating: 0, count: ruleCount)
            stamp = 1
        }
        // The buffers as locals while the client is worked on (given back at the end).
        var flips: [(day: Int32, watch: Int32)] = [], gives: [Give] = [], previousGives: [Give] = [], startGives: [Give] = []
        var redo: [Int] = [], compiled: [Int32] = []
        swap(&flips, &self.flips); swap(&gives, &self.gives); swap(&previousGives, &self.previousGives)
        swap(&startGives, &self.startGives); swap(&redo, &self.redo); swap(&compiled, &self.compiled)
        defer {
            swap(&flips, &self.flips); swap(&gives, &self.gives); swap(&previousGives, &self.previousGives)
            swap(&startGives, &self.startGives); swap(&redo, &self.redo); swap(&compiled, &self.compiled)
        }
        flips.removeAll(keepingCapacity: true)
        func flip(_ day: Int, _ watch: Int) { flips.append((Int32(day), Int32(watch))) }
        var client: [Value]?
        func clientValues() -> [Value] {
            if let c = client { return c }
            let c = values()
            client = c
            return c
        }
        helperStarted = false
        func byDay(_ w: Int) {
            let c = clientValues()
            var previous = plan.value(of: w, client: c, day: 0)
            for d in stride(from: 1, through: length, by: 1) {
                let v = plan.value(of: w, client: c, day: d)
                if v != previous { flip(d, w) }
                previous = v
            }
        }
        if length > 0 {
            // Where each watch changes, then only the changes that matter.
            for c in sharedChanges { flip(c.day, c.watch) }
            let range = ChangePlan.anchorRange
            for k in thresholds.indices {
                let t = thresholds[k]
                var raw: Int64
                if t.slot >= 0 {
                    raw = row[t.slot]
                } else if let f = t.function {
                    if !helperStarted {
                        helper.start(row: row, texts: texts)
                        helperStarted = true
                    }
                    guard let v = try? helper.run(f, row: row, texts: texts) else {
                        if matters(t.watch, row: row, texts: texts) { byDay(t.watch) }
                        continue
                    }
                    raw = v
                } else {
                    continue
                }
                if raw == Slot.missing {
                    for d in missingDays[k] { flip(d, t.watch) }
                    continue
                }
                guard raw >= Int64(range.lowerBound), raw <= Int64(range.upperBound) else {
                    if matters(t.watch, row: row, texts: texts) { byDay(t.watch) }
                    continue
                }
                scan(Int32(truncatingIfNeeded: raw), t, length, into: &flips)
            }
            for w in dailyWatches where matters(w, row: row, texts: texts) { byDay(w) }
            if !flips.isEmpty {
                var kept = 0
                for i in flips.indices where matters(Int(flips[i].watch), row: row, texts: texts) {
                    // `marked` is unchecked memory: a day outside the window would be a bug, never a write.
                    let day = Int(flips[i].day)
                    assert(day >= 1 && day <= length, "a change outside the window")
                    guard day >= 1, day <= length else { continue }
                    flips[kept] = flips[i]
                    kept += 1
                    marked[day] = stamp
                }
                flips.removeSubrange(kept...)
            }
        }
        // Day 0, then the marked days.
        let e0 = evaluator(day: 0)
        try e0.decideGives(row: row, texts: texts)
        decisionCount += 1
        copyGives(e0, into: &previousGives)
        startGives.removeAll(keepingCapacity: true)
        startGives.append(contentsOf: previousGives)
        var previous: Decision?
        var steps: [ClientTimeline.Step] = []
        if length > 0, !flips.isEmpty {
            for d in 1...length where marked[d] == stamp {
                // Only the rules whose watches change today can decide differently.
                redo.removeAll(keepingCapacity: true)
                for f in flips where Int(f.day) == d {
                    let w = Int(f.watch)
                    for k in watchRuleStart[w]..<watchRuleStart[w + 1] {
                        let r = watchRules[k]
                        if isLive(r, row: row, texts: texts), !redo.contains(r) { redo.append(r) }
                    }
                }
                redo.sort()
                let e = evaluator(day: d)
                let index = ruleIndex(day: d)
                compiled.removeAll(keepingCapacity: true)
                for r in redo where index[r] >= 0 { compiled.append(index[r]) }
                try e.decideGives(row: row, texts: texts, compiledRules: compiled)
                decisionCount += 1
                // The other rules' gives stay: merge in rule order.
                gives.removeAll(keepingCapacity: true)
                var fresh = 0
                let freshCount = e.lastGiveCount
                for g in previousGives where !redo.contains(Int(g.rule)) {
                    while fresh < freshCount, e.give(fresh).rule < g.rule {
                        gives.append(e.give(fresh))
                        fresh += 1
                    }
                    gives.append(g)
                }
                while fresh < freshCount {
                    gives.append(e.give(fresh))
                    fresh += 1
                }
                if gives == previousGives { continue }
                let before = previous ?? Decision(outcomes: Decision.resolve(previousGives, rules: policy.rules), statuses: nil)
                let now = Decision(outcomes: Decision.resolve(gives, rules: policy.rules), statuses: nil)
                swap(&gives, &previousGives)
                previous = now
                if now.outcomes == before.outcomes { continue }
                let changed = flips.filter { Int($0.day) == d }.map { Int($0.watch) }
                steps.append(ClientTimeline.Step(day: d, decision: now, watches: changed))
            }
        }
        return steps
    }

    /// The client's timeline. `values` gives the client as values, asked
    /// for only when a watch must be evaluated day by day. Throws when the
    /// client cannot be decided on a day it is decided on.
    public func timeline(row: UnsafePointer<Int64>, texts: [String], values: () -> [Value]) throws -> ClientTimeline {
        let steps = try steps(row: row, texts: texts, values: values)
        return ClientTimeline(start: Decision(outcomes: Decision.resolve(startGives, rules: policy.rules), statuses: nil), steps: steps)
    }

    /// The timeline when the client's decision changes in the window, else
    /// nil (and no decision is built: most clients' is the same throughout).
    public func changes(row: UnsafePointer<Int64>, texts: [String], values: () -> [Value]) throws -> ClientTimeline? {
        let steps = try steps(row: row, texts: texts, values: values)
        guard !steps.isEmpty else { return nil }
        return ClientTimeline(start: Decision(outcomes: Decision.resolve(startGives, rules: policy.rules), statuses: nil), steps: steps)
    }

    /// Per rule: its index in day `d`'s program (-1 when not in force).
    func ruleIndex(day d: Int) -> [Int32] {
        if let r = ruleIndexes[d] { return r }
        let r = evaluator(day: d).compiledRuleIndex
        ruleIndexes[d] = r
        return r
    }

    /// The days a threshold changes for an anchor inside the range: for a
    /// monotone one, where the limit passes the anchor (found by binary
    /// search), else every day compared with the day before.
    @inline(__always)
    func scan(_ anchor: Int32, _ t: ThresholdWatch, _ length: Int, into flips: inout [(day: Int32, watch: Int32)]) {
        func flip(_ day: Int, _ watch: Int) { flips.append((Int32(day), Int32(watch))) }
        limits.withUnsafeBufferPointer { lp in
            guard let base = lp.baseAddress else { return }
            let l = base + t.offset
            if t.monotone != 0 {
                // Anchors before the limit are on one side: the side changes
                // on the first day the limit passes the anchor.
                let before0 = anchor < l[0], beforeEnd = anchor < l[length]
                guard before0 != beforeEnd else { return }
                var lo = 0, hi = length   // (anchor < l[lo]) == before0, (anchor < l[hi]) == beforeEnd
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if (anchor < l[mid]) == before0 { lo = mid } else { hi = mid }
                }
                flip(hi, t.watch)
                return
            }
            below.withUnsafeBufferPointer { bp in
                guard let bBase = bp.baseAddress else { return }
                let b = bBase + t.offset
                var previous = anchor < l[0] ? b[0] : !b[0]
                for d in 1...length {
                    let h = anchor < l[d] ? b[d] : !b[d]
                    if h != previous { flip(d, t.watch) }
                    previous = h
                }
            }
        }
    }

    @inline(__always)
    func copyGives(_ e: Evaluator, into out: inout [Give]) {
        out.removeAll(keepingCapacity: true)
        for k in 0..<e.lastGiveCount { out.append(e.give(k)) }
    }
}
