import Foundation
import Linja
import LinjaTools

let checkCommand = Command(
    spec: CommandSpec(
        name: "check",
        usage: "linja check PATH... [--format text|json]",
        summary: "Check rule files: syntax, names, types, units, conflicts.",
        details: """
        PATH is a policy directory, a tree of them (e.g. rules/), or a rule file.
        Every policy found is checked with its imports; every error in every file
        is reported, sorted by position.
        Exit 0 when clean, 1 when the policy has errors, 2 for unreadable paths.
        """,
        options: [
            .format("text|json", "Output format (default text)."),
            .flag("quiet", "Print nothing when clean.", short: "q"),
        ]),
    run: { args in
        let format = try args.choice("format", ["text", "json"], default: "text")
        guard !args.positional.isEmpty else { throw UsageError(message: "give a policy directory or rule file, e.g. 'linja check rules/'") }
        let loaded = try loadPolicies(args.positional)
        var all: [Diagnostic] = []
        for p in loaded { all += p.diagnostics }
        let ds = DiagnosticBag.sort(all)
        let errors = ds.filter { $0.severity == .error }.count
        if format == "json" {
            var obj = DiagnosticRenderer.json(ds)
            if case .object(var pairs) = obj {
                pairs.insert(("policies", .array(loaded.map { .object([("directory", .string(Paths.display($0.directory))),
                                                                        ("fingerprint", .string($0.fingerprint))]) })), at: 0)
                obj = .object(pairs)
            }
            stdout.line(obj.pretty)
        } else {
            stderr.write(DiagnosticRenderer(color: useColor(fd: 2)).render(ds))
            if errors == 0, !args.flag("quiet") {
                let files = Set(loaded.flatMap { $0.units.flatMap { $0.files.map(\.file.path) } }).count
                stdout.line("ok: \(loaded.count) polic\(loaded.count == 1 ? "y" : "ies"), \(files) file\(files == 1 ? "" : "s")")
            }
        }
        return errors > 0 ? Exit.failure : Exit.ok
    })

/// Loads every policy at or under the paths.
