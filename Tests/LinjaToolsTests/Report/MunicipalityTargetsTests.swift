import Foundation
import Testing
import Linja
@testable import LinjaTools

/// Seed 003's kuntakortit: each municipality follows its own support budget
/// and payment plan. A target declared `given euros` takes each
/// municipality's target from its indicator data row (`target_value`), and
/// the card judges the municipality against it.
struct MunicipalityTargetsTests {
    static let rules = OutputDisclosureTests.rules
    static let eks = rules + "/etela-keski-suomi"

    static func policy() -> Policy { Policy.load(directory: eks, root: rules) }

    static func evaluate(_ csv: String) -> (Policy, GoalEvaluation, [DataIssue]) {
        let p = policy()
        let (values, issues) = IndicatorReader.read(bytes: Array(csv.utf8), path: "actuals.csv", policy: p)
        var engine = GoalEngine(policy: p, period: Period.parse("2026-Q1")!)
        engine.indicators = values
        return (p, engine.evaluate(), issues)
    }

    static func result(_ e: GoalEvaluation, _ p: Policy, _ target: String) -> TargetResult? {
        e.goals.flatMap(\.targets).first { p.targets[$0.target].name == target }
    }

    static let header = "target,period,municipality,value,target_value,note\n"

    @Test func eachMunicipalityIsJudgedAgainstItsOwnTarget() throws {
        let (p, e, issues) = Self.evaluate(Self.header + """
            support_budget_committed,2026-Q1,Joutsa,52000 €,180000 €,synteettinen
            support_budget_committed,2026-Q1,Keuruu,461000 €,400000 €,synteettinen
            support_budget_committed,2026-Q1,Jämsä,300000 €,820000 €,synteettinen
            """)
        #expect(issues.isEmpty, "\(issues)")
        let r = try #require(Self.result(e, p, "support_budget_committed"))
        let status = { (m: String) in p.municipality(named: m).flatMap { r.byMunicipality[$0]?.status } }
        // The same 52 000 € is within Joutsa's budget; Keuruu's 461 000 € is over its 400 000 €,
        // though well under Jämsä's budget, which a single area-wide value could not say.
        #expect(status("Joutsa") == .met)
        #expect(status("Keuruu") == .missed)
        #expect(status("Jämsä") == .met)
        #expect(r.byMunicipality[try #require(p.municipality(named: "Keuruu"))]?.target == .money(Fixed(integer: 400_000)!))
        // No area row: the area is its municipalities together, so one over budget is a miss.
        #expect(r.status == .missed)
    }

    @Test func anAreaRowIsJudgedAgainstItsOwnTarget() throws {
        let (p, e, issues) = Self.evaluate(Self.header + """
            support_paid,2026-Q1,,600000 €,500000 €,koko alue
            support_paid,2026-Q1,Joutsa,29000 €,40000 €,
            """)
        #expect(issues.isEmpty, "\(issues)")
        let r = try #require(Self.result(e, p, "support_paid"))
        #expect(r.status == .met)
        #expect(r.effectiveTarget == .money(Fixed(integer: 500_000)!))
        #expect(r.byMunicipality[try #require(p.municipality(named: "Joutsa"))]?.status == .missed)
    }

    @Test(arguments: [
        ("support_paid,2026-Q1,Joutsa,29000 €,,\n", "takes its target from the data"),
        ("employer_contacts,2026-Q1,,231,100,\n", "has its target in the rule file"),
        ("support_paid,2026-Q1,Joutsa,29000 €,40 %,\n", "not '%'"),
    ])
    func aTargetValueWhereItDoesNotBelongOrMissingIsAnErrorNamingRowAndColumn(_ row: String, _ message: String) throws {
        let (_, _, issues) = Self.evaluate(Self.header + row)
        let issue = try #require(issues.first)
        #expect(issue.row == 2)
        #expect(issue.column == 5)
        #expect(issue.message.contains(message), "\(issue.message)")
    }

    @Test func theSampleCardsShowEachMunicipalitysBudgetAndStatus() throws {
        let (policy, report) = try ReportReadingTests.goals("etela-keski-suomi", clients: false)
        let area = AreaReport(policy: policy, summary: nil, goals: report)
        let keuruu = area.localFigures(municipality: try #require(policy.municipality(named: "Keuruu")))
        let budget = try #require(keuruu.first { policy.targets[$0.target].name == "support_budget_committed" })
        #expect(budget.isLocal)
        #expect(budget.ownTarget == "≤ 400\u{00A0}000\u{00A0}€")
        #expect(budget.value == "461\u{00A0}000\u{00A0}€")
        #expect(budget.status == .missed)
        let html = HTMLReport(area: area).render()
        #expect(html.contains("Tukibudjetista sidottu <span class=\"note\">(≤ 400\u{00A0}000\u{00A0}€)</span>"))
        let export = String(decoding: BIExport.csv(area), as: UTF8.self)
        #expect(export.contains(",target_value,support_budget_committed,Tukibudjetista sidottu,400000,EUR,"), "\(export.prefix(400))")
        // Every sample row for the cards says it is synthetic.
        let sample = try String(contentsOfFile: Self.eks + "/sample/actuals-2026-Q1.csv", encoding: .utf8)
        let cardRows = sample.split(separator: "\n").filter { $0.hasPrefix("support_") }
        #expect(cardRows.count == 16)
        #expect(cardRows.allSatisfy { $0.contains("synteettinen") })
    }
}
