import Foundation
import Linja
import LinjaTools

let lspBenchCommand = Command(
    spec: CommandSpec(
        name: "lsp-bench",
        usage: "swift run -c release linja-dev lsp-bench [RULES] [--runs N]",
        summary: "Measure the language server: an edit of RULES/common to its last diagnostics.",
        details: """
        Runs the language server in this process over pipes, opens the first rule file
        of RULES/common (default rules/), then edits it N times (a comment added, then
        removed) and prints the time from reading each change to flushing the last
        publishDiagnostics it causes: every policy importing common is checked again.
        Run it in a release build.
        """,
        options: [.value("runs", "N", "Edits measured (default 30).")]),
    run: { args in
        let root = args.positional.first ?? "rules/"
        let runs = try args.int("runs", default: 30, range: 1...10_000)
        #if DEBUG
        stderr.line("warning: this is a debug build; measure with 'swift run -c release linja-dev lsp-bench'")
        stderr.flush()
        #endif
        do {
            let (times, policies) = try LSPBenchmark.measureRecheck(rulesRoot: root, runs: runs)
            stdout.line("edit of \(root.hasSuffix("/") ? root : root + "/")common → last publishDiagnostics (\(policies) policies checked again): "
                        + LSPBenchmark.summary(times))
            return Exit.ok
        } catch {
            throw InputError(message: "\(error)")
        }
    })
