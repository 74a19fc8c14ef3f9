import Foundation
import LinjaTestSupport
import Linja
import LinjaTools
import Testing

/// Shared fixtures: the repository's rules, the sample clients, and
/// temporary copies of the rules tree to edit.
enum DiffFixture {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()
    static var rules: String { packageRoot + "/rules" }
    static var eks: String { rules + "/etela-keski-suomi" }
    static var sampleClients: String { eks + "/sample/clients.csv" }
    static var sampleActuals: String { eks + "/sample/actuals-2026-Q1.csv" }
    static let asOf: Day = Day.parse("2026-03-31") ?? Day(number: 0)

    static func load(_ directory: String) throws -> Policy {
        let p = Policy.load(directory: directory, root: Paths.normalize(directory + "/.."))
        #expect(!p.hasErrors, "\(p.diagnostics.filter { $0.severity == .error }.map(\.message))")
        return p
    }

    /// `--param NAME=VALUE` as the command line parses it.
    static func override(_ policy: Policy, _ name: String, _ text: String) throws -> [Int: Value] {
        let p = try #require(policy.param(named: name))
        switch policy.readValue(text, as: p.type) {
        case .success(let v): return [p.id: v]
        case .failure(let e): Issue.record("\(e)"); return [:]
        }
    }

    /// A fresh copy of the rules tree in a temporary directory.
    static func copyOfRules() throws -> String {
        let dir = Scratch.root + "linja-diff-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: rules, toPath: dir + "/rules")
        return dir + "/rules"
    }

    static func edit(_ path: String, _ change: (String) -> String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the edit of \(path) changed nothing")
        try Data(changed.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// The first `rows` clients of the sample, in a temporary file.
    static func sampleHead(_ rows: Int) throws -> String {
        let lines = try String(contentsOfFile: sampleClients, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let path = Scratch.root + "linja-diff-clients-" + UUID().uuidString + ".csv"
        try Data((lines.prefix(rows + 1).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A direct evaluation, independent of `PolicyDiff`: the ids of the
    /// clients who get `assess career_guidance`, with their municipality.
    static func careerGuidance(_ policy: Policy, overrides: [Int: Value], clients: String) throws -> [String: String] {
        let record = try #require(policy.record)
        let reader = try ClientReader(path: clients, policy: policy)
        let evaluator = Evaluator(policy: policy, asOf: asOf, paramOverrides: overrides)
        let outcome = try #require(policy.outcome(named: "career_guidance"))
        let idSlot = try #require(record.field("id")?.slot)
        let mSlot = try #require(record.fields.first { $0.type.base == .municipality }?.slot)
        var out: [String: String] = [:]
        var batch = ClientBatch(width: record.fields.count)
        while true {
            batch.removeAll()
            switch reader.next(into: &batch) {
            case .end: return out
            case .rejected(let issue): Issue.record("\(issue)"); continue
            case .client: break
            }
            let values = batch.values(0, record: record)
            guard try evaluator.decide(values).has(outcome.id) else { continue }
            guard case .text(let id) = values[idSlot], case .municipality(let m) = values[mSlot] else {
                Issue.record("a client without id or municipality")
                continue
            }
            out[id] = policy.municipalities[m].name
        }
    }

    static let careerGuidance = DiffOutcome(kind: "assess", name: "career_guidance")
}

struct PolicyDiffTests {
    /// The README's example: the career-guidance threshold lowered from
    /// 3 to 2 months (Keuruu and Mänttä-Vilppula), as a param override.
    @Test func loweringTheCareerGuidanceThresholdMatchesADirectEvaluationOfBothVersions() throws {
        let policy = try DiffFixture.load(DiffFixture.eks)
        let twoMonths = try DiffFixture.override(policy, "career_guidance_after", "2 months")
        var diff = PolicyDiff(old: PolicyVersion(policy: policy), new: PolicyVersion(policy: policy, paramOverrides: twoMonths),
                              asOf: DiffFixture.asOf)
        diff.sampleSize = 3
        let report = try diff.run(clients: DiffFixture.sampleClients)

        let before = try DiffFixture.careerGuidance(policy, overrides: [:], clients: DiffFixture.sampleClients)
        let after = try DiffFixture.careerGuidance(policy, overrides: twoMonths, clients: DiffFixture.sampleClients)
        let gainedIds = Set(after.keys).subtracting(before.keys)
        let lostIds = Set(before.keys).subtracting(after.keys)
        #expect(!gainedIds.isEmpty)
        #expect(lostIds.isEmpty)

        let change = try #require(report.change(DiffFixture.careerGuidance))
        #expect(change.before == before.count)
        #expect(change.after == after.count)
        #expect(change.gained == gainedIds.count)
        #expect(change.lost == 0)
        #expect(change.after - change.before == change.gained)
        var byMunicipality: [String: Int] = [:]
        for id in gainedIds { byMunicipality[after[id] ?? "", default: 0] += 1 }
        #expect(Set(change.byMunicipality.compactMap(\.municipality)) == ["Keuruu", "Mänttä-Vilppula"])
        for m in change.byMunicipality {
            #expect(m.gained == byMunicipality[m.municipality ?? ""], "\(m.municipality ?? "none")")
            #expect(m.lost == 0)
        }
        // The same clients gain the skills assessment (one rule gives both), nothing else moves.
        #expect(report.change(DiffOutcome(kind: "assess", name: "skills_development"))?.gained == gainedIds.count)
        #expect(report.outcomes.count == 2)
        #expect(report.changedClients == gainedIds.count)
        #expect(report.read == 3000 && report.compared == 3000 && report.rejected == 0)
        #expect(!report.readTwice)

        // The param is the one declaration that changed, by an override, not by its text.
        let param = try #require(report.declarations.first)
        #expect(report.declarations.count == 1)
        #expect(param.kind == .param && param.name == "career_guidance_after")
        #expect(param.beforeValue == "3 months" && param.afterValue == "2 months")
        #expect(param.overriddenAfter && !param.textChanged)

        // The sample: changed clients, explained by the rule that decides.
        #expect(report.sample.count == 3)
        for c in report.sample {
            #expect(gainedIds.contains(c.id))
            #expect(c.gained.contains(DiffFixture.careerGuidance))
            #expect(c.before.map(\.rule) == ["career_guidance_after_3_months"])
            #expect(c.before.first?.status == .conditionFalse)
            if case .fired = c.after.first?.status {} else { Issue.record("\(c.id): the rule does not apply under the new version") }
        }
    }

    @Test func theSameVersionTwiceChangesNothing() throws {
        let policy = try DiffFixture.load(DiffFixture.eks)
        let report = try PolicyDiff(old: PolicyVersion(policy: policy), new: PolicyVersion(policy: policy), asOf: DiffFixture.asOf)
            .run(clients: DiffFixture.sampleClients)
        #expect(!report.hasChanges)
        #expect(report.changedClients == 0 && report.sample.isEmpty && report.outcomes.isEmpty && report.declarations.isEmpty)
        #expect(report.table().contains("No changes"))
    }

    @Test func aChangedRuleFileShowsUnderRulesWhoseTextChanged() throws {
        let tree = try DiffFixture.copyOfRules()
        defer { try? FileManager.default.removeItem(atPath: (tree as NSString).deletingLastPathComponent) }
        try DiffFixture.edit(tree + "/etela-keski-suomi/rules.linja") { text in
            text.replacingOccurrences(of: "unemployment > career_guidance_after otherwise false",
                                      with: "unemployment > 2 months otherwise false")
                // Spacing and comments alone are no change.
                .replacingOccurrences(of: "  when new_client\n", with: "  when   new_client   # uusi asiakas\n")
        }
        let old = try DiffFixture.load(DiffFixture.eks)
        let new = try DiffFixture.load(tree + "/etela-keski-suomi")
        let report = try PolicyDiff(old: PolicyVersion(policy: old), new: PolicyVersion(policy: new), asOf: DiffFixture.asOf)
            .run(clients: DiffFixture.sampleClients)
        #expect(report.declarations.map(\.name) == ["career_guidance_after_3_months"])
        let rule = try #require(report.declarations.first)
        #expect(rule.kind == .rule && rule.change == .changed && rule.textChanged)
        #expect(rule.lines.filter { $0.operation == .removed }.map(\.text) == ["  when unemployed and unemployment > career_guidance_after otherwise false"])
        #expect(rule.lines.filter { $0.operation == .added }.map(\.text) == ["  when unemployed and unemployment > 2 months otherwise false"])
        #expect(report.table().contains("rule career_guidance_after_3_months changed"))
        #expect(report.table().contains("+   when unemployed and unemployment > 2 months otherwise false"))

        // Writing 2 months into the rule means what the override means.
        let twoMonths = try DiffFixture.override(old, "career_guidance_after", "2 months")
        let byOverride = try PolicyDiff(old: PolicyVersion(policy: old), new: PolicyVersion(policy: old, paramOverrides: twoMonths),
                                        asOf: DiffFixture.asOf).run(clients: DiffFixture.sampleClients)
        #expect(report.change(DiffFixture.careerGuidance)?.gained == byOverride.change(DiffFixture.careerGuidance)?.gained)
    }

    @Test func addedAndRemovedRulesAreListedAndTheirClientsCounted() throws {
        let tree = try DiffFixture.copyOfRules()
        defer { try? FileManager.default.removeItem(atPath: (tree as NSString).deletingLastPathComponent) }
        let path = tree + "/etela-keski-suomi/rules.linja"
        try DiffFixture.edit(path) { text in
            var lines = text.components(separatedBy: "\n")
            if let start = lines.firstIndex(where: { $0.hasPrefix("rule integration_training") }) {
                var end = start + 1
                while end < lines.count, !lines[end].hasPrefix("rule "), !lines[end].hasPrefix("##") { end += 1 }
                lines.removeSubrange(start..<end)
            }
            return lines.joined(separator: "\n") + "\nrule students_flagged\n  when client.status is student\n  then flag plan_outdated\n"
        }
        let old = try DiffFixture.load(DiffFixture.eks)
        let new = try DiffFixture.load(tree + "/etela-keski-suomi")
        var diff = PolicyDiff(old: PolicyVersion(policy: old), new: PolicyVersion(policy: new), asOf: DiffFixture.asOf)
        diff.sampleSize = 20
        let report = try diff.run(clients: DiffFixture.sampleClients)
        let changes = Dictionary(report.declarations.map { ($0.name, $0.change) }, uniquingKeysWith: { a, _ in a })
        #expect(changes["integration_training"] == .removed)
        #expect(changes["students_flagged"] == .added)
        let area = try #require(report.change(DiffOutcome(kind: "refer", name: "integration_training", destination: "area_provider")))
        #expect(area.gained == 0 && area.lost == area.before && area.after == 0 && area.lost > 0)
        // The sample shows each kind of change: a lost referral and a gained flag.
        #expect(report.sample.contains { !$0.lost.isEmpty })
        #expect(report.sample.contains { $0.gained.contains(DiffOutcome(kind: "flag", name: "plan_outdated")) })
        for c in report.sample where !c.lost.isEmpty {
            #expect(c.onlyBefore == ["integration_training"])
            #expect(c.after.isEmpty)
        }
    }

    @Test func smallCountsAreSuppressedInEveryRenderingButExactForCallers() throws {
        let policy = try DiffFixture.load(DiffFixture.eks)
        let clients = try DiffFixture.sampleHead(300)
        defer { try? FileManager.default.removeItem(atPath: clients) }
        let twoMonths = try DiffFixture.override(policy, "career_guidance_after", "2 months")
        let report = try PolicyDiff(old: PolicyVersion(policy: policy), new: PolicyVersion(policy: policy, paramOverrides: twoMonths),
                                    asOf: DiffFixture.asOf).run(clients: clients)
        #expect(report.suppressBelow == 5)
        let change = try #require(report.change(DiffFixture.careerGuidance))
        let keuruu = change.inMunicipality("Keuruu")
        #expect(keuruu.gained > 0 && keuruu.gained < 5, "the fixture needs a small group")
        #expect(change.gained < 5)
        #expect(change.before > 5)

        let table = report.table()
        #expect(table.contains("Counts under 5 are shown as \"< 5\""))
        let keuruuLine = try #require(table.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Keuruu") })
        #expect(keuruuLine.contains("< 5"))
        #expect(!keuruuLine.contains(" \(keuruu.gained) "))
        // Before and after would give the gain away by subtraction: not both shown.
        let line = try #require(table.split(separator: "\n").first { $0.contains("assess career_guidance") })
        let cells = line.split(separator: " ").dropFirst(2)
        #expect(!(cells.contains(Substring(String(change.before))) && cells.contains(Substring(String(change.after)))), "\(line)")

        let json = report.json()
        guard case .array(let outcomes)? = json["outcomes"], let first = outcomes.first else {
            Issue.record("no outcomes in JSON")
            return
        }
        let small = JSON.object([("hidden", .string("small")), ("below", .int(5))])
        #expect(first["gained"] == small)
        // Before and after would give the gain away by subtraction: one of them is hidden as well.
        let totals = [first["before"], first["after"]].compactMap { $0 }
        #expect(totals.contains { if case .int = $0 { return false } else { return true } })
        #expect(first["by_municipality"]?["Keuruu"]?["gained"] == small)
        #expect(json["counts"]?["changed"] == small)

        let html = report.html()
        #expect(html.contains("&lt; 5"))
        #expect(!(html.contains(">\(change.before)<") && html.contains(">\(change.after)<")) && !html.contains(">\(keuruu.gained)<"))
    }

    @Test func recordsThatDifferAreReadByEachVersionWithTheSameResult() throws {
        let tree = try DiffFixture.copyOfRules()
        defer { try? FileManager.default.removeItem(atPath: (tree as NSString).deletingLastPathComponent) }
        try DiffFixture.edit(tree + "/common/client.linja") {
            $0.replacingOccurrences(of: "column \"kotikunta\", \"Kotikunta\"", with: "column \"kotikunta\", \"Kotikunta\", \"kunta\"")
        }
        try DiffFixture.edit(tree + "/etela-keski-suomi/rules.linja") {
            $0.replacingOccurrences(of: "param career_guidance_after \"Työttömyys pitkittyy\" = 3 months",
                                    with: "param career_guidance_after \"Työttömyys pitkittyy\" = 2 months")
        }
        let old = try DiffFixture.load(DiffFixture.eks)
        let new = try DiffFixture.load(tree + "/etela-keski-suomi")
        #expect(!PolicyDiff.sameEncoding(old, new))
        let report = try PolicyDiff(old: PolicyVersion(policy: old), new: PolicyVersion(policy: new), asOf: DiffFixture.asOf)
            .run(clients: DiffFixture.sampleClients)
        #expect(report.readTwice)
        #expect(report.compared == 3000 && report.issues.isEmpty)
        let twoMonths = try DiffFixture.override(old, "career_guidance_after", "2 months")
        let after = try DiffFixture.careerGuidance(old, overrides: twoMonths, clients: DiffFixture.sampleClients)
        let before = try DiffFixture.careerGuidance(old, overrides: [:], clients: DiffFixture.sampleClients)
        #expect(report.change(DiffFixture.careerGuidance)?.gained == after.count - before.count)
        let param = try #require(report.declarations.first { $0.name == "career_guidance_after" })
        #expect(param.textChanged && !param.overriddenAfter)
    }

    @Test func aBadRowIsReportedWithItsRowAndColumnAndTheRestAreCompared() throws {
        let policy = try DiffFixture.load(DiffFixture.eks)
        let clients = try DiffFixture.sampleHead(20)
        defer { try? FileManager.default.removeItem(atPath: clients) }
        try DiffFixture.edit(clients) { $0.replacingOccurrences(of: "EKS-000003,Jämsä,", with: "EKS-000003,Jämsää,") }
        var seen: [DataIssue] = []
        let report = try PolicyDiff(old: PolicyVersion(policy: policy), new: PolicyVersion(policy: policy), asOf: DiffFixture.asOf)
            .run(clients: clients) { seen.append($0) }
        #expect(report.read == 20 && report.compared == 19 && report.rejected == 1)
        #expect(seen.count == 1 && report.issues.count == 1)
        let issue = try #require(seen.first)
        #expect(issue.row == 4 && issue.column == 2 && issue.field == "municipality")
        #expect(issue.description.hasPrefix(clients + ":4:2: field 'municipality'"))
    }

    @Test func targetsAndGoalVerdictsThatChangeAreReportedForAPeriod() throws {
        let tree = try DiffFixture.copyOfRules()
        defer { try? FileManager.default.removeItem(atPath: (tree as NSString).deletingLastPathComponent) }
        try DiffFixture.edit(tree + "/etela-keski-suomi/goals.linja") {
            $0.replacingOccurrences(of: "    <= 1400 henkilöä", with: "    <= 400 henkilöä")
        }
        let old = try DiffFixture.load(DiffFixture.eks)
        let new = try DiffFixture.load(tree + "/etela-keski-suomi")
        var diff = PolicyDiff(old: PolicyVersion(policy: old), new: PolicyVersion(policy: new), asOf: DiffFixture.asOf)
        diff.period = Period.parse("2026-Q1")
        diff.actuals = DiffFixture.sampleActuals
        let report = try diff.run(clients: DiffFixture.sampleClients)
        let goals = try #require(report.goals)
        let target = try #require(goals.targets.first { $0.target == "long_term_unemployed_count" })
        #expect(target.statusBefore == .met && target.statusAfter == .missed)
        #expect(target.actualBefore == target.actualAfter)
        #expect(goals.targets.filter(\.statusChanged).count == 1)
        let goal = try #require(goals.goals.first)
        #expect(goals.goals.count == 1 && goal.goal == target.goal)
        #expect(goal.verdictBefore != goal.verdictAfter)
        #expect(report.declarations.map(\.name) == ["long_term_unemployed_count"])
        #expect(report.outcomes.isEmpty)
        #expect(report.table().contains("✓ met → ✗ missed"))
    }
}

struct DeclarationDiffTests {
    @Test func spacingAndCommentsAreNoChangeButStringsAreCompared() {
        #expect(DeclarationDiff.normalized("rule a\n  when  x   # why\n  then flag f") == "rule a when x then flag f")
        #expect(DeclarationDiff.normalized("note \"a  #  b\"") == "note \"a  #  b\"")
        #expect(DeclarationDiff.normalized("note \"a \\\" # b\" # c") == "note \"a \\\" # b\"")
        #expect(DeclarationDiff.normalized("x\r\n  y") == "x y")
    }

    @Test func aLineDiffKeepsCommonLinesAndMarksTheRest() {
        let lines = DeclarationDiff.lineDiff("a\nb\nc", "a\nB\nc\nd")
        #expect(lines.map(\.marked) == ["  a", "- b", "+ B", "  c", "+ d"])
        #expect(DeclarationDiff.lineDiff("", "x").map(\.marked) == ["+ x"])
        #expect(DeclarationDiff.lineDiff("x  ", "x").allSatisfy { $0.operation == .same })
    }
}

/// A throwaway git repository holding a copy of the rules tree: `--git`
/// is tested without touching this repository.
enum GitFixture {
    static let available: Bool = (try? GitFixture.git(["--version"], in: NSTemporaryDirectory()))?.status == 0

    @discardableResult
    static func git(_ args: [String], in dir: String) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir, "-c", "user.name=Linja Test", "-c", "user.email=test@example.invalid",
                       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A repository with the rules tree committed; returns the rules directory.
    static func repository() throws -> String {
        let rules = try DiffFixture.copyOfRules()
        let repo = (rules as NSString).deletingLastPathComponent
        for args in [["init", "-q"], ["add", "rules"], ["commit", "-q", "-m", "rules"]] {
            let r = try git(args, in: repo)
            #expect(r.status == 0, "git \(args.joined(separator: " ")): \(r.output)")
        }
        return rules
    }
}

@Suite(.enabled(if: GitFixture.available, "needs git"))
struct DiffGitRevisionTests {
    @Test func headAgainstAnUnchangedWorkingTreeReportsNoChanges() throws {
        let rules = try GitFixture.repository()
        defer { try? FileManager.default.removeItem(atPath: (rules as NSString).deletingLastPathComponent) }
        let working = try DiffFixture.load(rules + "/etela-keski-suomi")
        let tree = try GitRevisionTree.extract(revision: "HEAD", policyDirectory: working.directory, root: working.root)
        defer { tree.remove() }
        #expect(tree.label == "HEAD:rules/etela-keski-suomi")
        let committed = try DiffFixture.load(tree.policyDirectory)
        #expect(committed.fingerprint == working.fingerprint)
        let report = try PolicyDiff(old: PolicyVersion(policy: committed, label: tree.label, pathRewrite: tree.pathRewrite),
                                    new: PolicyVersion(policy: working), asOf: DiffFixture.asOf)
            .run(clients: DiffFixture.sampleClients)
        #expect(!report.hasChanges)
        #expect(report.compared == 3000)
    }

    @Test func aRevisionIsExtractedWithItsImportsAndCleanedUp() throws {
        let rules = try GitFixture.repository()
        defer { try? FileManager.default.removeItem(atPath: (rules as NSString).deletingLastPathComponent) }
        try DiffFixture.edit(rules + "/common/definitions.linja") {
            $0.replacingOccurrences(of: "param youth_age_limit \"Nuori: alle 30-vuotias\" = 30", with: "param youth_age_limit \"Nuori: alle 30-vuotias\" = 25")
        }
        let working = try DiffFixture.load(rules + "/etela-keski-suomi")
        let tree = try GitRevisionTree.extract(revision: "HEAD", policyDirectory: working.directory, root: working.root)
        let committed = try DiffFixture.load(tree.policyDirectory)
        let report = try PolicyDiff(old: PolicyVersion(policy: committed, label: tree.label, pathRewrite: tree.pathRewrite),
                                    new: PolicyVersion(policy: working), asOf: DiffFixture.asOf)
            .run(clients: DiffFixture.sampleClients)
        let param = try #require(report.declarations.first { $0.name == "youth_age_limit" })
        #expect(param.beforeValue == "30" && param.afterValue == "25")
        #expect(param.beforeLocation?.hasPrefix("HEAD:rules/common/definitions.linja:") == true)
        #expect((report.change(DiffOutcome(kind: "assess", name: "youth_recruitment_support"))?.lost ?? 0) > 0)
        tree.remove()
        #expect(!FileManager.default.fileExists(atPath: tree.directory))
    }

    @Test func anUnknownRevisionIsAnError() throws {
        let rules = try GitFixture.repository()
        defer { try? FileManager.default.removeItem(atPath: (rules as NSString).deletingLastPathComponent) }
        #expect(throws: GitRevisionTree.Failure.self) {
            try GitRevisionTree.extract(revision: "no-such-branch", policyDirectory: rules + "/etela-keski-suomi", root: rules)
        }
        #expect(throws: GitRevisionTree.Failure.self) {
            try GitRevisionTree.extract(revision: "--output=/tmp/x", policyDirectory: rules + "/etela-keski-suomi", root: rules)
        }
    }
}
