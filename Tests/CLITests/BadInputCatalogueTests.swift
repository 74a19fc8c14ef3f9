import Foundation
import Testing

// The bad-input catalogue: docs/bad-inputs.md has one row per class of bad
// input, each with an id in backquotes (`csv.bad-value`). Every row has a
// test here that names its id: in the test's display name, "[csv.bad-value] …",
// or as `id: "csv.bad-value"` in a table of cases. `docAndTestsListTheSameRows`
// keeps the two in step. Each test runs the built `linja` binary on the input
// and checks the message, the exit code, and that the good rows (or the other
// diagnostics) are not lost.
//
// Rows whose behaviour is wrong today are in `BadInput.knownIssues`, marked
// "(known issue)" in the doc, and tested to the correct behaviour inside
// `withKnownIssue`.

// MARK: - Rule files: `linja check`

struct BadInputCatalogueRuleFileTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var text: [UInt8]
        /// Lines stderr must contain.
        var expected: [String]
        var exit: Int32 = 1
        /// Whether the file ends with the sentinel, whose error must also be reported.
        var sentinel = true
        var testDescription: String { id }
    }

    static let cases: [Case] = [
        Case(id: "rules.syntax", text: Array("let a = 1 +\nlet b = 2\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:1:12: error[L201]: expected an expression, found `let`"]),
        Case(id: "rules.type", text: Array("let a = client.n + \"x\"\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:1:9: error[L501]: cannot add a text to an integer"]),
        Case(id: "rules.unit", text: Array("let a = 3 months > 10 days\nlet b = since client.started > 10 otherwise false\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:1:9: error[L502]: cannot compare a duration in months with a duration in days",
                        "b.linja:2:9: error[L502]: cannot compare a span with a bare number",
                        "help: give the number a unit: `400 days`, `3 months`"]),
        Case(id: "rules.unknown-name",
             text: Array("rule r1 in \"Mänttä-Vilpula\" when client.n > 10 then flag big\nlet b = nn + 1\nlet c = client.m\nrule r2 when true then flag bigg\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:1:12: error[L403]: `Mänttä-Vilpula` is not a municipality, group or area of this policy",
                        "help: did you mean `Mänttä-Vilppula`?",
                        "b.linja:2:9: error[L401]: unknown name `nn`",
                        "b.linja:3:16: error[L402]: record `client` has no field `m`",
                        "b.linja:4:29: error[L404]: unknown outcome `flag bigg`", "help: did you mean `big`?"]),
        Case(id: "rules.conflict",
             text: Array("rule r1 when client.n > 10 then refer coaching to area_coach\nrule r2 when client.n > 5 then refer coaching to municipal_coach\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:2:32: error[L601]: rules `r1` and `r2` can both refer `coaching` for one client, to `area_coach` and to `municipal_coach`",
                        "help: both apply in Keuruu, Mänttä-Vilppula, Multia; make their conditions exclude each other, or say which wins: `over r1` in rule `r2`"]),
        Case(id: "rules.cycle", text: Array("let a = b + 1\nlet b = c + 1\nlet c = a + 1\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:1:5: error[L408]: let `a` depends on itself: a → b → c → a",
                        "help: a definition cannot use itself, directly or through other lets"]),
        Case(id: "rules.nesting",
             text: Array("let a = \(String(repeating: "(", count: 200))1\(String(repeating: ")", count: 200))\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:1:137: error[L203]: nesting is deeper than 128 levels",
                        "help: split the expression into named `let`s"]),
        Case(id: "rules.not-utf8",
             // "Jämsä" saved as Latin-1 / Windows-1252: ä is the single byte 0xE4.
             text: Array("# kommentti\nlet c = \"J".utf8) + [0xE4] + Array("ms".utf8) + [0xE4] + Array("\"\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:2:11: error[L101]: invalid UTF-8 byte 0xE4", "b.linja:2:14: error[L101]: invalid UTF-8 byte 0xE4",
                        "help: save the file as UTF-8"]),
        Case(id: "rules.bad-literal",
             text: Array("let a = client.started > 2026-02-30 otherwise false\nlet b = \"open\nlet c = 3 monts\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:1:26: error[L104]: `2026-02-30` is not a calendar date", "help: February 2026 has 28 days",
                        "b.linja:2:9: error[L102]: unterminated string",
                        "b.linja:3:11: error[L105]: unknown unit `monts`", "help: did you mean `month`?"]),
        Case(id: "rules.duplicate-declaration", text: Array("let a = 1\nlet a = 2\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:2:5: error[L303]: let `a` is declared twice"]),
        Case(id: "rules.bom-line-endings",
             text: [0xEF, 0xBB, 0xBF] + Array("let a = 1\r\nlet b = 2\rlet c = 3\n\(BadInput.sentinel)".utf8),
             expected: ["b.linja:4:23: \(BadInput.sentinelError)"]),
    ]

    @Test(arguments: cases)
    func checkReportsTheBadInputAndGoesOn(_ c: Case) throws {
        let dir = BadInput.policy([("b.linja", c.text)])
        let r = try BadInput.check(dir)
        #expect(!r.signalled, "linja crashed: \(r.stderr)")
        #expect(r.status == c.exit, "\(r.stderr)")
        for e in c.expected { #expect(r.stderr.contains(e), "missing: \(e)\nstderr:\n\(r.stderr)") }
        if c.sentinel {
            // An error after the bad input is still found: nothing is lost.
            #expect(r.stderr.contains(BadInput.sentinelError), "the error after the bad input is lost:\n\(r.stderr)")
        }
        #expect(r.stdout.isEmpty)
    }

    @Test("[rules.flat-chain] a chain of more than 128 operators is rejected with advice to split it")
    func aLongChainIsRejectedWithAdvice() throws {
        // Each operator is a level of the tree; the limit keeps every walk
        // over the tree (checker, compiler, formatter) within the stack.
        let dir = BadInput.policy([("b.linja", Array("let wide = \(BadInput.orChain(200))\n".utf8))])
        let r = try BadInput.check(dir)
        #expect(!r.signalled)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[L203]: this expression has too many operators in a row"), "\(r.stderr)")
        #expect(r.stderr.contains("split it into named `let`s"))
    }

    @Test("[rules.empty-file] an empty rule file declares nothing; the other files are checked")
    func anEmptyRuleFile() throws {
        let dir = BadInput.policy([("b.linja", []), ("c.linja", Array(BadInput.sentinel.utf8))])
        let r = try BadInput.check(dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("c.linja:1:23: \(BadInput.sentinelError)"))
        #expect(!r.stderr.contains("b.linja"))

        let clean = BadInput.policy([("b.linja", [])])
        let ok = try BadInput.check(clean)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "ok: 1 policy, 2 files\n")
    }

    @Test("[rules.empty-policy] a policy with no record checks clean, and run says it has no record")
    func anEmptyPolicy() throws {
        let dir = BadInput.tempDir() + "/empty"
        BadInput.write(dir + "/a.linja", [])
        let c = try BadInput.check(dir)
        #expect(c.status == 0)
        #expect(c.stdout == "ok: 1 policy, 1 file\n")
        let clients = BadInput.file("c.csv", BadInput.csv())
        let r = try CLI.run(["run", dir, "--clients", clients, "--as-of", BadInput.asOf], env: ["NO_COLOR": "1"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("linja run: \(clients):1: the policy declares no record to read"))
        #expect(r.stdout.isEmpty)
    }

    @Test("[rules.unreadable-path] a path that does not exist, or holds no rule files, exits 2")
    func anUnreadablePath() throws {
        let missing = try BadInput.check("no/such/dir")
        #expect(missing.status == 2)
        #expect(missing.stderr == "linja check: no such file or directory: no/such/dir\n")
        let empty = BadInput.tempDir()
        let none = try BadInput.check(empty)
        #expect(none.status == 2)
        #expect(none.stderr == "linja check: no rule files (.linja) in \(empty)\n")
    }

    /// rules/p imports the given paths; rules/q imports rules/p; rules/ok is clean.
    static func tree(_ imports: [String]) -> String {
        let root = BadInput.tempDir()
        BadInput.write(root + "/outside/o.linja", Array(BadInput.area.utf8))
        BadInput.write(root + "/rules/p/a.linja", Array((imports.map { "import \"\($0)\"\n" }.joined() + BadInput.area + BadInput.sentinel).utf8))
        BadInput.write(root + "/rules/ok/a.linja", Array(BadInput.area.utf8))
        return root
    }

    @Test("[rules.import-outside] an import that leaves the rules tree")
    func anImportOutsideTheTree() throws {
        let root = Self.tree(["../../outside"])
        let r = try BadInput.check(root + "/rules")
        #expect(r.status == 1)
        #expect(r.stderr.contains("p/a.linja:1:1: error[L302]: import `../../outside` leaves the rules tree"))
        #expect(r.stderr.contains("help: imports are relative paths inside `\(root)/rules`"))
        #expect(r.stderr.contains("p/a.linja:13:23: \(BadInput.sentinelError)"))
        #expect(!r.stderr.contains("ok/a.linja"))
    }

    @Test("[rules.import-missing] an import of a directory with no rule files")
    func anImportThatFindsNothing() throws {
        let root = Self.tree(["../nowhere"])
        let r = try BadInput.check(root + "/rules")
        #expect(r.status == 1)
        #expect(r.stderr.contains("p/a.linja:1:1: error[L301]: import `../nowhere`: no directory of rule files at `\(root)/rules/nowhere`"))
        #expect(r.stderr.contains("p/a.linja:13:23: \(BadInput.sentinelError)"))
    }

    @Test("[rules.import-cycle] policies that import each other")
    func anImportCycle() throws {
        let root = Self.tree(["../q"])
        BadInput.write(root + "/rules/q/a.linja", Array("import \"../p\"\nlet z = 1\n".utf8))
        let r = try BadInput.check(root + "/rules/p")
        #expect(r.status == 1)
        #expect(r.stderr.contains("q/a.linja:1:1: error[L308]: import `../p` makes a cycle: \(root)/rules/p → \(root)/rules/q → \(root)/rules/p"))
        #expect(r.stderr.contains("p/a.linja:13:23: \(BadInput.sentinelError)"))
    }

    @Test("[run.policy-errors] linja run on a policy with errors decides nothing and exits 1")
    func runOnAPolicyWithErrors() throws {
        let root = BadInput.tempDir()
        let common = (try? FileManager.default.contentsOfDirectory(atPath: CLI.repoRoot + "/rules/common")) ?? []
        for f in common where f.hasSuffix(".linja") {
            BadInput.write(root + "/common/" + f, Array(FileManager.default.contents(atPath: CLI.repoRoot + "/rules/common/" + f) ?? Data()))
        }
        for f in ["area.linja", "rules.linja", "goals.linja", "verdicts.linja", "sample/clients.csv", "sample/actuals-2026-Q1.csv"] {
            BadInput.write(root + "/eks/" + f, Array(FileManager.default.contents(atPath: CLI.repoRoot + "/rules/etela-keski-suomi/" + f) ?? Data()))
        }
        BadInput.write(root + "/eks/broken.linja", Array("let broken = client.birth_date + 1\n".utf8))
        let check = try BadInput.check(root + "/eks")
        #expect(check.status == 1)
        #expect(check.stderr.hasSuffix("broken.linja:1:14: error[L502]: cannot add an integer to a date\n  |\n1 | let broken = client.birth_date + 1\n  |              ^^^^^^^^^^^^^^^^^^^^^\n1 error\n"), "\(check.stderr)")
        let clients = BadInput.file("c.csv", BadInput.csv())
        let r = try CLI.run(["run", root + "/eks", "--clients", clients, "--as-of", BadInput.asOf], env: ["NO_COLOR": "1"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("broken.linja:1:14: error[L502]: cannot add an integer to a date"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }
}

// MARK: - Large rule files
// The 50 MB rows (`rules.50mb`, `rules.50mb-comments`) are too large for the
// suite's time budget: `linja-dev stress` runs them in a release build
// (Sources/LinjaDevTools/Stress.swift), from `.ci/run`.

struct BadInputCatalogueLargeRuleFileTests {
    @Test("[rules.many-comments] comments do not make checking quadratic")
    func commentsDoNotMakeCheckingQuadratic() throws {
        // 20,000 lets, then 20,000 comment lines: each declaration's doc
        // comments are looked for among all the file's comments.
        let lets = (0..<20_000).map { "let v\($0) = client.n + \($0)\n" }.joined()
        let comments = (0..<20_000).map { "# kommentti \($0)\n" }.joined()
        let plainDir = BadInput.policy([("b.linja", Array(lets.utf8))])
        let (plain, plainSeconds, _) = try BadInput.timedCheck(plainDir, limit: 120)
        #expect(plain.status == 0)

        // Linear would be about the same time; allow six times as long.
        let commentedDir = BadInput.policy([("b.linja", Array((lets + comments).utf8))])
        let limit = max(10, 6 * plainSeconds)
        let (r, seconds, killed) = try BadInput.timedCheck(commentedDir, limit: limit)
        print("rules.many-comments: \(String(format: "%.1f", plainSeconds)) s without the comments; with them "
              + (killed ? "stopped after \(String(format: "%.1f", seconds)) s" : "\(String(format: "%.1f", seconds)) s"))
        #expect(!killed, "with comments: more than \(limit) s; without: \(plainSeconds) s")
        #expect(r.status == 0)
    }
}

// MARK: - The catalogue and its tests stay in step

struct BadInputCatalogueTests {
    static let testSource = URL(fileURLWithPath: #filePath)
    /// The stress cases `linja-dev stress` runs (rows too large for the suite).
    static let stressSource = URL(fileURLWithPath: CLI.repoRoot + "/Sources/LinjaDevTools/Stress.swift")
    static let doc = CLI.repoRoot + "/docs/bad-inputs.md"

    /// Row ids named by the tests: "[id] …" in @Test names, `id: "…"` in
    /// cases (in the BadInput*.swift files here and in the stress cases).
    static func testIDs() throws -> Set<String> {
        let here = testSource.deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(atPath: here.path)
            .filter { $0.hasPrefix("BadInput") && $0.hasSuffix(".swift") }.sorted()
        var source = try String(contentsOf: stressSource, encoding: .utf8)
        for f in files { source += try String(contentsOf: here.appendingPathComponent(f), encoding: .utf8) }
        var ids = Set<String>()
        for pattern in [#"@Test\("\[([a-z0-9.-]+)\]"#, #"Case\(id: "([a-z0-9.-]+)""#] {
            let re = try NSRegularExpression(pattern: pattern)
            for m in re.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                if let r = Range(m.range(at: 1), in: source) { ids.insert(String(source[r])) }
            }
        }
        return ids
    }

    /// Row ids of the doc's tables ("| `id` | …"), and those marked "(known issue)".
    static func docRows() throws -> (ids: Set<String>, known: Set<String>) {
        let text = try String(contentsOfFile: doc, encoding: .utf8)
        let re = try NSRegularExpression(pattern: #"^\| `([a-z0-9.-]+)` \|"#)
        var ids = Set<String>(), known = Set<String>()
        for line in text.split(separator: "\n").map(String.init) {
            guard let m = re.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                  let r = Range(m.range(at: 1), in: line) else { continue }
            let id = String(line[r])
            #expect(!ids.contains(id), "row \(id) appears twice in docs/bad-inputs.md")
            ids.insert(id)
            if line.contains("(known issue)") { known.insert(id) }
        }
        return (ids, known)
    }

    @Test func docAndTestsListTheSameRows() throws {
        let tests = try Self.testIDs()
        let (rows, known) = try Self.docRows()
        #expect(tests.count >= 40, "\(tests.sorted())")
        #expect(tests.subtracting(rows).isEmpty, "tested but not in docs/bad-inputs.md: \(tests.subtracting(rows).sorted())")
        #expect(rows.subtracting(tests).isEmpty, "in docs/bad-inputs.md but not tested: \(rows.subtracting(tests).sorted())")
        #expect(known == BadInput.knownIssues, "doc says known issue: \(known.sorted()); tests: \(BadInput.knownIssues.sorted())")
    }

    @Test func theIssuesRequiredRowsAreThere() throws {
        // The classes issue 10 names, each with at least one row.
        let required = ["rules.syntax", "rules.type", "rules.unit", "rules.unknown-name", "rules.conflict", "rules.cycle",
                        "rules.nesting", "rules.not-utf8", "rules.empty-file", "rules.50mb", "csv.missing-column",
                        "csv.bad-value", "csv.ragged-row", "csv.unterminated-quote", "csv.bom", "csv.mixed-line-endings",
                        "csv.million-char-field", "data.duplicate-ids", "jsonl.not-an-object", "actuals.unknown-target",
                        "run.as-of-not-a-date"]
        let (rows, _) = try Self.docRows()
        for id in required { #expect(rows.contains(id), "\(id)") }
    }
}
