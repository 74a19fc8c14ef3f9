import Foundation
import LinjaTestSupport
import Testing

/// The `linja` binary as scripts and people use it: exit codes, output
/// formats, and robustness against damaged rule files (run as a subprocess,
/// so that a crash shows as a signal, never as a passing test).
struct CLI {
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The binary beside the test bundle, or in .build/debug.
    static let binary: String = {
        if let env = ProcessInfo.processInfo.environment["LINJA_BIN"] { return env }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("linja").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("linja").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return repoRoot + "/.build/debug/linja"
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var signalled: Bool
    }

    /// Runs linja with a time limit; a hang is a failure.
    static func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:], timeout: TimeInterval = 60) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: repoRoot)
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        // Output goes to files, so a full pipe can never block the child.
        let base = Scratch.root + "linja-cli-out-" + UUID().uuidString
        #expect(FileManager.default.createFile(atPath: base + ".out", contents: nil), "cannot write a test file")
        #expect(FileManager.default.createFile(atPath: base + ".err", contents: nil), "cannot write a test file")
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        let inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let s = stdin { inp.fileHandleForWriting.write(Data(s.utf8)) }
        try inp.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning, Date() < deadline { usleep(10_000) }
        if p.isRunning {
            // SIGKILL: the child may inherit SIGTERM blocked from the test runner.
            kill(p.processIdentifier, SIGKILL)
            Issue.record("linja \(args.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        p.waitUntilExit()
        try out.close()
        try err.close()
        let outData = FileManager.default.contents(atPath: base + ".out") ?? Data()
        let errData = FileManager.default.contents(atPath: base + ".err") ?? Data()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), signalled: p.terminationReason == .uncaughtSignal)
    }

    static func temp(_ name: String, _ text: String) -> String {
        let dir = Scratch.root + "linja-cli-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write a test file")
        return path
    }
}

struct CLIExitCodeTests {
    @Test func helpExitsZeroAndListsTheCommands() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        for c in ["check", "run", "goals", "report", "test", "generate"] { #expect(r.stdout.contains("  \(c) ")) }
    }

    @Test func anUnknownCommandIsAUsageErrorWithASuggestion() throws {
        let r = try CLI.run(["chek"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("did you mean 'check'?"))
    }

    @Test func everyCommandHasHelp() throws {
        for c in ["check", "run", "goals", "report", "test", "generate"] {
            let r = try CLI.run([c, "--help"])
            #expect(r.status == 0, "\(c) --help")
            #expect(r.stdout.contains("Usage: linja \(c)"))
        }
    }

    @Test func anUnknownOptionIsAUsageError() throws {
        let r = try CLI.run(["check", "rules/", "--formt", "json"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("did you mean '--format'?"))
    }

    @Test func checkingTheRepositoryRulesIsClean() throws {
        let r = try CLI.run(["check", "rules/"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("ok: 3 policies"))
    }

    @Test func aMissingPathIsExitTwo() throws {
        let r = try CLI.run(["check", "no/such/dir"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no such file or directory"))
    }

    @Test func threeIndependentSyntaxErrorsAreAllReportedAtTheirPositions() throws {
        let path = CLI.temp("three.linja", """
        let a = 1 +
        let b = 2
        rule r when true flag x
        param p = 3 months
        outcome flag f "F" to
        """)
        let r = try CLI.run(["check", path, "--format", "json"])
        #expect(r.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let ds = try #require(json["diagnostics"] as? [[String: Any]])
        let places = ds.filter { ($0["severity"] as? String) == "error" }.map { "\($0["line"] ?? 0):\($0["column"] ?? 0)" }
        #expect(places == ["1:12", "3:18", "5:22"])
    }

    @Test func invalidUTF8IsReportedWithItsPositionAndExitOne() throws {
        let dir = Scratch.root + "linja-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir + "/bad.linja", contents: Data([0x6C, 0x65, 0x74, 0x20, 0xFF, 0x20, 0x3D, 0x20, 0x31, 0x0A])), "cannot write a test file")
        let r = try CLI.run(["check", dir])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.linja:1:5: error[L101]: invalid UTF-8 byte 0xFF"))
    }

    @Test func colourOnlyOnATerminalAndNeverWithNoColor() throws {
        let path = CLI.temp("c.linja", "let = 1\n")
        let r = try CLI.run(["check", path], env: ["NO_COLOR": "1"])
        #expect(!r.stderr.contains("\u{1B}["))
    }
}

struct CLIRunTests {
    static let sample = "rules/etela-keski-suomi/sample/clients.csv"

    @Test func runDecidesTheSampleInEveryFormat() throws {
        for format in ["table", "json", "jsonl", "csv"] {
            let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", Self.sample, "--as-of", "2026-03-31", "--format", format])
            #expect(r.status == 0, "\(format): \(r.stderr)")
            #expect(!r.stdout.isEmpty)
        }
    }

    @Test func jsonOutputParsesAndCarriesProvenance() throws {
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", Self.sample, "--as-of", "2026-03-31", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["as_of"] as? String == "2026-03-31")
        #expect((json["fingerprint"] as? String)?.count == 64)
        let clients = try #require(json["clients"] as? [[String: Any]])
        #expect(clients.count == 3000)
        let outcomes = clients.compactMap { $0["outcomes"] as? [[String: Any]] }.flatMap { $0 }
        #expect(outcomes.allSatisfy { $0["kind"] != nil && $0["name"] != nil && $0["rule"] != nil })
        #expect(outcomes.contains { $0["target"] as? String == "municipal_coach" })
    }

    @Test func jsonLinesCarryTheDateAndFingerprintOnEveryLine() throws {
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", Self.sample, "--as-of", "2026-03-31", "--format", "jsonl"])
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 3000)
        for l in lines.prefix(20) {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any])
            #expect(o["as_of"] as? String == "2026-03-31")
            #expect(o["policy"] != nil)
        }
    }

    static let badCSV = """
    id,municipality,birth_date,job_search_started,unemployed_since,status,immigrant,partial_work_ability,disabled,long_term_ill,in_services
    A1,Keuruu,1990-01-01,2026-03-25,2025-12-01,unemployed,false,false,false,false,false
    A2,Keuruu,31.2.1990,2026-03-25,,unemployed,false,false,false,false,false
    A3,Jämsä,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false
    """

    @Test func aBadRowIsReportedTheGoodRowsAreDecidedAndTheRunExitsTwo() throws {
        let path = CLI.temp("c.csv", Self.badCSV)
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", path, "--as-of", "2026-03-31", "--format", "csv"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("c.csv:3:3: field 'birth_date': expected a date (2026-05-01 or 1.5.2026), got '31.2.1990'"))
        #expect(r.stdout.contains(",A1,Keuruu,refer,job_search_documents,municipal_coach,"))
        #expect(r.stdout.contains(",A3,Jämsä,refer,job_search_documents,area_coach,"))
        #expect(!r.stdout.contains(",A2,"))
    }

    @Test func skipInvalidWritesRejectedRowsWithReasonsAndExitsZero() throws {
        let path = CLI.temp("c.csv", Self.badCSV)
        let rejects = path + ".rejected.csv"
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", path, "--as-of", "2026-03-31", "--skip-invalid", rejects])
        #expect(r.status == 0)
        let text = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(text.contains("3,3,birth_date,"))
        #expect(text.contains("A2"))
    }

    @Test func summaryCountsByMunicipalityAndSuppressesSmallGroups() throws {
        let path = CLI.temp("c.csv", Self.badCSV)
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", path, "--as-of", "2026-03-31", "--summary", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let clients = try #require(json["clients"] as? [String: Any])
        let by = try #require(clients["by_municipality"] as? [String: Any])
        // A hidden count is an object no reader takes for a number; a shown one (zero too) is a number.
        let keuruu = try #require(by["Keuruu"] as? [String: Any])
        #expect(keuruu["hidden"] as? String == "small")
        #expect(keuruu["below"] as? Int == 5)
        #expect(by["Luhanka"] as? Int == 0)
        #expect((json["unused"] as? [String])?.isEmpty == false)
    }

    @Test func anAsOfThatIsNotADateIsAUsageError() throws {
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", Self.sample, "--as-of", "tomorrow"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--as-of must be a date"))
    }

    @Test func clientsFromStandardInput() throws {
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", "-", "--as-of", "2026-03-31", "--format", "csv"], stdin: Self.badCSV)
        #expect(r.status == 2)
        #expect(r.stdout.contains(",A1,"))
    }

    @Test func aParamOverrideIsCheckedAgainstItsType() throws {
        let bad = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", Self.sample, "--as-of", "2026-03-31",
                               "--param", "career_guidance_after=2 %", "--summary"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("career_guidance_after"))
        let good = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", Self.sample, "--as-of", "2026-03-31",
                                "--param", "career_guidance_after=2 months", "--summary"])
        #expect(good.status == 0, "\(good.stderr)")
    }
}

struct CLIGoalsAndTestsTests {
    @Test func goalsReproduceSeed000() throws {
        let r = try CLI.run(["goals", "rules/pohjois-karjala", "--period", "2026-Q1", "--actuals",
                             "rules/pohjois-karjala/sample/actuals-2026-Q1.csv", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let goals = try #require(json["goals"] as? [[String: Any]])
        let verdicts = goals.map { $0["verdict"] as? String ?? "none" }
        #expect(verdicts == ["Toteutuu", "Ei toteudu", "Toteutuu", "none", "Toteutuu", "Toteutuu", "Toteutuu"] + Array(verdicts.dropFirst(7)))
    }

    @Test func reportWithNoArgumentsUsesTheDeclaredSampleData() throws {
        let out = Scratch.root + "linja-report-" + UUID().uuidString + ".html"
        let r = try CLI.run(["report", "rules/pohjois-karjala", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Toteutuu"))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(!html.contains("<script"))
        #expect(html.contains("Kuntakortit"))
    }

    @Test func policyTestsPassAndTheLastLineCountsThem() throws {
        let r = try CLI.run(["test", "rules/"])
        #expect(r.status == 0, "\(r.stdout)")
        let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasSuffix(" passed, 0 failed"))
    }
}

/// With several threads, workers read byte ranges of the file and repeated
/// ids are checked across them; what comes out must not depend on the
/// thread count (issue 17, item 18): the output, the rejects file and
/// standard error, also when bad and repeated rows sit in different ranges
/// (the file is cut about every mebibyte), for CSV and JSON Lines.
struct CLIThreadsTests {
    /// The generated clients with repeated, ragged and bad rows added.
    static func clients() throws -> (header: String, rows: [String]) {
        let generated = try CLI.run(["generate", "clients", "--policy", "rules/etela-keski-suomi", "--count", "9000",
                                     "--seed", "5", "--as-of", "2026-05-01"])
        #expect(generated.status == 0, "\(generated.stderr)")
        var lines = generated.stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let header = lines.removeFirst()
        var rows: [String] = []
        for (i, line) in lines.enumerated() {
            rows.append(line)
            if i == 5 { rows.append(lines[2]) }            // repeats row 4, same chunk
            if i == 5000 { rows.append(lines[10]) }        // repeats row 12, an earlier chunk
            if i == 7000 { rows.append(line + ",extra") }  // ragged
            if i == 8191 { rows.append(lines[8191]) }      // repeats the row before
        }
        return (header, rows)
    }

    /// stdout, stderr and the rejects file of one run with `--skip-invalid`.
    static func run(_ path: String, threads: String, _ format: [String]) throws -> [String] {
        let skip = CLI.temp("skip-\(threads).csv", "")
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", path, "--as-of", "2026-05-01",
                             "--threads", threads, "--skip-invalid", skip] + format)
        #expect(r.status == 0, "\(r.stderr)")
        return [r.stdout, r.stderr, try String(contentsOfFile: skip, encoding: .utf8)]
    }

    /// stdout and stderr of a run that reports its bad rows on standard error.
    static func reported(_ path: String, threads: String) throws -> [String] {
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", path, "--as-of", "2026-05-01",
                             "--threads", threads, "--max-errors", "1000", "--summary"])
        #expect(r.status == 2, "\(r.stderr)")
        return [r.stdout, r.stderr]
    }

    @Test func badAndRepeatedRowsAreReportedTheSameWithOneTwoAndFourThreads() throws {
        let (header, rows) = try Self.clients()
        let csv = CLI.temp("threads.csv", ([header] + rows).joined(separator: "\n") + "\n")
        for format in [["--format", "jsonl"], ["--summary", "--format", "json"]] {
            let one = try Self.run(csv, threads: "1", format)
            for threads in ["2", "4"] {
                #expect(try Self.run(csv, threads: threads, format) == one, "\(format) differs between 1 and \(threads) threads")
            }
            let rejectedRows = one[2].split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",").first.map(String.init) ?? "" }
            #expect(rejectedRows == ["8", "5004", "7005", "8197"], "\(one[2])")
            #expect(one[2].contains("duplicate id") && one[2].contains("(first on row 13)"))
        }
        let one = try Self.reported(csv, threads: "1")
        #expect(one[1].contains("4 of 9004 rows rejected; 9000 decided"), "\(one[1])")
        for threads in ["2", "4"] {
            #expect(try Self.reported(csv, threads: threads) == one, "standard error differs between 1 and \(threads) threads")
        }
    }

    @Test func jsonLinesRejectsAreTheSameWithOneTwoAndFourThreads() throws {
        let (header, rows) = try Self.clients()
        let names = header.split(separator: ",").map(String.init)
        var lines: [String] = []
        for (i, row) in rows.enumerated() {
            let cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var pairs: [String] = []
            for (k, name) in names.enumerated() where k < cells.count && !cells[k].isEmpty {
                pairs.append("\"\(name)\":\"\(cells[k])\"")
            }
            if i % 997 == 0 { pairs.append("\"shoe_size\":\"42\"") }       // an unknown key
            if i % 1499 == 0 { lines.append("[\"not\", \"an object\"]") }   // a bad line
            lines.append("{" + pairs.joined(separator: ",") + "}")
        }
        let path = CLI.temp("threads.jsonl", lines.joined(separator: "\n") + "\n")
        let one = try Self.run(path, threads: "1", ["--format", "jsonl"])
        for threads in ["2", "4", "4"] {
            #expect(try Self.run(path, threads: threads, ["--format", "jsonl"]) == one, "JSON Lines differs between 1 and \(threads) threads")
        }
        #expect(one[1].contains("unknown key 'shoe_size' is ignored"), "\(one[1])")
        #expect(one[2].contains("expected a JSON object"), "\(one[2])")
    }
}
