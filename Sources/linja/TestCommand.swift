import Foundation
import Linja
import LinjaTools

let testCommand = Command(
    spec: CommandSpec(
        name: "test",
        usage: "linja test PATH... [--filter TEXT] [--coverage] [--mutate] [--format text|json]",
        summary: "Run the policy tests written beside the rules.",
        details: """
        Runs every `test` block of every policy under PATH. A failure shows the test,
        its location, what was expected and what came, and why (rule, variant, values).
        The output ends with 'N passed, N failed'. Exit 1 when any test fails.
        --coverage reports, per rule, variant, exception and target, whether tests
        exercised it both ways. --mutate moves each threshold in the rules by one unit
        and lists every change no test notices.
        """,
        options: [
            .value("filter", "TEXT", "Only tests whose name contains TEXT."),
            .flag("coverage", "Report rule coverage."),
            .flag("mutate", "Mutation testing of the policy's thresholds."),
            .format("text|json", "Output format (default text)."),
            .flag("verbose", "List passing tests too.", short: "v"),
        ]),
    run: { args in
        guard !args.positional.isEmpty else { throw UsageError(message: "give a policy directory or a rules tree, e.g. rules/") }
        let format = try args.choice("format", ["text", "json"], default: "text")
        let policies = try loadPolicies(args.positional)
        let errors = policies.flatMap(\.diagnostics).filter { $0.severity == .error }
        if !errors.isEmpty {
            stderr.write(DiagnosticRenderer(color: useColor(fd: 2)).render(DiagnosticBag.sort(errors)))
            return Exit.failure
        }
        var passed = 0, failed = 0, skipped = 0
        var json: [JSON] = []
        var coverageFailed = false
        var survivorsTotal = 0
        for policy in policies {
            let runner = PolicyTestRunner(policy: policy, filter: args.value("filter"))
            if runner.ownTests.isEmpty { continue }
            let results = runner.run()
            if format == "text" { stdout.line(Paths.display(policy.directory)) }
            var policyJSON: [JSON] = []
            for r in results {
                switch r.outcome {
                case .passed: passed += 1
                case .failed: failed += 1
                case .skipped: skipped += 1
                }
                if format == "text" {
                    if r.outcome != .passed || args.flag("verbose") {
                        let mark = r.outcome == .passed ? "ok  " : r.outcome == .failed ? "FAIL" : "skip"
                        stdout.line("  \(mark) \(r.name)" + (r.location.map { "  (\($0))" } ?? ""))
                    }
                    for f in r.failures {
                        stdout.line("       \(f.location.map { "\($0): " } ?? "")\(f.message)")
                        for l in f.explanation { stdout.line("         \(l)") }
                    }
                } else {
                    policyJSON.append(.object([
                        ("name", .string(r.name)), ("location", r.location.map { .string($0.description) } ?? .null),
                        ("outcome", .string(r.outcome.rawValue)),
                        ("failures", .array(r.failures.map { f in .object([
                            ("location", f.location.map { .string($0.description) } ?? .null), ("message", .string(f.message)),
                            ("explanation", .array(f.explanation.map { .string($0) })),
                        ]) })),
                    ]))
                }
            }
            var entry: [(String, JSON)] = [("policy", .string(Paths.display(policy.directory))), ("tests", .array(policyJSON))]
            if args.flag("coverage") {
                let cov = runner.coverage()
                if cov.percent < 100 { coverageFailed = true }
                if format == "text" {
                    stdout.line(String(format: "  coverage: %.1f %% of %d rules, variants, exceptions and targets exercised both ways", cov.percent, cov.parts.count))
                    for p in cov.parts where !p.covered {
                        let how = !p.whenTrue && !p.whenFalse ? "never reached" : !p.whenTrue ? "never held" : "never failed"
                        stdout.line("    not covered: \(p.description) (\(how))" + (p.location.map { "  \($0)" } ?? ""))
                    }
                } else {
                    entry.append(("coverage", .object([
                        ("percent", .number(String(format: "%.1f", cov.percent))),
                        ("uncovered", .array(cov.parts.filter { !$0.covered }.map { p in
                            .object([("part", .string(p.description)), ("location", p.location.map { .string($0.description) } ?? .null),
                                     ("held", .bool(p.whenTrue)), ("failed", .bool(p.whenFalse))])
                        })),
                    ])))
                }
            }
            if args.flag("mutate") {
                let m = MutationTester.run(policy, filter: args.value("filter"))
                survivorsTotal += m.survivors.count
                if format == "text" {
                    stdout.line("  mutation: \(m.total) mutants, \(m.killedByTests) caught by tests, \(m.killedByCheck) rejected by the checker, \(m.survivors.count) survived")
                    for s in m.survivors { stdout.line("    survived: \(s.description)") }
                } else {
                    entry.append(("mutation", .object([
                        ("mutants", .int(m.total)), ("caught", .int(m.killedByTests)), ("rejected", .int(m.killedByCheck)),
                        ("survivors", .array(m.survivors.map { .string($0.description) })),
                    ])))
                }
            }
            json.append(.object(entry))
        }
        if format == "json" {
            stdout.line(JSON.object([("policies", .array(json)), ("passed", .int(passed)), ("failed", .int(failed)), ("skipped", .int(skipped))]).pretty)
        } else {
            stdout.line("\(passed) passed, \(failed) failed" + (skipped > 0 ? ", \(skipped) skipped" : ""))
        }
        _ = coverageFailed
        _ = survivorsTotal
        return failed > 0 ? Exit.failure : Exit.ok
    })
