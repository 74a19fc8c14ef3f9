import Testing
@testable import Linja

/// The whole decision compiled as one function (`Program.decision`): the
/// rules' conditions copied in order and joined by jumps. It must decide as
/// the rule-by-rule path and the reference evaluator do, and its code must
/// be tidy (that is where its speed comes from).
struct WholeDecisionTests {
    static let asOf = TestPolicies.day("2026-05-01")

    /// Outcomes from the whole-decision function, the rule-by-rule path and
    /// the reference evaluator; nil for a client none of them can decide.
    func decideThreeWays(_ p: Policy, _ fields: [String: String]) -> (fast: [DecidedOutcome]?, ruleByRule: [DecidedOutcome]?, reference: [DecidedOutcome]?) {
        let c = TestPolicies.client(p, fields)
        let e = Evaluator(policy: p, asOf: Self.asOf)
        return ((try? e.decide(c))?.outcomes, (try? e.decide(c, trace: true))?.outcomes,
                (try? ReferenceDecider(policy: p, asOf: Self.asOf).decide(c))?.outcomes)
    }

    @Test(arguments: ["etela-keski-suomi", "pohjois-karjala"])
    func bothAreasCompileToOneDecisionFunction(_ name: String) throws {
        let p = TestPolicies.repository(name)
        let program = Compiler.compile(p, asOf: Self.asOf)
        let start = try #require(program.decision)
        let code = program.code[start...]
        // No jump lands on a `jump`, and no `jump` goes to the next instruction.
        for (pc, i) in zip(code.indices, code) where Compiler.isJump(i.op) {
            #expect(program.code[Int(i.c)].op != .jump, "pc \(pc) jumps to a jump")
            if i.op == .jump { #expect(Int(i.c) != pc + 1, "pc \(pc) jumps to the next instruction") }
        }
        // One `give` per rule in force and variant, and the rules' order kept.
        let rules = program.giveSites.map(\.rule)
        #expect(rules == rules.sorted())
        #expect(Set(rules).count == program.rules.count)
    }

    @Test func scopesExceptionsAndVariantsDecideAsRuleByRule() throws {
        let p = TestPolicies.make(["r.linja": """
        rule a "A"
          in Alpha, Beta, "Gamma-Delta"
          when client.flag_a
          unless client.status is short_layoff "lyhyt"
          unless client.flag_b "b"
          then refer route to one
          in Beta when client.n > 3 otherwise false:
            then refer route to two
          in bg:
            then refer route to three
        rule b "B"
          when client.n >= 2 otherwise false
          then flag hit
        """])
        #expect(!p.hasErrors, "\(p.diagnostics)")
        var checked = 0
        for m in ["Alpha", "Beta", "Epsilon"] {
            for a in ["true", "false"] {
                for b in ["true", "false"] {
                    for status in ["unemployed", "short_layoff"] {
                        for n in ["", "1", "2", "4"] {
                            var f = ["municipality": m, "flag_a": a, "flag_b": b, "status": status]
                            if !n.isEmpty { f["n"] = n }
                            let d = decideThreeWays(p, f)
                            #expect(d.fast != nil)
                            #expect(d.fast == d.ruleByRule, "\(f)")
                            #expect(d.fast == d.reference, "\(f)")
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked == 96)
    }

    @Test func aLongChainOfLetsIsCalledInTheInterpretersOwnLoop() throws {
        // Lets that call lets 200 deep: the interpreter keeps its own stack
        // of open lets (no recursion per let), and memoises each.
        var text = "let l0 = (client.n otherwise 0) + 1\n"
        for k in 1..<200 { text += "let l\(k) = l\(k - 1) + 1\n" }
        text += """
        rule deep "Syvä"
          when l199 > 205
          then flag hit
        rule shared "Jaettu"
          when l100 > 105 and l199 > 0
          then flag other
        """
        let p = TestPolicies.make(["r.linja": text])
        #expect(!p.hasErrors, "\(p.diagnostics)")
        for (n, hits) in [("4", false), ("5", false), ("6", true)] {
            let d = decideThreeWays(p, ["n": n])
            #expect(d.fast == d.reference)
            #expect(d.ruleByRule == d.reference)
            #expect(d.fast?.contains { p.outcomes[$0.outcome].name == "hit" } == hits, "n = \(n)")
        }
    }

    @Test func smallLetsAreInlinedIntoTheDecisionAndStillComputedOncePerClient() throws {
        // Lets used by several rules, an exception, a variant and each
        // other: their bodies are copied where they are used, behind a test
        // of the memo that is dropped where no path can have computed them.
        let p = TestPolicies.make(["r.linja": """
        let score = (client.n otherwise 0) * 2 + 1
        let bigger = score > 7 and client.flag_a
        rule one "Yksi"
          when score > 7
          then flag hit
        rule two "Kaksi"
          when score <= 7 or client.flag_b
          unless bigger "isompi"
          then flag other
        rule three "Kolme"
          when client.flag_b
          then refer route to one
          in Beta when bigger otherwise false:
            then refer route to two
        """])
        #expect(!p.hasErrors, "\(p.diagnostics)")
        let program = Compiler.compile(p, asOf: Self.asOf)
        let start = try #require(program.decision)
        let code = program.code[start...]
        #expect(!code.contains { $0.op == .letCall }, "both lets are inlined")
        #expect(code.contains { $0.op == .letStore || $0.op == .letStoreK })
        let enters = code.filter { $0.op == .letEnter }.count
        let stores = Set(code.filter { $0.op == .letStore || $0.op == .letStoreK }.map(\.b)).count
        #expect(stores == 2)
        #expect(enters < code.filter { $0.op == .letStore || $0.op == .letStoreK }.count, "first uses enter the body unconditionally")
        var checked = 0
        for m in ["Alpha", "Beta"] {
            for n in ["", "1", "4"] {
                for a in ["true", "false"] {
                    for b in ["true", "false"] {
                        var f = ["municipality": m, "flag_a": a, "flag_b": b]
                        if !n.isEmpty { f["n"] = n }
                        let d = decideThreeWays(p, f)
                        #expect(d.fast != nil, "\(f)")
                        #expect(d.fast == d.reference, "\(f)")
                        #expect(d.ruleByRule == d.reference, "\(f)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == 24)
    }

    @Test func thresholdsFoldedOnADateDecideAsTheReferenceInsideAndOutsideTheirRange() {
        // `since d > 3 months` becomes one compare with a threshold for dates
        // from 1600 to 2600; dates outside take the general code.
        let p = TestPolicies.make(["r.linja": """
        rule long "Pitkä"
          when since client.d > 3 months otherwise false
          then flag hit
        rule same "Sama"
          when (since client.d > 3 months otherwise false) = client.flag_b
          then flag other
        """])
        #expect(!p.hasErrors, "\(p.diagnostics)")
        let code = Compiler.compile(p, asOf: Self.asOf).code
        #expect(code.filter { $0.op == .jumpIfInside }.count >= 2, "both conditions are folded")
        for d in ["1500-01-31", "1599-12-31", "1600-01-01", "2026-01-31", "2026-02-01", "2026-05-01", "2600-12-31", "2601-01-01", "2700-06-30", ""] {
            for b in ["true", "false"] {
                var f = ["flag_b": b]
                if !d.isEmpty { f["d"] = d }
                let decided = decideThreeWays(p, f)
                #expect(decided.fast != nil, "\(f)")
                #expect(decided.fast == decided.reference, "\(f)")
                #expect(decided.ruleByRule == decided.reference, "\(f)")
            }
        }
    }

    @Test func aFailureInAnyRuleFailsTheWholeDecision() {
        // Overflow in the second rule: the client cannot be decided, whichever path.
        let p = TestPolicies.make(["r.linja": """
        rule first "Ensin"
          when client.flag_a
          then flag hit
        rule overflow "Ylivuoto"
          when (client.n otherwise 0) * 9223372036854775807 > 0
          then flag other
        """])
        #expect(!p.hasErrors, "\(p.diagnostics)")
        let c = TestPolicies.client(p, ["flag_a": "true", "n": "2"])
        let e = Evaluator(policy: p, asOf: Self.asOf)
        #expect(throws: EvalError.self) { try e.decide(c) }
        #expect(throws: EvalError.self) { try e.decide(c, trace: true) }
        // The next client is decided afresh.
        let ok = TestPolicies.client(p, ["flag_a": "true", "n": "0"])
        #expect((try? e.decide(ok))?.outcomes.count == 1)
    }
}
