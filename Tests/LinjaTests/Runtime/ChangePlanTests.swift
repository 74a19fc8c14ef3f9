import Testing
@testable import Linja

/// The change plan: which parts of a condition change with the date alone,
/// how each is watched, and that the days it names give exactly what
/// deciding on every day gives.
struct ChangePlanTests {
    enum Kind: String, Sendable { case threshold, shared, daily, inForce }

    static func kinds(_ plan: ChangePlan) -> [Kind] {
        plan.watches.map { w in
            switch w.kind {
            case .threshold: return .threshold
            case .shared: return .shared
            case .daily: return .daily
            case .inForce: return .inForce
            }
        }
    }

    static func plan(_ condition: String, extra: String = "", asOf: String = "2026-03-31", days: Int = 120) -> ChangePlan {
        let policy = TestPolicies.make("\(extra)\nrule probe_rule when \(condition) then flag hit")
        #expect(TestPolicies.errors(policy).isEmpty, "\(TestPolicies.errors(policy).map(\.message))")
        let asOfDay = TestPolicies.day(asOf)
        let window = DayWindow(asOf: asOfDay, end: asOfDay.adding(days: days) ?? asOfDay) ?? DayWindow(asOf: asOfDay, end: asOfDay)!
        return ChangePlan(policy: policy, window: window)
    }

    static let watchCases: [(condition: String, kinds: [Kind])] = [
        ("since client.start > 3 months", [.threshold]),
        ("since client.d > 3 months otherwise false", [.threshold]),
        ("age(client.birth_date) >= 30", [.threshold]),
        ("age(client.birth_date) = 30", [.threshold, .threshold]),        // equality: <= and >=
        ("since client.start = 2 months", [.threshold, .threshold]),
        ("as_of > deadline(client.start + 10 days)", [.threshold]),
        ("working_days(client.start, as_of) > 5", [.threshold]),
        ("months(since client.start) >= 4", [.threshold]),
        ("client.d >= as_of otherwise false", [.threshold]),
        ("since (client.d otherwise client.start) <= 3 months", [.threshold]),
        ("month(as_of) = 6 or month(as_of) = 7", [.shared]),                // reads no client: one value a day
        ("(month(as_of) = 6 or month(as_of) = 7) and client.flag_a", [.shared]),
        ("year(as_of) = 2026 and client.flag_a", [.shared]),
        ("case age(client.birth_date) { 30, 40 => true, else => false }", [.daily]),
        ("days_between(client.start, as_of) > days_between(client.birth_date, client.start) / 100", [.daily]),
        ("client.flag_a and client.status is unemployed", []),
        ("since client.start > 3 months and since client.birth_date > 30 years", [.threshold, .threshold]),
    ]

    @Test(arguments: watchCases)
    func eachDateConstructIsWatchedTheCheapestExactWay(_ c: (condition: String, kinds: [Kind])) {
        #expect(Self.kinds(Self.plan(c.condition)) == c.kinds)
    }

    @Test func aRuleInForceBetweenDatesIsWatchedByItsDates() {
        let plan = Self.plan("client.flag_a", extra: "", days: 60)
        #expect(plan.watches.isEmpty)
        let policy = TestPolicies.make("rule dated when client.flag_a then flag hit from 2026-04-15 until 2026-05-10")
        let asOf = TestPolicies.day("2026-03-31")
        guard let window = DayWindow(asOf: asOf, end: TestPolicies.day("2026-05-30")) else { Issue.record("no window"); return }
        let dated = ChangePlan(policy: policy, window: window)
        #expect(Self.kinds(dated) == [.inForce])
        #expect(dated.sharedDays.map { window.day($0).description } == ["2026-04-15", "2026-05-11"])
        // Never in force in the window: nothing to watch.
        let later = ChangePlan(policy: TestPolicies.make("rule later when since client.start > 1 month then flag hit from 2027-01-01"),
                               window: window)
        #expect(later.watches.isEmpty)
    }

    /// On every day of the window, a threshold's limit gives the value the
    /// comparison has for anchors on both sides of it, month ends and
    /// 29 February included.
    @Test(arguments: [
        "since client.start > 3 months", "since client.start >= 1 month", "age(client.birth_date) >= 30",
        "age(client.birth_date) < 55", "as_of > deadline(client.start + 10 days)", "working_days(client.start, as_of) > 5",
        "months(since client.start) >= 4", "since client.start <= 14 days", "age(client.birth_date) = 30",
    ])
    func thresholdsAgreeWithEvaluationOnEveryDay(_ condition: String) {
        let plan = Self.plan(condition, asOf: "2027-12-20", days: 120)
        var anchors: [Day] = []
        for years in [0, 1, 29, 30, 31, 54, 55] {
            for dayOffset in stride(from: -200, through: 140, by: 11) {
                if let d = plan.window.asOf.adding(years: -years)?.adding(days: dayOffset) { anchors.append(d) }
            }
        }
        anchors += ["2000-02-29", "1997-02-28", "1997-03-01", "1972-02-29", "2027-11-30", "2027-08-31", "2028-02-29"].map(TestPolicies.day)
        for w in plan.watches {
            guard case .threshold(let t) = w.kind, let site = w.site else { continue }
            for i in stride(from: 0, through: plan.window.length, by: 5) {
                for a in anchors {
                    var client = TestPolicies.client(plan.policy)
                    guard case .field(let slot) = t.anchor.kind else { continue }
                    client[slot] = .date(a)
                    var ev = ReferenceEvaluator(context: plan.contexts[i], client: client)
                    let expected = try? ev.eval(site)
                    #expect(expected == .bool(t.holds(a.number, day: i)), "\(condition): anchor \(a) on \(plan.window.day(i))")
                }
            }
        }
    }

    @Test func monthWindowsClampAtTheMonthsEnd() {
        let asOf = TestPolicies.day("2026-01-31")
        #expect(DayWindow(asOf: asOf, within: Duration(months: 1))?.end == TestPolicies.day("2026-02-28"))
        #expect(DayWindow(asOf: asOf, within: Duration(days: 14))?.end == TestPolicies.day("2026-02-14"))
        #expect(DayWindow(asOf: asOf, within: Duration(days: -1)) == nil)
    }
}

/// The fast path against deciding every day, on clients built to sit on
/// the days conditions turn.
struct TimelineTests {
    static let policyText = """
    param window_days "Ikkuna" = 14 days
      from 2026-05-01 = 21 days
    outcome flag summer "Kesä"
    outcome flag fresh "Uusi"
    rule late when since client.start > 3 months then flag hit
    rule young when age(client.birth_date) < 30 and client.status is unemployed then assess check
    rule due when as_of > deadline(client.start + 10 days) then flag other
    rule fresh when since client.start <= window_days and client.start <= as_of then flag fresh
    rule summer when month(as_of) = 6 or month(as_of) = 7 then flag summer
    rule routed when since client.start > 5 days unless age(client.birth_date) >= 30 then refer route to one
      in Beta when since client.start > 20 days:
        then refer route to two
    """

    @Test(arguments: [
        ["start": "2025-11-30"], ["start": "2026-01-31"], ["start": "2026-03-20", "birth_date": "1996-04-15"],
        ["start": "2026-06-09"], ["start": "2026-04-10", "municipality": "Beta"], ["birth_date": "1996-02-29"],
        ["start": "2026-04-20", "birth_date": "1996-05-05", "municipality": "Beta"], ["start": "2026-06-30", "status": "laid_off"],
    ])
    func theFastPathDecidesExactlyAsEveryDayDoes(_ fields: [String: String]) throws {
        let policy = TestPolicies.make(Self.policyText)
        #expect(TestPolicies.errors(policy).isEmpty, "\(TestPolicies.errors(policy).map(\.message))")
        let asOf = TestPolicies.day("2026-03-31")
        guard let window = DayWindow(asOf: asOf, end: TestPolicies.day("2026-08-31")) else { return }
        let plan = ChangePlan(policy: policy, window: window)
        let client = TestPolicies.client(policy, fields)
        let everyDay = try ReferenceTimeline(plan: plan).everyDay(client)
        let planned = try ReferenceTimeline(plan: plan).timeline(client)
        var batch = ClientBatch(width: policy.record?.fields.count ?? 0)
        batch.append(client, record: policy.record ?? RecordType(name: "client", label: nil, fields: [], span: .none))
        let fast = try batch.slots.withUnsafeBufferPointer { p -> ClientTimeline? in
            guard let row = p.baseAddress else { return nil }
            return try TimelineEvaluator(plan: plan).timeline(row: row, texts: batch.texts, values: { client })
        }
        func days(_ t: ClientTimeline?) -> [String] { (t?.steps ?? []).map { window.day($0.day).description } }
        #expect(!everyDay.steps.isEmpty)
        #expect(days(fast) == days(everyDay))
        #expect(days(planned) == days(everyDay))
        #expect(fast?.steps.map(\.decision.outcomes) == everyDay.steps.map(\.decision.outcomes))
        #expect(fast?.start.outcomes == everyDay.start.outcomes)
    }
}
