import Foundation
import LinjaTestSupport
import Testing

/// `linja diff` as people run it (a subprocess, through `CLI.run`): the
/// README's 3 → 2 months example against two plain runs, `--git`, changed
/// rule files, privacy, formats and exit codes; and `--param` on `goals`
/// and `report`.
struct DiffCLITests {
    static let policy = "rules/etela-keski-suomi"
    static let clients = "rules/etela-keski-suomi/sample/clients.csv"
    static let actuals = "rules/etela-keski-suomi/sample/actuals-2026-Q1.csv"
    static let readme = ["diff", policy, policy, "--clients", clients, "--as-of", "2026-03-31", "--param", "career_guidance_after=2 months"]

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Client id → municipality for every client `linja run` gives `assess career_guidance`.
    static func careerGuidance(_ extra: [String]) throws -> [String: String] {
        let r = try CLI.run(["run", policy, "--clients", clients, "--as-of", "2026-03-31", "--format", "csv"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        var out: [String: String] = [:]
        for line in r.stdout.split(whereSeparator: \.isNewline) {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if f.count >= 6, f[4] == "assess", f[5] == "career_guidance" { out[f[2]] = f[3] }
        }
        return out
    }

    /// A copy of the rules tree in a temporary directory.
    static func copyOfRules() throws -> String {
        let dir = Scratch.root + "linja-diff-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.repoRoot + "/rules", toPath: dir + "/rules")
        return dir + "/rules"
    }

    static func edit(_ path: String, _ from: String, _ to: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(from), "\(path) has no '\(from)'")
        try Data(text.replacingOccurrences(of: from, with: to).utf8).write(to: URL(fileURLWithPath: path))
    }

    static func git(_ args: [String], in dir: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir, "-c", "user.name=Linja Test", "-c", "user.email=test@example.invalid",
                       "-c", "commit.gpgsign=false"] + args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    static let gitAvailable: Bool = (try? git(["--version"], in: NSTemporaryDirectory())) == 0

    /// A throwaway repository with the rules tree committed; returns its rules directory.
    static func repository() throws -> String {
        let rules = try copyOfRules()
        let repo = (rules as NSString).deletingLastPathComponent
        for args in [["init", "-q"], ["add", "rules"], ["commit", "-q", "-m", "rules"]] {
            #expect(try git(args, in: repo) == 0, "git \(args.joined(separator: " "))")
        }
        return rules
    }

    static func remove(_ rules: String) { try? FileManager.default.removeItem(atPath: (rules as NSString).deletingLastPathComponent) }

    // MARK: The README example

    @Test func theReadmeExampleCountsMatchTwoPlainRunsOfThePolicy() throws {
        let r = try CLI.run(Self.readme + ["--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try Self.json(r.stdout)
        let outcomes = try #require(json["outcomes"] as? [[String: Any]])
        let career = try #require(outcomes.first { $0["kind"] as? String == "assess" && $0["name"] as? String == "career_guidance" })

        let before = try Self.careerGuidance([])
        let after = try Self.careerGuidance(["--param", "career_guidance_after=2 months"])
        let gained = Set(after.keys).subtracting(before.keys)
        #expect(Set(before.keys).isSubset(of: after.keys))
        #expect(gained.count >= 5, "the example must not be suppressed")
        #expect(career["before"] as? Int == before.count)
        #expect(career["after"] as? Int == after.count)
        #expect(career["gained"] as? Int == gained.count)
        #expect(career["lost"] as? Int == 0)
        var byMunicipality: [String: Int] = [:]
        for id in gained { byMunicipality[after[id] ?? "", default: 0] += 1 }
        let shown = try #require(career["by_municipality"] as? [String: [String: Int]])
        #expect(Set(shown.keys) == ["Keuruu", "Mänttä-Vilppula"])
        for (m, counts) in shown { #expect(counts["gained"] == byMunicipality[m] ?? 0, "\(m)") }

        let declarations = try #require(json["declarations"] as? [[String: Any]])
        #expect(declarations.count == 1)
        #expect(declarations.first?["name"] as? String == "career_guidance_after")
        #expect(declarations.first?["new_value"] as? String == "2 months")
        let sample = try #require(json["sample"] as? [[String: Any]])
        #expect(sample.count == 10)
        #expect(sample.allSatisfy { gained.contains($0["id"] as? String ?? "") })
    }

    @Test func theTableReadsWellInATerminal() throws {
        let r = try CLI.run(Self.readme + ["--sample", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("with career_guidance_after = 2 months"))
        #expect(r.stdout.contains("param career_guidance_after: 3 months → 2 months"))
        #expect(r.stdout.contains("Sample: 1 of "))
        #expect(r.stdout.contains("✓ rule career_guidance_after_3_months"))
        let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("  assess career_guidance") })
        #expect(line.split(separator: " ").filter { $0 != "*" }.count == 6, "\(line)")
        #expect(line.contains(" * "), "the changed total is marked: \(line)")
        #expect(!r.stdout.contains("\u{1B}["))
    }

    // MARK: --git

    @Test(.enabled(if: DiffCLITests.gitAvailable, "needs git"))
    func gitHeadAgainstAnUnchangedWorkingTreeReportsNoChanges() throws {
        let rules = try Self.repository()
        defer { Self.remove(rules) }
        let r = try CLI.run(["diff", "--git", "HEAD", rules + "/etela-keski-suomi", "--clients", Self.clients, "--as-of", "2026-03-31"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("old: HEAD:rules/etela-keski-suomi"))
        #expect(r.stdout.contains("No changes"))
    }

    @Test(.enabled(if: DiffCLITests.gitAvailable, "needs git"))
    func gitHeadShowsAnUncommittedRuleChange() throws {
        let rules = try Self.repository()
        defer { Self.remove(rules) }
        try Self.edit(rules + "/etela-keski-suomi/rules.linja", "unemployment > career_guidance_after otherwise false",
                      "unemployment > 2 months otherwise false")
        let r = try CLI.run(["diff", "--git", "HEAD", rules + "/etela-keski-suomi", "--clients", Self.clients, "--as-of", "2026-03-31",
                             "--sample", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("rule career_guidance_after_3_months changed"))
        #expect(r.stdout.contains("HEAD:rules/etela-keski-suomi/rules.linja:24:1"))
        #expect(r.stdout.contains("-   when unemployed and unemployment > career_guidance_after otherwise false"))
        #expect(r.stdout.contains("+   when unemployed and unemployment > 2 months otherwise false"))
    }

    @Test(.enabled(if: DiffCLITests.gitAvailable, "needs git"))
    func gitWithAnUnknownRevisionOrTwoDirectoriesIsAUsageError() throws {
        let rules = try Self.repository()
        defer { Self.remove(rules) }
        let unknown = try CLI.run(["diff", "--git", "no-such-rev", rules + "/etela-keski-suomi", "--clients", Self.clients, "--as-of", "2026-03-31"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no commit 'no-such-rev'"))
        let two = try CLI.run(["diff", "--git", "HEAD", Self.policy, Self.policy, "--clients", Self.clients, "--as-of", "2026-03-31"])
        #expect(two.status == 2)
    }

    // MARK: Changed rule files

    @Test func aChangedRuleFileInACopyOfTheRulesTreeShowsUnderChangedDeclarations() throws {
        let rules = try Self.copyOfRules()
        defer { Self.remove(rules) }
        try Self.edit(rules + "/etela-keski-suomi/rules.linja", "unemployment > career_guidance_after otherwise false",
                      "unemployment > 2 months otherwise false")
        let r = try CLI.run(["diff", Self.policy, rules + "/etela-keski-suomi", "--clients", Self.clients, "--as-of", "2026-03-31",
                             "--format", "json", "--sample", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try Self.json(r.stdout)
        let declarations = try #require(json["declarations"] as? [[String: Any]])
        #expect(declarations.map { $0["name"] as? String } == ["career_guidance_after_3_months"])
        #expect(declarations.first?["kind"] as? String == "rule")
        #expect(declarations.first?["change"] as? String == "changed")
        // The same clients as the override in the README example.
        let viaParam = try Self.json(try CLI.run(Self.readme + ["--format", "json", "--sample", "0"]).stdout)
        let a = (json["outcomes"] as? [[String: Any]])?.first?["gained"] as? Int
        let b = (viaParam["outcomes"] as? [[String: Any]])?.first?["gained"] as? Int
        #expect(a != nil && a == b)
    }

    // MARK: Privacy

    @Test func smallCountsArePrintedAsLessThanTheLimit() throws {
        let text = try String(contentsOfFile: CLI.repoRoot + "/" + Self.clients, encoding: .utf8)
        let head = text.split(separator: "\n").prefix(301).joined(separator: "\n") + "\n"
        let path = CLI.temp("few.csv", head)
        let table = try CLI.run(["diff", Self.policy, Self.policy, "--clients", path, "--as-of", "2026-03-31",
                                 "--param", "career_guidance_after=2 months", "--sample", "0"])
        #expect(table.status == 0, "\(table.stderr)")
        let keuruu = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("    Keuruu") })
        #expect(keuruu.contains("< 5"))
        #expect(table.stdout.contains("< 5 with changed outcomes"))
        // Before and after would give the small gain away: one of them is hidden too, the gain suppressed.
        let total = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("  assess career_guidance") })
        let cells = total.split(separator: " ").dropFirst(2).joined(separator: " ")
        #expect(cells.hasSuffix("< 5 0"), "\(total)")
        #expect(cells.contains(".."), "\(total)")

        let json = try Self.json(try CLI.run(["diff", Self.policy, Self.policy, "--clients", path, "--as-of", "2026-03-31",
                                              "--param", "career_guidance_after=2 months", "--format", "json"]).stdout)
        let first = try #require((json["outcomes"] as? [[String: Any]])?.first)
        #expect((first["gained"] as? [String: Any])?["hidden"] as? String == "small")
        #expect(first["before"] is [String: Any] || first["after"] is [String: Any])
        #expect(((first["by_municipality"] as? [String: [String: Any]])?["Keuruu"]?["gained"] as? [String: Any])?["hidden"] as? String == "small")
    }

    // MARK: Formats

    @Test func htmlIsOneSelfContainedFileWithStatusesAsText() throws {
        let rules = try Self.copyOfRules()
        defer { Self.remove(rules) }
        try Self.edit(rules + "/etela-keski-suomi/goals.linja", "    <= 1400 henkilöä", "    <= 400 henkilöä")
        let out = Scratch.root + "linja-diff-" + UUID().uuidString + ".html"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["diff", Self.policy, rules + "/etela-keski-suomi", "--clients", Self.clients, "--as-of", "2026-03-31",
                             "--period", "2026-Q1", "--actuals", Self.actuals, "--format", "html", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<style>"))
        for forbidden in ["<script", "<link", "src=", "href=", "@import", "url("] { #expect(!html.contains(forbidden), "\(forbidden)") }
        #expect(html.contains("✓ met"))
        #expect(html.contains("✗ missed"))
        #expect(html.contains("Goals whose verdict changes"))
    }

    @Test func jsonWithAPeriodListsTheTargetsAndGoalsThatChange() throws {
        let rules = try Self.copyOfRules()
        defer { Self.remove(rules) }
        try Self.edit(rules + "/etela-keski-suomi/goals.linja", "    <= 1400 henkilöä", "    <= 400 henkilöä")
        let r = try CLI.run(["diff", Self.policy, rules + "/etela-keski-suomi", "--clients", Self.clients, "--as-of", "2026-03-31",
                             "--period", "2026-Q1", "--actuals", Self.actuals, "--format", "json", "--sample", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        let goals = try #require(try Self.json(r.stdout)["goals"] as? [String: Any])
        let targets = try #require(goals["targets"] as? [[String: Any]])
        let t = try #require(targets.first { $0["target"] as? String == "long_term_unemployed_count" })
        #expect(t["old_status"] as? String == "met" && t["new_status"] as? String == "missed")
        #expect((goals["goals"] as? [[String: Any]])?.count == 1)
    }

    // MARK: Exit codes

    @Test func aBadRowIsReportedWithItsPlaceTheRestAreComparedAndTheExitIsTwo() throws {
        let text = try String(contentsOfFile: CLI.repoRoot + "/" + Self.clients, encoding: .utf8)
        let rows = text.split(separator: "\n").prefix(21).map(String.init)
        let bad = rows.map { $0.hasPrefix("EKS-000003,") ? $0.replacingOccurrences(of: "EKS-000003,Jämsä,", with: "EKS-000003,Jämsää,") : $0 }
        let path = CLI.temp("bad.csv", bad.joined(separator: "\n") + "\n")
        let r = try CLI.run(["diff", Self.policy, Self.policy, "--clients", path, "--as-of", "2026-03-31", "--param", "career_guidance_after=2 months"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.csv:4:2: field 'municipality'"))
        #expect(r.stderr.contains("1 of 20 rows rejected"))
        #expect(r.stdout.contains("20 read, 19 compared, 1 rejected"))
    }

    @Test func clientsFromStandardInput() throws {
        let text = try String(contentsOfFile: CLI.repoRoot + "/" + Self.clients, encoding: .utf8)
        let r = try CLI.run(["diff", Self.policy, Self.policy, "--clients", "-", "--as-of", "2026-03-31",
                             "--param", "career_guidance_after=2 months", "--sample", "0"], stdin: text)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3000 read, 3000 compared"))
    }

    @Test func policyErrorsExitOneAndUsageErrorsExitTwo() throws {
        let rules = try Self.copyOfRules()
        defer { Self.remove(rules) }
        try Self.edit(rules + "/etela-keski-suomi/rules.linja", "then assess career_guidance, skills_development",
                      "then assess career_guidanse, skills_development")
        let broken = try CLI.run(["diff", Self.policy, rules + "/etela-keski-suomi", "--clients", Self.clients, "--as-of", "2026-03-31"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("career_guidanse"))

        let base = ["diff", Self.policy, Self.policy, "--clients", Self.clients]
        for (args, message) in [
            (base, "--as-of DATE is required"),
            (["diff", Self.policy, "--clients", Self.clients, "--as-of", "2026-03-31"], "give two policy directories"),
            (base + ["--as-of", "2026-03-31", "--actuals", Self.actuals], "--actuals needs --period"),
            (base + ["--as-of", "2026-03-31", "--param", "career_guidance_aftr=2 months"], "did you mean 'career_guidance_after'?"),
            (base + ["--as-of", "2026-03-31", "--param", "career_guidance_after=2 %"], "career_guidance_after"),
            (base + ["--as-of", "2026-03-31", "--old-param", "career_guidance_after=2 %"], "--old-param career_guidance_after"),
            (base + ["--as-of", "2026-03-31", "--format", "csv"], "--format must be one of"),
            (base + ["--as-of", "2026-03-31", "--sample", "-1"], "--sample must be"),
            (["diff", Self.policy, Self.policy, "--clients", "no/such.csv", "--as-of", "2026-03-31"], "no/such.csv"),
        ] {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    @Test func helpDescribesTheCommand() throws {
        let r = try CLI.run(["diff", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Usage: linja diff OLD NEW"))
        #expect(r.stdout.contains("--git REV"))
        #expect(r.stdout.contains("--param NAME=VALUE"))
    }

    // MARK: --param on goals and report

    @Test func aParamOverrideChangesGoalsAndReportToo() throws {
        let goals = ["goals", Self.policy, "--period", "2026-Q1", "--actuals", Self.actuals, "--clients", Self.clients,
                     "--as-of", "2026-03-31", "--format", "json"]
        func actual(_ r: CLI.Result) throws -> String? {
            let json = try Self.json(r.stdout)
            let targets = (json["goals"] as? [[String: Any]] ?? []).flatMap { $0["targets"] as? [[String: Any]] ?? [] }
            return targets.first { $0["id"] as? String == "long_term_unemployed_count" }.map { "\($0["actual"] ?? "")" }
        }
        let plain = try CLI.run(goals)
        let shorter = try CLI.run(goals + ["--param", "long_term_unemployment_limit=6 months"])
        #expect(plain.status == 0 && shorter.status == 0, "\(shorter.stderr)")
        let a = try actual(plain), b = try actual(shorter)
        #expect(a != nil && b != nil && a != b)

        let report = try CLI.run(["report", Self.policy])
        let whatIf = try CLI.run(["report", Self.policy, "--param", "career_guidance_after=2 months"])
        #expect(report.status == 0 && whatIf.status == 0, "\(whatIf.stderr)")
        // The Finnish report names the outcome by its label; the last such line is the area total.
        let line = { (r: CLI.Result) in r.stdout.split(separator: "\n").last { $0.hasPrefix("Uraohjauksen tarpeen arviointi") }.map(String.init) }
        #expect(line(report) != nil && line(report) != line(whatIf))
        let bad = try CLI.run(["report", Self.policy, "--param", "career_guidance_after=2 %"])
        #expect(bad.status == 2)
    }
}
