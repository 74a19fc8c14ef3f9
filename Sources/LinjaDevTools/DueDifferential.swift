import Foundation
import Linja

/// `linja due` against deciding every day: generated clients with dates put
/// where time-dependent conditions turn (month ends, 29 February, birthdays
/// that make 30 and 55, deadlines before weekends and holidays, dates inside
/// the window), decided by the fast path (`TimelineEvaluator`), by the
/// compiled evaluator on every day of the window (what `linja run` gives on
/// each day), and on a sample by the reference evaluator, on every day and
/// on the days the plan names. Every timeline must be the same.
public struct DueDifferential {
    /// Rules whose date conditions are not monotone in `as_of`, added to an
    /// area's policy: months of the year, equality on ages and spans,
    /// `if`/`case` on dates, working days, a param with dated values, a rule
    /// in force between dates, an exception and a municipal variant.
    public static let testRules = """
    outcome flag summer_check "Kesäajan tarkistus"
    outcome flag round_birthday "Tasavuosisyntymäpäivä"
    outcome flag exactly_at_limit "Työttömyys tasan rajalla"
    outcome flag working_days_passed "Arkipäiväraja ylittyi"
    outcome flag year_check "Vuoden tarkistus"
    outcome refer review "Tarkistus" to area_review "alueen tarkistus", municipal_review "kunnan tarkistus"
    outcome flag seasonal "Kausiehto"
    outcome flag either_date "Päivämääräehto"
    outcome flag deadline_reached "Määräpäivä saavutettu"

    param review_window "Tarkistusväli" = 30 days
      from 2026-06-01 = 45 days
      from 2026-12-01 = 20 days
      from 2027-03-01 = 60 days

    rule summer "Kesä" when month(as_of) in {6, 7} and unemployed then flag summer_check

    rule round_birthday "Tasavuosi" when age = 30 or age = 40 or age = 55 then flag round_birthday

    rule exactly_at_limit "Raja" when unemployment = career_guidance_after otherwise false
      then flag exactly_at_limit

    rule working_days_passed "Arkipäivät"
      when client.initial_interview_on is missing and working_days(client.job_search_started, as_of) > 7
      then flag working_days_passed

    rule year_check "Vuosi" when year(as_of) = 2027 and age < 35 then flag year_check

    rule review "Tarkistus"
      when since client.job_search_started <= review_window and client.job_search_started <= as_of
      unless client.status is short_layoff
      then refer review to area_review
      in municipal_coaching:
        then refer review to municipal_review

    rule seasonal "Kausi"
      when case month(as_of) { 12, 1, 2 => age >= 50, 6, 7, 8 => age < 30, else => months(unemployment) = 5 otherwise false }
      then flag seasonal
      from 2026-05-15
      until 2027-11-30

    rule either_date "Päivämäärä"
      when (if (client.plan_updated_on otherwise client.job_search_started) > as_of - 2 months
            then unemployed else age_on(client.birth_date, as_of + 1 month) >= 40)
      then flag either_date

    outcome flag decade "Vuosikymmen"
    outcome flag long_gap "Pitkä väli"

    rule decade "Vuosikymmen" when case age { 30, 40, 50 => unemployed, else => false } or age in {33, 44} then flag decade

    rule long_gap "Väli"
      when days_between(client.job_search_started, as_of) > days_between(client.birth_date, client.job_search_started) / 50
      then flag long_gap

    rule deadline_reached "Määräpäivä"
      when as_of >= deadline(client.job_search_started + 5 working days) and days_between(client.job_search_started, as_of) < 40
      then flag deadline_reached
    """

    /// An area's policy with `testRules` added.
    public static func testPolicy(area directory: String) -> Policy {
        Policy.load(directory: directory, extraFiles: [SourceFile(path: Paths.display(directory) + "/due-test-rules.linja", text: testRules)])
    }

    public struct Report: Sendable {
        public var policy: String
        public var clients = 0
        public var days = 0
        /// Clients whose timelines all agree.
        public var agreeing = 0
        /// Clients compared with the reference evaluator too.
        public var referenceCompared = 0
        /// Clients that cannot be decided on some day of the window (left out).
        public var undecidable = 0
        /// Changes found (over all clients).
        public var changes = 0
        /// Days the fast path decided clients on, beyond `as_of` (over all clients).
        public var decisionDays = 0
        public var watches = 0
        public var dailyWatches = 0
        public var disagreements: [String] = []
        public var seconds = 0.0
    }

    public var clients: Int
    public var days: Int
    public var asOf: Day
    public var seed: UInt64 = 1
    /// Every n-th client is decided with the reference evaluator too.
    public var referenceEvery = 10
    public var log: (String) -> Void = { _ in }

    public init(clients: Int, days: Int, asOf: Day) {
        self.clients = clients
        self.days = days
        self.asOf = asOf
    }

    public func run(_ policy: Policy) -> Report {
        let t0 = Stopwatch.now()
        var report = Report(policy: Paths.display(policy.directory))
        guard let record = policy.record, let window = DayWindow(asOf: asOf, end: asOf.adding(days: days) ?? asOf) else {
            report.disagreements.append("the policy has no record, or the window is outside the calendar")
            return report
        }
        report.days = window.length
        let plan = ChangePlan(policy: policy, window: window)
        report.watches = plan.watches.count
        report.dailyWatches = plan.watches.filter { if case .daily = $0.kind { return true }; return false }.count
        let fast = TimelineEvaluator(plan: plan)
        let reference = ReferenceTimeline(plan: plan)
        // The programs `linja run --as-of DAY` uses, one per day (made once, shared with the fast path).
        let everyDay = (0...window.length).map { fast.evaluator(day: $0) }
        var normal = ClientGenerator(policy: policy, asOf: asOf, seed: seed)
        var adversarial = ClientGenerator(policy: policy, asOf: asOf, seed: seed &+ 1)
        adversarial.adversarial = true
        var rng = SeededRandom(seed: seed &+ 2)
        for i in 1...max(1, clients) where clients > 0 {
            var values = i % 2 == 0 ? adversarial.next(index: i) : normal.next(index: i)
            if i % 4 != 1 { values = Self.moveDates(values, record: record, window: window, rng: &rng) }
            report.clients += 1
            var batch = ClientBatch(width: record.fields.count)
            batch.append(values, record: record)
            // Every day, compiled: the truth.
            let truth: ClientTimeline
            do {
                truth = try Self.timeline(values, everyDay)
            } catch {
                report.undecidable += 1
                continue
            }
            let fastResult = Result {
                try batch.slots.withUnsafeBufferPointer { p -> ClientTimeline in
                    guard let row = p.baseAddress else { throw EvalError(message: "no row", span: .none) }
                    return try fast.timeline(row: row, texts: batch.texts, values: { values })
                }
            }
            var problems: [String] = []
            switch fastResult {
            case .success(let t):
                if !Self.same(t, truth) { problems.append("due: \(Self.describe(t, window, policy))") }
                report.decisionDays += t.steps.count
            case .failure(let e):
                problems.append("due failed: \(e)")
            }
            if i % max(1, referenceEvery) == 0 {
                report.referenceCompared += 1
                switch Result(catching: { try reference.everyDay(values) }) {
                case .success(let t): if !Self.same(t, truth) { problems.append("reference, every day: \(Self.describe(t, window, policy))") }
                case .failure(let e): problems.append("reference, every day, failed: \(e)")
                }
                switch Result(catching: { try reference.timeline(values) }) {
                case .success(let t): if !Self.same(t, truth) { problems.append("reference, planned days: \(Self.describe(t, window, policy))") }
                case .failure(let e): problems.append("reference, planned days, failed: \(e)")
                }
            }
            report.changes += truth.steps.count
            if problems.isEmpty {
                report.agreeing += 1
            } else if report.disagreements.count < 10 {
                let shown = zip(record.fields, values).map { "\($0.name)=\(ValueFormatter(policy: policy).text($1))" }.joined(separator: " ")
                report.disagreements.append("client \(i) [\(shown)]\n    every day: \(Self.describe(truth, window, policy))\n    "
                                            + problems.joined(separator: "\n    "))
            } else {
                report.disagreements.append("client \(i)")
            }
            if i % 100_000 == 0 { log("\(report.policy): \(i) clients") }
        }
        report.seconds = Double(Stopwatch.now() - t0) / 1e9
        return report
    }

    /// Decided with one compiled evaluator per day, on every day.
    static func timeline(_ values: [Value], _ evaluators: [Evaluator]) throws -> ClientTimeline {
        let start = try evaluators[0].decide(values)
        var previous = start.outcomes
        var steps: [ClientTimeline.Step] = []
        for d in 1..<evaluators.count {
            let now = try evaluators[d].decide(values)
            if now.outcomes != previous {
                steps.append(ClientTimeline.Step(day: d, decision: now, watches: []))
                previous = now.outcomes
            }
        }
        return ClientTimeline(start: start, steps: steps)
    }

    /// The same decisions on the same days (the watches named may differ).
    static func same(_ a: ClientTimeline, _ b: ClientTimeline) -> Bool {
        a.start.outcomes == b.start.outcomes && a.steps.count == b.steps.count
            && zip(a.steps, b.steps).allSatisfy { $0.day == $1.day && $0.decision.outcomes == $1.decision.outcomes }
    }

    static func describe(_ t: ClientTimeline, _ window: DayWindow, _ policy: Policy) -> String {
        func outcomes(_ d: Decision) -> String {
            d.outcomes.map { o in
                let def = policy.outcomes[o.outcome]
                return def.name + (o.destination.map { "→" + def.destinations[$0] } ?? "") + "(" + o.rules.map { policy.rules[$0].name }.joined(separator: ",") + ")"
            }.joined(separator: " ")
        }
        return "[\(outcomes(t.start))] " + t.steps.map { "\(window.day($0.day)): [\(outcomes($0.decision))]" }.joined(separator: "; ")
    }

    /// Dates moved to where conditions turn inside the window.
    static func moveDates(_ values: [Value], record: RecordType, window: DayWindow, rng: inout SeededRandom) -> [Value] {
        var out = values
        for f in record.fields where f.type.base == .date && f.slot < out.count {
            guard rng.chance(0.5) else { continue }
            if f.type.isOptional, rng.chance(0.08) {
                out[f.slot] = .missing
                continue
            }
            let inWindow = window.day(rng.int(0...max(0, window.length)))
            var d: Day?
            switch rng.int(0...9) {
            case 0: d = inWindow
            case 1: d = inWindow.adding(months: -[1, 2, 3, 5, 12, 14][rng.int(0...5)])
            case 2: d = inWindow.adding(months: -3).flatMap { $0.adding(days: rng.int(-1...1)) }
            case 3: d = inWindow.adding(years: -[29, 30, 34, 35, 39, 40, 49, 50, 54, 55][rng.int(0...9)])
            case 4:
                // Born on 29 February, turning 30 or 55 in or near the window.
                var y = window.asOf.year - [30, 55][rng.int(0...1)] + rng.int(-1...2)
                while !Day.isLeap(y) { y -= 1 }
                d = Day(year: y, month: 2, day: 29)
            case 5:
                // A month's last day.
                let m = inWindow.adding(months: -rng.int(0...14)) ?? inWindow
                d = Day(year: m.year, month: m.month, day: Day.daysIn(month: m.month, year: m.year))
            case 6:
                // A few days before a public holiday or a weekend.
                let holidays = FinnishCalendar.holidays(year: inWindow.year)
                if let h = holidays.isEmpty ? nil : holidays[rng.int(0...(holidays.count - 1))].day {
                    d = h.adding(days: -rng.int(0...12))
                }
            case 7: d = inWindow.adding(days: -rng.int(0...60))
            case 8: d = window.end.adding(days: rng.int(0...40))
            default: d = nil
            }
            // A field that may not be after the evaluation date (a birth date)
            // keeps its day of the year, moved back a year at a time: its
            // anniversaries still fall in the window, and the client can be decided.
            if f.notAfterAsOf != nil {
                while let x = d, x > window.asOf { d = x.adding(years: -1) }
            }
            if let d { out[f.slot] = .date(d) }
        }
        return out
    }
}
