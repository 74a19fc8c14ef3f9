import Foundation
import Linja
import LinjaTools

let goalsCommand = Command(
    spec: CommandSpec(
        name: "goals",
        usage: "linja goals POLICY --period PERIOD [--actuals FILE] [--clients FILE --as-of DATE] [options]",
        summary: "Evaluate goals and targets for a period: actuals, statuses, verdicts.",
        details: """
        Actuals come from indicator data (CSV: target, period, value[, municipality,
        assessment, note]) or are computed over client records. The verdict policy in
        the rule files decides statuses and goal verdicts.
        Exit 0 whatever the verdicts, 1 for policy errors, 2 for bad data or usage.
        """,
        options: [
            .period("2026, 2026-Q1 or 2026-03."),
            .actuals(),
            .clients("Client records for targets measured over clients."),
            .asOf("The date client records are read as of."),
            .format("FORMAT", "table (default), json, csv or html."),
            .out(),
            .lang(),
            .csvDialect("fi: semicolons and decimal commas."),
            .params("Override a param for this run."),
        ]),
    run: { args in
        guard let policyPath = args.positional.first else { throw UsageError(message: "give the policy directory") }
        let loaded: Policy
        do { loaded = try loadPolicy(policyPath, quietWarnings: true) } catch is PolicyFailure { return Exit.failure }
        // Every output records the overrides: they are part of its fingerprint.
        let overrides = try paramOverrides(args.all("param"), policy: loaded)
        let policy = loaded.withOverrides(overrides)
        let periodText = args.value("period") ?? policy.report.samplePeriod?.description
        guard let pt = periodText else { throw UsageError(message: "--period is required (e.g. 2026-Q1)") }
        guard let period = Period.parse(pt) else { throw UsageError(message: "--period must be 2026, 2026-Q1 or 2026-03, not '\(pt)'") }
        let asOf = try args.date("as-of")
        if args.value("clients") != nil, asOf == nil { throw UsageError(message: "--clients needs --as-of") }
        let format = try args.choice("format", ["table", "json", "csv", "html"], default: "table")
        let lang = GoalReport.Language(rawValue: try args.choice("lang", ["fi", "en"], default: "fi")) ?? .fi
        let inputs = [args.value("actuals"), args.value("clients")].compactMap { $0 } + ruleFilePaths(policy)
        let target = try OutputTarget(path: args.value("out"), inputs: inputs)
        let run = GoalRun.run(policy: policy, period: period, actuals: args.value("actuals"), clients: args.value("clients"),
                              asOf: asOf, paramOverrides: overrides)
        for w in run.warnings { stderr.line("warning: \(w)") }
        for i in run.issues { stderr.line("error: \(i)") }
        let report = GoalReport(policy: policy, evaluation: run.evaluation, language: lang)
        let text: String
        switch format {
        case "json": text = report.json().pretty + "\n"
        case "csv": text = report.csv(finnish: try args.choice("csv-dialect", ["fi", "en"], default: "en") == "fi")
        case "html": text = HTMLReport(policy: policy, goals: report, summary: nil).render()
        default: text = report.table()
        }
        target.write(text)
        return run.issues.isEmpty ? Exit.ok : Exit.usage
    })
