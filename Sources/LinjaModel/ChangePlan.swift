import LinjaBase
import LinjaSyntax

/// When a client's decision can change with time alone, over a window of
/// days, without any change to the record: spans grow, ages grow, deadlines
/// pass, rules and dated params take effect or lapse.
///
/// Deciding every client on every day of a window is exact and slow. The
/// plan finds, for each rule condition, exception and variant condition, the
/// parts whose value depends on `as_of` (its *watches*), and for each watch
/// a cheap way to tell on which days its value changes for a client. A
/// decision can change only on a day some watch changes (a value is a
/// function of its parts' values), so deciding a client again on those days
/// alone gives exactly what deciding it on every day gives.
///
/// Watches, from the cheapest:
/// - *shared*: reads no client (`month(as_of) in {6, 7}`, a dated param, a
///   rule's `from`/`until`): its value is computed once per day.
/// - *threshold*: a comparison monotone in one date of the client (its
///   *anchor*: `client.unemployed_since` in `unemployment > 3 months`, the
///   deadline in `as_of > initial_interview_due`). On each day it holds
///   exactly for the anchors below (or from) one limit, found here by
///   binary search with the reference evaluator, so it means exactly what
///   evaluation means (month ends, 29 February, working days and holidays
///   included). Equality becomes two such comparisons (`<=` and `>=`).
/// - *daily*: anything else that reads both the client and the date is
///   evaluated for the client on each day of the window. Exact, and slower.
public struct ChangePlan: Sendable {
    public let policy: Policy
    public let window: DayWindow
    /// The evaluation context of each day of the window (index 0: `as_of`).
    public let contexts: [EvalContext]
    public private(set) var watches: [TimeWatch] = []
    /// For each rule (policy order): the watches its conditions, exceptions
    /// and variants read.
    public private(set) var ruleWatches: [[Int]]
    /// For each rule: the parts of its condition, joined by `and`, that do
    /// not read the date. For a client for whom one is false the rule gives
    /// nothing on any day of the window, so its watches do not matter.
    public private(set) var ruleGates: [[TExpr]]
    /// Days (1...length) on which a watch every client shares changes value:
    /// every client is decided again on them.
    public private(set) var sharedDays: [Int] = []

    /// Anchors outside these dates are watched day by day (as the compiler
    /// folds thresholds only inside them).
    public static let anchorRange: ClosedRange<Int32> = {
        let lo = Day(year: 1600, month: 1, day: 1)?.number ?? 0
        let hi = Day(year: 2600, month: 12, day: 31)?.number ?? 0
        return lo...hi
    }()

    // Analysis state.
    var timeMemo: [Int: Bool] = [:]
    var clientMemo: [Int: Bool] = [:]
    var letWatches: [Int: [Int]?] = [:]
    var watchByKey: [String: Int] = [:]
    let overridden: Set<Int>

    public init(policy: Policy, window: DayWindow, paramOverrides: [Int: Value] = [:]) {
        self.policy = policy
        self.window = window
        self.overridden = Set(paramOverrides.keys)
        self.contexts = (0...window.length).map { EvalContext(policy: policy, asOf: window.day($0), paramOverrides: paramOverrides) }
        self.ruleWatches = Array(repeating: [], count: policy.rules.count)
        self.ruleGates = Array(repeating: [], count: policy.rules.count)
        for rule in policy.rules {
            var mine: [Int] = []
            if rule.from != nil || rule.until != nil {
                let inForce = (0...window.length).map { rule.isActive(on: window.day($0)) }
                // Never in force in the window: it gives nothing, whatever its conditions.
                if !inForce.contains(true) { continue }
                if inForce.contains(false) {
                    mine.append(add(TimeWatch(kind: .inForce(rule: rule.id, values: inForce), site: nil), key: "rule#\(rule.id)"))
                }
            }
            var conditions: [TExpr] = []
            if let c = rule.condition { conditions.append(c) }
            conditions += rule.exceptions.map(\.condition)
            conditions += rule.variants.compactMap(\.condition)
            for c in conditions {
                // A rule condition is a bool: a part that changes every day is
                // watched at the condition itself at the latest.
                mine += collect(c) ?? [daily(c)]
            }
            var seen = Set<Int>()
            ruleWatches[rule.id] = mine.filter { seen.insert($0).inserted }
            if let c = rule.condition { ruleGates[rule.id] = gates(c) }
        }
        for i in watches.indices {
            for r in policy.rules where ruleWatches[r.id].contains(i) { watches[i].rules.append(r.id) }
        }
        var days = Set<Int>()
        for w in watches {
            switch w.kind {
            case .shared(let values): for i in 1..<max(1, values.count) where values[i] != values[i - 1] { days.insert(i) }
            case .inForce(_, let values): for i in 1..<max(1, values.count) where values[i] != values[i - 1] { days.insert(i) }
            case .threshold, .daily: break
            }
        }
        sharedDays = days.sorted()
    }

    /// Whether any watch must be evaluated for each client on each day.
    public var hasDailyWatches: Bool {
        watches.contains { if case .daily = $0.kind { return true }; return false }
    }

    // MARK: Finding the watches

    mutating func add(_ w: TimeWatch, key: String) -> Int {
        if let i = watchByKey[key] { return i }
        watches.append(w)
        watchByKey[key] = watches.count - 1
        return watches.count - 1
    }

    /// The watches of `e`, or nil when `e` changes every day (a span, a date
    /// moving with `as_of`): its bool ancestor is then watched as a whole.
    mutating func collect(_ e: TExpr) -> [Int]? {
        if !readsTime(e) { return [] }
        if !readsClient(e) {
            // A date or span that moves with `as_of` would make every day a
            // day to decide every client on: its bool ancestor is watched
            // for each client instead.
            let values = sharedValues(e)
            if e.type.base != .bool, (1..<max(1, values.count)).filter({ values[$0] != values[$0 - 1] }).count > max(2, window.length / 8) {
                return nil
            }
            return [add(TimeWatch(kind: .shared(values), site: e), key: "shared:" + Self.key(e))]
        }
        if e.type.base == .bool, let w = threshold(e) { return w }
        switch e.kind {
        case .letRef(let l):
            if let memo = letWatches[l] { return memo }
            let w = l < policy.lets.count ? collect(policy.lets[l].expr) : nil
            letWatches[l] = .some(w)
            return w
        case .since, .asOf:
            return nil
        case .call(.age, let args) where args.count == 1:
            return nil
        default:
            var out: [Int] = []
            var everyDay = false
            for child in Self.children(e) {
                if let w = collect(child) { out += w } else { everyDay = true }
            }
            if everyDay {
                return e.type.base == .bool ? [daily(e)] : nil
            }
            return out
        }
    }

    /// The `and`-joined parts of a condition that do not read the date
    /// (looking into bool lets).
    mutating func gates(_ e: TExpr) -> [TExpr] {
        if !readsTime(e) { return [e] }
        switch e.kind {
        case .and(let a, let b): return gates(a) + gates(b)
        case .letRef(let l) where l < policy.lets.count: return gates(policy.lets[l].expr)
        default: return []
        }
    }

    func sharedValues(_ e: TExpr) -> [WatchValue] {
        contexts.map { ctx -> WatchValue in
            var ev = ReferenceEvaluator(context: ctx, client: [])
            return WatchValue { try ev.eval(e) }
        }
    }

    mutating func daily(_ e: TExpr) -> Int {
        add(TimeWatch(kind: .daily, site: e), key: "daily:" + Self.key(e))
    }

    /// `e` as threshold watches: a comparison with exactly one anchor (a
    /// date of the client) on one side, monotone in it, and nothing of the
    /// client on the other.
    mutating func threshold(_ e: TExpr) -> [Int]? {
        guard case .compare(let op, let a, let b) = e.kind else { return nil }
        var found: [String: TExpr] = [:]
        anchors(e, into: &found)
        guard found.count == 1, let (anchorKey, anchor) = found.first, anchor.type.base == .date else { return nil }
        let (aReads, bReads) = (contains(a, anchorKey), contains(b, anchorKey))
        guard aReads != bReads else { return nil }
        let subject = aReads ? a : b, other = aReads ? b : a
        guard !readsClient(other), let dir = direction(subject, anchorKey), dir != 0 else { return nil }
        let ops: [BinaryOp]
        switch op {
        case .lt, .le, .gt, .ge: ops = [op]
        case .eq, .neq: ops = [.le, .ge]
        default: return nil
        }
        var made: [(key: String, watch: TimeWatch)] = []
        for o in ops {
            let site = TExpr(.compare(o, a, b), .bool, e.span)
            let key = "threshold:" + Self.key(site)
            if let i = watchByKey[key] { made.append((key, watches[i])); continue }
            let probe = substitute(site, anchorKey, with: TExpr(.field(0), anchor.type, anchor.span))
            guard let t = limits(probe) else { return nil }
            made.append((key, TimeWatch(kind: .threshold(Threshold(anchor: anchor, limits: t.limits, below: t.below,
                                                                   whenMissing: t.whenMissing, written: e, anchorOnLeft: aReads,
                                                                   subjectIsAnchor: Self.key(subject) == anchorKey)),
                                        site: site)))
        }
        return made.map { add($0.watch, key: $0.key) }
    }

    /// On each day, the limit below which `probe` (reading the anchor as
    /// field 0) has one value and from which the other: found by galloping
    /// from the day before's limit, then binary search.
    func limits(_ probe: TExpr) -> (limits: [Int32], below: [Bool], whenMissing: [WatchValue])? {
        let range = Self.anchorRange
        var limits: [Int32] = [], below: [Bool] = [], whenMissing: [WatchValue] = []
        var guess = range.lowerBound + (range.upperBound - range.lowerBound) / 2
        for ctx in contexts {
            func holds(_ d: Int32) -> Bool? {
                var ev = ReferenceEvaluator(context: ctx, client: [.date(Day(number: d))])
                guard case .bool(let b)? = try? ev.eval(probe) else { return nil }
                return b
            }
            var ev = ReferenceEvaluator(context: ctx, client: [.missing])
            whenMissing.append(WatchValue { try ev.eval(probe) })
            guard let low = holds(range.lowerBound), let high = holds(range.upperBound) else { return nil }
            if low == high {
                // The same on the whole range (monotone): below the lowest limit nothing is.
                limits.append(range.lowerBound)
                below.append(!low)
                continue
            }
            // lo holds `low`, hi holds `high`; the limit is the first with `high`.
            var lo = range.lowerBound, hi = range.upperBound
            let g = min(max(guess, lo + 1), hi)
            guard let atG = holds(g) else { return nil }
            var step: Int32 = 1
            if atG == high {
                hi = g
                while true {
                    let probeAt = hi - step
                    if probeAt <= lo { break }
                    guard let v = holds(probeAt) else { return nil }
                    if v == high { hi = probeAt; step = step &* 2 } else { lo = probeAt; break }
                }
            } else {
                lo = g
                while true {
                    let probeAt = lo + step
                    if probeAt >= hi { break }
                    guard let v = holds(probeAt) else { return nil }
                    if v == low { lo = probeAt; step = step &* 2 } else { hi = probeAt; break }
                }
            }
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2
                guard let v = holds(mid) else { return nil }
                if v == low { lo = mid } else { hi = mid }
            }
            limits.append(hi)
            below.append(low)
            guess = hi
        }
        return (limits, below, whenMissing)
    }

    // MARK: What reads what

    /// Whether `e`'s value can depend on the date: `as_of`, `since`, `age`
    /// of one date, a param with dated values (not overridden).
    public mutating func readsTime(_ e: TExpr) -> Bool {
        switch e.kind {
        case .asOf, .since: return true
        case .call(.age, let args) where args.count == 1: return true
        case .param(let p):
            return p < policy.params.count && !policy.params[p].dated.isEmpty && !overridden.contains(p)
        case .letRef(let l):
            if let m = timeMemo[l] { return m }
            timeMemo[l] = false
            let r = l < policy.lets.count && readsTime(policy.lets[l].expr)
            timeMemo[l] = r
            return r
        default:
            for c in Self.children(e) where readsTime(c) { return true }
            return false
        }
    }

    /// Whether `e` reads the client (a field, a let that does, an aggregate).
    public mutating func readsClient(_ e: TExpr) -> Bool {
        switch e.kind {
        case .field, .aggregate: return true
        case .letRef(let l):
            if let m = clientMemo[l] { return m }
            clientMemo[l] = false
            let r = l < policy.lets.count && readsClient(policy.lets[l].expr)
            clientMemo[l] = r
            return r
        default:
            for c in Self.children(e) where readsClient(c) { return true }
            return false
        }
    }

    /// The largest parts of `e` that read the client and not the date,
    /// by structure (`key`).
    mutating func anchors(_ e: TExpr, into out: inout [String: TExpr]) {
        guard readsClient(e) else { return }
        if !readsTime(e) {
            out[Self.key(e)] = e
            return
        }
        if case .letRef(let l) = e.kind, l < policy.lets.count {
            anchors(policy.lets[l].expr, into: &out)
            return
        }
        for c in Self.children(e) { anchors(c, into: &out) }
    }

    /// Whether `e` holds the anchor (looking into the lets it inlines).
    mutating func contains(_ e: TExpr, _ anchorKey: String) -> Bool {
        if Self.key(e) == anchorKey { return true }
        guard readsClient(e), readsTime(e) else { return false }
        if case .letRef(let l) = e.kind, l < policy.lets.count { return contains(policy.lets[l].expr, anchorKey) }
        for c in Self.children(e) where contains(c, anchorKey) { return true }
        return false
    }

    /// How `e` moves as the anchor grows, on any one day: +1 never down,
    /// -1 never up, 0 not at all, nil unknown. For a span, how its length
    /// moves (what comparing it with a duration sees).
    mutating func direction(_ e: TExpr, _ anchorKey: String) -> Int? {
        if Self.key(e) == anchorKey { return 1 }
        if !contains(e, anchorKey) { return 0 }
        func combine(_ x: Int?, _ y: Int?) -> Int? {
            guard let x, let y else { return nil }
            if x == 0 { return y }
            if y == 0 || x == y { return x }
            return nil
        }
        switch e.kind {
        case .unwrap(let a): return direction(a, anchorKey)
        case .letRef(let l): return l < policy.lets.count ? direction(policy.lets[l].expr, anchorKey) : nil
        case .since(let a): return direction(a, anchorKey).map { -$0 }
        case .negate(let a): return direction(a, anchorKey).map { -$0 }
        case .otherwise(let a, let b):
            // With the anchor present nothing else of the client is missing: `a` decides.
            return contains(b, anchorKey) ? nil : direction(a, anchorKey)
        case .call(let f, let args):
            switch (f, args.count) {
            case (.age, 1), (.deadline, 1), (.year, 1), (.days, 1), (.months, 1), (.years, 1):
                let d = direction(args[0], anchorKey)
                return f == .age ? d.map { -$0 } : d
            case (.age_on, 2), (.days_between, 2), (.working_days, 2):
                return combine(direction(args[0], anchorKey).map { -$0 }, direction(args[1], anchorKey))
            case (.min, 2), (.max, 2):
                return combine(direction(args[0], anchorKey), direction(args[1], anchorKey))
            default: return nil
            }
        case .arith(let op, let x, let y):
            switch (op, x.type.base, y.type.base) {
            case (.add, .date, .duration), (.add, .duration, .date):
                let (date, duration) = x.type.base == .date ? (x, y) : (y, x)
                return contains(duration, anchorKey) ? nil : direction(date, anchorKey)
            case (.sub, .date, .duration):
                return contains(y, anchorKey) ? nil : direction(x, anchorKey)
            case (.sub, .date, .date):
                // x - y is the span from y to x.
                return combine(direction(x, anchorKey), direction(y, anchorKey).map { -$0 })
            case (.add, _, _) where x.type.base.isNumeric && y.type.base.isNumeric:
                return combine(direction(x, anchorKey), direction(y, anchorKey))
            case (.sub, _, _) where x.type.base.isNumeric && y.type.base.isNumeric:
                return combine(direction(x, anchorKey), direction(y, anchorKey).map { -$0 })
            default: return nil
            }
        default: return nil
        }
    }

    /// `e` with the anchor replaced by `replacement`, the lets that hold it inlined.
    mutating func substitute(_ e: TExpr, _ anchorKey: String, with replacement: TExpr) -> TExpr {
        if Self.key(e) == anchorKey { return replacement }
        guard contains(e, anchorKey) else { return e }
        func sub(_ x: TExpr) -> TExpr { substitute(x, anchorKey, with: replacement) }
        var out = e
        switch e.kind {
        case .letRef(let l):
            guard l < policy.lets.count else { return e }
            return substitute(policy.lets[l].expr, anchorKey, with: replacement)
        case .constant, .field, .param, .asOf, .periodBound, .error, .aggregate: return e
        case .unwrap(let a): out.kind = .unwrap(sub(a))
        case .not(let a): out.kind = .not(sub(a))
        case .and(let a, let b): out.kind = .and(sub(a), sub(b))
        case .or(let a, let b): out.kind = .or(sub(a), sub(b))
        case .otherwise(let a, let b): out.kind = .otherwise(sub(a), sub(b))
        case .isMissing(let a, let n): out.kind = .isMissing(sub(a), negated: n)
        case .compare(let op, let a, let b): out.kind = .compare(op, sub(a), sub(b))
        case .arith(let op, let a, let b): out.kind = .arith(op, sub(a), sub(b))
        case .negate(let a): out.kind = .negate(sub(a))
        case .since(let a): out.kind = .since(sub(a))
        case .inGroup(let a, let b): out.kind = .inGroup(sub(a), sub(b))
        case .inSet(let a, let b): out.kind = .inSet(sub(a), sub(b))
        case .call(let f, let args): out.kind = .call(f, args.map(sub))
        case .ifElse(let c, let a, let b): out.kind = .ifElse(sub(c), sub(a), sub(b))
        case .caseOf(let s, let branches, let o):
            out.kind = .caseOf(sub(s), branches.map { CaseBranch(values: $0.values, result: sub($0.result)) }, o.map(sub))
        }
        return out
    }

    static func children(_ e: TExpr) -> [TExpr] {
        var out: [TExpr] = []
        e.forEachChild { out.append($0) }
        return out
    }

    /// The structure of an expression as text (spans left out), to tell
    /// the same anchor or site met twice.
    public static func key(_ e: TExpr) -> String {
        func k(_ x: TExpr) -> String { key(x) }
        switch e.kind {
        case .constant(let v): return "c(\(v))"
        case .field(let s): return "f\(s)"
        case .param(let p): return "p\(p)"
        case .letRef(let l): return "l\(l)"
        case .asOf: return "now"
        case .periodBound(let start): return start ? "pstart" : "pend"
        case .error: return "err"
        case .aggregate: return "agg@\(e.span.start)"
        case .unwrap(let a): return "u(\(k(a)))"
        case .not(let a): return "not(\(k(a)))"
        case .and(let a, let b): return "and(\(k(a)),\(k(b)))"
        case .or(let a, let b): return "or(\(k(a)),\(k(b)))"
        case .otherwise(let a, let b): return "ow(\(k(a)),\(k(b)))"
        case .isMissing(let a, let n): return "miss\(n)(\(k(a)))"
        case .compare(let op, let a, let b): return "cmp\(op.rawValue)(\(k(a)),\(k(b)))"
        case .arith(let op, let a, let b): return "ar\(op.rawValue)(\(k(a)),\(k(b)))"
        case .negate(let a): return "neg(\(k(a)))"
        case .since(let a): return "since(\(k(a)))"
        case .inGroup(let a, let b): return "ing(\(k(a)),\(k(b)))"
        case .inSet(let a, let b): return "ins(\(k(a)),\(k(b)))"
        case .call(let f, let args): return "\(f.rawValue)(\(args.map(k).joined(separator: ",")))"
        case .ifElse(let c, let a, let b): return "if(\(k(c)),\(k(a)),\(k(b)))"
        case .caseOf(let s, let branches, let o):
            return "case(\(k(s));" + branches.map { "\($0.values)=>\(k($0.result))" }.joined(separator: ";") + ";\(o.map(k) ?? "-"))"
        }
    }
}

// MARK: - Watches

/// The value of a watched part on one day: a value, or an evaluation that failed.
public enum WatchValue: Hashable, Sendable {
    case value(Value)
    case failed

    public init(_ body: () throws -> Value) {
        if let v = try? body() { self = .value(v) } else { self = .failed }
    }
}

/// A comparison monotone in one date of the client.
public struct Threshold: Sendable {
    /// The client's date it is monotone in (reads no date itself).
    public var anchor: TExpr
    /// Per day of the window: anchors before `limits[i]` make it `below[i]`, the others `!below[i]`.
    public var limits: [Int32]
    public var below: [Bool]
    /// Per day: its value when the anchor is missing.
    public var whenMissing: [WatchValue]
    /// The comparison as written (an equality is watched as `<=` and `>=`).
    public var written: TExpr
    /// Whether the anchor is on the comparison's left.
    public var anchorOnLeft: Bool
    /// Whether that side is the anchor itself (`as_of > initial_interview_due`).
    public var subjectIsAnchor: Bool

    /// Its value on day `i` for an anchor inside `ChangePlan.anchorRange`.
    @inline(__always)
    public func holds(_ anchor: Int32, day i: Int) -> Bool {
        anchor < limits[i] ? below[i] : !below[i]
    }
}

/// A part of the rules whose value can change with the date.
public struct TimeWatch: Sendable {
    public enum Kind: Sendable {
        /// Reads no client: its value on each day.
        case shared([WatchValue])
        /// A rule's `from`/`until`: whether it is in force on each day.
        case inForce(rule: Int, values: [Bool])
        /// Monotone in one date of the client.
        case threshold(Threshold)
        /// Evaluated for the client on each day.
        case daily
    }

    public var kind: Kind
    /// What is evaluated (nil for `inForce`).
    public var site: TExpr?
    /// The rules whose conditions read it.
    public var rules: [Int] = []

    init(kind: Kind, site: TExpr?) {
        self.kind = kind
        self.site = site
    }
}

/// One client's decisions over a window: the decision on `as_of`, then one
/// step for each later day on which it differs from the day before (in any
/// outcome, destination or deciding rule).
public struct ClientTimeline: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        /// Offset in the window (1...length).
        public var day: Int
        /// The decision from this day on (until the next step).
        public var decision: Decision
        /// The plan's watches that change value on this day for the client.
        public var watches: [Int]

        public init(day: Int, decision: Decision, watches: [Int]) {
            self.day = day
            self.decision = decision
            self.watches = watches
        }
    }

    public var start: Decision
    public var steps: [Step]

    public init(start: Decision, steps: [Step]) {
        self.start = start
        self.steps = steps
    }
}

// MARK: - The window

/// The days from `as_of` (offset 0) to `end`.
public struct DayWindow: Sendable, Equatable {
    public let asOf: Day
    public let end: Day
    /// Windows longer than this are refused (they would take long to plan).
    public static let maxLength = 20_000

    public init?(asOf: Day, end: Day) {
        guard end >= asOf, Int(end.number) - Int(asOf.number) <= DayWindow.maxLength else { return nil }
        self.asOf = asOf
        self.end = end
    }

    /// The window `as_of < date ≤ as_of + span` (months clamp at month end).
    public init?(asOf: Day, within span: Duration) {
        guard let end = span.added(to: asOf) else { return nil }
        self.init(asOf: asOf, end: end)
    }

    /// Days after `as_of` in the window.
    public var length: Int { Int(end.number) - Int(asOf.number) }
    public func day(_ i: Int) -> Day { Day(number: asOf.number &+ Int32(truncatingIfNeeded: i)) }
    public func offset(_ d: Day) -> Int { Int(d.number) - Int(asOf.number) }
}

// MARK: - Reference use

extension ChangePlan {
    /// The value of watch `w` for a client on day `i` (plain reference evaluation).
    public func value(of w: Int, client: [Value], day i: Int) -> WatchValue {
        let watch = watches[w]
        switch watch.kind {
        case .shared(let values): return values[i]
        case .inForce(_, let values): return .value(.bool(values[i]))
        case .threshold, .daily:
            guard let site = watch.site else { return .failed }
            var ev = ReferenceEvaluator(context: contexts[i], client: client)
            return WatchValue { try ev.eval(site) }
        }
    }

    /// The days (1...length, ascending) on which any watch changes value for
    /// the client, with the watches that change on each: a superset of the
    /// days its decision changes. Plain reference evaluation, for tests, the
    /// REPL and checking the fast path.
    public func changeDays(client: [Value]) -> [(day: Int, watches: [Int])] {
        var byDay: [Int: [Int]] = [:]
        for w in watches.indices {
            var previous = value(of: w, client: client, day: 0)
            for i in stride(from: 1, through: window.length, by: 1) {
                let v = value(of: w, client: client, day: i)
                if v != previous { byDay[i, default: []].append(w) }
                previous = v
            }
        }
        return byDay.keys.sorted().map { ($0, byDay[$0] ?? []) }
    }
}
