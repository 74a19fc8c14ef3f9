import Foundation
import LinjaTestSupport
import Testing

/// Inputs found by the libFuzzer harnesses in fuzz/ (see fuzz/README.md),
/// each kept as a file in Tests/CLITests/Regression/ and run through the
/// `linja` binary, so that a trap kills the child process (seen here as a
/// signal), never the test run. The file name says what the input is:
///
/// - `check-*.linja`, `fmt-*.linja`: a rule file, checked as the only file of
///   a policy in a rules tree that also holds `common` (as the `check`
///   harness does), and formatted: `linja fmt` must either refuse it for a
///   syntax error or format it, never answer "could not print" (L206), and
///   formatting twice changes nothing;
/// - `clients-*.csv`, `clients-*.jsonl`: client data for
///   `linja run rules/etela-keski-suomi`;
/// - `actuals-*.csv`: indicator data for `linja goals rules/pohjois-karjala`.
///
/// Every command must end by itself with exit code 0, 1 or 2. Inputs whose
/// bug is still open are listed in `knownIssues` and run inside
/// `withKnownIssue`; remove the entry when the bug is fixed.
enum FuzzRegression {
    static let directory = CLI.repoRoot + "/Tests/CLITests/Regression"

    /// Open bugs, by input file name.
    static let knownIssues: [String: String] = [:]

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }
            .sorted()
    }

    static func tempDir() -> String {
        let dir = Scratch.root + "linja-fuzz-regression-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func copy(_ from: String, to: String) throws {
        try FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    /// The command ended by itself, with a documented exit code.
    static func expectOrderly(_ r: CLI.Result, _ what: String, allowed: Set<Int32> = [0, 1, 2]) {
        #expect(!r.signalled, "\(what): killed by signal \(r.status)\n\(r.stderr.suffix(2000))")
        #expect(r.signalled || allowed.contains(r.status), "\(what): exit \(r.status)\n\(r.stderr.suffix(2000))")
    }

    /// A rule file: checked in a rules tree like the `check` harness's, then formatted.
    static func ruleFile(_ name: String) throws {
        let root = tempDir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let rules = root + "/rules"
        try copy(CLI.repoRoot + "/rules/common", to: rules + "/common")
        try copy(CLI.repoRoot + "/Tests/LinjaTests/Golden/Diagnostics/_common", to: rules + "/_common")
        let input = rules + "/p/input.linja"
        try copy(directory + "/" + name, to: input)
        let check = try CLI.run(["check", rules + "/p"])
        expectOrderly(check, "linja check \(name)", allowed: [0, 1])

        let target = root + "/fmt/input.linja"
        try copy(directory + "/" + name, to: target)
        let fmt = try CLI.run(["fmt", target])
        expectOrderly(fmt, "linja fmt \(name)", allowed: [0, 1])
        #expect(!fmt.stderr.contains("L206"), "linja fmt \(name) could not print a file without syntax errors:\n\(fmt.stderr)")
        if fmt.status == 0 {
            let again = try CLI.run(["fmt", "--check", target])
            #expect(again.status == 0, "formatting \(name) twice changes it:\n\(again.stdout)\(again.stderr)")
        }
    }

    static func clients(_ name: String) throws {
        let r = try CLI.run(["run", "rules/etela-keski-suomi", "--clients", directory + "/" + name, "--as-of", "2026-05-01"])
        expectOrderly(r, "linja run --clients \(name)")
    }

    static func actuals(_ name: String) throws {
        let r = try CLI.run(["goals", "rules/pohjois-karjala", "--period", "2026-Q1", "--actuals", directory + "/" + name])
        expectOrderly(r, "linja goals --actuals \(name)")
    }

    static func run(_ name: String) throws {
        if name.hasSuffix(".linja") {
            try ruleFile(name)
        } else if name.hasPrefix("clients-") {
            try clients(name)
        } else if name.hasPrefix("actuals-") {
            try actuals(name)
        } else {
            Issue.record("\(name): unknown kind of regression input (see FuzzRegressionTests.swift)")
        }
    }
}

struct FuzzRegressionTests {
    @Test(arguments: FuzzRegression.inputs)
    func fuzzFoundInput(_ name: String) throws {
        if let issue = FuzzRegression.knownIssues[name] {
            withKnownIssue(Comment(rawValue: issue)) {
                try FuzzRegression.run(name)
            }
        } else {
            try FuzzRegression.run(name)
        }
    }

    @Test func everyKnownIssueHasItsInput() {
        for name in FuzzRegression.knownIssues.keys {
            #expect(FuzzRegression.inputs.contains(name), "\(name) is listed as a known issue but not in Regression/")
        }
    }
}
