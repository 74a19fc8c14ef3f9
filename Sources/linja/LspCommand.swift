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
        (Its speed is measured by 'linja-dev lsp-bench'.)
        """,
        options: []),
    run: { args in
        guard args.positional.isEmpty else { throw UsageError(message: "linja lsp takes no paths: the editor opens the files") }
        // Standard output belongs to the protocol: the command's own buffer is never used here.
        return LanguageServer(input: 0, output: 1).run()
    })
