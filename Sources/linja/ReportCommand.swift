import Foundation
import Linja
import LinjaTools

let reportCommand = Command(
    spec: CommandSpec(
        name: "report",
        usage: "linja report POLICY [--clients FILE --as-of DATE] [--actuals FILE --period P] [--out FILE.html]",
        summary: "An area's whole picture: routing by municipality and the goal verdicts.",
        details: """
        With no data options it uses the sample data the policy declares in its
        `report { sample … }` settings. Prints the routing summary and the goal table;
        --out writes the HTML report (one self-contained file, a card per municipality).
        """,
        options: [
            .clients("Client records."),
            .asOf("The date decisions are made on."),
            .actuals("Indicator data."),
            .period("The period goals are evaluated for."),
            .out("Write the HTML report to FILE."),
            .value("export", "FILE", "Write the report as data for Power BI and spreadsheets (CSV, long format; docs/bi-export.md)."),
            .lang("Language (default fi)."),
            .params("Override a param for this run."),
        ]),
    run: { args in
        guard let policyPath = args.positional.first else { throw UsageError(message: "give the policy directory, e.g. rules/pohjois-karjala") }
        let loaded: Policy
        do { loaded = try loadPolicy(policyPath, quietWarnings: true) } catch is PolicyFailure { return Exit.failure }
        // Every output records the overrides: they are part of its fingerprint.
        let overrides = try paramOverrides(args.all("param"), policy: loaded)
        let policy = loaded.withOverrides(overrides)
        let s = policy.report
        let clients = args.value("clients") ?? s.sampleClients
        let asOf = try args.date("as-of") ?? s.sampleAsOf
        let actuals = args.value("actuals") ?? (args.value("clients") == nil ? s.sampleActuals : nil)
        let periodText = args.value("period") ?? s.samplePeriod?.description
        let lang = GoalReport.Language(rawValue: try args.choice("lang", ["fi", "en"], default: "fi")) ?? .fi
        guard clients != nil || periodText != nil else {
            throw UsageError(message: "the policy declares no sample data: give --clients FILE --as-of DATE and/or --actuals FILE --period P")
        }
        if clients != nil, asOf == nil { throw UsageError(message: "--clients needs --as-of") }
        let inputs = [clients, actuals].compactMap { $0 } + ruleFilePaths(policy)
        try Console.refuseOutput(onto: inputs)
        // Both files checked and opened before any work.
        let htmlTarget = try args.value("out").map { try OutputTarget(path: $0, inputs: inputs) }
        let exportTarget = try args.value("export").map { try OutputTarget(path: $0, inputs: inputs) }
        var bad = 0
        var summary: Summary?
        var runCounts: RunPipeline.Counts?
        if let c = clients, let day = asOf {
            let reader: ClientReader
            do { reader = try ClientReader(path: c, policy: policy) } catch let e as DataIssue {
                stderr.line("linja report: \(e)")
                return Exit.usage
            }
            var options = RunPipeline.Options()
            options.summary = true
            let pipeline = RunPipeline(policy: policy, asOf: day, paramOverrides: overrides, options: options)
            pipeline.run(reader, out: { _ in }, reject: { issue, _ in
                if bad < 20 { stderr.line("error: \(issue)") }
                bad += 1
            })
            summary = pipeline.summary
            let c = pipeline.counts
            runCounts = c
            // The --param overrides, when given, under the heading.
            let overridden = policy.paramOverrides.isEmpty ? [] : [(lang == .fi ? "Muutetut parametrit: " : "Params overridden: ") + policy.overridesText]
            stdout.write(RoutingTable(summary: pipeline.summary).text(language: lang == .fi ? .fi : .en, header: (lang == .fi ? [
                "\(policy.areas.first?.label ?? policy.name): ohjaukset ja oikeudet kunnittain, tilanne \(ReportLanguage.fi.date(day))",
                "Asiakkaita: \(c.read) luettu, \(c.decided) ratkaistu, \(c.rejected + c.failed) hylätty",
            ] : [
                "\(policy.areas.first?.label ?? policy.name): routing by municipality as of \(day)",
                "Clients: \(c.read) read, \(c.decided) decided, \(c.rejected + c.failed) rejected",
            ]) + overridden))
        }
        var goalReport: GoalReport?
        if let pt = periodText {
            guard let period = Period.parse(pt) else { throw UsageError(message: "--period must be 2026, 2026-Q1 or 2026-03, not '\(pt)'") }
            if !policy.goals.isEmpty {
                let run = GoalRun.run(policy: policy, period: period, actuals: actuals, clients: clients, asOf: asOf, paramOverrides: overrides)
                for i in run.issues { stderr.line("error: \(i)") }
                bad += run.issues.count
                let report = GoalReport(policy: policy, evaluation: run.evaluation, language: lang)
                goalReport = report
                stdout.write("\n" + report.table())
            }
        }
        if let target = exportTarget {
            let area = AreaReport(policy: policy, summary: summary, goals: goalReport, counts: runCounts)
            target.write(bytes: BIExport.csv(area))
        }
        if let target = htmlTarget {
            target.write(HTMLReport(policy: policy, goals: goalReport, summary: summary, counts: runCounts).render())
        }
        return bad > 0 ? Exit.usage : Exit.ok
    })
