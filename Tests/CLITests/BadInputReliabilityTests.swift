import Foundation
import LinjaTestSupport
import Testing

// The classes of issue 17 (an adversarial review: crashes, hangs, silent
// loss, escapes), one test per row of docs/bad-inputs.md. Each runs the
// built `linja` binary, so a trap or a stack overflow shows as a signal.

enum Reliability {
    /// The standalone policy of the catalogue, with `extra` record fields.
    static func policy(fields extra: String = "", _ files: [(String, String)]) -> String {
        let dir = BadInput.tempDir() + "/rules/p"
        let area = BadInput.area.replacingOccurrences(of: "  started: date?\n", with: "  started: date?\n" + extra)
        BadInput.write(dir + "/area.linja", Array(area.utf8))
        for (name, text) in files { BadInput.write(dir + "/" + name, Array(text.utf8)) }
        return dir
    }

    /// Clients of the standalone policy: `id,municipality,n,started`.
    static func clients(_ rows: [String], header: String = "id,municipality,n,started") -> String {
        BadInput.file("c.csv", ([header] + rows).joined(separator: "\n") + "\n")
    }

    static func run(_ policy: String, _ clients: String, _ extra: [String] = [], timeout: TimeInterval = 60) throws -> CLI.Result {
        try CLI.run(["run", policy, "--clients", clients, "--as-of", "2026-03-31"] + extra, env: ["NO_COLOR": "1"], timeout: timeout)
    }

    /// Lines `let a1 = a2 + 1` … `let aN = client.n`: each let names the next.
    static func backwardChain(_ n: Int) -> String {
        (1..<n).map { "let a\($0) = a\($0 + 1) + 1\n" }.joined() + "let a\(n) = client.n\n"
    }

    /// Lines `let a0 = client.n`, `let a1 = a0 + 1`, …: each let names the one before.
    static func forwardChain(_ n: Int) -> String {
        "let a0 = client.n\n" + (1..<n).map { "let a\($0) = a\($0 - 1) + 1\n" }.joined()
    }
}

// MARK: - Rule files

struct BadInputReliabilityRuleFileTests {
    @Test("[rules.let-chain] a chain of thousands of lets is an error on the let past the limit, never a stack overflow")
    func aLongChainOfLets() throws {
        // Backwards (each let names a later one): `check` used to recurse once per let.
        let backward = Reliability.policy([("c.linja", Reliability.backwardChain(3000))])
        let c = try BadInput.check(backward)
        #expect(!c.signalled, "linja crashed: \(c.stderr.prefix(2000))")
        #expect(c.status == 1)
        // a3000 is one level, each let above it two more: a2744 is the first past 512.
        #expect(c.stderr.contains("c.linja:2744:5: error[L203]: let `a2744` is defined through lets nested more than 512 levels deep"),
                "\(c.stderr.prefix(2000))")
        #expect(c.stderr.components(separatedBy: "error[").count - 1 == 1, "one error for the chain: \(c.stderr.prefix(3000))")

        // Forwards, 10,000 lets: `run` used to overflow the stack compiling it.
        let forward = Reliability.policy([("c.linja", Reliability.forwardChain(10_000) + "rule r when a9999 > 5 then flag big\n")])
        let r = try Reliability.run(forward, Reliability.clients(["A1,Keuruu,3,"]))
        #expect(!r.signalled, "linja crashed: \(r.stderr.prefix(2000))")
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[L203]: let `a256` is defined through lets nested more than 512 levels deep"), "\(r.stderr.prefix(2000))")
        #expect(r.stdout.isEmpty)

        // Within the limit the chain checks and every client is decided on its value.
        let fine = Reliability.policy([("c.linja", Reliability.forwardChain(200) + "rule r when a199 > 203 then flag big\n")])
        let ok = try Reliability.run(fine, Reliability.clients(["A1,Keuruu,3,", "A2,Keuruu,5,"]), ["--format", "jsonl", "--explain"])
        #expect(ok.status == 0, "\(ok.stderr.prefix(2000))")
        #expect(BadInput.decided(ok) == ["A1", "A2"])
        let lines = ok.stdout.split(separator: "\n")
        #expect(lines.count == 2 && !lines[0].contains("\"flag\"") && lines[1].contains("\"name\":\"big\""), "\(ok.stdout.prefix(2000))")
    }

    @Test("[rules.shared-definitions] lets that each use the one before twice are compiled once each, not once per path")
    func sharedDefinitionsAreCompiledOnce() throws {
        // 2^40 paths from the rule to a0, b0 and s0; each let is compiled once.
        var text = "let a0 = 1\nlet b0 = client.n\nlet s0 = since client.started\n"
        for i in 1...40 {
            text += "let a\(i) = a\(i - 1) + a\(i - 1)\n"
            text += "let b\(i) = b\(i - 1) + b\(i - 1)\n"
            text += "let s\(i) = if client.n > \(i) then s\(i - 1) else s\(i - 1)\n"
        }
        text += "rule r when b40 > a40 and s40 > 2 days otherwise false then flag big\n"
        let dir = Reliability.policy([("c.linja", text)])
        let clients = Reliability.clients(["A1,Keuruu,1,2026-01-01", "A2,Keuruu,2,2026-01-01", "A3,Keuruu,2,2026-03-30"])
        let start = Date()
        let r = try Reliability.run(dir, clients, ["--format", "jsonl", "--explain"], timeout: 30)
        #expect(!r.signalled)
        #expect(r.status == 0, "\(r.stderr.prefix(2000))")
        #expect(Date().timeIntervalSince(start) < 20, "took \(Date().timeIntervalSince(start)) s")
        // b40 = n·2^40 > a40 = 2^40 only for n = 2; s40 > 2 days only for A2.
        let flagged = r.stdout.split(separator: "\n").filter { $0.contains("\"name\":\"big\"") }.map { String($0.prefix(12)) }
        #expect(flagged == ["{\"id\":\"A2\",\""], "\(r.stdout.prefix(3000))")
    }
}

// MARK: - Rules trees: links

struct BadInputReliabilityTreeTests {
    static func link(_ target: String, at path: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    @Test("[rules.symlink-loop] links back into the rules tree are followed once each, and imports through them load a directory once")
    func linksThatLoop() throws {
        let rules = BadInput.tempDir() + "/rules"
        BadInput.write(rules + "/p/area.linja", Array(BadInput.area.utf8))
        BadInput.write(rules + "/q/q.linja", Array("let from_q = 1\n".utf8))
        for i in 1...3 { try Self.link(".", at: rules + "/s\(i)") }
        try Self.link("..", at: rules + "/p/up")
        // Through the links, q is one directory (and p itself a cycle).
        BadInput.write(rules + "/p/imports.linja", Array("import \"../s1/s2/s3/q\"\nimport \"../q\"\nlet b = from_q + 1\n".utf8))
        let start = Date()
        let r = try BadInput.check(rules, timeout: 30)
        #expect(!r.signalled)
        #expect(r.status == 0, "\(r.stderr.prefix(2000))")
        #expect(r.stdout == "ok: 2 policies, 3 files\n", "\(r.stdout.prefix(500))")
        #expect(Date().timeIntervalSince(start) < 10)
        let cycle = BadInput.tempDir() + "/rules"
        BadInput.write(cycle + "/p/area.linja", Array((BadInput.area + "import \"../s1/p\"\n").utf8))
        try Self.link(".", at: cycle + "/s1")
        let c = try BadInput.check(cycle + "/p", timeout: 30)
        #expect(c.status == 1)
        #expect(c.stderr.contains("error[L308]: import `../s1/p` makes a cycle"), "\(c.stderr)")
    }

    @Test("[rules.symlink-outside] a rule file or import that leads out of the rules tree, a pipe or a device is a diagnostic that quotes nothing of it")
    func linksOutOfTheTree() throws {
        let base = BadInput.tempDir()
        let secret = "SECRET_TOKEN=do-not-print-me"
        BadInput.write(base + "/outside/env.txt", Array(secret.utf8))
        BadInput.write(base + "/outside/evil.linja", Array("let evil = client.nope_evil\n".utf8))
        let rules = base + "/rules"
        BadInput.write(rules + "/p/area.linja", Array((BadInput.area + BadInput.sentinel).utf8))
        try Self.link(base + "/outside/env.txt", at: rules + "/p/env.linja")
        try Self.link("../outside", at: rules + "/evil")
        BadInput.write(rules + "/p/imports.linja", Array("import \"../evil\"\n".utf8))
        // A link inside the tree to a file inside it is read as usual.
        BadInput.write(rules + "/shared/shared.txt", Array("let shared = 1\n".utf8))
        try Self.link("../shared/shared.txt", at: rules + "/p/shared.linja")
        #expect(mkfifo(rules + "/p/pipe.linja", 0o644) == 0)
        let r = try BadInput.check(rules + "/p", timeout: 30)
        #expect(!r.signalled)
        #expect(r.status == 1)
        #expect(r.stderr.contains("p/env.linja:1:1: error[L309]: `") && r.stderr.contains("p/env.linja` is a link to a file outside the rules tree; it is not read"),
                "\(r.stderr)")
        #expect(r.stderr.contains("p/pipe.linja` is not a regular file (a device, pipe or socket); it is not read"), "\(r.stderr)")
        #expect(r.stderr.contains("p/imports.linja:1:1: error[L302]: import `../evil` leaves the rules tree through a symbolic link"), "\(r.stderr)")
        #expect(!r.stderr.contains("SECRET") && !r.stderr.contains("nope_evil") && !r.stderr.contains("outside/"), "\(r.stderr)")
        #expect(r.stderr.contains(BadInput.sentinelError), "the policy's own files are still checked: \(r.stderr)")
        #expect(!r.stderr.contains("shared"), "a link inside the tree is read: \(r.stderr)")
        // `fmt` refuses the same entries, and never reads the pipe.
        let f = try CLI.run(["fmt", "--check", rules], env: ["NO_COLOR": "1"], timeout: 30)
        #expect(f.status == 2)
        #expect(!f.stderr.contains("SECRET"), "\(f.stderr)")
    }

    @Test("[rules.confusable-names] a name mixing Latin and Cyrillic letters, and a bidi override in a comment or a label, are warned of")
    func confusableNamesAndBidiControls() throws {
        let text = "let limit = 5\nlet l\u{0456}mit = 6\n# admin \u{202E} check\nrule r \"label \u{202E} x\" when client.n > limit then flag big\n"
        let dir = BadInput.policy([("b.linja", Array(text.utf8))])
        let r = try BadInput.check(dir)
        #expect(r.status == 0, "warnings only: \(r.stderr)")
        #expect(r.stderr.contains("b.linja:2:5: warning[W904]: `l\u{0456}mit` mixes Latin and Cyrillic letters"), "\(r.stderr)")
        #expect(r.stderr.contains("help: `\u{0456}` is Cyrillic (U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I); a name in one script cannot pass for another"))
        #expect(r.stderr.contains("b.linja:3:9: warning[W905]: a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE) in a comment"))
        #expect(r.stderr.contains("b.linja:4:15: warning[W905]: a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE) in a string"))
        // The quoted line shows the override as an escape, so the line reads as it runs.
        #expect(r.stderr.contains("3 | # admin \\u{202E} check"), "\(r.stderr)")
        #expect(!r.stderr.unicodeScalars.contains("\u{202E}"))
        // Names in one script, Finnish letters included, are not warned of.
        let fine = BadInput.policy([("b.linja", Array("let määrä = 5\nlet лимит = 6\n".utf8))])
        let f = try BadInput.check(fine)
        #expect(!f.stderr.contains("W904"), "\(f.stderr)")
    }

    @Test("[rules.long-misspelt-name] a misspelt name of 100,000 characters gets its suggestion at once")
    func aVeryLongMisspeltName() throws {
        let long = String(repeating: "a", count: 100_000)
        let dir = BadInput.policy([("b.linja", Array("let \(long)x = 1\nlet b = \(long)y + 1\n".utf8))])
        let start = Date()
        let r = try BadInput.check(dir, timeout: 60)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[L401]: unknown name"), "\(r.stderr.suffix(300))")
        #expect(r.stderr.contains("help: did you mean `\(long)x`?"))
        #expect(Date().timeIntervalSince(start) < 20, "took \(Date().timeIntervalSince(start)) s")
    }
}

// MARK: - Client data

struct BadInputReliabilityDataTests {
    @Test("[csv.number-at-range-end] -2^63 millionths, the evaluator's 'missing', is rejected as out of range, not read as missing")
    func theSentinelValueIsRejected() throws {
        let dir = Reliability.policy(fields: "  score: decimal?\n", [("r.linja", "rule r when client.score is missing then flag big\n")])
        let clients = Reliability.clients([
            "A1,Keuruu,1,,-9223372036854.775808", "A2,Keuruu,1,,-9223372036854.775807",
            "A3,Keuruu,-9223372036854775808,,1", "A4,Keuruu,1,,",
        ], header: "id,municipality,n,started,score")
        let r = try Reliability.run(dir, clients, ["--format", "jsonl"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(clients):2:5: field 'score': '-9223372036854.775808' is outside the range of numbers (±9223372036854.775807)"), "\(r.stderr)")
        #expect(r.stderr.contains("\(clients):4:3: field 'n': '-9223372036854775808' is outside the range of whole numbers (±9223372036854775807)"), "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A2", "A4"])
        // Only the client whose score is really missing is flagged.
        let flagged = r.stdout.split(separator: "\n").filter { $0.contains("\"name\":\"big\"") }
        #expect(flagged.count == 1 && flagged[0].contains("\"A4\""), "\(r.stdout)")
    }
}

struct BadInputReliabilitySmallDefectTests {
    @Test("[run.clients-jsonl-directory] --clients naming a directory called x.jsonl is a problem of the file (row 1), not a rejected line 0")
    func aDirectoryNamedLikeJSONLines() throws {
        let dir = BadInput.tempDir() + "/x.jsonl"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try BadInput.run(dir)
        #expect(r.status == 2)
        #expect(r.stderr == "linja run: \(dir):1: cannot read '\(dir)': Is a directory\n", "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test("[csv.birth-date-after-as-of] a birth date after as_of (a field declared `not after as_of`) is rejected, in run and in goals over clients")
    func aBirthDateInTheFuture() throws {
        let path = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "A5", birthDate: "9999-12-31"), BadInput.row(id: "A6", birthDate: "1.4.2026")))
        let r = try BadInput.run(path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):3: cannot be decided: rules/common/client.linja:13:5: `birth_date` is 9999-12-31, after as_of 2026-03-31 (the record says `not after as_of`)"), "\(r.stderr)")
        #expect(r.stderr.contains("\(path):4: cannot be decided: rules/common/client.linja:13:5: `birth_date` is 2026-04-01, after as_of 2026-03-31"), "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A1", "A3"])
        // Born on as_of itself is fine.
        let today = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "A7", birthDate: BadInput.asOf)))
        #expect(BadInput.decided(try BadInput.run(today)) == ["A1", "A7", "A3"])
        // With --skip-invalid the row goes to the rejects file; goals over clients do not count it.
        let rejects = path + ".rejected.csv"
        let s = try BadInput.run(path, ["--skip-invalid", rejects])
        #expect(s.status == 0)
        #expect(((try? String(contentsOfFile: rejects, encoding: .utf8)) ?? "").contains(",A5,Keuruu,9999-12-31,"))
        let g = try CLI.run(["goals", BadInput.eks, "--period", "2026-Q1", "--clients", path, "--as-of", BadInput.asOf, "--format", "json"])
        #expect(g.status == 2)
        #expect(g.stderr.contains("\(path):3: a client could not be counted: rules/common/client.linja:13:5: `birth_date` is 9999-12-31"), "\(g.stderr)")
        #expect(g.stdout.contains("\"clients\": 2"), "\(g.stdout.prefix(400))")
        // The clause is for dates only.
        let dir = Reliability.policy(fields: "  score: integer\n    not after as_of\n", [])
        let c = try BadInput.check(dir)
        #expect(c.status == 1)
        #expect(c.stderr.contains("error[L501]: `not after as_of` needs a date, and field `score` is an integer"), "\(c.stderr)")
    }
}

struct BadInputReliabilityJSONTests {
    @Test("[jsonl.many-unknown-keys] a JSON line with 30,000 unknown keys is read in linear time")
    func manyUnknownKeys() throws {
        let keys = (0..<30_000).map { "\"x\($0)\":1" }.joined(separator: ",")
        let row = BadInput.j1.replacingOccurrences(of: "{\"id\":\"A1\",", with: "{\"id\":\"A2\"," + keys + ",")
        let path = BadInput.file("c.jsonl", BadInput.jsonl(row))
        let start = Date()
        let r = try BadInput.run(path, timeout: 60)
        #expect(r.status == 0, "\(r.stderr.prefix(1000))")
        #expect(BadInput.decided(r) == ["A1", "A2", "A3"])
        #expect(Date().timeIntervalSince(start) < 10, "took \(Date().timeIntervalSince(start)) s")
    }
}

struct BadInputReliabilityParamTests {
    /// The `policy` of each JSON line.
    static func policyIDs(_ r: CLI.Result) -> Set<String> {
        Set(r.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["policy"] as? String
        })
    }

    @Test("[run.param-recorded] outputs made with --param carry a fingerprint of their own and list the overrides")
    func overridesAreRecorded() throws {
        let base = ["run", BadInput.eks, "--clients", Reliability.eksClients, "--as-of", BadInput.asOf, "--only", "EKS-000033"]
        let param = ["--param", "career_guidance_after=2 months"]
        let plain = try CLI.run(base + ["--format", "jsonl"])
        let over = try CLI.run(base + ["--format", "jsonl"] + param)
        let again = try CLI.run(base + ["--format", "jsonl"] + param)
        #expect(plain.status == 0 && over.status == 0, "\(over.stderr)")
        let (p, o) = (Self.policyIDs(plain), Self.policyIDs(over))
        #expect(p.count == 1 && o.count == 1 && p != o, "\(p) \(o)")
        #expect(Self.policyIDs(again) == o, "the same overrides give the same fingerprint")
        // The table and JSON name them beside the fingerprint; CSV carries the fingerprint.
        let table = try CLI.run(base + param)
        #expect(table.stdout.contains("policy etela-keski-suomi \(o.first ?? "?") with career_guidance_after = 2 months, as of 2026-03-31"), "\(table.stdout)")
        let json = try CLI.run(base + ["--format", "json"] + param)
        #expect(json.stdout.contains("\"param_overrides\": {\"career_guidance_after\":\"2 months\"}"), "\(json.stdout.prefix(500))")
        let csv = try CLI.run(base + ["--format", "csv"] + param)
        #expect(csv.stdout.contains("\r\n\(o.first ?? "?"),2026-03-31,EKS-000033,"), "\(csv.stdout.prefix(500))")
        let summary = try CLI.run(["run", BadInput.eks, "--clients", Reliability.eksClients, "--as-of", BadInput.asOf, "--summary"] + param)
        #expect(summary.stdout.contains("with career_guidance_after = 2 months  as of 2026-03-31"), "\(summary.stdout.prefix(300))")
        let summaryJSON = try CLI.run(["run", BadInput.eks, "--clients", Reliability.eksClients, "--as-of", BadInput.asOf, "--summary",
                                       "--format", "json"] + param)
        #expect(summaryJSON.stdout.contains("\"param_overrides\": {\n    \"career_guidance_after\": \"2 months\"\n  },"), "\(summaryJSON.stdout.prefix(500))")
        // due's worklist (CSV): the overridden fingerprint in its policy column.
        let due = try CLI.run(["due", BadInput.eks, "--clients", Reliability.eksClients, "--as-of", BadInput.asOf, "--within", "14 days",
                               "--format", "csv"] + param)
        #expect(due.stdout.contains("\r\n\(o.first?.prefix(12) ?? "?"),2026-03-31,"), "\(due.stdout.prefix(300))")
        // The report: its terminal text lists them, its BI export's policy_version is the overridden fingerprint.
        let report = try CLI.run(["report", BadInput.eks, "--export", "-"] + param)
        let plainReport = try CLI.run(["report", BadInput.eks, "--export", "-"])
        #expect(report.status == 0 && plainReport.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("Muutetut parametrit: career_guidance_after = 2 months"), "\(report.stdout.prefix(500))")
        #expect(report.stdout.contains(",\(o.first?.prefix(12) ?? "?"),2026-03-31,") && !plainReport.stdout.contains(",\(o.first?.prefix(12) ?? "?"),"),
                "\(report.stdout.suffix(500))")
        // Goals: the table, JSON and the HTML report.
        let goals = try CLI.run(["goals", BadInput.eks, "--period", "2026-Q1", "--clients", Reliability.eksClients, "--as-of", BadInput.asOf,
                                 "--format", "json"] + param)
        #expect(goals.stdout.contains("\"param_overrides\": {"), "\(goals.stdout.prefix(500))")
        let goalTable = try CLI.run(["goals", BadInput.eks, "--period", "2026-Q1", "--clients", Reliability.eksClients, "--as-of", BadInput.asOf] + param)
        #expect(goalTable.stdout.contains("muutetut parametrit: career_guidance_after = 2 months"), "\(goalTable.stdout.prefix(300))")
        let html = try CLI.run(["goals", BadInput.eks, "--period", "2026-Q1", "--clients", Reliability.eksClients, "--as-of", BadInput.asOf,
                                "--format", "html"] + param)
        #expect(html.stdout.contains("muutetut parametrit: career_guidance_after = 2 months"))
    }
}

// MARK: - Indicator data and the goal table

struct BadInputReliabilityGoalTests {
    @Test("[actuals.second-value-column] a second column for one field (value twice, or value and arvo) is an error, and no row is read")
    func aSecondValueColumn() throws {
        for header in ["target,period,value,value", "target,period,value,arvo"] {
            let path = BadInput.file("actuals.csv", header + "\ninitial_f2f,2026-Q1,78 %,99 %\n")
            let r = try BadInput.goals(path)
            #expect(r.status == 2, "\(header): \(r.stderr)")
            #expect(r.stderr.contains("error: \(path):1:4: field 'value': two columns give this field (columns 3 and 4)"), "\(r.stderr)")
            #expect(BadInput.actuals(r).isEmpty, "\(BadInput.actuals(r))")
        }
    }

    @Test("[actuals.value-near-limit] an indicator value at the end of the number range is shown, not a crash, in every format")
    func aValueNearTheLimit() throws {
        let path = BadInput.file("actuals.csv", "target,period,value\ninitial_f2f,2026-Q1,9223372036854.77 %\n")
        // JSON and CSV keep the digits; the HTML and the table group them by
        // thousands in Finnish with no-break spaces (a wrapped cell never splits the number).
        for (format, shown) in [("table", "9\u{00A0}223\u{00A0}372\u{00A0}036\u{00A0}854,77\u{00A0}%"), ("html", "9\u{00A0}223\u{00A0}372\u{00A0}036\u{00A0}854,77\u{00A0}%"),
                                ("json", "9223372036854.77"), ("csv", "9223372036854.77")] {
            let r = try CLI.run(["goals", BadInput.pk, "--period", "2026-Q1", "--actuals", path, "--format", format], env: ["NO_COLOR": "1"])
            #expect(!r.signalled, "\(format): linja crashed: \(r.stderr.prefix(1000))")
            #expect(r.status == 0, "\(format): \(r.stderr)")
            #expect(r.stdout.contains(shown), "\(format): \(r.stdout.prefix(3000))")
        }
        // Too near the end to round to one decimal: shown as it is.
        let table = try CLI.run(["goals", BadInput.pk, "--period", "2026-Q1", "--actuals", path], env: ["NO_COLOR": "1"])
        #expect(table.stdout.contains("854,77\u{00A0}%"), "\(table.stdout)")
        // The REPL's :goals renders the same table.
        let repl = try CLI.run(["repl", BadInput.pk], stdin: ":goals 2026-Q1 \(path)\n:quit\n", env: ["NO_COLOR": "1"])
        #expect(!repl.signalled, "linja repl crashed: \(repl.stderr.prefix(1000))")
        #expect(repl.stdout.contains("9\u{00A0}223\u{00A0}372\u{00A0}036\u{00A0}854,77\u{00A0}%"), "\(repl.stdout.prefix(3000))")
    }
}

// MARK: - Outputs: write errors, files that must not be replaced, what reaches a terminal or a spreadsheet

extension Reliability {
    /// Runs linja with standard output on `stdout` (a device, a pipe, a
    /// file); standard error is captured.
    static func run(_ args: [String], stdout: FileHandle, stdin: FileHandle = .nullDevice, env: [String: String] = [:]) throws -> CLI.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: CLI.repoRoot)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let errPath = Scratch.root + "linja-rel-err-" + UUID().uuidString
        #expect(FileManager.default.createFile(atPath: errPath, contents: nil), "cannot write a test file")
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardOutput = stdout
        p.standardError = err
        p.standardInput = stdin
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning, Date() < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        try err.close()
        let e = FileManager.default.contents(atPath: errPath) ?? Data()
        return CLI.Result(status: p.terminationStatus, stdout: "", stderr: String(decoding: e, as: UTF8.self),
                          signalled: p.terminationReason == .uncaughtSignal)
    }

    static let eksClients = "rules/etela-keski-suomi/sample/clients.csv"
    static let pkActuals = "rules/pohjois-karjala/sample/actuals-2026-Q1.csv"

    /// The files in a directory (temporary files left behind show here).
    static func entries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }
}

struct BadInputReliabilityOutputTests {
    @Test("[output.write-error] every command whose standard output fails (a full disk: /dev/full) exits 2 with a message; a closed pipe ends it quietly")
    func writeErrorsEndTheRun() throws {
        let commands: [[String]] = [
            ["run", BadInput.eks, "--clients", Reliability.eksClients, "--as-of", BadInput.asOf],
            ["run", BadInput.eks, "--clients", Reliability.eksClients, "--as-of", BadInput.asOf, "--summary"],
            ["goals", BadInput.pk, "--period", "2026-Q1", "--actuals", Reliability.pkActuals],
            ["report", BadInput.pk],
            ["check", "rules"],
            ["test", "rules/pohjois-karjala"],
            ["fmt", "rules/common/rules.linja", "--check"],
            ["fmt", "-"],
            ["generate", "clients", "--policy", BadInput.eks, "--count", "100", "--as-of", BadInput.asOf],
            ["diff", BadInput.eks, BadInput.eks, "--clients", Reliability.eksClients, "--as-of", BadInput.asOf],
            ["due", BadInput.eks, "--clients", Reliability.eksClients, "--as-of", BadInput.asOf, "--within", "14 days"],
        ]
        for args in commands {
            guard let full = FileHandle(forWritingAtPath: "/dev/full") else { Issue.record("no /dev/full"); return }
            // `fmt -` formats standard input to standard output.
            let input = args.last == "-" ? FileHandle(forReadingAtPath: CLI.repoRoot + "/rules/common/rules.linja") : nil
            let r = try Reliability.run(args, stdout: full, stdin: input ?? .nullDevice)
            try full.close()
            try input?.close()
            let name = args[0]
            // fmt --check prints nothing when the file is formatted: nothing to lose.
            if args.last == "--check" { #expect(r.status == 0, "\(r.stderr)"); continue }
            #expect(!r.signalled, "\(name): \(r.stderr.prefix(500))")
            #expect(r.status == 2, "\(args.joined(separator: " ")): exit \(r.status)\n\(r.stderr.prefix(500))")
            #expect(r.stderr.contains("linja \(name): cannot write standard output: No space left on device"), "\(name): \(r.stderr.prefix(500))")
        }
        // A reader that has gone: the run ends by SIGPIPE, without a word.
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let r = try Reliability.run(["generate", "clients", "--policy", BadInput.eks, "--count", "100000", "--as-of", BadInput.asOf],
                                    stdout: pipe.fileHandleForWriting)
        #expect(r.signalled && r.status == SIGPIPE, "exit \(r.status), signalled \(r.signalled)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
    }

    @Test("[output.disk-full] a file linja creates that cannot be written whole is not left behind, and an older file of that name is kept")
    func aFullDiskLeavesNoPartialFile() throws {
        let dir = BadInput.tempDir()
        let limit = ["LINJA_FAULT_WRITE_LIMIT": "4000"]
        // generate --out: nothing is left, not even a temporary file.
        let out = dir + "/clients.csv"
        let g = try CLI.run(["generate", "clients", "--policy", BadInput.eks, "--count", "1000", "--as-of", BadInput.asOf, "--out", out],
                            env: limit)
        #expect(!g.signalled)
        #expect(g.status == 2)
        #expect(g.stderr.contains("linja generate: cannot write '\(out)': No space left on device"), "\(g.stderr)")
        #expect(Reliability.entries(dir).isEmpty, "\(Reliability.entries(dir))")
        // run --skip-invalid with many rejects: the rejects file is all or nothing.
        let bad = (0..<300).map { BadInput.row(id: "B\($0)", status: "x") }.joined(separator: "\n")
        let clients = BadInput.file("c.csv", BadInput.csv(bad))
        let rejects = dir + "/rejects.csv"
        BadInput.write(rejects, Array("an older file\n".utf8))
        let r = try CLI.run(["run", BadInput.eks, "--clients", clients, "--as-of", BadInput.asOf, "--skip-invalid", rejects], env: limit)
        #expect(r.status == 2)
        #expect(r.stderr.contains("linja run: cannot write '\(rejects)': No space left on device"), "\(r.stderr)")
        #expect(FileManager.default.contents(atPath: rejects) == Data("an older file\n".utf8))
        #expect(Reliability.entries(dir) == ["rejects.csv"], "\(Reliability.entries(dir))")
        // Without the fault, the same run writes all 300 rejects and exits 0.
        let ok = try CLI.run(["run", BadInput.eks, "--clients", clients, "--as-of", BadInput.asOf, "--skip-invalid", rejects])
        #expect(ok.status == 0, "\(ok.stderr)")
        let text = (try? String(contentsOfFile: rejects, encoding: .utf8)) ?? ""
        #expect(text.split(separator: "\r\n").count == 301, "\(text.prefix(300))")
        // report --out: no partial HTML.
        let html = dir + "/report.html"
        let h = try CLI.run(["report", BadInput.pk, "--out", html], env: ["LINJA_FAULT_WRITE_LIMIT": "2000"])
        #expect(h.status == 2)
        #expect(!FileManager.default.fileExists(atPath: html))
        // report --export (the BI table): no partial CSV.
        let export = dir + "/report.csv"
        let e = try CLI.run(["report", BadInput.pk, "--export", export], env: ["LINJA_FAULT_WRITE_LIMIT": "2000"])
        #expect(e.status == 2)
        #expect(e.stderr.contains("linja report: cannot write '\(export)': No space left on device"), "\(e.stderr)")
        #expect(!FileManager.default.fileExists(atPath: export))
    }

    @Test("[output.same-as-input] an output that is one of the command's inputs (by device and inode) is refused before anything is written")
    func anOutputThatIsAnInput() throws {
        let clients = BadInput.file("c.csv", BadInput.csv(BadInput.row(status: "x")))
        let before = FileManager.default.contents(atPath: clients)
        let r = try BadInput.run(clients, ["--skip-invalid", clients])
        #expect(r.status == 2)
        #expect(r.stderr.contains("linja run: '\(clients)' is an input of this command; write the output to another file"), "\(r.stderr)")
        #expect(FileManager.default.contents(atPath: clients) == before)
        // Another name for the same file: a hard link.
        let other = (clients as NSString).deletingLastPathComponent + "/same.csv"
        try FileManager.default.linkItem(atPath: clients, toPath: other)
        let h = try BadInput.run(clients, ["--skip-invalid", other])
        #expect(h.status == 2)
        #expect(h.stderr.contains("linja run: '\(other)' is the input file '\(clients)'; write the output to another file"), "\(h.stderr)")
        #expect(FileManager.default.contents(atPath: clients) == before)
        // goals --out onto the actuals, and a rule file of the policy.
        let actuals = BadInput.file("a.csv", "target,period,value\ninitial_f2f,2026-Q1,78 %\n")
        let g = try CLI.run(["goals", BadInput.pk, "--period", "2026-Q1", "--actuals", actuals, "--out", actuals])
        #expect(g.status == 2)
        #expect(g.stderr.contains("is an input of this command"), "\(g.stderr)")
        // (A policy of its own: a linja without the check would replace the rule file.)
        let policy = Reliability.policy([])
        let rule = try CLI.run(["generate", "clients", "--policy", policy, "--as-of", BadInput.asOf, "--out", policy + "/area.linja"])
        #expect(rule.status == 2)
        #expect(rule.stderr.contains("linja generate: '\(policy)/area.linja' is an input of this command"), "\(rule.stderr)")
        #expect(FileManager.default.contents(atPath: policy + "/area.linja") == Data(BadInput.area.utf8))
        // Standard output appended to the input would be read as it grows.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: clients))
        try handle.seekToEnd()
        let a = try Reliability.run(["run", BadInput.eks, "--clients", clients, "--as-of", BadInput.asOf], stdout: handle)
        try handle.close()
        #expect(a.status == 2)
        #expect(a.stderr.contains("linja run: standard output is the input file '\(clients)'"), "\(a.stderr)")
        #expect(FileManager.default.contents(atPath: clients) == before)
        // due's rejects file onto its clients.
        let due = try CLI.run(["due", BadInput.eks, "--clients", clients, "--as-of", BadInput.asOf, "--within", "14 days", "--skip-invalid", clients])
        #expect(due.status == 2)
        #expect(due.stderr.contains("linja due: '\(clients)' is an input of this command"), "\(due.stderr)")
        #expect(FileManager.default.contents(atPath: clients) == before)
    }

    @Test("[output.not-a-regular-file] --out naming a FIFO, a symbolic link or a directory is refused, and the FIFO or link is left as it was")
    func anOutputThatIsNotARegularFile() throws {
        let dir = BadInput.tempDir()
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        let f = try CLI.run(["report", BadInput.pk, "--out", fifo])
        #expect(f.status == 2)
        #expect(f.stderr.contains("linja report: '\(fifo)' is not a regular file (a device, pipe or socket)"), "\(f.stderr)")
        let due = try CLI.run(["due", BadInput.eks, "--clients", Reliability.eksClients, "--as-of", BadInput.asOf, "--within", "14 days",
                               "--out", fifo])
        #expect(due.status == 2)
        #expect(due.stderr.contains("linja due: '\(fifo)' is not a regular file"), "\(due.stderr)")
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO, "the FIFO was replaced")
        let target = dir + "/target.html"
        BadInput.write(target, Array("kept\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.html", withDestinationPath: target)
        let l = try CLI.run(["goals", BadInput.pk, "--period", "2026-Q1", "--format", "html", "--out", dir + "/link.html"])
        #expect(l.status == 2)
        #expect(l.stderr.contains("is a symbolic link; linja does not replace what a link leads to"), "\(l.stderr)")
        #expect(FileManager.default.contents(atPath: target) == Data("kept\n".utf8))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.html")) == target)
        let d = try CLI.run(["generate", "clients", "--policy", BadInput.eks, "--as-of", BadInput.asOf, "--out", dir])
        #expect(d.status == 2)
        #expect(d.stderr.contains("linja generate: '\(dir)' is a directory"), "\(d.stderr)")
        #expect(Reliability.entries(dir) == ["fifo", "link.html", "target.html"])
    }

    @Test("[output.control-characters] a newline or an escape sequence in an id or a value is shown escaped in tables, explanations and messages")
    func controlCharactersAreShownEscaped() throws {
        let escape = "\u{1B}[31m"
        let forged = "A1\nA9            Keuruu             refer job_search_documents → area_coach"
        let path = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "\"" + forged + "\""), BadInput.row(id: "R" + escape),
                                                       BadInput.row(id: "A4", status: escape)))
        let r = try CLI.run(["run", BadInput.eks, "--clients", path, "--as-of", BadInput.asOf, "--explain"], env: ["NO_COLOR": "1"])
        #expect(r.status == 2)
        #expect(!r.stdout.contains("\u{1B}") && !r.stderr.contains("\u{1B}"), "a raw escape reached the terminal")
        #expect(r.stdout.contains("A1\\nA9"), "\(r.stdout.prefix(1000))")
        #expect(!r.stdout.split(separator: "\n").contains { $0.hasPrefix("A9") }, "a forged row: \(r.stdout.prefix(1000))")
        #expect(r.stdout.contains("R\\u{1B}[31m"))
        #expect(r.stderr.contains("field 'status': expected one of unemployed, laid_off, short_layoff, employed, student, got '\\u{1B}[31m'"), "\(r.stderr)")
        // In a rule file: the diagnostic's quoted line shows it escaped, the caret still under the error.
        let dir = BadInput.policy([("b.linja", Array("let t = \"\u{1B}[2J\" + 1\n".utf8))])
        let c = try BadInput.check(dir)
        #expect(c.status == 1)
        #expect(!c.stderr.contains("\u{1B}"), "\(c.stderr)")
        #expect(c.stderr.contains("1 | let t = \"\\u{1B}[2J\" + 1"), "\(c.stderr)")
        // JSON keeps the data exactly (escaped as JSON escapes it).
        let j = try BadInput.run(path)
        #expect(j.stdout.contains("\"id\":\"R\\u001b[31m\""), "\(j.stdout.prefix(1000))")
    }

    @Test("[output.csv-formula] text cells a spreadsheet would run as formulas get an apostrophe in every CSV meant for spreadsheets")
    func spreadsheetFormulasAreNeutralised() throws {
        let ids = ["=HYPERLINK(\"http://x\")", "+1+2", "@SUM(A1)", "-1+2", "-5", "A-1"]
        let rows = ids.map { BadInput.row(id: "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"") }
        let path = BadInput.file("c.csv", BadInput.csv(rows.joined(separator: "\n")))
        let r = try CLI.run(["run", BadInput.eks, "--clients", path, "--as-of", BadInput.asOf, "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        for (id, shown) in [("=HYPERLINK", "\"'=HYPERLINK(\"\"http://x\"\")\""), ("+1+2", "'+1+2"), ("@SUM", "'@SUM(A1)"), ("-1+2", "'-1+2")] {
            #expect(r.stdout.contains("," + shown + ","), "\(id): \(r.stdout.prefix(2000))")
        }
        #expect(r.stdout.contains(",-5,") && r.stdout.contains(",A-1,"), "plain numbers and text stay: \(r.stdout.prefix(2000))")
        // due's worklist as CSV.
        let due = try CLI.run(["due", BadInput.eks, "--clients", path, "--as-of", BadInput.asOf, "--within", "3 months", "--format", "csv"])
        #expect(due.status == 0, "\(due.stderr)")
        #expect(due.stdout.contains(",\"'=HYPERLINK(\"\"http://x\"\")\",") && due.stdout.contains(",'@SUM(A1),"), "\(due.stdout.prefix(2000))")
        // The rejects file, and the goal table's notes from indicator data.
        let bad = BadInput.file("c.csv", BadInput.csv(BadInput.row(id: "=1+1", status: "x")))
        let rejects = bad + ".rejected.csv"
        let s = try BadInput.run(bad, ["--skip-invalid", rejects])
        #expect(s.status == 0)
        #expect(((try? String(contentsOfFile: rejects, encoding: .utf8)) ?? "").contains(",'=1+1,Keuruu,"))
        let actuals = BadInput.file("a.csv", "target,period,value,assessment,note\ninitial_f2f,2026-Q1,78 %,,=cmd|' /C calc'!A0\n")
        let g = try CLI.run(["goals", BadInput.pk, "--period", "2026-Q1", "--actuals", actuals, "--format", "csv"])
        #expect(g.status == 0, "\(g.stderr)")
        #expect(g.stdout.contains(",'=cmd|' /C calc'!A0\r\n"), "\(g.stdout)")
        // The long-format summary and the BI export: a group label from the rule files.
        let tree = BadInput.tempDir() + "/rules"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        for d in ["common", "etela-keski-suomi"] { try FileManager.default.copyItem(atPath: "rules/" + d, toPath: tree + "/" + d) }
        let areaFile = tree + "/etela-keski-suomi/area.linja"
        let area = try String(contentsOfFile: areaFile, encoding: .utf8)
        try area.replacingOccurrences(of: "\"Valmennus omana työnä (3 valmentajaa)\"", with: "\"=1+1 valmennus\"")
            .write(toFile: areaFile, atomically: true, encoding: .utf8)
        let summary = try CLI.run(["run", tree + "/etela-keski-suomi", "--clients", Reliability.eksClients, "--as-of", BadInput.asOf,
                                   "--summary", "--format", "csv"])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains(",group,'=1+1 valmennus,") && !summary.stdout.contains(",=1+1"), "\(summary.stdout.prefix(1500))")
        let export = try CLI.run(["report", tree + "/etela-keski-suomi", "--export", "-"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains(",group,'=1+1 valmennus,") && !export.stdout.contains(",=1+1"), "\(export.stdout.suffix(1500))")
    }
}
