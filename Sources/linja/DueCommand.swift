import Foundation
import Linja
import LinjaTools

let dueCommand = Command(
    spec: CommandSpec(
        name: "due",
        usage: "linja due POLICY --clients FILE --as-of DATE --within SPAN [--by caseworker] [--format table|jsonl|csv|html]",
        summary: "What comes due for each client in the next days: outcomes that start or end with time alone.",
        details: """
        A client's outcomes change over time without any change to the record: spans and
        ages grow, deadlines pass, rules and dated params take effect or lapse. For the
        window as_of < date <= as_of + SPAN (a span in the language's units: '14 days',
        '2 weeks', '3 months'; months clamp at the month's end), each change is the
        first day on which 'linja run --as-of DATE' gives the new state: an outcome
        (kind, name, destination) that starts or ends, with the rule and why. A change
        of destination is an 'ends' and a 'starts' on the same day.

        JSON Lines and CSV stream one line per change, in input order. The table and
        HTML are a worklist sorted by date, municipality and client, held in memory;
        --by FIELD (e.g. caseworker) makes a section per value, in HTML one printed page
        each. A worklist names clients: it is for the staff who serve them, and no
        group is suppressed. Bad rows are handled as by 'linja run'.
        Exit 0 when every row was decided, 1 for policy errors, 2 for bad rows or
        usage errors (0 with --skip-invalid).
        """,
        options: [
            .clients(),
            .asOf("The date the window starts from (2026-03-31)."),
            .value("within", "SPAN", "How far ahead: '14 days', '2 weeks', '3 months'."),
            .value("by", "FIELD", "A section per value of this field (caseworker)."),
            .format("FORMAT", "table (default), jsonl, csv or html."),
            .lang("Language of the worklist and the reasons (default fi)."),
            .out(),
            .value("skip-invalid", "FILE", "Write rejected rows with their reasons to FILE (CSV) and exit 0."),
            .csvDialect(),
            .params(),
            .value("max-errors", "N", "Bad rows printed before the rest are counted (default 20)."),
            .flag("allow-repeated-ids", "Decide a row whose id an earlier row had (by default it is rejected)."),
        ]),
    run: { args in
        guard let policyPath = args.positional.first else { throw UsageError(message: "give the policy directory, e.g. rules/etela-keski-suomi") }
        guard args.positional.count == 1 else { throw UsageError(message: "unexpected argument '\(args.positional[1])'") }
        let clients = try args.required("clients", "FILE")
        let asOf = try parseDate(try args.required("as-of", "DATE", why: "the window starts from it"), option: "as-of")
        let within = try args.required("within", "SPAN", why: "how far ahead to look, e.g. --within \"14 days\"")
        var options = DuePipeline.Options()
        options.format = DuePipeline.Format(rawValue: try args.choice("format", DuePipeline.Format.allCases.map(\.rawValue), default: "table")) ?? .table
        options.language = DueLanguage(rawValue: try args.choice("lang", ["fi", "en"], default: "fi")) ?? .fi
        options.finnishCSV = try args.choice("csv-dialect", ["fi", "en"], default: "en") == "fi"
        options.by = args.value("by")
        let maxErrors = try args.int("max-errors", default: 20, range: 0...1_000_000)
        let loaded: Policy
        do { loaded = try loadPolicy(policyPath, quietWarnings: true) } catch is PolicyFailure { return Exit.failure }
        // Every output records the overrides: they are part of its fingerprint.
        let overrides = try paramOverrides(args.all("param"), policy: loaded)
        let policy = loaded.withOverrides(overrides)
        let window: DayWindow
        do { window = try DuePipeline.window(within, asOf: asOf, policy: policy) } catch let e as DuePipeline.OptionError {
            throw UsageError(message: "--within " + e.message)
        }
        let pipeline: DuePipeline
        do { pipeline = try DuePipeline(policy: policy, window: window, paramOverrides: overrides, options: options) } catch let e as DuePipeline.OptionError {
            throw UsageError(message: "--by: " + e.message)
        }
        let reader: ClientReader
        do { reader = try ClientReader(path: clients, policy: policy) } catch let e as DataIssue {
            stderr.line("linja due: \(e)")
            return Exit.usage
        }
        reader.rejectDuplicateIDs = !args.flag("allow-repeated-ids")
        for w in reader.warnings { stderr.line("warning: \(w)") }
        // The outputs are checked and opened before any work: none may be an
        // input, and files are written beside their paths and renamed into
        // place when complete (OutputFile).
        let inputs = (clients == "-" ? [] : [clients]) + ruleFilePaths(policy)
        try Console.refuseOutput(onto: inputs)
        let rejects = try args.value("skip-invalid").map { try RejectsFile(path: $0, inputs: inputs, header: reader.header) }
        let file = try args.value("out").flatMap { $0 == "-" ? nil : try OutputFile(path: $0, inputs: inputs) }
        func emit(_ bytes: [UInt8]) { if let file { file.write(bytes: bytes) } else { stdout.write(bytes: bytes) } }
        func emit(_ text: String) { if let file { file.write(text) } else { stdout.write(text) } }
        var shownErrors = 0
        pipeline.run(reader, out: { emit($0) }, reject: { issue, raw in
            if let rejects {
                rejects.write([String(issue.row), issue.column.map(String.init) ?? "", issue.field ?? "", issue.message] + raw)
            } else if shownErrors < maxErrors {
                stderr.line("error: \(issue)")
                shownErrors += 1
            }
        })
        rejects?.commit()
        switch options.format {
        case .table: emit(Worklist(pipeline: pipeline).table())
        case .html: emit(Worklist(pipeline: pipeline).html())
        case .jsonl, .csv:
            let c = pipeline.counts
            stderr.line("linja due: \(c.read) read, \(c.decided) decided, \(c.rejected) rejected; "
                        + "\(c.clientsWithChanges) client\(c.clientsWithChanges == 1 ? "" : "s") with changes, \(c.changes) change\(c.changes == 1 ? "" : "s")")
        }
        if ProcessInfo.processInfo.environment["LINJA_DUE_STATS"] != nil {
            stderr.line("decisions: \(pipeline.decisions), watches: \(pipeline.plan.watches.count), shared days: \(pipeline.plan.sharedDays)")
        }
        if let file {
            file.commit()
            stderr.line("wrote \(file.path)")
        }
        let c = pipeline.counts
        if c.rejected > 0, rejects == nil {
            if c.rejected > shownErrors { stderr.line("… and \(c.rejected - shownErrors) more bad row\(c.rejected - shownErrors == 1 ? "" : "s")") }
            stderr.line("\(c.rejected) of \(c.read) rows rejected; \(c.decided) decided")
            return Exit.usage
        }
        return Exit.ok
    })
