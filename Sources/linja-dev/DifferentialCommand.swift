import Foundation
import Linja
import LinjaDevTools
import LinjaTools

let differentialCommand = Command(
    spec: CommandSpec(
        name: "differential",
        usage: "linja-dev differential [--policy DIR] [--clients N] [--as-of DATE] [--seed S]",
        summary: "Compare the compiled evaluator with the reference evaluator.",
        details: """
        Generates clients (half of them with adversarial dates: month ends, 29 February,
        the as-of day itself, missing optionals) and checks that both evaluators give
        identical decisions and rule statuses (the structure of every explanation).
        Exit 0 when they agree on every client, 1 otherwise.
        """,
        options: [
            .value("policy", "DIR", "Policy (default: every policy under rules/)."),
            .value("clients", "N", "Clients per policy (default 1,000,000)."),
            .value("as-of", "DATE", "Evaluation date (default 2026-03-31)."),
            .value("seed", "S", "Seed (default 1)."),
        ]),
    run: { args in
        let n = try args.int("clients", default: 1_000_000, range: 1...100_000_000)
        let asOf = try args.date("as-of") ?? Day(year: 2026, month: 3, day: 31)!
        let seed = UInt64(try args.int("seed", default: 1, range: 0...Int.max))
        let policies = try loadPolicies([args.value("policy") ?? "rules/"]).filter { $0.record != nil && !$0.municipalities.isEmpty }
        var disagreements = 0
        for policy in policies {
            if policy.hasErrors { stderr.write(DiagnosticRenderer().render(policy.diagnostics)); return Exit.failure }
            let t0 = Stopwatch.now()
            var normal = ClientGenerator(policy: policy, asOf: asOf, seed: seed)
            var adversarial = ClientGenerator(policy: policy, asOf: asOf, seed: seed &+ 1)
            adversarial.adversarial = true
            let compiled = Evaluator(policy: policy, asOf: asOf)
            let reference = ReferenceDecider(policy: policy, asOf: asOf)
            var errors = 0
            for i in 1...n {
                let client = i % 2 == 0 ? adversarial.next(index: i) : normal.next(index: i)
                let a = Result { try compiled.decide(client, trace: true) }
                let b = Result { try reference.decide(client) }
                // The whole decision in one function: the same outcomes, or the same failure.
                let fast = Result { try compiled.decide(client) }
                switch (fast, b) {
                case (.success(let x), .success(let y)) where x.outcomes == y.outcomes: break
                case (.failure, .failure): break
                default:
                    disagreements += 1
                    if disagreements <= 5 { stderr.line("\(policy.name), client \(i): whole decision \(fast) vs reference \(b)\n  client: \(client)") }
                }
                switch (a, b) {
                case (.success(let x), .success(let y)) where x == y: continue
                case (.failure, .failure): errors += 1; continue
                default:
                    disagreements += 1
                    if disagreements <= 5 { stderr.line("\(policy.name), client \(i): compiled \(a) vs reference \(b)\n  client: \(client)") }
                }
            }
            let seconds = Double(Stopwatch.now() - t0) / 1e9
            stdout.line("\(Paths.display(policy.directory)): \(n) clients, \(disagreements) disagreements, \(errors) clients both evaluators reject, \(String(format: "%.1f", seconds)) s")
        }
        return disagreements == 0 ? Exit.ok : Exit.failure
    })
