import Foundation
import Linja
import LinjaTools

let runCommand = Command(
    spec: CommandSpec(
        name: "run",
        usage: "linja run POLICY --clients FILE --as-of DATE [options]",
        summary: "Decide every client in a data file: outcomes, with explanations.",
        details: """
        FILE is CSV (comma or semicolon separated, detected) or JSON Lines (.jsonl);
        '-' reads standard input (CSV unless --input-format jsonl). Every row is validated against the policy's record:
        a bad row is reported as FILE:ROW:COLUMN and the good rows are still decided.
        Exit 0 when every row was decided, 1 for policy errors, 2 for bad rows or
        usage errors (0 with --skip-invalid, which writes rejected rows to a file).
        """,
        options: [
            .clients(),
            .value("input-format", "csv|jsonl", "How FILE is written (default: JSON Lines for .jsonl, .ndjson and .json, else CSV)."),
            .asOf(),
            .format("FORMAT", "table (default), json, jsonl or csv."),
            .flag("explain", "Say why: each rule, the variant or exception, the values that decided."),
            .value("only", "ID", "Only the client with this id."),
            .flag("summary", "Counts of each outcome by municipality instead of per-client output (table, json or csv; small counts hidden)."),
            .value("skip-invalid", "FILE", "Write rejected rows with their reasons to FILE (CSV) and exit 0."),
            .csvDialect(),
            .params(),
            .value("max-errors", "N", "Bad rows printed before the rest are counted (default 20)."),
            .threads(),
            .flag("allow-repeated-ids", "Decide a row whose id an earlier row had (by default it is rejected; checking keeps 25–40 bytes per id)."),
        ]),
    run: { args in
        guard let policyPath = args.positional.first else { throw UsageError(message: "give the policy directory, e.g. rules/etela-keski-suomi") }
        guard args.positional.count == 1 else { throw UsageError(message: "unexpected argument '\(args.positional[1])'") }
        let clients = try args.required("clients", "FILE")
        let asOf = try parseDate(try args.required("as-of", "DATE", why: "decisions depend on the date"), option: "as-of")
        var options = RunPipeline.Options()
        options.format = RunPipeline.Format(rawValue: try args.choice("format", RunPipeline.Format.allCases.map(\.rawValue), default: "table")) ?? .table
        options.explain = args.flag("explain")
        options.only = args.value("only")
        options.summary = args.flag("summary")
        options.finnishCSV = try args.choice("csv-dialect", ["fi", "en"], default: "en") == "fi"
        options.maxErrors = try args.int("max-errors", default: 20, range: 0...1_000_000)
        options.threads = try args.int("threads", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256)
        if options.summary, options.format == .jsonl {
            throw UsageError(message: "--summary prints a table, JSON (--format json) or CSV (--format csv)")
        }
        let loaded: Policy
        do { loaded = try loadPolicy(policyPath, quietWarnings: true) } catch is PolicyFailure { return Exit.failure }
        let overrides = try paramOverrides(args.all("param"), policy: loaded)
        // Every output records the overrides: they are part of its fingerprint.
        let policy = loaded.withOverrides(overrides)
        let reader: ClientReader
        let inputFormat = try args.value("input-format").map { _ in
            ClientReader.Format(rawValue: try args.choice("input-format", ClientReader.Format.allCases.map(\.rawValue), default: "csv")) ?? .csv
        }
        do { reader = try ClientReader(path: clients, policy: policy, format: inputFormat) } catch let e as DataIssue {
            stderr.line("linja run: \(e)")
            return Exit.usage
        }
        reader.rejectDuplicateIDs = !args.flag("allow-repeated-ids")
        // Neither standard output nor the rejects file may be an input.
        let inputs = (clients == "-" ? [] : [clients]) + ruleFilePaths(policy)
        try Console.refuseOutput(onto: inputs)
        let rejects = try args.value("skip-invalid").map { try RejectsFile(path: $0, inputs: inputs, header: reader.header) }
        for w in reader.warnings { stderr.line("warning: \(w)") }
        var shownErrors = 0
        let pipeline = RunPipeline(policy: policy, asOf: asOf, paramOverrides: overrides, options: options)
        pipeline.run(reader, out: { stdout.write(bytes: $0) }, reject: { issue, raw in
            if let rejects {
                rejects.write([String(issue.row), issue.column.map(String.init) ?? "", issue.field ?? "", issue.message] + raw)
            } else if shownErrors < options.maxErrors {
                stderr.line("error: \(issue)")
                shownErrors += 1
            }
        }, warn: { stderr.line("warning: \($0)") })
        rejects?.commit()
        let c = pipeline.counts
        let bad = c.rejected + c.failed
        if let only = options.only, !pipeline.foundOnly {
            stderr.line("linja run: no client with id '\(only)' in \(clients)")
            return Exit.usage
        }
        if options.summary {
            let table = RoutingTable(summary: pipeline.summary)
            switch options.format {
            case .json: stdout.line(table.json(asOf: asOf, counts: c, unused: pipeline.summary.unused).pretty)
            case .csv: stdout.write(bytes: table.csv(asOf: asOf, finnish: options.finnishCSV))
            case .table, .jsonl:
                stdout.write(table.text(language: .en, header: [
                    "Policy \(policy.name)  fingerprint \(policy.shortFingerprint)"
                        + (policy.paramOverrides.isEmpty ? "" : "  with \(policy.overridesText)") + "  as of \(asOf)",
                    "Clients: \(c.read) read, \(c.decided) decided, \(c.rejected + c.failed) rejected",
                ], unused: pipeline.summary.unused))
            }
        }
        if bad > 0, rejects == nil {
            if bad > shownErrors { stderr.line("… and \(bad - shownErrors) more bad row\(bad - shownErrors == 1 ? "" : "s")") }
            stderr.line("\(bad) of \(c.read) rows rejected; \(c.decided) decided")
            return Exit.usage
        }
        return Exit.ok
    })

/// The `--skip-invalid` file: each rejected row with its reason, as CSV for
/// people to open in a spreadsheet and fix. Written through an
/// `OutputFile` (standard output for "-"), so a write error ends the run.
final class RejectsFile {
    let file: OutputFile?
    let csv = CSVWriter()

    init(path: String, inputs: [String], header: [String]) throws {
        file = path == "-" ? nil : try OutputFile(path: path, inputs: inputs)
        // Opened in spreadsheets: client data must not run as formulas there.
        csv.neutralizingFormulas = true
        write(["row", "column", "field", "reason"] + header)
    }

    func write(_ fields: [String]) {
        csv.clearMemory()
        // Into memory, which cannot fail; the file's writes can, and end the run.
        try? csv.writeRecord(fields)
        if let file { file.write(bytes: csv.bytes) } else { stdout.write(bytes: csv.bytes) }
    }

    func commit() { file?.commit() }
}
