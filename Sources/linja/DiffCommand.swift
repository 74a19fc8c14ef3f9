import Foundation
import Linja
import LinjaTools

let diffCommand = Command(
    spec: CommandSpec(
        name: "diff",
        usage: "linja diff OLD NEW --clients FILE --as-of DATE [options] | linja diff --git REV POLICY --clients FILE --as-of DATE [options]",
        summary: "Compare two versions of a policy over the same clients: who gains and loses what, and why.",
        details: """
        OLD and NEW are policy directories; with --git REV, OLD is POLICY as committed
        at REV (with the rules tree around it, so imports resolve) and NEW the working
        tree. Reports, per outcome, how many clients gain and lose it, in total and by
        municipality (counts under the policy's privacy limit shown as "< N", and
        those that would give one away by subtraction as ".."); the
        rules, params, lets, groups, outcomes and targets whose text changed; a sample
        of changed clients with the explanation under each version; and, with
        --period (and --actuals), the targets and goal verdicts that change.
        --param overrides a param of NEW for this comparison: a what-if without
        editing files (give the same directory twice, or use --git HEAD).
        Exit 0 when it ran (differences are news, not errors), 1 for policy errors,
        2 for bad rows or usage errors.
        """,
        options: [
            .value("git", "REV", "Compare POLICY as committed at REV with the working tree."),
            .clients(),
            .asOf(),
            .format("FORMAT", "table (default), json or html."),
            .lang("Language of the table and HTML: en (default; code names, for the policy's authors) or fi (the rule files' labels, Finnish dates and numbers)."),
            .value("sample", "N", "Changed clients to explain (default 10; 0 for none)."),
            .period("Compare targets and goal verdicts for 2026, 2026-Q1 or 2026-03."),
            .actuals("Indicator data for --period (CSV)."),
            .params("Override a param of NEW for this comparison (checked against its type)."),
            .multiple("old-param", "NAME=VALUE", "Override a param of OLD."),
            .out(),
            .value("max-errors", "N", "Bad rows printed before the rest are counted (default 20)."),
        ]),
    run: { args in
        let revision = args.value("git")
        let oldPath: String
        let newPath: String
        if let revision {
            guard args.positional.count == 1, let p = args.positional.first else {
                throw UsageError(message: "with --git \(revision), give one policy directory (compared with its committed version)")
            }
            oldPath = p
            newPath = p
        } else {
            guard args.positional.count == 2 else {
                throw UsageError(message: args.positional.count < 2
                    ? "give two policy directories, OLD and NEW (or --git REV POLICY)"
                    : "unexpected argument '\(args.positional[2])'")
            }
            oldPath = args.positional[0]
            newPath = args.positional[1]
        }
        let clients = try args.required("clients", "FILE")
        let asOf = try parseDate(try args.required("as-of", "DATE", why: "decisions depend on the date"), option: "as-of")
        let format = try args.choice("format", ["table", "json", "html"], default: "table")
        let language = ReportLanguage(rawValue: try args.choice("lang", ["fi", "en"], default: "en")) ?? .en
        if language == .fi, format == "json" { throw UsageError(message: "--lang applies to the table and HTML; JSON carries both the names and the labels") }
        let sample = try args.int("sample", default: 10, range: 0...10_000)
        let maxErrors = try args.int("max-errors", default: 20, range: 0...1_000_000)
        var period: Period?
        if let pt = args.value("period") {
            guard let p = Period.parse(pt) else { throw UsageError(message: "--period must be 2026, 2026-Q1 or 2026-03, not '\(pt)'") }
            period = p
        }
        if args.value("actuals") != nil, period == nil { throw UsageError(message: "--actuals needs --period") }

        // NEW: a directory of the working tree.
        let newPolicy: Policy
        do { newPolicy = try loadPolicy(newPath, quietWarnings: true) } catch is PolicyFailure { return Exit.failure }

        // OLD: a directory, or the committed version of NEW's directory.
        var tree: GitRevisionTree?
        defer { tree?.remove() }
        let oldPolicy: Policy
        var oldVersionLabel: String?
        var rewrite: (from: String, to: String)?
        if let revision {
            do {
                tree = try GitRevisionTree.extract(revision: revision, policyDirectory: newPolicy.directory, root: newPolicy.root)
            } catch let e as GitRevisionTree.Failure {
                throw InputError(message: e.message)
            }
            guard let t = tree else { return Exit.usage }
            let p = Policy.load(directory: t.policyDirectory, root: t.root)
            let errors = p.diagnostics.filter { $0.severity == .error }
            if !errors.isEmpty {
                let text = DiagnosticRenderer(color: useColor(fd: 2)).render(errors)
                stderr.write(text.replacingOccurrences(of: t.pathRewrite.from, with: t.pathRewrite.to))
                return Exit.failure
            }
            oldPolicy = p
            oldVersionLabel = t.label
            rewrite = t.pathRewrite
        } else {
            do { oldPolicy = try loadPolicy(oldPath, quietWarnings: true) } catch is PolicyFailure { return Exit.failure }
        }

        let newOverrides = try paramOverrides(args.all("param"), policy: newPolicy)
        let oldOverrides: [Int: Value]
        do {
            oldOverrides = try paramOverrides(args.all("old-param"), policy: oldPolicy)
        } catch let e as UsageError {
            throw UsageError(message: e.message.replacingOccurrences(of: "--param", with: "--old-param"))
        }
        var diff = PolicyDiff(
            old: PolicyVersion(policy: oldPolicy, paramOverrides: oldOverrides, label: oldVersionLabel, pathRewrite: rewrite),
            new: PolicyVersion(policy: newPolicy, paramOverrides: newOverrides, label: revision != nil ? Paths.display(newPolicy.directory) + (language == .fi ? " (työkopio)" : " (working tree)") : nil),
            asOf: asOf)
        diff.sampleSize = sample
        diff.period = period
        diff.actuals = args.value("actuals")
        let inputs = [args.value("actuals"), clients == "-" ? nil : clients].compactMap { $0 }
            + ruleFilePaths(oldPolicy) + ruleFilePaths(newPolicy)
        let target = try OutputTarget(path: args.value("out"), inputs: inputs)

        // Standard input is kept in a file: each version may read it.
        var spooled: String?
        defer { if let s = spooled { try? FileManager.default.removeItem(atPath: s) } }
        var clientsPath = clients
        if clients == "-" {
            let s = NSTemporaryDirectory() + "linja-diff-stdin-" + UUID().uuidString
            guard FileManager.default.createFile(atPath: s, contents: FileHandle.standardInput.readDataToEndOfFile()) else {
                throw InputError(message: "cannot keep standard input in a temporary file")
            }
            spooled = s
            clientsPath = s
        }
        func shown(_ issue: DataIssue) -> DataIssue {
            var i = issue
            if let s = spooled, i.path == s { i.path = "-" }
            return i
        }

        var printed = 0
        var report: DiffReport
        do {
            report = try diff.run(clients: clientsPath) { issue in
                if printed < maxErrors { stderr.line("error: \(shown(issue))") }
                printed += 1
            }
        } catch let e as DataIssue {
            stderr.line("linja diff: \(shown(e))")
            return Exit.usage
        } catch let e as PolicyDiff.Failure {
            throw InputError(message: e.message)
        }
        report.issues = report.issues.map(shown)
        for w in report.warnings { stderr.line("warning: \(shown(w))") }
        let text: String
        switch format {
        case "json": text = report.json().pretty + "\n"
        case "html": text = report.html(language: language)
        default: text = report.table(language: language)
        }
        target.write(text)
        let bad = report.issues.count
        if bad > 0 {
            let more = bad - min(printed, maxErrors)
            if more > 0 { stderr.line("… and \(more) more problem\(more == 1 ? "" : "s")") }
            stderr.line("\(report.rejected) of \(report.read) rows rejected; the other \(report.compared) were compared")
            return Exit.usage
        }
        return Exit.ok
    })
