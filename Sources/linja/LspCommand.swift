import Foundation
import Linja
import LinjaTools

let lspCommand = Command(
    spec: CommandSpec(
        name: "lsp",
        usage: "linja lsp",
        summary: "Language server for editors (LSP over standard input and output).",
        details: """
        Speaks the Language Server Protocol over standard input and output: diagnostics
        as you type, hover, go to definition, references, rename, document symbols,
        completion, formatting, "did you mean" fixes, and running a file's tests.
        Editors start it themselves; see editors/README.md.
        Writes nothing but protocol messages to standard output. Exit 0 after the
        protocol's shutdown and exit, 1 when the input ends without them.
        --bench-recheck DIR (for developers) measures the time from reading an edit
        of DIR/common to publishing the last diagnostics it causes; run it in a
        release build.
        """,
        options: [
            .value("bench-recheck", "DIR", "(developers) Measure re-checking after an edit of DIR/common, e.g. rules/."),
            .value("runs", "N", "Edits measured with --bench-recheck (default 30)."),
        ]),
    run: { args in
        if let root = args.value("bench-recheck") {
            let runs = try args.int("runs", default: 30, range: 1...10_000)
            #if DEBUG
            stderr.line("warning: this is a debug build; measure with 'swift run -c release linja lsp --bench-recheck \(root)'")
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
        }
        guard args.positional.isEmpty else { throw UsageError(message: "linja lsp takes no paths: the editor opens the files") }
        // Standard output belongs to the protocol: the command's own buffer is never used here.
        return LanguageServer(input: 0, output: 1).run()
    })
