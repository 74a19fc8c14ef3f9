import Foundation
import Testing
@testable import Linja
@testable import LinjaSyntax

/// The parser: the tree each construct family builds (compared with `==`,
/// which ignores spans), the precedence table, and recovery: every error in
/// one run, at the right place, with no crash and no hang.
@Suite struct ParserTests {
    typealias T = SyntaxTesting

    // MARK: Building expected trees

    func x(_ k: Expr.Kind) -> Expr { Expr(k, .none) }
    func name(_ s: String) -> Expr { x(.name(s)) }
    func field(_ f: String) -> Expr { x(.member(name("client"), Name(f))) }
    func ref(_ kind: OutcomeKind, _ n: String, to d: String? = nil) -> OutcomeRef {
        OutcomeRef(kind: kind, name: Name(n), destination: d.map { Name($0) }, span: .none)
    }
    func header(_ n: String, label: String? = nil, doc: [String] = [], attributes: [Attribute] = []) -> DeclHeader {
        DeclHeader(doc: doc, name: Name(n), label: label, attributes: attributes, span: .none)
    }
    func attribute(_ k: AttributeKind, _ text: String) -> Attribute { Attribute(kind: k, text: text, span: .none) }

    /// The declarations of `source`, recording an issue for any diagnostic.
    func clean(_ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Declaration] {
        let p = T.parse(source)
        #expect(p.diagnostics.isEmpty, "\(T.summary(p.diagnostics)): \(p.diagnostics.map(\.message))", sourceLocation: sourceLocation)
        return p.declarations
    }

    func onlyRule(_ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> RuleDecl? {
        let ds = clean(source, sourceLocation: sourceLocation)
        guard ds.count == 1, case .rule(let r) = ds[0] else {
            Issue.record("expected one rule, got \(ds)", sourceLocation: sourceLocation)
            return nil
        }
        return r
    }

    // MARK: Expressions: precedence and associativity

    @Test(arguments: [
        // or < and < not < otherwise < comparison < + - < * / < unary minus
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("a or b or c", "(or (or a b) c)"),
        ("not x otherwise false", "(not (otherwise x false))"),
        ("not a and b", "(and (not a) b)"),
        ("not not a", "(not (not a))"),
        ("not a = b", "(not (= a b))"),
        ("a and b > 3 months otherwise false", "(and a (otherwise (> b 3months) false))"),
        ("a and since d > 3 months otherwise false", "(and a (otherwise (> (since d) 3months) false))"),
        ("x otherwise y otherwise z", "(otherwise (otherwise x y) z)"),
        ("a + b * c", "(+ a (* b c))"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b * c", "(* (/ a b) c)"),
        ("-x * y", "(* (neg x) y)"),
        ("- -x", "(neg (neg x))"),
        ("a - -b", "(- a (neg b))"),
        ("a + b < c * d", "(< (+ a b) (* c d))"),
        ("since client.d + 1 months", "(+ (since client.d) 1months)"),
        ("since (client.d otherwise client.e) > 3 months", "(> (since (otherwise client.d client.e)) 3months)"),
        // every spelling of each comparison
        ("a = b", "(= a b)"), ("a == b", "(= a b)"), ("a != b", "(!= a b)"), ("a <> b", "(!= a b)"),
        ("a ≠ b", "(!= a b)"), ("a <= b", "(<= a b)"), ("a ≤ b", "(<= a b)"), ("a >= b", "(>= a b)"),
        ("a ≥ b", "(>= a b)"), ("a < b", "(< a b)"), ("a > b", "(> a b)"),
        // is / in
        ("x is missing", "(is-missing x)"),
        ("x is present", "(is-present x)"),
        ("x is not missing", "(is-present x)"),
        ("x is not present", "(is-missing x)"),
        ("client.status is unemployed", "(is client.status unemployed)"),
        ("client.status is not student", "(is-not client.status student)"),
        ("client.municipality in municipal_coaching", "(in client.municipality municipal_coaching)"),
        ("x not in {a, b}", "(not-in x {a b})"),
        ("x is present and since x > 3 months", "(and (is-present x) (> (since x) 3months))"),
        ("x in {a} or y is b + 1", "(or (in x {a}) (is y (+ b 1)))"),
    ])
    func operatorsBindByThePrecedenceTable(source: String, tree: String) {
        #expect(T.sexpr(source) == tree)
    }

    @Test(arguments: [
        ("3.82", "3.82"), ("1_000", "1000"), ("69.9 %", "69.9%"), ("100 €", "100€"), ("100 EUR", "100€"),
        ("21.77 M€", "21770000€"), ("0.5 M€", "500000€"), ("1.0000005 M€", "1000000.5€"), ("10 days", "10days"),
        ("6 weeks", "6weeks"), ("10 working days", "10workingdays"), ("2026-05-01", "2026-05-01"),
        ("2026-Q1", "period:2026-Q1"), ("2026-03", "period:2026-03"), ("\"teksti\"", "\"teksti\""),
        ("true", "true"), ("false", "false"), ("missing", "missing"), ("as_of", "as_of"),
        ("period_start", "period_start"), ("period_end", "period_end"),
        ("client.status", "client.status"), ("a.b.c", "a.b.c"), ("client.from", "client.from"),
        ("age(client.birth_date)", "(call age client.birth_date)"),
        ("max(a, b + 1)", "(call max a (+ b 1))"), ("f()", "(call f)"),
        ("if a then b else c", "(if a b c)"),
        ("if a then if b then 1 else 2 else 3", "(if a (if b 1 2) 3)"),
        ("case s { a, b => 1, else => 2 }", "(case s ((a b) => 1) (else => 2))"),
        ("case s { a => x b => y }", "(case s ((a) => x) ((b) => y))"),
        ("{}", "{}"), ("{a, b, c}", "{a b c}"),
        ("count of clients where young", "(count clients where young)"),
        ("count of clients", "(count clients)"),
        ("share of clients where a among clients where b", "(share clients where a among b)"),
        ("average of client.age over clients where young", "(average client.age over clients where young)"),
        ("median of client.x over clients", "(median client.x over clients)"),
        ("sum of client.x over clients", "(sum client.x over clients)"),
        ("ratio of a to b", "(ratio a b)"),
    ])
    func primariesAndLiterals(source: String, tree: String) {
        #expect(T.sexpr(source) == tree)
    }

    @Test func anExpressionTreeComparesByStructure() throws {
        let (e, ds) = T.expression("unemployed and since client.unemployed_since > 3 months otherwise false")
        #expect(ds.isEmpty)
        let expected = x(.binary(.and, name("unemployed"),
                                 x(.binary(.otherwise,
                                           x(.binary(.gt, x(.since(field("unemployed_since"))), x(.duration("3", .months)))),
                                           x(.bool(false))))))
        #expect(try #require(e) == expected)
    }

    @Test(arguments: [
        ("a < b < c", "1:7"), ("a = b = c", "1:7"), ("a is b is c", "1:8"), ("a < b is c", "1:7"),
        ("a in b < c", "1:8"), ("a is missing = b", "1:14"), ("1 <= x <= 2", "1:8"),
    ])
    func comparisonsDoNotChain(source: String, position: String) {
        let (e, ds) = T.expression(source)
        #expect(e == nil)
        #expect(T.summary(ds) == ["L201@\(position)"])
        #expect(ds.first?.message == "comparisons cannot be chained")
        #expect(ds.first?.help == "join them with `and`: `a < b and b < c`")
    }

    @Test func aCallNeedsItsParenthesisRightAfterTheName() {
        let (_, ds) = T.expression("age (x)")
        #expect(ds.map(\.message) == ["expected the end of the expression, found `(`"])
    }

    @Test func aWordCloseToAUnitAfterANumberIsAUnitTypo() {
        let (_, ds) = T.expression("since d > 3 monhts")
        #expect(T.summary(ds) == ["L105@1:13"])
        #expect(ds.first?.help == "did you mean `months`?")
        // A name that is not close to any unit is left alone: `3 young` is a different mistake.
        #expect(T.expression("3 young").1.map(\.code) == [.expectedToken])
    }

    // MARK: Rules

    var expectedRule: RuleDecl {
        RuleDecl(header: header("career", label: "Uraohjaus", attributes: [attribute(.source, "seed 003")]),
                 scope: [Name("Keuruu"), Name("Mänttä-Vilppula")],
                 condition: name("young"),
                 exceptions: [Exception(condition: x(.isValue(field("status"), name("short_layoff"), negated: false)),
                                        label: "lyhyt lomautus", span: .none)],
                 outcomes: [ref(.assess, "career_guidance")],
                 variants: [], effectiveFrom: x(.date("2026-01-01")), effectiveUntil: x(.date("2026-12-31")),
                 overrides: nil, overridesSameName: false, over: [])
    }

    @Test(arguments: [
        """
        rule career "Uraohjaus"
          in Keuruu, "Mänttä-Vilppula"
          when young
          unless client.status is short_layoff "lyhyt lomautus"
          then assess career_guidance
          from 2026-01-01
          until 2026-12-31
          source "seed 003"
        """,
        """
        rule career "Uraohjaus"
          source "seed 003"
          until 2026-12-31
          in Keuruu, "Mänttä-Vilppula"
          unless client.status is short_layoff "lyhyt lomautus"
          from 2026-01-01
          then assess career_guidance
          when young
        """,
        """
        rule career "Uraohjaus" in Keuruu, "Mänttä-Vilppula" from 2026-01-01 until 2026-12-31 when young then assess career_guidance unless client.status is short_layoff "lyhyt lomautus" source "seed 003"
        """,
    ])
    func ruleClausesMayComeInAnyOrder(source: String) {
        #expect(onlyRule(source) == expectedRule)
    }

    @Test func variantsFollowThen() throws {
        let r = try #require(onlyRule("""
            rule documents
              when new_client
              then refer job_search_documents to area_coach
              in municipal_coaching:
                then refer job_search_documents to municipal_coach
              in Keuruu over west, south when young:
                then nothing
              in "Mänttä-Vilppula", Multia:
                then assess a, b
            """))
        #expect(r.scope == nil)
        #expect(r.outcomes == [ref(.refer, "job_search_documents", to: "area_coach")])
        #expect(r.variants == [
            Variant(scope: [Name("municipal_coaching")], over: [], condition: nil,
                    outcomes: [ref(.refer, "job_search_documents", to: "municipal_coach")], span: .none),
            Variant(scope: [Name("Keuruu")], over: [Name("west"), Name("south")], condition: name("young"),
                    outcomes: [], span: .none),
            Variant(scope: [Name("Mänttä-Vilppula"), Name("Multia")], over: [], condition: nil,
                    outcomes: [ref(.assess, "a"), ref(.assess, "b")], span: .none),
        ])
        #expect(r.variants.map { $0.scope.map(\.quoted) } == [[false], [false], [true, false]])
    }

    @Test func anInBeforeThenIsTheScopeAndAfterThenAVariant() throws {
        let r = try #require(onlyRule("rule r in west then nothing in Keuruu: then assess a"))
        #expect(r.scope == [Name("west")])
        #expect(r.variants.map(\.scope) == [[Name("Keuruu")]])
    }

    @Test func thenNothingGivesNoOutcomes() throws {
        let r = try #require(onlyRule("rule quiet when young then nothing"))
        #expect(r.outcomes.isEmpty)
        #expect(r.condition == name("young"))
    }

    @Test(arguments: [
        ("then assess a, b", ["assess a", "assess b"]),
        ("then assess a, flag b", ["assess a", "flag b"]),
        ("then refer x to y, z", ["refer x to y", "refer z"]),
        ("then refer x to y, refer x to z", ["refer x to y", "refer x to z"]),
        ("then eligible e, assess a, b, flag f", ["eligible e", "assess a", "assess b", "flag f"]),
    ])
    func outcomeListsCarryTheirKindForward(clause: String, outcomes: [String]) throws {
        let r = try #require(onlyRule("rule r \(clause)"))
        #expect(r.outcomes.map { "\($0.kind.rawValue) \($0.name.text)" + ($0.destination.map { " to \($0.text)" } ?? "") } == outcomes)
    }

    @Test(arguments: [
        ("rule r overrides then nothing", "r", true, [String]()),
        ("rule r then nothing overrides", "r", true, []),
        ("rule r overrides\n  source \"x\"\n  then nothing", "r", true, []),
        ("rule r overrides other then nothing", "other", false, []),
        ("rule r over a, b then nothing", nil, false, ["a", "b"]),
    ] as [(String, String?, Bool, [String])])
    func overridesAndOverNameOtherRules(source: String, overrides: String?, sameName: Bool, over: [String]) throws {
        let r = try #require(onlyRule(source))
        #expect(r.overrides?.text == overrides)
        #expect(r.overridesSameName == sameName)
        #expect(r.over.map(\.text) == over)
    }

    // MARK: Other declarations

    @Test func anAreaListsMunicipalitiesWithCodesAndGroups() throws {
        let ds = clean("""
            area etela_keski_suomi "Eteläisen Keski-Suomen työllisyysalue" {
              source "seed 003: Valmennuspalvelut"
              responsible Jämsä
              municipalities Joutsa code "172", Jämsä code 182, Keuruu, "Mänttä-Vilppula" code "508"
              group municipal_coaching "Kunta tuottaa valmennuksen" = Keuruu, "Mänttä-Vilppula"
                source "seed 003"
            }
            """)
        guard case .area(let a)? = ds.first else { Issue.record("not an area: \(ds)"); return }
        #expect(a.header == header("etela_keski_suomi", label: "Eteläisen Keski-Suomen työllisyysalue",
                                   attributes: [attribute(.source, "seed 003: Valmennuspalvelut")]))
        #expect(a.responsible == Name("Jämsä"))
        #expect(a.municipalities == [
            MunicipalityEntry(name: Name("Joutsa"), code: "172"), MunicipalityEntry(name: Name("Jämsä"), code: "182"),
            MunicipalityEntry(name: Name("Keuruu"), code: nil), MunicipalityEntry(name: Name("Mänttä-Vilppula"), code: "508"),
        ])
        #expect(a.groups == [GroupDecl(header: header("municipal_coaching", label: "Kunta tuottaa valmennuksen",
                                                      attributes: [attribute(.source, "seed 003")]),
                                       members: [Name("Keuruu"), Name("Mänttä-Vilppula")])])
    }

    @Test func aQuotedNameIsNormalisedToNFC() throws {
        let r = try #require(onlyRule("rule r in \"Ma\u{0308}ntta\u{0308}-Vilppula\" then nothing"))
        #expect(r.scope?.first.map { Array($0.text.unicodeScalars) } == Array("M\u{00E4}ntt\u{00E4}-Vilppula".unicodeScalars))
        #expect(r.scope?.first?.quoted == true)
    }

    @Test func aRecordDeclaresFieldsWithTypesColumnsValuesAndDefaults() throws {
        let ds = clean("""
            record client "Työnhakija-asiakas" {
              source "seed 001"
              ## Kotikunta, as a Statistics Finland code or a name.
              municipality "Kotikunta": municipality
                column "kotikunta", "Kotikunta"
              status: unemployed "työtön" | laid_off | student
                values { "työtön": unemployed, 1: laid_off }
                default unemployed
              unemployed_since: date?
              languages: set of text
            }
            """)
        guard case .record(let r)? = ds.first else { Issue.record("not a record: \(ds)"); return }
        #expect(r.header == header("client", label: "Työnhakija-asiakas", attributes: [attribute(.source, "seed 001")]))
        #expect(r.fields == [
            FieldDecl(header: header("municipality", label: "Kotikunta", doc: ["Kotikunta, as a Statistics Finland code or a name."]),
                      type: .named(Name("municipality")), columns: ["kotikunta", "Kotikunta"], values: [], defaultValue: nil),
            FieldDecl(header: header("status"),
                      type: .inlineEnum([EnumValueDecl(name: Name("unemployed"), label: "työtön"),
                                         EnumValueDecl(name: Name("laid_off"), label: nil),
                                         EnumValueDecl(name: Name("student"), label: nil)], .none),
                      columns: [], values: [ValueMapping(code: "työtön", value: name("unemployed"), span: .none),
                                            ValueMapping(code: "1", value: name("laid_off"), span: .none)],
                      defaultValue: name("unemployed")),
            FieldDecl(header: header("unemployed_since"), type: .optional(.named(Name("date")), .none),
                      columns: [], values: [], defaultValue: nil),
            FieldDecl(header: header("languages"), type: .setOf(.named(Name("text")), .none),
                      columns: [], values: [], defaultValue: nil),
        ])
    }

    @Test func anEnumerationListsItsValues() throws {
        let ds = clean("enum level \"Taso\" { KV \"Kansallinen\", LTK\n AL }")
        #expect(ds == [.enumDecl(EnumDecl(header: header("level", label: "Taso"), values: [
            EnumValueDecl(name: Name("KV"), label: "Kansallinen"), EnumValueDecl(name: Name("LTK"), label: nil),
            EnumValueDecl(name: Name("AL"), label: nil),
        ]))])
    }

    @Test func anOutcomeDeclaresItsKindAndDestinations() {
        let ds = clean("""
            outcome refer job_search_documents "Työnhaun asiakirjat"
              to area_coach "työllisyysasiantuntija", municipal_coach
              source "seed 003"
            outcome assess career_guidance
            """)
        #expect(ds == [
            .outcome(OutcomeDecl(header: header("job_search_documents", label: "Työnhaun asiakirjat",
                                                attributes: [attribute(.source, "seed 003")]),
                                 kind: .refer, destinations: [Destination(name: Name("area_coach"), label: "työllisyysasiantuntija"),
                                                              Destination(name: Name("municipal_coach"), label: nil)])),
            .outcome(OutcomeDecl(header: header("career_guidance"), kind: .assess, destinations: [])),
        ])
    }

    @Test func aUnitGivesItsFormAfterOneAndAfterOtherNumbers() throws {
        let decls = clean("unit \"tapahtuma\" other \"tapahtumaa\"\n  source \"seed 003\"\n")
        guard case .unit(let u)? = decls.first else { Issue.record("not a unit: \(decls)"); return }
        #expect(u.one == "tapahtuma")
        #expect(u.other == "tapahtumaa")
        #expect(u.attributes.map(\.text) == ["seed 003"])
    }

    @Test func aTargetMayHoldForEachMunicipality() throws {
        let decls = clean("goal g for 2026 {\n  target budget \"Tukibudjetin sidonta\" <= 100 % for each municipality reported\n  target total <= 5 reported\n}\n")
        guard case .goal(let g)? = decls.first else { Issue.record("not a goal: \(decls)"); return }
        #expect(g.targets.map(\.forEachMunicipality) == [true, false])
    }

    @Test func aParamHasDatedValuesAttributesAndOverrides() {
        let ds = clean("""
            param new_client_window "Uusi asiakas" = 14 days
              from 2027-01-01 = 21 days
              from 2028-01-01 = 4 weeks
              assumption "seed 003 does not say"
              overrides
            param limit: integer = 30
            let young "Nuori" = age(client.birth_date) < limit overrides
            """)
        #expect(ds == [
            .param(ParamDecl(header: header("new_client_window", label: "Uusi asiakas",
                                            attributes: [attribute(.assumption, "seed 003 does not say")]),
                             type: nil, value: x(.duration("14", .days)),
                             dated: [DatedValue(from: x(.date("2027-01-01")), value: x(.duration("21", .days)), span: .none),
                                     DatedValue(from: x(.date("2028-01-01")), value: x(.duration("4", .weeks)), span: .none)],
                             overrides: true)),
            .param(ParamDecl(header: header("limit"), type: .named(Name("integer")), value: x(.number("30")), dated: [], overrides: false)),
            .letDecl(LetDecl(header: header("young", label: "Nuori"),
                             value: x(.binary(.lt, x(.call(Name("age"), [field("birth_date")])), name("limit"))),
                             overrides: true)),
        ])
    }

    @Test func docCommentsAttachToTheNextDeclaration() {
        let ds = clean("""
            ## First line.
            ##   Indented second line.
            # An ordinary comment is not documentation.
            let a = 1
            let b = 2  ## trailing, not a doc comment of `c`
            let c = 3
            """)
        let docs = ds.compactMap { d -> [String]? in if case .letDecl(let l) = d { return l.header.doc }; return nil }
        #expect(docs == [["First line.", "  Indented second line."], [], []])
    }

    @Test func aBlankLineDetachesADocComment() {
        let ds = clean("""
            ## Documents `a`.
            let a = 1

            ## Stands alone: a blank line follows it.

            let b = 2
            """)
        let docs = ds.compactMap { d -> [String]? in if case .letDecl(let l) = d { return l.header.doc }; return nil }
        #expect(docs == [["Documents `a`."], []])
    }

    @Test func anImportNamesADirectory() {
        #expect(clean("import \"../common\"") == [.importDecl(ImportDecl(doc: [], path: "../common", span: .none))])
    }

    @Test func goalsTargetsAndVerdicts() throws {
        let ds = clean("""
            goal face_to_face "Kasvokkaiset palvelut" level KV for 2026 {
              target initial_f2f "Alkuhaastattelut kasvokkain" >= 75 %
                measured share of clients where client.f2f otherwise false
                         among clients where client.interviewed
              target caseload <= 130 "asiakasta/htv"
                baseline 139 "asiakasta/htv" in 2025-12 level LTK reported
              target placements >= 600 hlöä per year
                for 2026-Q1
                reported
              target model_ready "Toimintamalli valmis" assessed "valmis 2027 alusta"
            }
            verdicts {
              near within 5 points for percentages
              near within 10 % for others
              prorate per year
              assessment on_track "Etenee" counts as met
              goal none when no target has data
              goal "Ei toteudu" when any target is missed or every target is near
              goal "Toteutuu" otherwise
            }
            report {
              suppress below 5
              sample clients "sample/clients.csv"
              sample as_of 2026-03-31
              sample period 2026-Q1
            }
            """)
        #expect(ds.count == 3)
        guard case .goal(let g) = ds[0], case .verdicts(let v) = ds[1], case .report(let r) = ds[2] else {
            Issue.record("unexpected declarations: \(ds)"); return
        }
        #expect(g.level == Name("KV"))
        #expect(g.period == x(.period("2026")))
        #expect(g.targets.map(\.header.name.text) == ["initial_f2f", "caseload", "placements", "model_ready"])
        #expect(g.targets.map(\.comparison) == [.ge, .le, .ge, nil])
        #expect(g.targets.map(\.value) == [x(.percent("75")), x(.number("130")), x(.number("600")), nil])
        #expect(g.targets.map(\.unitLabel) == [nil, "asiakasta/htv", "hlöä", nil])
        #expect(g.targets.map(\.perYear) == [false, false, true, false])
        #expect(g.targets.map(\.isQualitative) == [false, false, false, true])
        #expect(g.targets[3].qualitative == "valmis 2027 alusta")
        #expect(g.targets[1].baseline == Baseline(value: x(.number("139")), unitLabel: "asiakasta/htv", text: nil,
                                                  period: x(.period("2025-12")), span: .none))
        #expect(g.targets[1].level == Name("LTK"))
        #expect(g.targets[2].period == x(.period("2026-Q1")))
        guard case .measured(let m) = g.targets[0].source else { Issue.record("not measured"); return }
        #expect(T.sexpr(m) == "(share clients where (otherwise client.f2f false) among client.interviewed)")
        #expect(v.items == [
            .near(amount: x(.number("5")), points: true, forPercentages: true, span: .none),
            .near(amount: x(.number("10")), points: false, forPercentages: false, span: .none),
            .prorate(perYear: true, span: .none),
            .assessment(name: Name("on_track"), label: "Etenee", countsAs: .met, span: .none),
            .goal(label: nil, condition: GoalCondition(anyOf: [[GoalAtom(quantifier: .no, status: nil, span: .none)]]), span: .none),
            .goal(label: "Ei toteudu", condition: GoalCondition(anyOf: [[GoalAtom(quantifier: .any, status: .missed, span: .none)],
                                                                        [GoalAtom(quantifier: .every, status: .near, span: .none)]]),
                  span: .none),
            .goal(label: "Toteutuu", condition: nil, span: .none),
        ])
        #expect(r.suppressBelow == x(.number("5")))
        #expect(r.sampleClients == "sample/clients.csv")
        #expect(r.sampleAsOf == x(.date("2026-03-31")))
        #expect(r.samplePeriod == x(.period("2026-Q1")))
    }

    @Test func aTestBlockWithClientsExpectationsAndAnExamplesTable() throws {
        let ds = clean("""
            fixture keuruu_client "Keuruulainen" like base { municipality: Keuruu, age_years: 40 }
            test "Keuruu: yli 3 kk työtön saa uraohjauksen arvion" {
              as_of 2026-05-01
              period 2026-Q1
              client like keuruu_client { unemployed_since: 2026-01-15 status: unemployed }
              actuals { initial_f2f: 80 % "lähde", caseload: 120 }
              expect assess career_guidance
              expect not refer job_search_documents to area_coach
              expect unemployment > 3 months
              expect target initial_f2f is met
              expect goal face_to_face is "Toteutuu"
              expect goal face_to_face is none
              examples {
                | age_years | as_of      | assess career_guidance | young |
                | 26        | 2026-05-01 | yes                    | true  |
                | 31        |            | no                     | false |
              }
            }
            """)
        #expect(ds.count == 2)
        guard case .fixture(let f) = ds[0], case .test(let t) = ds[1] else { Issue.record("unexpected: \(ds)"); return }
        #expect(f.header.name.text == "keuruu_client")
        #expect(f.base == Name("base"))
        #expect(f.fields.map(\.field.text) == ["municipality", "age_years"])
        #expect(t.name == "Keuruu: yli 3 kk työtön saa uraohjauksen arvion")
        #expect(t.asOf == x(.date("2026-05-01")))
        #expect(t.period == x(.period("2026-Q1")))
        #expect(t.clients == [ClientSpec(name: nil, base: Name("keuruu_client"), fields: [
            FieldValue(field: Name("unemployed_since"), value: x(.date("2026-01-15")), span: .none),
            FieldValue(field: Name("status"), value: name("unemployed"), span: .none),
        ], span: .none)])
        #expect(t.actuals == [ActualValue(target: Name("initial_f2f"), value: x(.percent("80")), note: "lähde", span: .none),
                              ActualValue(target: Name("caseload"), value: x(.number("120")), note: nil, span: .none)])
        #expect(t.expectations.map(\.expectation) == [
            .outcome(ref(.assess, "career_guidance"), negated: false),
            .outcome(ref(.refer, "job_search_documents", to: "area_coach"), negated: true),
            .holds(x(.binary(.gt, name("unemployment"), x(.duration("3", .months))))),
            .targetStatus(Name("initial_f2f"), .met),
            .goalVerdict(Name("face_to_face"), "Toteutuu"),
            .goalVerdict(Name("face_to_face"), nil),
        ])
        let table = try #require(t.tables.first)
        #expect(table.columns == [.name(Name("age_years")), .name(Name("as_of")),
                                  .outcome(ref(.assess, "career_guidance")), .name(Name("young"))])
        #expect(table.rows.map { $0.cells.map(T.sexpr) } == [["26", "2026-05-01", "yes", "true"],
                                                             ["31", "<error>", "no", "false"]])
    }

    @Test func aTestNamesItsClientsAndChecksPolicyText() throws {
        let ds = clean(#"""
            test "two clients" {
              as_of 2026-05-01
              client a { age_years: 26 }
              client b like a { age_years: 31 }
              expect a: young
              expect b: not young
              check """
                rule broken when young then asess career_guidance
                """
              expect error "expected an outcome"
            }
            """#)
        guard case .test(let t)? = ds.first else { Issue.record("not a test: \(ds)"); return }
        #expect(t.clients.map { [$0.name?.text, $0.base?.text] } == [["a", nil], ["b", "a"]])
        #expect(t.expectations.map(\.client) == [Name("a"), Name("b"), nil])
        #expect(t.check == "rule broken when young then asess career_guidance")
        #expect(t.expectations.last?.expectation == .checkError("expected an outcome"))
    }

    @Test func aTableRowWithTheWrongNumberOfCellsIsReported() {
        let p = T.parse("""
            test "t" {
              examples {
                | a | b |
                | 1 | 2 | 3 |
              }
            }
            """)
        #expect(T.summary(p.diagnostics) == ["L801@4:5"])
        #expect(p.diagnostics.first?.message == "this row has 3 cells, the header has 2")
    }
}
