import Foundation
import Linja
import LinjaTools

let fmtCommand = Command(
    spec: CommandSpec(
        name: "fmt",
        usage: "linja fmt [--check] PATH... | linja fmt -",
        summary: "Format rule files in the canonical layout.",
        details: """
        PATH is a rule file or a directory, searched recursively for .linja files.
        Files are rewritten in place, only those that change. '-' formats standard
        input to standard output.
        A file with syntax errors is never formatted: its diagnostics are printed
        and nothing is written, to any file.
        Exit 0 when done (or, with --check, when every file is formatted), 1 for
        syntax errors or, with --check, files that would change; 2 for unreadable paths.
        """,
        options: [
            .flag("check", "Write nothing; list the files that would change and exit 1 if any."),
        ]),
    run: { args in
        guard !args.positional.isEmpty else {
            throw UsageError(message: "give rule files or directories, e.g. 'linja fmt rules/', or '-' for standard input")
        }
        let check = args.flag("check")
        let renderer = DiagnosticRenderer(color: useColor(fd: 2))
        if args.positional.contains("-") {
            guard args.positional.count == 1 else { throw UsageError(message: "'-' (standard input) cannot be given with other paths") }
            let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            let result = FormatFiles.format(path: "<stdin>", bytes: input)
            guard let text = result.formatted else {
                stderr.write(renderer.render(result.diagnostics))
                return Exit.failure
            }
            if check {
                if result.changed { stdout.line("<stdin>") }
                return result.changed ? Exit.failure : Exit.ok
            }
            stdout.write(text)
            return Exit.ok
        }
        let paths: [String]
        do {
            paths = try FormatFiles.collect(args.positional)
        } catch let e as FormatFiles.MissingPath {
            throw InputError(message: "no such file or directory: \(e.path)")
        } catch let e as FormatFiles.Unreadable {
            throw InputError(message: e.reason)
        }
        let results = paths.map { FormatFiles.format(path: $0) }
        if let bad = results.first(where: \.unreadable) {
            throw InputError(message: "cannot read \(bad.path)")
        }
        let diagnostics = results.flatMap(\.diagnostics)
        if !diagnostics.isEmpty {
            stderr.write(renderer.render(DiagnosticBag.sort(diagnostics)))
            return Exit.failure
        }
        let changed = results.filter(\.changed)
        if check {
            for r in changed { stdout.line(r.path) }
            return changed.isEmpty ? Exit.ok : Exit.failure
        }
        for r in changed {
            guard let text = r.formatted else { continue }
            // The file itself, where a link inside the tree leads: written
            // beside it and renamed into place, its permissions kept.
            let file = try OutputFile(path: Paths.real(r.path) ?? r.path)
            file.write(text)
            file.commit()
        }
        return Exit.ok
    })
