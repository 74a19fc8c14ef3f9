import Foundation
import Linja
import Testing

@testable import LinjaTools

/// Hover: kind, type and unit, Finnish label, source and assumption, values.
struct LSPHoverTests {
    /// The hover's markdown at the first `needle` in a file of a session.
    func hover(_ client: LSPPipeClient, _ file: String, _ needle: String, occurrence: Int = 0, offset: Int = 1) throws -> String {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        if client.server.workspace.document(path: file) == nil { try client.open(file, text: text) }
        let r = try client.request("textDocument/hover", textDocumentPosition(file, position(of: needle, in: text, occurrence: occurrence, offset: offset)))
        return r.hoverMarkdown
    }

    @Test func aParamInTheRealRulesShowsItsTypeLabelSourceAndValueToday() throws {
        let client = try startedClient()
        defer { client.finish() }
        let md = try hover(client, rulesRoot + "/etela-keski-suomi/rules.linja", "career_guidance_after", offset: 3)
        #expect(md.contains("**param** `career_guidance_after`: duration in months"))
        #expect(md.contains("*Työttömyys pitkittyy*"))
        #expect(md.contains("Value in force today (2026-05-01): **3 months**"))
        #expect(md.contains("Source: seed 003: Oikea-aikainen lakisääteinen työvoimapalvelu"))
    }

    @Test(arguments: [
        (Day(year: 2026, month: 5, day: 1), "**3 months**"),
        (Day(year: 2027, month: 1, day: 1), "**2 months**"),
    ])
    func aDatedParamShowsTheValueInForceOnTheClocksDayAndAllItsValues(_ c: (Day?, String)) throws {
        let rules = try TemporaryRules(miniRules)
        let client = try startedClient(today: try #require(c.0))
        defer { client.finish() }
        // Used in an area file, declared in the shared one.
        let md = try hover(client, rules.path("eks/rules.linja"), "guidance_after")
        #expect(md.contains("Value in force today (\(try #require(c.0))): \(c.1)"))
        #expect(md.contains("- 3 months until 2027-01-01"))
        #expect(md.contains("- 2 months from 2027-01-01"))
        #expect(md.contains("Assumption: luettu kalenterikuukausina"))
        #expect(md.contains("Declared in `") && md.contains("common/definitions.linja:4`"))
    }

    @Test func aLetShowsItsTypeLabelAndDefinition() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let md = try hover(client, rules.path("eks/rules.linja"), "unemployment")
        #expect(md.contains("**let** `unemployment`: span from a date, may be missing"))
        #expect(md.contains("*Työttömyyden kesto*"))
        #expect(md.contains("since client.unemployed_since"))
    }

    @Test func anOutcomeDeclaredInTheSharedPolicyListsTheRulesOfEveryArea() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let md = try hover(client, rules.path("common/outcomes.linja"), "documents")
        #expect(md.contains("**outcome** `refer documents`"))
        #expect(md.contains("*Työnhaun asiakirjat näytetään*"))
        #expect(md.contains("Destinations: `area_coach` *valmentaja*, `municipal_coach` *kunnan valmentaja*"))
        #expect(md.contains("- rule `documents` *Työnhaun asiakirjat* → area_coach, municipal_coach"))
        #expect(md.contains("- rule `documents_pk` *Asiakirjat* → area_coach"))
    }

    @Test func aMunicipalityShowsItsCodeGroupsAndArea() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let md = try hover(client, rules.path("eks/rules.linja"), "\"Mänttä-Vilppula\"", offset: 3)
        #expect(md.contains("**municipality** `Mänttä-Vilppula` — code 508"))
        #expect(md.contains("Area: `eks` *Eteläisen Keski-Suomen työllisyysalue*"))
        #expect(md.contains("Groups: `municipal_coaching` *Kunta tuottaa valmennuksen*"))
        let responsible = try hover(client, rules.path("eks/area.linja"), "Jämsä")
        #expect(responsible.contains("(its responsible municipality)"))
    }

    @Test func aValueAfterIsIsTheEnumerationValueNotTheLetOfTheSameName() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("common/definitions.linja")
        let md = try hover(client, file, "is unemployed", offset: 4)
        #expect(md.contains("**value** `unemployed` of `status`"))
        #expect(md.contains("*työtön*"))
        #expect(md.contains("Read from the data as `työtön`"))
        let letMD = try hover(client, rules.path("eks/rules.linja"), "when unemployed", offset: 6)
        #expect(letMD.contains("**let** `unemployed`: bool"))
    }

    @Test func aFieldShowsItsTypeAndColumns() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let md = try hover(client, rules.path("eks/rules.linja"), "client.status", offset: 8)
        #expect(md.contains("**field** `client.status`: `status` (enumeration)"))
        #expect(md.contains("Values: `unemployed`, `laid_off`, `short_layoff`"))
        let m = try hover(client, rules.path("common/client.linja"), "municipality \"Kotikunta\"")
        #expect(m.contains("Read from the columns `municipality`, `kotikunta`"))
    }

    @Test func aRuleAGroupAndABuiltinHaveHovers() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let rule = try hover(client, rules.path("eks/rules.linja"), "guidance_in_keuruu")
        #expect(rule.contains("**rule** `guidance_in_keuruu`"))
        #expect(rule.contains("*Uraohjaus – ”yli 3 kk”*"))
        #expect(rule.contains("Applies in: Keuruu, \"Mänttä-Vilppula\""))
        #expect(rule.contains("Gives: `assess guidance`"))
        let group = try hover(client, rules.path("eks/rules.linja"), "municipal_coaching")
        #expect(group.contains("**group** `municipal_coaching`"))
        #expect(group.contains("Municipalities: Keuruu, Mänttä-Vilppula"))
        let builtin = try hover(client, rules.path("common/definitions.linja"), "age(")
        #expect(builtin.contains("**builtin** `age(date)` → integer"))
    }

    @Test func nothingUnderTheCursorGivesNull() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules.linja")
        try client.open(file)
        let r = try client.request("textDocument/hover", textDocumentPosition(file, LSPPosition(line: 5, character: 0)))
        #expect(r["result"] == .null)
        #expect(r["error"] == nil)
    }
}
