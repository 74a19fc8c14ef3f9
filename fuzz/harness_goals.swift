// goals: arbitrary bytes as indicator data for rules/pohjois-karjala, read,
// evaluated for a period and rendered in every format and language (issue
// 17: the goal renderer was in no harness, so a value near the end of the
// number range trapped in the table and HTML while JSON and CSV were fine).
//
// The first byte chooses the period (2026-Q1, 2026, 2026-03, 2025-Q4); the
// rest is the CSV.
//
// Asserts, beyond "no crash, no hang":
// - the table, HTML, JSON and CSV (both dialects) are written in Finnish and
//   English for every input;
// - the JSON reads back, with one entry per target of every goal, each with
//   a known status;
// - the CSV has its header and one record per target (`CSVReader` reads it
//   back without an error), and no text cell a spreadsheet would run as a
//   formula;
// - the table names every goal, and holds no control character but newlines.
import Foundation
import Linja
import LinjaTools

enum GoalsHarness {
    static let policy: Policy = {
        let p = Policy.load(directory: Fuzz.repoRoot + "/rules/pohjois-karjala", root: Fuzz.repoRoot + "/rules")
        precondition(!p.hasErrors && !p.goals.isEmpty, "fuzz: rules/pohjois-karjala does not check clean")
        return p
    }()

    static let periods = ["2026-Q1", "2026", "2026-03", "2025-Q4"].compactMap { Period.parse($0) }

    static func run(_ input: [UInt8]) {
        guard let first = input.first else { return }
        let period = periods[Int(first) % periods.count]
        let bytes = Array(input.dropFirst())
        let (values, issues) = IndicatorReader.read(bytes: bytes, path: "actuals.csv", policy: policy)
        var engine = GoalEngine(policy: policy, period: period)
        engine.indicators = values
        let evaluation = engine.evaluate()
        Fuzz.log("goals \(period): \(values.count) values, \(issues.count) issues")
        let targets = evaluation.goals.reduce(0) { $0 + $1.targets.count }
        for language in GoalReport.Language.allCases {
            let report = GoalReport(policy: policy, evaluation: evaluation, language: language)
            let table = report.table()
            for g in evaluation.goals {
                let goal = policy.goals[g.goal]
                let label = goal.label ?? goal.name
                if !table.contains(String(label.prefix(20))) { Fuzz.fail("the table leaves out goal \(goal.name)", table) }
            }
            if table.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) {
                Fuzz.fail("a control character reaches the table", table)
            }
            _ = HTMLReport(policy: policy, goals: report, summary: nil).render()
            let json = report.json().compact
            guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
                  let goals = object["goals"] as? [[String: Any]] else { Fuzz.fail("the JSON does not read back", json) }
            let statuses = Set(TargetStatus.allCases.map(\.rawValue))
            var seen = 0
            for g in goals {
                for t in g["targets"] as? [[String: Any]] ?? [] {
                    seen += 1
                    if !statuses.contains(t["status"] as? String ?? "") { Fuzz.fail("a target with an unknown status", json) }
                }
            }
            if seen != targets { Fuzz.fail("the JSON has \(seen) targets, the evaluation \(targets)", json) }
            for finnish in [false, true] {
                let csv = report.csv(finnish: finnish)
                guard let reader = try? CSVReader(bytes: Array(csv.utf8)) else { Fuzz.fail("the CSV does not read back", csv) }
                var records = 0
                while true {
                    do { guard try reader.next() else { break } } catch { Fuzz.fail("the CSV does not read back: \(error)", csv) }
                    records += 1
                    for field in reader.strings() {
                        if let c = field.first, "=+@".contains(c) { Fuzz.fail("a formula in the CSV: \(field)", csv) }
                    }
                }
                if records != targets { Fuzz.fail("the CSV has \(records) records, the evaluation \(targets) targets", csv) }
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    GoalsHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
