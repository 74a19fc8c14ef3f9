import Foundation
import Linja
import LinjaDevTools
import LinjaTools

let dueDifferentialCommand = Command(
    spec: CommandSpec(
        name: "due-differential",
        usage: "linja-dev due-differential [--policy DIR] [--clients N] [--days D] [--as-of DATE] [--seed S]",
        summary: "Compare `linja due` with deciding every day of the window.",
        details: """
        Generates clients with dates where conditions turn inside the window (month ends,
        29 February, birthdays that make 30 and 55, deadlines before weekends and
        holidays, missing optionals) and checks that the fast path gives exactly the
        timeline the compiled evaluator gives on every day, and (on every n-th client)
        the reference evaluator on every day and on the days the plan names.
        By default: both areas under rules/ and Etelä-Keski-Suomi with test rules whose
        date conditions are not monotone, each from 2026-03-31 and from 2027-11-20 (a
        window over 29 February 2028). Exit 0 when every timeline agrees, 1 otherwise.
        """,
        options: [
            .value("policy", "DIR", "Policy (default: both areas and the test policy)."),
            .value("clients", "N", "Clients per policy and date (default 10,000)."),
            .value("days", "D", "Days after as_of (default 400)."),
            .multiple("as-of", "DATE", "Start of the window (default 2026-03-31 and 2027-11-20)."),
            .value("seed", "S", "Seed (default 1)."),
            .value("reference-every", "K", "Decide every K-th client with the reference evaluator too (default 10)."),
        ]),
    run: { args in
        let n = try args.int("clients", default: 10_000, range: 1...100_000_000)
        let days = try args.int("days", default: 400, range: 0...DayWindow.maxLength)
        let seed = UInt64(try args.int("seed", default: 1, range: 0...Int.max))
        let every = try args.int("reference-every", default: 10, range: 1...Int.max)
        let dates = try args.all("as-of").map { try parseDate($0, option: "as-of") }
        let asOfs = dates.isEmpty ? [Day(year: 2026, month: 3, day: 31), Day(year: 2027, month: 11, day: 20)].compactMap { $0 } : dates
        var policies: [(policy: Policy, label: String)]
        if let p = args.value("policy") {
            policies = try loadPolicies([p]).map { ($0, Paths.display($0.directory)) }
        } else {
            let test = DueDifferential.testPolicy(area: "rules/etela-keski-suomi")
            policies = try loadPolicies(["rules/"]).map { ($0, Paths.display($0.directory)) }
                + [(test, "rules/etela-keski-suomi with the test rules")]
        }
        policies = policies.filter { $0.policy.record != nil && !$0.policy.municipalities.isEmpty }
        var failed = false
        for (policy, label) in policies {
            if policy.hasErrors {
                stderr.write(DiagnosticRenderer().render(policy.diagnostics))
                return Exit.failure
            }
            for asOf in asOfs {
                var d = DueDifferential(clients: n, days: days, asOf: asOf)
                d.seed = seed
                d.referenceEvery = every
                d.log = { stderr.line($0); stderr.flush() }
                let r = d.run(policy)
                stdout.line("\(label), from \(asOf), \(r.days) days: \(r.clients) clients, \(r.agreeing) agree, "
                            + "\(r.disagreements.count) disagree (\(r.referenceCompared) also with the reference evaluator); "
                            + "\(r.changes) decision changes, \(r.undecidable) undecidable; \(r.watches) watches (\(r.dailyWatches) day by day); "
                            + String(format: "%.1f s", r.seconds))
                for line in r.disagreements.prefix(5) { stdout.line("  " + line) }
                stdout.flush()
                if !r.disagreements.isEmpty { failed = true }
            }
        }
        return failed ? Exit.failure : Exit.ok
    })
