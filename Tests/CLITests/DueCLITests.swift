import Foundation
import LinjaDevTools
import Linja
import Testing

/// `linja due` as people run it (a subprocess, through `CLI.run`): the
/// sample data of both areas, `--by caseworker`, exactness against `linja
/// run` on every day, bad input as `run` has it, and usage errors.
struct DueCLITests {
    static let eks = "rules/etela-keski-suomi"
    static let pk = "rules/pohjois-karjala"
    static func sample(_ policy: String) -> String { policy + "/sample/clients.csv" }

    @Test(arguments: [eks, pk])
    func theSampleDataOfBothAreasGivesAWorklist(_ policy: String) throws {
        let r = try CLI.run(["due", policy, "--clients", Self.sample(policy), "--as-of", "2026-03-31", "--within", "2 weeks"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Muutokset 1.4.2026–14.4.2026, tilanne 31.3.2026"))
        #expect(r.stdout.contains("Asiakkaat: 3000 luettu, 3000 päätetty, 0 hylätty; "))
        #expect(r.stdout.contains("Päivä      Kunta"))
        #expect(!r.stdout.contains("< 5"), "a worklist suppresses nothing")
    }

    @Test func byCaseworkerMakesASectionPerCaseworkerOfTheSampleData() throws {
        let r = try CLI.run(["due", Self.eks, "--clients", Self.sample(Self.eks), "--as-of", "2026-03-31", "--within", "14 days",
                             "--by", "caseworker", "--format", "html"])
        #expect(r.status == 0, "\(r.stderr)")
        let pages = r.stdout.components(separatedBy: "<section class=\"page\">").count - 1
        #expect(pages >= 20, "one page per caseworker with changes")
        #expect(r.stdout.contains("<h2 class=\"group\">Vastuuasiantuntija: "))
        let table = try CLI.run(["due", Self.eks, "--clients", Self.sample(Self.eks), "--as-of", "2026-03-31", "--within", "14 days",
                                 "--by", "caseworker", "--lang", "en"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("\n== caseworker: "))
        let unknown = try CLI.run(["due", Self.eks, "--clients", Self.sample(Self.eks), "--as-of", "2026-03-31", "--within", "14 days",
                                   "--by", "caseworkr"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'caseworker'?"))
    }

    /// Every change `due` gives for the sample clients is a change of what
    /// `linja run --format csv` gives on that day compared with the day
    /// before, and every such change is in `due`'s output.
    @Test func theChangesAreWhatRunningEveryDayGives() throws {
        let days = 7
        // The first 600 sample clients (CRLF or LF, the file as it is).
        let sample = try String(contentsOfFile: CLI.repoRoot + "/" + Self.sample(Self.pk), encoding: .utf8)
        let clients = CLI.temp("clients.csv", sample.split(whereSeparator: \.isNewline).prefix(601).joined(separator: "\n") + "\n")
        let due = try CLI.run(["due", Self.pk, "--clients", clients, "--as-of", "2026-03-31", "--within", "\(days) days",
                               "--format", "csv"])
        #expect(due.status == 0, "\(due.stderr)")
        var fromDue = Set<String>()
        for line in due.stdout.split(whereSeparator: \.isNewline).dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fromDue.insert([f[2], f[3], f[5], f[6], f[7], f[8]].joined(separator: " "))
        }
        func outcomes(_ date: String) throws -> Set<String> {
            let r = try CLI.run(["run", Self.pk, "--clients", clients, "--as-of", date, "--format", "csv"])
            #expect(r.status == 0)
            return Set(r.stdout.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                return f.count >= 7 && !f[4].isEmpty ? [f[2], f[4], f[5], f[6]].joined(separator: " ") : nil
            })
        }
        let start = try #require(Day.parse("2026-03-31"))
        var previous = try outcomes(start.description)
        var fromRun = Set<String>()
        for i in 1...days {
            let date = try #require(start.adding(days: i)).description
            let now = try outcomes(date)
            for o in now.subtracting(previous) { fromRun.insert("\(date) \(o.split(separator: " ", maxSplits: 1)[0]) starts \(o.split(separator: " ", maxSplits: 1)[1])") }
            for o in previous.subtracting(now) { fromRun.insert("\(date) \(o.split(separator: " ", maxSplits: 1)[0]) ends \(o.split(separator: " ", maxSplits: 1)[1])") }
            previous = now
        }
        #expect(!fromRun.isEmpty)
        #expect(fromDue == fromRun, "only in due: \(fromDue.subtracting(fromRun).sorted().prefix(5)); only in run: \(fromRun.subtracting(fromDue).sorted().prefix(5))")
    }

    @Test func badRowsAreReportedAsRunReportsThemAndCounted() throws {
        let csv = CLI.temp("clients.csv", BadInput.csv(BadInput.row(birthDate: "31.2.1990"), BadInput.row(id: "A4", municipality: "Mänttä-Vilpula")))
        let r = try CLI.run(["due", Self.eks, "--clients", csv, "--as-of", "2026-03-31", "--within", "3 months"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("clients.csv:3:3: field 'birth_date'"))
        #expect(r.stderr.contains("clients.csv:4:2: field 'municipality'"))
        #expect(r.stdout.contains("Asiakkaat: 4 luettu, 2 päätetty, 2 hylätty; "))
        let skipped = CLI.temp("skipped.csv", "")
        let s = try CLI.run(["due", Self.eks, "--clients", csv, "--as-of", "2026-03-31", "--within", "3 months", "--format", "jsonl",
                             "--skip-invalid", skipped])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(s.stderr.contains("linja due: 4 read, 2 decided, 2 rejected; "))
        let rejected = try String(contentsOfFile: skipped, encoding: .utf8)
        #expect(rejected.split(whereSeparator: \.isNewline).count == 3)
    }

    @Test(arguments: [
        (["--within", "soon"], "--within must be a span such as '14 days'"),
        (["--within", "-3 days"], "--within must be a span forward in time"),
        ([String](), "--within SPAN is required"),
        (["--within", "2 weeks", "--format", "xml"], "--format must be one of table, jsonl, csv, html"),
    ])
    func usageErrorsExitTwo(_ c: (args: [String], message: String)) throws {
        let r = try CLI.run(["due", Self.eks, "--clients", Self.sample(Self.eks), "--as-of", "2026-03-31"] + c.args)
        #expect(r.status == 2)
        #expect(r.stderr.contains(c.message), "\(r.stderr)")
    }

    @Test func helpSaysWhatStreamsAndWhatIsHeldInMemory() throws {
        let r = try CLI.run(["due", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Usage: linja due"))
        #expect(r.stdout.contains("JSON Lines and CSV stream one line per change, in input order"))
        #expect(r.stdout.contains("held in memory"))
    }
}

/// The differential test of `linja due`, small (the full one is
/// `linja-dev due-differential`, 10,000 clients a policy over 400 days).
struct DueDifferentialTests {
    @Test(arguments: [
        ("rules/etela-keski-suomi", "2026-03-31", false), ("rules/pohjois-karjala", "2027-11-20", false),
        ("rules/etela-keski-suomi", "2026-03-31", true),
    ])
    func dueGivesExactlyWhatDecidingEveryDayGives(_ c: (policy: String, asOf: String, testRules: Bool)) throws {
        let directory = CLI.repoRoot + "/" + c.policy
        let policy = c.testRules ? DueDifferential.testPolicy(area: directory) : Policy.load(directory: directory)
        #expect(!policy.hasErrors)
        var d = DueDifferential(clients: c.testRules ? 20 : 25, days: 400, asOf: try #require(Day.parse(Substring(c.asOf))))
        d.referenceEvery = 5
        let r = d.run(policy)
        #expect(r.disagreements.isEmpty, "\(r.disagreements.prefix(3).joined(separator: "\n"))")
        #expect(r.agreeing + r.undecidable == r.clients)
        #expect(r.changes > 0, "the generated dates make decisions change in the window")
        if c.testRules { #expect(r.dailyWatches > 0 && r.watches > 20) }
    }
}
