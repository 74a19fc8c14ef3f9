import Foundation
import Testing
@testable import Linja

/// Target statuses and goal verdicts by the verdict policy in the rule
/// files: tolerances, pro-rating, assessments, missing data.
struct GoalEngineTests {
    static let policy = TestPolicies.make("""
    verdicts {
      near within 5 points for percentages
      near within 10 % for others
      prorate per year
      assessment on_track "Etenee" counts as met
      assessment stalled "Ei etene" counts as missed
      goal none when no target has data
      goal "Ei toteudu" when any target is missed
      goal "Toteutuu" otherwise
    }
    goal g "Tavoite" level KV for 2026 {
      target share_at_least "Osuus" >= 90 %
        reported
      target share_above "Osuus yli" > 50 %
        reported
      target per_year "Asiakkaita vuodessa" > 600 hlöä per year
        reported
      target stock "Määrä vuoden lopussa" <= 4100 hlöä
        baseline 4301 hlöä in 2025-12
        reported
      target days "Käsittelyaika" < 14 vrk
        reported
      target model "Toimintamalli valmis" assessed "valmis"
      target measured_share "Kasvokkain" >= 50 %
        measured share of clients where client.flag_a among clients where client.status is unemployed
      target measured_count "Määrä" >= 2 hlöä
        measured count of clients where client.flag_b
    }
    """)

    func status(_ target: String, _ value: Value, period: String = "2026-Q1") throws -> TargetStatus {
        let p = Self.policy
        let t = try #require(p.target(named: target))
        return GoalEngine.status(value, t, period: try #require(Period.parse(period)), verdicts: p.verdicts).0
    }

    func pct(_ s: String) -> Value { .percent(Fixed.parse(Substring(s))!) }

    @Test func thePolicyChecksClean() {
        #expect(TestPolicies.errors(Self.policy).isEmpty, "\(TestPolicies.errors(Self.policy).map(\.message))")
    }

    @Test(arguments: [("90", TargetStatus.met), ("95", .met), ("89.999999", .near), ("85", .near), ("84.999999", .missed), ("0", .missed)])
    func aShareTargetIsNearWithinFivePoints(_ c: (String, TargetStatus)) throws {
        #expect(try status("share_at_least", pct(c.0)) == c.1)
    }

    @Test func exactlyAtAStrictTargetIsNearNotMet() throws {
        #expect(try status("share_above", pct("50")) == .near)
        #expect(try status("share_above", pct("50.000001")) == .met)
    }

    @Test func perYearTargetsArePoratedByTheDaysThePeriodCovers() throws {
        let p = Self.policy
        let t = try #require(p.target(named: "per_year"))
        let (_, effective, prorated) = GoalEngine.status(.int(134), t, period: Period.parse("2026-Q1")!, verdicts: p.verdicts)
        #expect(prorated?.days == 90 && prorated?.of == 365)
        #expect(effective == .decimal(Fixed.parse("147.945205")!))
        // 600 × 90/365 = 147.9…: 148 is met, 134 is within 10 % (near), 133 is not.
        #expect(try status("per_year", .int(148)) == .met)
        #expect(try status("per_year", .int(134)) == .near)
        #expect(try status("per_year", .int(133)) == .missed)
        // A whole year is not pro-rated.
        #expect(try status("per_year", .int(601), period: "2026") == .met)
        #expect(try status("per_year", .int(134), period: "2026") == .missed)
    }

    @Test func stockTargetsAreNeverProrated() throws {
        let p = Self.policy
        let t = try #require(p.target(named: "stock"))
        let (st, effective, prorated) = GoalEngine.status(.int(4200), t, period: Period.parse("2026-Q1")!, verdicts: p.verdicts)
        #expect(prorated == nil)
        #expect(effective == .int(4100))
        #expect(st == .near)   // 100 over 4100 is within 10 %
        #expect(try status("stock", .int(4100)) == .met)
        #expect(try status("stock", .int(4600)) == .missed)
    }

    @Test func durationTargetsCompareInTheirUnit() throws {
        #expect(try status("days", .duration(Duration(days: 13))) == .met)
        #expect(try status("days", .duration(Duration(days: 14))) == .near)
        #expect(try status("days", .duration(Duration(days: 16))) == .missed)
    }

    func evaluate(_ rows: [IndicatorValue], clients: [[String: String]] = [], asOf: String = "2026-03-31") -> GoalEvaluation {
        let p = Self.policy
        var engine = GoalEngine(policy: p, period: Period.parse("2026-Q1")!)
        engine.indicators = rows
        engine.asOf = TestPolicies.day(asOf)
        guard !clients.isEmpty else { return engine.evaluate() }
        var i = 0
        let rec = p.record!
        let agg = engine.aggregate({ batch in
            guard i < clients.count else { return nil }
            batch.append(TestPolicies.client(p, clients[i]), record: rec)
            i += 1
            return true
        }, asOf: TestPolicies.day(asOf))
        return engine.evaluate(aggregates: agg)
    }

    func row(_ t: String, _ v: Value?, assessment: String? = nil) -> IndicatorValue {
        IndicatorValue(target: Self.policy.target(named: t)!.id, period: Period.parse("2026-Q1")!, municipality: nil,
                       value: v, assessment: assessment, note: nil, row: 2)
    }

    @Test func aGoalWithNoDataHasNoVerdict() {
        let e = evaluate([])
        #expect(e.goals.first?.verdict == nil)
        #expect(e.goals.first?.targets.allSatisfy { $0.status == .no_data || $0.target >= 6 } == true)
    }

    @Test func anAssessmentCountsAsThePolicySays() {
        let met = evaluate([row("model", nil, assessment: "on_track")])
        let model = met.goals[0].targets.first { Self.policy.targets[$0.target].name == "model" }
        #expect(model?.status == .assessed)
        #expect(model?.countsAs == .met)
        #expect(met.goals[0].verdict == "Toteutuu")
        let missed = evaluate([row("model", nil, assessment: "stalled")])
        #expect(missed.goals[0].verdict == "Ei toteudu")
    }

    @Test func oneMissedTargetMakesTheGoalNotAchieved() {
        let e = evaluate([row("share_at_least", pct("87")), row("stock", .int(5000))])
        #expect(e.goals[0].verdict == "Ei toteudu")
        let ok = evaluate([row("share_at_least", pct("87")), row("stock", .int(4000))])
        #expect(ok.goals[0].verdict == "Toteutuu")
    }

    @Test func sharesAndCountsAreComputedOverClientsPerMunicipality() throws {
        var clients: [[String: String]] = []
        for _ in 0..<6 { clients.append(["municipality": "Alpha", "flag_a": "true", "flag_b": "true"]) }
        for _ in 0..<4 { clients.append(["municipality": "Alpha", "flag_a": "false"]) }
        for _ in 0..<3 { clients.append(["municipality": "Beta", "flag_a": "true", "status": "employed"]) }
        clients.append(["municipality": "Beta", "flag_a": "false"])
        let e = evaluate([], clients: clients)
        let targets = e.goals[0].targets
        let share = try #require(targets.first { Self.policy.targets[$0.target].name == "measured_share" })
        // 6 of the 11 unemployed clients: 54.545455 %.
        #expect(share.actual == .percent(Fixed.parse("54.545455")!))
        #expect(share.status == .met)
        let alpha = try #require(Self.policy.municipality(named: "Alpha"))
        let beta = try #require(Self.policy.municipality(named: "Beta"))
        #expect(share.byMunicipality[alpha]?.value == .percent(Fixed.parse("60")!))
        #expect(share.byMunicipality[alpha]?.n == 10)
        // Beta has one unemployed client: a group under the privacy threshold.
        #expect(share.byMunicipality[beta]?.n == 1)
        let count = try #require(targets.first { Self.policy.targets[$0.target].name == "measured_count" })
        #expect(count.actual == .int(6))
    }

    @Test func indicatorDataErrorsNameTheirRowAndColumn() throws {
        let p = Self.policy
        let csv = """
        target,period,value,municipality,assessment,note
        share_at_least,2026-Q1,87 %,,,
        nosuch,2026-Q1,1,,,
        share_at_least,2026-Q1,14 vrk,Alpha,,
        stock,2025-Q4,4000,,,
        days,2026-Q1,12 vrk,Alfa,,
        model,2026-Q1,,,unknown,
        share_at_least,2026-Q1,88 %,,,
        per_year,2026-Q1,many,,,
        """
        let (values, issues) = IndicatorReader.read(bytes: Array(csv.utf8), path: "a.csv", policy: p)
        #expect(values.count == 1)
        #expect(issues.map(\.description) == [
            "a.csv:3:1: field 'target': unknown target 'nosuch'",
            "a.csv:4:3: field 'value': target 'share_at_least' is in %, not 'vrk'",
            "a.csv:5:2: field 'period': target 'stock' is for 2026, not 2025-Q4",
            "a.csv:6:4: field 'municipality': unknown municipality 'Alfa'; did you mean 'Alpha'?",
            "a.csv:7:5: field 'assessment': unknown assessment 'unknown'; the verdict policy declares 'on_track', 'stalled'",
            "a.csv:8: a second value for 'share_at_least' in 2026-Q1; the first is on row 2",
            "a.csv:9:3: field 'value': expected a number, got 'many'",
        ])
    }
}

/// Seed 000's follow-up table reproduced from the seed's own numbers.
struct SeedVerdictTests {
    @Test func pohjoisKarjalaQ1VerdictsMatchSeed000() throws {
        let p = TestPolicies.repository("pohjois-karjala")
        #expect(!p.hasErrors)
        var engine = GoalEngine(policy: p, period: Period.parse("2026-Q1")!)
        let (values, issues) = IndicatorReader.read(path: TestPolicies.rulesDir + "/pohjois-karjala/sample/actuals-2026-Q1.csv", policy: p)
        #expect(issues.isEmpty)
        engine.indicators = values
        let e = engine.evaluate()
        let verdicts = Dictionary(uniqueKeysWithValues: e.goals.map { (p.goals[$0.goal].name, $0.verdict) })
        #expect(verdicts["face_to_face"] == "Toteutuu")
        #expect(verdicts["passive_unemployment"] == "Ei toteudu")
        #expect(verdicts["tno_project"] == "Toteutuu")
        #expect(verdicts["early_break"] == .some(nil))
        #expect(verdicts["satisfaction"] == "Toteutuu")
        #expect(verdicts["entrepreneurship"] == "Toteutuu")
        #expect(verdicts["ecosystem"] == "Toteutuu")
    }
}
