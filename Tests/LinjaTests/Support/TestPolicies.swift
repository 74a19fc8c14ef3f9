import Foundation
import LinjaTestSupport
@testable import Linja

/// Builds policies from inline text for tests: each call gets its own
/// temporary rules tree, so tests run in parallel without sharing files.
enum TestPolicies {
    /// The repository's root, found from this file's path.
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var rulesDir: String { repoRoot + "/rules" }

    /// Loads one of the repository's policies.
    static func repository(_ name: String) -> Policy {
        Policy.load(directory: rulesDir + "/" + name, root: rulesDir)
    }

    /// A small record and area every inline test policy can import as `../base`.
    static let base = """
    record client {
      id: text default "T"
      municipality: municipality default Alpha
      birth_date: date default 1990-01-01
      start: date default 2026-01-01
      d: date?
      n: int?
      x: decimal?
      flag_a: bool default false
      flag_b: bool default false
      status: unemployed | laid_off | short_layoff | employed default unemployed
    }
    area testarea "Testialue" {
      municipalities Alpha code "001", Beta code "002", "Gamma-Delta" code "003", Epsilon code "004"
      group ab = Alpha, Beta
      group bg = Beta, "Gamma-Delta"
    }
    outcome flag hit "Osuma"
    outcome flag other
    outcome refer route to one, two, three
    outcome assess check
    """

    /// Writes `files` (name → text) as a policy directory beside `base`, loads and checks it.
    static func make(_ files: [String: String], withBase: Bool = true, baseExtra: String = "") -> Policy {
        let root = Scratch.root + "linja-test-" + UUID().uuidString
        let dir = root + "/p"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if withBase {
            try? FileManager.default.createDirectory(atPath: root + "/base", withIntermediateDirectories: true)
            try? (base + "\n" + baseExtra).write(toFile: root + "/base/base.linja", atomically: true, encoding: .utf8)
        }
        for (name, text) in files {
            let body = (withBase ? "import \"../base\"\n" : "") + text
            try? body.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        return Policy.load(directory: dir, root: root)
    }

    static func make(_ text: String) -> Policy { make(["p.linja": text]) }

    static func errors(_ p: Policy) -> [Diagnostic] { p.diagnostics.filter { $0.severity == .error } }

    /// A client as values: record defaults, then the given fields (Linja constants as text).
    static func client(_ p: Policy, _ fields: [String: String] = [:]) -> [Value] {
        guard let rec = p.record else { return [] }
        return rec.fields.map { f in
            if let text = fields[f.name] {
                if text == "missing" { return .missing }
                switch p.readValue(text, as: f.type) {
                case .success(let v): return v
                case .failure(let e): fatalError("bad test value for \(f.name): \(text): \(e)")
                }
            }
            return f.defaultValue ?? .missing
        }
    }

    static func day(_ s: String) -> Day {
        guard let d = Day.parse(Substring(s)) else { fatalError("bad date \(s)") }
        return d
    }
}

/// Evaluates one expression for a client both ways: the reference evaluator
/// on the checked tree, and the compiled evaluator through a rule whose
/// condition is the expression (so both must agree).
struct Probe {
    let policy: Policy

    init(_ expr: String, extra: String = "") {
        policy = TestPolicies.make("""
        \(extra)
        let probe = \(expr)
        rule probe_rule when probe then flag hit
        """)
    }

    var errors: [Diagnostic] { TestPolicies.errors(policy) }

    /// The reference value of `probe`.
    func value(asOf: String, _ fields: [String: String] = [:]) -> Value {
        let ctx = EvalContext(policy: policy, asOf: TestPolicies.day(asOf))
        var ev = ReferenceEvaluator(context: ctx, client: TestPolicies.client(policy, fields))
        guard let l = policy.letDef(named: "probe") else { return .missing }
        return (try? ev.eval(l.expr)) ?? .missing
    }

    /// Whether the rule fires in the compiled evaluator (and the reference agrees).
    func holds(asOf: String, _ fields: [String: String] = [:]) -> Bool? {
        let day = TestPolicies.day(asOf)
        let c = TestPolicies.client(policy, fields)
        guard let hit = policy.outcome(named: "hit")?.id,
              let compiled = try? Evaluator(policy: policy, asOf: day).decide(c, trace: true),
              let reference = try? ReferenceDecider(policy: policy, asOf: day).decide(c) else { return nil }
        guard compiled == reference else { return nil }
        return compiled.has(hit)
    }
}
