import Foundation
import Testing
import Linja
@testable import LinjaTools

/// What the area's readers read: Finnish as a Finnish reader expects it, and
/// municipality cards whose verdicts mean something there.
struct ReportReadingTests {
    static let rules = OutputDisclosureTests.rules

    static func goals(_ area: String, clients: Bool) throws -> (Policy, GoalReport) {
        let policy = Policy.load(directory: rules + "/" + area, root: rules)
        let run = GoalRun.run(policy: policy, period: Period.parse("2026-Q1")!,
                              actuals: rules + "/" + area + "/sample/actuals-2026-Q1.csv",
                              clients: clients ? rules + "/" + area + "/sample/clients.csv" : nil,
                              asOf: Day(year: 2026, month: 3, day: 31))
        return (policy, GoalReport(policy: policy, evaluation: run.evaluation, language: .fi))
    }

    @Test func oneOfSomethingReadsInTheSingular() throws {
        let (_, report) = try Self.goals("etela-keski-suomi", clients: false)
        let table = report.table()
        // The seed's units after other numbers ("2 tapahtumaa") and after 1 ("1 tapahtuma").
        #expect(table.contains("1 tapahtuma "))
        #expect(table.contains("≥ 2 tapahtumaa"))
        #expect(!table.contains("1 tapahtumaa"))
        #expect(!table.contains("1 kokousta"))
    }

    @Test(arguments: [
        ("1", "tapahtuma"), ("2", "tapahtumaa"), ("0", "tapahtumaa"), ("1,5", "tapahtumaa"), ("11", "tapahtumaa"), ("21", "tapahtumaa"),
    ])
    func aUnitTakesItsFormAfterOneOnlyAfterExactlyOne(_ number: String, _ form: String) {
        let unit = UnitDef(one: "tapahtuma", other: "tapahtumaa", span: .none)
        #expect(unit.form(after: number) == form)
    }

    @Test func theHeadingIsFinnishWithNoCodeWords() throws {
        let (_, report) = try Self.goals("pohjois-karjala", clients: true)
        let (title, meta) = report.heading()
        #expect(title == "Pohjois-Karjalan työllisyysalue: tavoitteiden toteuma 1–3/2026")
        #expect(meta.hasPrefix("Kausi 1–3/2026 · tilanne 31.3.2026 · 3000 asiakasta · säännöstön tunniste "))
        for word in ["as_of", "2026-Q1", "2026-03-31", "policy", "fingerprint"] { #expect(!meta.contains(word), "\(word)") }
    }

    @Test(arguments: [
        (2026, 1, 0, "2026"), (2026, 2, 1, "1–3/2026"), (2026, 2, 4, "10–12/2026"), (2025, 3, 12, "12/2025"),
    ])
    func periodsReadAsTheFollowUpTablesWriteThem(_ year: Int, _ kind: Int, _ index: Int, _ text: String) {
        let p = Period(kind: kind == 1 ? .year : kind == 2 ? .quarter : .month, year: year, index: index)
        #expect(ReportLanguage.fi.period(p) == text)
    }

    @Test func datesReadDayMonthYearAndDecimalsTakeAComma() {
        #expect(ReportLanguage.fi.date(Day(year: 2026, month: 3, day: 31)!) == "31.3.2026")
        #expect(ReportLanguage.fi.percent(76.25) == "76,2 %" || ReportLanguage.fi.percent(76.25) == "76,3 %")
        #expect(ReportLanguage.en.date(Day(year: 2026, month: 3, day: 31)!) == "2026-03-31")
    }

    @Test func aMunicipalityCardGivesVerdictsOnlyWhereTheTargetMeansSomethingThere() throws {
        let (policy, report) = try Self.goals("etela-keski-suomi", clients: true)
        let area = AreaReport(policy: policy, summary: nil, goals: report)
        let luhanka = try #require(policy.municipality(named: "Luhanka"))
        let figures = area.localFigures(municipality: luhanka)
        let broad = try #require(figures.first { policy.targets[$0.target].name == "broad_unemployment" })
        // An area-wide count (≤ 4100 persons) is no verdict for one town: its part of the area instead.
        #expect(!broad.isLocal)
        #expect(broad.status == nil)
        let plans = try #require(figures.first { policy.targets[$0.target].name == "plans_up_to_date" })
        // A share over the municipality's own clients is.
        #expect(plans.isLocal)
    }

    @Test func theTerminalGoalTableKeepsItsColumnsWhenACellWraps() throws {
        let (_, report) = try Self.goals("etela-keski-suomi", clients: false)
        let lines = report.table().split(separator: "\n").map(String.init)
        // Every row of a goal's table starts its baseline column at the same place as its header.
        var headerStart: Int?
        for l in lines {
            if l.contains("Mittari"), let r = l.range(of: "Lähtöarvo") { headerStart = l.distance(from: l.startIndex, to: r.lowerBound); continue }
            guard let start = headerStart, l.hasPrefix("  "), !l.hasPrefix("  ·"), l.count > start else { continue }
            let before = l.prefix(start)
            // Whatever the first column holds, it ends before the baseline column.
            #expect(before.last == " ", "\(l)")
        }
    }
}
