import Testing
@testable import Linja

/// The precedence of exceptions, variants, scopes and priorities (README,
/// "Precedence"), each point with an example.
struct PrecedenceTests {
    func decide(_ p: Policy, _ fields: [String: String], asOf: String = "2026-05-01") throws -> Decision {
        let day = TestPolicies.day(asOf)
        let c = TestPolicies.client(p, fields)
        let compiled = try Evaluator(policy: p, asOf: day).decide(c, trace: true)
        let reference = try ReferenceDecider(policy: p, asOf: day).decide(c)
        #expect(compiled == reference, "the compiled and reference evaluators disagree")
        let fast = try Evaluator(policy: p, asOf: day).decide(c)
        #expect(fast.outcomes == reference.outcomes, "the whole-decision function and the reference evaluator disagree")
        return compiled
    }

    func destination(_ p: Policy, _ d: Decision, _ outcome: String) -> String? {
        guard let o = p.outcome(named: outcome), let got = d.outcomes.first(where: { $0.outcome == o.id }) else { return nil }
        return got.destination.map { o.destinations[$0] } ?? o.name
    }

    let routing = """
    rule r
      when client.flag_a
      unless client.status is short_layoff "poikkeus"
      then refer route to one
      in ab:
        then refer route to two
      in Beta:
        then refer route to three
    """

    @Test func anExceptionBeatsTheRuleAndAllItsVariants() throws {
        let p = TestPolicies.make(routing)
        #expect(TestPolicies.errors(p).isEmpty)
        let d = try decide(p, ["flag_a": "true", "status": "short_layoff", "municipality": "Beta"])
        #expect(destination(p, d, "route") == nil)
        #expect(d.statuses?.first == .exception(0))
    }

    @Test func aVariantReplacesTheRulesThenAndInheritsItsWhen() throws {
        let p = TestPolicies.make(routing)
        #expect(destination(p, try decide(p, ["flag_a": "true", "municipality": "Alpha"]), "route") == "two")
        #expect(destination(p, try decide(p, ["flag_a": "false", "municipality": "Alpha"]), "route") == nil)
        #expect(destination(p, try decide(p, ["flag_a": "true", "municipality": "Epsilon"]), "route") == "one")
    }

    @Test func theMostSpecificScopeWins() throws {
        let p = TestPolicies.make(routing)
        // Beta is in group ab and has its own variant: the municipality's wins.
        #expect(destination(p, try decide(p, ["flag_a": "true", "municipality": "Beta"]), "route") == "three")
    }

    @Test func aVariantWithAFalseConditionFallsThroughToTheRule() throws {
        let p = TestPolicies.make("""
        rule r when client.flag_a then refer route to one
          in Alpha when client.flag_b:
            then refer route to two
        """)
        #expect(destination(p, try decide(p, ["flag_a": "true", "flag_b": "true"]), "route") == "two")
        #expect(destination(p, try decide(p, ["flag_a": "true", "flag_b": "false"]), "route") == "one")
    }

    @Test func twoGroupVariantsForOneMunicipalityNeedAStatedWinner() throws {
        let ambiguous = TestPolicies.make("""
        rule r when client.flag_a then refer route to one
          in ab: then refer route to two
          in bg: then refer route to three
        """)
        #expect(TestPolicies.errors(ambiguous).map(\.code) == [.ambiguousVariant])
        let stated = TestPolicies.make("""
        rule r when client.flag_a then refer route to one
          in ab: then refer route to two
          in bg over ab: then refer route to three
        """)
        #expect(TestPolicies.errors(stated).isEmpty)
        #expect(destination(stated, try decide(stated, ["flag_a": "true", "municipality": "Beta"]), "route") == "three")
        #expect(destination(stated, try decide(stated, ["flag_a": "true", "municipality": "Alpha"]), "route") == "two")
    }

    @Test func rulesThatCanGiveDifferentTargetsConflictUnlessTheyExcludeEachOther() throws {
        let conflict = TestPolicies.make("""
        rule a when client.flag_a then refer route to one
        rule b when client.flag_b then refer route to two
        """)
        #expect(TestPolicies.errors(conflict).map(\.code) == [.ruleConflict])
        #expect(TestPolicies.errors(conflict).first?.notes.count == 1)
        let byAge = TestPolicies.make("""
        rule a when age(client.birth_date) < 30 then refer route to one
        rule b when age(client.birth_date) >= 30 then refer route to two
        """)
        #expect(TestPolicies.errors(byAge).isEmpty)
        let byStatus = TestPolicies.make("""
        rule a when client.status is unemployed then refer route to one
        rule b when client.status is laid_off and client.flag_a then refer route to two
        """)
        #expect(TestPolicies.errors(byStatus).isEmpty)
        let byScope = TestPolicies.make("""
        rule a in Alpha when client.flag_a then refer route to one
        rule b in Beta when client.flag_a then refer route to two
        """)
        #expect(TestPolicies.errors(byScope).isEmpty)
        let byDates = TestPolicies.make("""
        rule a when client.flag_a then refer route to one until 2026-12-31
        rule b when client.flag_a then refer route to two from 2027-01-01
        """)
        #expect(TestPolicies.errors(byDates).isEmpty)
        let byFlag = TestPolicies.make("""
        rule a when client.flag_a then refer route to one
        rule b when not client.flag_a then refer route to two
        """)
        #expect(TestPolicies.errors(byFlag).isEmpty)
    }

    @Test func aStatedPriorityResolvesAConflict() throws {
        let p = TestPolicies.make("""
        rule a when client.flag_a then refer route to one
        rule b when client.flag_b then refer route to two
          over a
        """)
        #expect(TestPolicies.errors(p).isEmpty)
        let d = try decide(p, ["flag_a": "true", "flag_b": "true"])
        #expect(destination(p, d, "route") == "two")
        let o = try #require(d.outcomes.first)
        #expect(o.overruled.map { p.rules[$0].name } == ["a"])
    }

    @Test func effectiveDatesAreInclusive() throws {
        let p = TestPolicies.make("rule r when client.flag_a then flag hit from 2026-03-01 until 2029-09-30")
        #expect(try decide(p, ["flag_a": "true"], asOf: "2026-02-28").outcomes.isEmpty)
        #expect(try decide(p, ["flag_a": "true"], asOf: "2026-03-01").outcomes.count == 1)
        #expect(try decide(p, ["flag_a": "true"], asOf: "2029-09-30").outcomes.count == 1)
        #expect(try decide(p, ["flag_a": "true"], asOf: "2029-10-01").outcomes.isEmpty)
    }

    @Test func anAreaRuleReplacesAnImportedOneOnlyWithOverrides() throws {
        let imported = "rule shared when client.flag_a then flag hit"
        let silent = TestPolicies.make(["p.linja": "rule shared when client.flag_b then flag other"], baseExtra: imported)
        #expect(TestPolicies.errors(silent).map(\.code) == [.silentOverride])
        let stated = TestPolicies.make(["p.linja": "rule shared when client.flag_b then flag other\n  overrides"], baseExtra: imported)
        #expect(TestPolicies.errors(stated).isEmpty)
        let d = try decide(stated, ["flag_a": "true", "flag_b": "false"])
        #expect(d.outcomes.isEmpty, "the imported rule is replaced")
        let renamed = TestPolicies.make(["p.linja": "rule mine overrides shared when client.flag_b then flag other"], baseExtra: imported)
        #expect(TestPolicies.errors(renamed).isEmpty)
        #expect(renamed.rule(named: "shared") == nil)
    }
}
