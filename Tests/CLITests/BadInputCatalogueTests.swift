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

enum BadInput {
    static let eks = "rules/etela-keski-suomi"
    static let pk = "rules/pohjois-karjala"
    static let asOf = "2026-03-31"

    /// Rows of the catalogue whose behaviour is wrong today.
    static let knownIssues: Set<String> = []

    // MARK: Client data for rules/etela-keski-suomi

    static let header = "id,municipality,birth_date,job_search_started,unemployed_since,status,immigrant,partial_work_ability,disabled,long_term_ill,in_services"
    /// A good row: referred to the municipal coach (Keuruu), assessed for career guidance.
    static let a1 = "A1,Keuruu,1990-01-01,2026-03-25,2025-12-01,unemployed,false,false,false,false,false"
    /// A good row: referred to the area coach (Jämsä).
    static let a3 = "A3,Jämsä,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false"
    /// A row with the given values in place of A2's defaults.
    static func row(id: String = "A2", municipality: String = "Keuruu", birthDate: String = "1990-01-01",
                    unemployedSince: String = "", status: String = "unemployed", immigrant: String = "false") -> String {
        "\(id),\(municipality),\(birthDate),2026-03-25,\(unemployedSince),\(status),\(immigrant),false,false,false,false"
    }
    /// Header, A1, the bad rows, A3.
    static func csv(_ middle: String...) -> String {
        ([header, a1] + middle + [a3]).joined(separator: "\n") + "\n"
    }

    static let j1 = #"{"id":"A1","municipality":"Keuruu","birth_date":"1990-01-01","job_search_started":"2026-03-25","unemployed_since":"2025-12-01","status":"unemployed","immigrant":false,"partial_work_ability":false,"disabled":false,"long_term_ill":false,"in_services":false}"#
    static let j3 = #"{"id":"A3","municipality":"Jämsä","birth_date":"1990-01-01","job_search_started":"2026-03-25","unemployed_since":null,"status":"unemployed","immigrant":false,"partial_work_ability":false,"disabled":false,"long_term_ill":false,"in_services":false}"#
    static func jsonl(_ middle: String...) -> String {
        ([j1] + middle + [j3]).joined(separator: "\n") + "\n"
    }

    // MARK: Files

    static func tempDir() -> String {
        let dir = NSTemporaryDirectory() + "linja-bad-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    /// A file in a fresh temporary directory.
    static func file(_ name: String, _ text: String) -> String {
        file(name, Array(text.utf8))
    }
    static func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = tempDir() + "/" + name
        write(path, bytes)
        return path
    }

    // MARK: Running

    /// `linja run` on rules/etela-keski-suomi, one JSON line per decided client.
    static func run(_ clients: String, _ extra: [String] = [], timeout: TimeInterval = 60) throws -> CLI.Result {
        try CLI.run(["run", eks, "--clients", clients, "--as-of", asOf, "--format", "jsonl"] + extra,
                    env: ["NO_COLOR": "1"], timeout: timeout)
    }

    /// The ids of the clients decided, in output order (jsonl output).
    static func decided(_ r: CLI.Result) -> [String] {
        r.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
        }
    }

    /// `linja goals` on rules/pohjois-karjala for 2026-Q1, JSON output.
    static func goals(_ actuals: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["goals", pk, "--period", "2026-Q1", "--actuals", actuals, "--format", "json"] + extra, env: ["NO_COLOR": "1"])
    }

    /// Each target's actual and its source, from `linja goals --format json`.
    static func actuals(_ r: CLI.Result) -> [String: (actual: String, source: String)] {
        guard let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
              let goals = json["goals"] as? [[String: Any]] else { return [:] }
        var out: [String: (String, String)] = [:]
        for g in goals {
            for t in g["targets"] as? [[String: Any]] ?? [] {
                guard let id = t["id"] as? String, let a = t["actual"], !(a is NSNull) else { continue }
                out[id] = ("\(a)", t["source"] as? String ?? "")
            }
        }
        return out
    }

    // MARK: Policies for `linja check`

    /// A small standalone policy: an area, a record, two outcomes.
    static let area = """
    area testialue "Testialue" {
      municipalities Keuruu code "249", "Mänttä-Vilppula" code "508", Multia code "389"
    }
    record client {
      id: text
      municipality: municipality
      n: integer
      started: date?
    }
    outcome flag big
    outcome refer coaching to area_coach, municipal_coach

    """

    /// A line that is always an error, put after the bad input to show that
    /// checking goes on past it.
    static let sentinel = "let sentinel = client.nope\n"
    static let sentinelError = "error[L402]: record `client` has no field `nope`"

    /// A policy directory: `area.linja` and the given files.
    static func policy(_ files: [(String, [UInt8])]) -> String {
        let dir = tempDir() + "/policy"
        write(dir + "/area.linja", Array(area.utf8))
        for (name, bytes) in files { write(dir + "/" + name, bytes) }
        return dir
    }

    static func check(_ path: String, timeout: TimeInterval = 60) throws -> CLI.Result {
        try CLI.run(["check", path], env: ["NO_COLOR": "1"], timeout: timeout)
    }

    /// `linja check` with a hard time limit: `CLI.run` stops a late child with
    /// SIGTERM, which the child inherits blocked from the test runner, so a
    /// slow check would run to its end. This one sends SIGKILL.
    static func timedCheck(_ path: String, limit: TimeInterval) throws -> (result: CLI.Result, seconds: TimeInterval, killed: Bool) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["check", path]
        p.currentDirectoryURL = URL(fileURLWithPath: CLI.repoRoot)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        p.environment = environment
        let base = NSTemporaryDirectory() + "linja-bad-out-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let start = Date()
        try p.run()
        let deadline = start.addingTimeInterval(limit)
        while p.isRunning, Date() < deadline { usleep(20_000) }
        let killed = p.isRunning
        if killed { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        try out.close()
        try err.close()
        let o = FileManager.default.contents(atPath: base + ".out") ?? Data()
        let e = FileManager.default.contents(atPath: base + ".err") ?? Data()
        try? FileManager.default.removeItem(atPath: base + ".out")
        try? FileManager.default.removeItem(atPath: base + ".err")
        return (CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                           stderr: String(decoding: e, as: UTF8.self), signalled: p.terminationReason == .uncaughtSignal),
                seconds, killed)
    }

    /// A flat chain of `n` conditions joined with `or`.
    static func orChain(_ n: Int) -> String {
        (0..<n).map { "client.n > \($0)" }.joined(separator: " or ")
    }
}

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
        for f in ["client.linja", "definitions.linja", "goal_definitions.linja", "outcomes.linja", "rules.linja"] {
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

struct BadInputCatalogueLargeRuleFileTests {
    /// A valid policy file of at least `bytes` bytes: params, lets, outcomes
    /// and rules with distinct names and labels.
    static func largePolicy(bytes: Int) -> [UInt8] {
        var s = ""
        s.reserveCapacity(bytes + 512)
        var i = 0
        while s.utf8.count < bytes {
            s += """
            param limit_\(i) "Raja \(i)" = \(i % 97 + 1) days
            let value_\(i) "Arvo \(i)" = client.n + \(i)
            outcome flag f_\(i)
            rule r_\(i) when value_\(i) > \(i) then flag f_\(i)


            """
            i += 1
        }
        return Array(s.utf8)
    }

    @Test("[rules.50mb] a 50 MB rule file of distinct declarations checks clean in a few minutes")
    func aFiftyMegabyteRuleFile() throws {
        let bytes = Self.largePolicy(bytes: 50_000_000)
        let dir = BadInput.policy([("big.linja", bytes)])
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let (r, seconds, killed) = try BadInput.timedCheck(dir, limit: 300)
        print("rules.50mb: linja check on \(bytes.count) bytes took \(String(format: "%.1f", seconds)) s")
        #expect(!killed, "linja check did not finish within 300 s")
        #expect(!r.signalled, "\(r.stderr)")
        #expect(r.status == 0, "\(r.stderr.prefix(2000))")
        #expect(r.stdout == "ok: 1 policy, 2 files\n")
    }

    @Test("[rules.50mb-comments] a 50 MB comment block, then an error on its last line")
    func aFiftyMegabyteCommentBlock() throws {
        let line = "# Tämä on pitkä kommenttilohko, jota mikään ei lue; se vain kasvattaa tiedostoa.\n"
        let count = 50_000_000 / line.utf8.count + 1
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * line.utf8.count + 64)
        let lineBytes = Array(line.utf8)
        for _ in 0..<count { bytes += lineBytes }
        bytes += Array(BadInput.sentinel.utf8)
        let dir = BadInput.policy([("big.linja", bytes)])
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let (r, seconds, killed) = try BadInput.timedCheck(dir, limit: 300)
        print("rules.50mb-comments: linja check on \(bytes.count) bytes took \(String(format: "%.1f", seconds)) s")
        #expect(!killed, "linja check did not finish within 300 s")
        #expect(!r.signalled)
        #expect(r.status == 1)
        #expect(r.stderr.contains("big.linja:\(count + 1):23: \(BadInput.sentinelError)"), "\(r.stderr.prefix(2000))")
    }

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

// MARK: - Client data: `linja run`

struct BadInputCatalogueClientDataTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var name = "c.csv"
        var bytes: [UInt8]
        /// Lines stderr must contain (the path is prefixed where a line starts with ':').
        var expected: [String]
        var exit: Int32 = 2
        /// The clients decided, in order.
        var decided = ["A1", "A3"]
        var testDescription: String { id }
    }

    static let cases: [Case] = [
        Case(id: "csv.bad-value", bytes: Array(BadInput.csv(BadInput.row(status: "unemployd")).utf8),
             expected: [":3:6: field 'status': expected one of unemployed, laid_off, short_layoff, employed, student, got 'unemployd'; did you mean 'unemployed'?",
                        "1 of 3 rows rejected; 2 decided"]),
        Case(id: "csv.bad-bool", bytes: Array(BadInput.csv(BadInput.row(immigrant: "maybe")).utf8),
             expected: [":3:7: field 'immigrant': expected true/false, 1/0 or kyllä/ei, got 'maybe'"]),
        Case(id: "csv.unknown-municipality", bytes: Array(BadInput.csv(BadInput.row(municipality: "Kuopio")).utf8),
             expected: [":3:2: field 'municipality': unknown municipality 'Kuopio'"]),
        Case(id: "csv.required-value-empty", bytes: Array(BadInput.csv(BadInput.row(birthDate: "")).utf8),
             expected: [":3:3: field 'birth_date': a value is required"]),
        Case(id: "csv.date-outside-calendar",
             bytes: Array(BadInput.csv(BadInput.row(unemployedSince: "2026-02-30"), BadInput.row(id: "A4", birthDate: "31.2.1990"),
                                       BadInput.row(id: "A5", unemployedSince: "9999-12-31")).utf8),
             expected: [":3:5: field 'unemployed_since': expected a date (2026-05-01 or 1.5.2026), got '2026-02-30'",
                        ":4:3: field 'birth_date': expected a date (2026-05-01 or 1.5.2026), got '31.2.1990'",
                        ":5: cannot be decided: rules/common/definitions.linja:30:18: the date is outside the calendar",
                        "3 of 5 rows rejected; 2 decided"]),
        Case(id: "csv.ragged-row",
             bytes: Array(BadInput.csv("A2,Keuruu,1990-01-01,2026-03-25,,unemployed,false,false", BadInput.row(id: "A4") + ",extra").utf8),
             expected: [":3: the row has 8 fields, the header 11", ":4: the row has 12 fields, the header 11",
                        "2 of 4 rows rejected; 2 decided"]),
        Case(id: "csv.unterminated-quote",
             bytes: Array(([BadInput.header, BadInput.a1, BadInput.a3, "A2,\"Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false"].joined(separator: "\n") + "\n").utf8),
             expected: [":4:2: unterminated quoted field in record 4 (the quote opened at line 4, column 2)",
                        "1 of 3 rows rejected; 2 decided"]),
        Case(id: "csv.quote-in-field", bytes: Array(BadInput.csv(BadInput.row(id: "A\"2")).utf8),
             expected: [":3:1: quote inside an unquoted field in record 3, column 1 (line 3); a field with quotes must be enclosed in quotes and its quotes doubled"]),
        Case(id: "csv.not-utf8",
             bytes: Array((BadInput.header + "\n" + BadInput.a1 + "\nA2,J").utf8) + [0xE4] + Array("ms".utf8) + [0xE4]
                + Array(",1990-01-01,2026-03-25,,unemployed,false,false,false,false,false\n\(BadInput.a3)\n".utf8),
             expected: [":3:2: invalid UTF-8 in record 3, column 2 (line 3); save the file as UTF-8"]),
        Case(id: "csv.bom", bytes: [0xEF, 0xBB, 0xBF] + Array(BadInput.csv().utf8), expected: [], exit: 0),
        Case(id: "csv.mixed-line-endings",
             bytes: Array((BadInput.header + "\r\n" + BadInput.a1 + "\n" + BadInput.row() + "\r" + BadInput.a3 + "\r\n").utf8),
             expected: [], exit: 0, decided: ["A1", "A2", "A3"]),
        Case(id: "csv.blank-lines", bytes: Array((BadInput.header + "\n" + BadInput.a1 + "\n\n\r\n\n" + BadInput.a3 + "\n").utf8),
             expected: [], exit: 0),
        Case(id: "csv.whitespace-line", bytes: Array((BadInput.header + "\n" + BadInput.a1 + "\n  \n" + BadInput.a3 + "\n").utf8),
             expected: [":3: the row has 1 field, the header 11", "1 of 3 rows rejected; 2 decided"]),
        Case(id: "csv.unknown-column",
             bytes: Array((BadInput.header + ",kengännumero\n" + BadInput.a1 + ",42\n" + BadInput.a3 + ",43\n").utf8),
             expected: ["warning: ", ":1:12: unknown column 'kengännumero' is ignored"], exit: 0),
        Case(id: "csv.header-only", bytes: Array((BadInput.header + "\n").utf8), expected: [], exit: 0, decided: []),
        Case(id: "csv.empty-file", bytes: [], expected: ["linja run: ", ":1: the file is empty: expected a header row"], decided: []),
        Case(id: "csv.missing-column",
             bytes: Array("id,municipality,birth_date,status\nA1,Keuruu,1990-01-01,unemployed\n".utf8),
             expected: [":1: missing required columns: 'job_search_started', 'immigrant', 'partial_work_ability', 'disabled', 'long_term_ill', 'in_services'"],
             decided: []),
        Case(id: "csv.duplicate-column",
             bytes: Array((BadInput.header + ",kotikunta\n" + BadInput.a1 + ",Keuruu\n").utf8),
             expected: [":1:12: field 'municipality': two columns give this field"], decided: []),
        Case(id: "jsonl.not-an-object", name: "c.jsonl", bytes: Array(BadInput.jsonl(#"["A2","Keuruu"]"#, #""A4""#).utf8),
             expected: [":2: expected a JSON object (line 2, column 1)", ":3: expected a JSON object (line 3, column 1)",
                        "2 of 4 rows rejected; 2 decided"]),
        Case(id: "jsonl.malformed", name: "c.jsonl", bytes: Array(BadInput.jsonl(#"{"id":"A2","#).utf8),
             expected: [":2: unexpected end of line: expected a string key (line 2, column 12)"]),
        Case(id: "jsonl.nested-value", name: "c.jsonl",
             bytes: Array(BadInput.jsonl(BadInput.j1.replacingOccurrences(of: #""A1""#, with: #""A2""#)
                                            .replacingOccurrences(of: #""Keuruu""#, with: #"{"name":"Keuruu"}"#)).utf8),
             expected: [":2:2: field 'municipality': expected a value, got a JSON object"]),
        Case(id: "jsonl.duplicate-key", name: "c.jsonl", bytes: Array(BadInput.jsonl(#"{"id":"A2","id":"A5"}"#).utf8),
             expected: [":2: duplicate key \"id\" (line 2, column 12)"]),
        Case(id: "jsonl.empty-file", name: "c.jsonl", bytes: [], expected: [], exit: 0, decided: []),
    ]

    @Test(arguments: cases)
    func runRejectsTheBadRowsAndDecidesTheGoodOnes(_ c: Case) throws {
        let path = BadInput.file(c.name, c.bytes)
        let r = try BadInput.run(path)
        #expect(!r.signalled, "linja crashed: \(r.stderr)")
        #expect(r.status == c.exit, "\(r.stderr)")
        for e in c.expected {
            let line = e.hasPrefix(":") ? path + e : e
            #expect(r.stderr.contains(line), "missing: \(line)\nstderr:\n\(r.stderr)")
        }
        if c.expected.isEmpty { #expect(r.stderr.isEmpty, "\(r.stderr)") }
        #expect(BadInput.decided(r) == c.decided, "\(r.stdout.prefix(2000))")
    }

    @Test("[csv.bad-value] with --skip-invalid the bad row goes to the rejects file with its reason, and the run exits 0")
    func skipInvalidKeepsTheRejectedRow() throws {
        let path = BadInput.file("c.csv", BadInput.csv(BadInput.row(status: "unemployd")))
        let rejects = path + ".rejected.csv"
        let r = try BadInput.run(path, ["--skip-invalid", rejects])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
        let text = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(text.contains("3,6,status,\"expected one of unemployed, laid_off, short_layoff, employed, student, got 'unemployd'; did you mean 'unemployed'?\",A2,Keuruu,"))
    }

    @Test("[csv.many-bad-rows] past --max-errors the bad rows are counted, not printed")
    func manyBadRows() throws {
        let bad = (0..<25).map { BadInput.row(id: "B\($0)", status: "x") }
        let path = BadInput.file("c.csv", BadInput.csv(bad.joined(separator: "\n")))
        let r = try BadInput.run(path, ["--max-errors", "3"])
        #expect(r.status == 2)
        #expect(r.stderr.components(separatedBy: "error: ").count - 1 == 3)
        #expect(r.stderr.contains("… and 22 more bad rows"))
        #expect(r.stderr.contains("25 of 27 rows rejected; 2 decided"))
        #expect(BadInput.decided(r) == ["A1", "A3"])
    }

    @Test("[csv.unterminated-quote-midfile] an unterminated quote before good rows loses only its own row")
    func anUnterminatedQuoteMidFile() throws {
        let path = BadInput.file("c.csv", BadInput.csv("A2,\"Keuruu,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false"))
        let r = try BadInput.run(path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):3:2: unterminated quoted field in record 3 (the quote opened at line 3, column 2)"), "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
        #expect(r.stderr.contains("1 of 3 rows rejected; 2 decided"), "\(r.stderr)")
    }

    @Test("[csv.million-char-field] a field of a million characters: rejected with a short message, or kept as text")
    func aMillionCharacterField() throws {
        let huge = String(repeating: "x", count: 1_000_000)
        // In a date field: rejected, the message shows 60 characters.
        let inDate = BadInput.file("c.csv", BadInput.csv(BadInput.row(birthDate: huge)))
        let start = Date()
        let r = try BadInput.run(inDate, timeout: 60)
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(inDate):3:3: field 'birth_date': expected a date (2026-05-01 or 1.5.2026), got '\(String(repeating: "x", count: 60))…'"))
        #expect(r.stderr.utf8.count < 1000)
        #expect(BadInput.decided(r) == ["A1", "A3"])
        // In the id (text): decided and written whole.
        let inID = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "B" + huge)))
        let t = try BadInput.run(inID, timeout: 60)
        #expect(t.status == 0)
        #expect(BadInput.decided(t) == ["A1", "B" + huge, "A3"])
        // Quoted, in an extra column past the header: a ragged row.
        let extra = BadInput.file("c.csv", BadInput.csv(BadInput.row() + ",\"" + huge + "\""))
        let e = try BadInput.run(extra, timeout: 60)
        #expect(e.status == 2)
        #expect(e.stderr.contains("\(extra):3: the row has 12 fields, the header 11"))
        #expect(BadInput.decided(e) == ["A1", "A3"])
    }

    @Test("[data.duplicate-ids] two rows with one id are reported, not both silently decided")
    func duplicateIDs() throws {
        let csv = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "A1", municipality: "Jämsä")))
        let r = try BadInput.run(csv)
        let jsonl = BadInput.file("c.jsonl", BadInput.jsonl(BadInput.j1))
        let j = try BadInput.run(jsonl)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(csv):3:1: field 'id':"), "\(r.stderr)")
        #expect(r.stderr.contains("A1") && r.stderr.contains("row 2"), "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
        #expect(j.status == 2)
        #expect(j.stderr.contains("\(jsonl):2:1: field 'id':") && j.stderr.contains("row 1"), "\(j.stderr)")
        #expect(BadInput.decided(j) == ["A1", "A3"])
        // Asked for, every row is decided.
        let allowed = try BadInput.run(csv, ["--allow-repeated-ids"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(BadInput.decided(allowed) == ["A1", "A1", "A3"])
    }

    @Test("[data.missing-id] a row with no id is rejected like any missing required value")
    func aMissingID() throws {
        let csv = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "")))
        let r = try BadInput.run(csv)
        let noKey = BadInput.j3.replacingOccurrences(of: #""id":"A3","#, with: "")
        let jsonl = BadInput.file("c.jsonl", BadInput.jsonl(noKey, BadInput.j3.replacingOccurrences(of: #""A3""#, with: "null")))
        let j = try BadInput.run(jsonl)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(csv):3:1: field 'id': a value is required"), "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
        #expect(j.status == 2)
        #expect(j.stderr.contains("\(jsonl):2: field 'id': missing (a value is required)"), "\(j.stderr)")
        #expect(BadInput.decided(j) == ["A1", "A3"])
    }

    @Test("[run.undecidable-row] a row that cannot be decided keeps its data in the rejects file")
    func anUndecidableRowKeepsItsData() throws {
        let path = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "A5", unemployedSince: "9999-12-31")))
        let plain = try BadInput.run(path)
        #expect(plain.status == 2)
        #expect(plain.stderr.contains("\(path):3: cannot be decided: rules/common/definitions.linja:30:18: the date is outside the calendar"))
        #expect(BadInput.decided(plain) == ["A1", "A3"])

        let rejects = path + ".rejected.csv"
        let r = try BadInput.run(path, ["--skip-invalid", rejects])
        #expect(r.status == 0)
        #expect(BadInput.decided(r) == ["A1", "A3"])
        let text = (try? String(contentsOfFile: rejects, encoding: .utf8)) ?? ""
        #expect(text.contains("3,,,cannot be decided: rules/common/definitions.linja:30:18: the date is outside the calendar"))
        #expect(text.contains(",A5,Keuruu,1990-01-01,2026-03-25,9999-12-31,"), "\(text)")
    }
}

// MARK: - Options: `linja run`

struct BadInputCatalogueRunOptionTests {
    static let sample = "rules/etela-keski-suomi/sample/clients.csv"

    @Test("[run.as-of-not-a-date] --as-of that is not a date, or not a calendar date")
    func anAsOfThatIsNotADate() throws {
        for bad in ["tomorrow", "2026-02-30", "31.2.2026"] {
            let r = try CLI.run(["run", BadInput.eks, "--clients", Self.sample, "--as-of", bad], env: ["NO_COLOR": "1"])
            #expect(r.status == 2)
            #expect(r.stderr == "linja run: --as-of must be a date (2026-05-01 or 1.5.2026), not '\(bad)'\nRun 'linja run --help' for usage.\n")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test("[run.unreadable-clients] --clients that does not exist, or is a directory")
    func unreadableClients() throws {
        let missing = try BadInput.run("/nonexistent/clients.csv")
        #expect(missing.status == 2)
        #expect(missing.stderr == "linja run: /nonexistent/clients.csv:1: cannot open '/nonexistent/clients.csv': No such file or directory\n")
        #expect(missing.stdout.isEmpty)
        let dir = BadInput.tempDir()
        let isDir = try BadInput.run(dir)
        #expect(isDir.status == 2)
        #expect(isDir.stderr == "linja run: \(dir):1: cannot read '\(dir)': Is a directory\n")
    }

    @Test("[run.param-wrong-type] --param with a value of the wrong type or an unknown name")
    func aParamOfTheWrongType() throws {
        let wrong = try CLI.run(["run", BadInput.eks, "--clients", Self.sample, "--as-of", BadInput.asOf, "--summary",
                                 "--param", "career_guidance_after=2"], env: ["NO_COLOR": "1"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.hasPrefix("linja run: --param career_guidance_after: expected a duration in months, got an integer ('2')\n"))
        #expect(wrong.stdout.isEmpty)
        let unknown = try CLI.run(["run", BadInput.eks, "--clients", Self.sample, "--as-of", BadInput.asOf, "--summary",
                                   "--param", "career_guidanc_after=2 months"], env: ["NO_COLOR": "1"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("linja run: --param: no param 'career_guidanc_after'; did you mean 'career_guidance_after'?\n"))
    }

    @Test("[run.only-unknown-id] --only with an id no row has says so")
    func onlyAnUnknownID() throws {
        let path = BadInput.file("c.csv", BadInput.csv())
        let r = try BadInput.run(path, ["--only", "A9"])
        #expect(BadInput.decided(r).isEmpty)
        #expect(r.stderr.contains("A9"), "stderr: \(r.stderr)")
        #expect(r.status == 2)
    }
}

// MARK: - Indicator data: `linja goals`

struct BadInputCatalogueIndicatorDataTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var text: String
        var expected: [String]
        var exit: Int32 = 2
        /// The target whose good row must still be used, and that row.
        var kept: (target: String, actual: String, row: Int)? = ("initial_f2f", "78", 3)
        var testDescription: String { id }
    }

    static let header = "target,period,value\n"
    static let good = "initial_f2f,2026-Q1,78 %\n"

    static let cases: [Case] = [
        Case(id: "actuals.unknown-target", text: header + "initial_f2f_typo,2026-Q1,78 %\n" + good,
             expected: [":2:1: field 'target': unknown target 'initial_f2f_typo'"]),
        Case(id: "actuals.wrong-unit", text: header + "under30_initial_f2f,2026-Q1,87 days\n" + good,
             expected: [":2:3: field 'value': target 'under30_initial_f2f' is in %, not 'days'"]),
        Case(id: "actuals.bad-value", text: header + "under30_initial_f2f,2026-Q1,paljon\n" + good,
             expected: [":2:3: field 'value': expected a number, got 'paljon'"]),
        Case(id: "actuals.bad-period", text: header + "under30_initial_f2f,2026-Q7,87 %\n" + good,
             expected: [":2:2: field 'period': expected a period (2026, 2026-Q1 or 2026-03), got '2026-Q7'"]),
        Case(id: "actuals.period-not-covered", text: header + "under30_initial_f2f,2025-Q1,87 %\n" + good,
             expected: [":2:2: field 'period': target 'under30_initial_f2f' is for 2026, not 2025-Q1"]),
        Case(id: "actuals.duplicate-value", text: header + good + "initial_f2f,2026-Q1,79 %\n",
             expected: [":3: a second value for 'initial_f2f' in 2026-Q1; the first is on row 2"],
             kept: ("initial_f2f", "78", 2)),
        Case(id: "actuals.unknown-municipality", text: "target,period,value,municipality\nunder30_initial_f2f,2026-Q1,87 %,Kuopio\ninitial_f2f,2026-Q1,78 %,\n",
             expected: [":2:4: field 'municipality': unknown municipality 'Kuopio'"]),
        Case(id: "actuals.ragged-row", text: header + "under30_initial_f2f,2026-Q1\n" + good,
             expected: [":2: record 2 (line 2) has 2 fields, but the header has 3"]),
        Case(id: "actuals.unterminated-quote", text: header + good + "under30_initial_f2f,2026-Q1,\"87 %\n",
             expected: [":3: unterminated quoted field in record 3 (the quote opened at line 3, column 3)"],
             kept: ("initial_f2f", "78", 2)),
        Case(id: "actuals.unknown-column", text: "target,period,value,lähde\ninitial_f2f,2026-Q1,78 %,TEAS\n",
             expected: ["warning: ", ":1:4: unknown column 'lähde'"], exit: 0, kept: ("initial_f2f", "78", 2)),
        Case(id: "actuals.missing-column", text: "target,value\ninitial_f2f,78 %\n",
             expected: [":1: missing required column: 'period'"], kept: nil),
        Case(id: "actuals.empty-file", text: "",
             expected: [":1: missing required columns: 'target', 'period'"], kept: nil),
    ]

    @Test(arguments: cases)
    func goalsReportTheBadRowAndUseTheGoodOnes(_ c: Case) throws {
        let path = BadInput.file("actuals.csv", c.text)
        let r = try BadInput.goals(path)
        #expect(!r.signalled)
        #expect(r.status == c.exit, "\(r.stderr)")
        for e in c.expected {
            let line = e.hasPrefix(":") ? path + e : e
            #expect(r.stderr.contains(line), "missing: \(line)\nstderr:\n\(r.stderr)")
        }
        // The goal table is still written, with the good rows' values.
        let actuals = BadInput.actuals(r)
        #expect(r.stdout.contains("\"goals\""))
        if let k = c.kept {
            #expect(actuals[k.target]?.actual == k.actual, "\(actuals)")
            #expect(actuals[k.target]?.source == "indicator data row \(k.row)", "\(actuals)")
        } else {
            #expect(actuals.isEmpty, "\(actuals)")
        }
    }

    @Test("[actuals.unreadable] --actuals that does not exist: the goals are still shown, without data")
    func unreadableActuals() throws {
        let r = try BadInput.goals("/nonexistent/actuals.csv")
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: /nonexistent/actuals.csv:1: cannot open '/nonexistent/actuals.csv': No such file or directory"))
        #expect(r.stdout.contains("\"goals\""))
        #expect(BadInput.actuals(r).isEmpty)
    }

    @Test("[goals.period-not-a-period] --period that is not a period")
    func aPeriodThatIsNotAPeriod() throws {
        let r = try CLI.run(["goals", BadInput.pk, "--period", "2026-Q5"], env: ["NO_COLOR": "1"])
        #expect(r.status == 2)
        #expect(r.stderr == "linja goals: --period must be 2026, 2026-Q1 or 2026-03, not '2026-Q5'\nRun 'linja goals --help' for usage.\n")
        #expect(r.stdout.isEmpty)
    }

    @Test("[goals.clients-bad-row] goals over client data count the good rows and report the bad one")
    func goalsOverClientDataWithABadRow() throws {
        let path = BadInput.file("c.csv", BadInput.csv(BadInput.row(status: "unemployd")))
        let r = try CLI.run(["goals", BadInput.eks, "--period", "2026-Q1", "--clients", path, "--as-of", BadInput.asOf, "--format", "json"],
                            env: ["NO_COLOR": "1"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: \(path):3:6: field 'status': expected one of unemployed, laid_off, short_layoff, employed, student, got 'unemployd'; did you mean 'unemployed'?"))
        // A1 and A3 are both broadly unemployed; the bad row is not counted.
        #expect(BadInput.actuals(r)["broad_unemployment"]?.actual == "2", "\(BadInput.actuals(r))")
    }
}

// MARK: - The catalogue and its tests stay in step

struct BadInputCatalogueTests {
    static let testSource = URL(fileURLWithPath: #filePath)
    static let doc = CLI.repoRoot + "/docs/bad-inputs.md"

    /// Row ids named by the tests: "[id] …" in @Test names, `id: "…"` in cases.
    static func testIDs() throws -> Set<String> {
        let source = try String(contentsOf: testSource, encoding: .utf8)
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
