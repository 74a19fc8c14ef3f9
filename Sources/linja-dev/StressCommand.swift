import Foundation
import Linja
import LinjaDevTools
import LinjaTools

let stressCommand = Command(
    spec: CommandSpec(
        name: "stress",
        usage: "linja-dev stress [--only ID]...",
        summary: "Check the rule files too large for the test suite (50 MB) through linja.",
        details: """
        Writes each stress input (rows of docs/bad-inputs.md, such as rules.50mb) to a
        temporary policy, runs the 'linja' built beside this program on it with a time
        limit, and checks the result. Run it from a release build: .ci/run does.
        Exit 0 when every case holds, 1 otherwise.
        """,
        options: [
            .multiple("only", "ID", "Only this case (repeatable)."),
        ]),
    run: { args in
        let me = CommandLine.arguments[0].hasPrefix("/")
            ? CommandLine.arguments[0] : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0]
        let linja = (me as NSString).deletingLastPathComponent + "/linja"
        guard FileManager.default.isExecutableFile(atPath: linja) else {
            throw InputError(message: "no linja executable beside this one (\(linja))")
        }
        let only = args.all("only")
        let known = Set(Stress.cases.map(\.id))
        for id in only where !known.contains(id) {
            throw UsageError(message: "no stress case '\(id)'; the cases are \(Stress.cases.map(\.id).joined(separator: ", "))")
        }
        let results = Stress.run(linja: linja, only: only.isEmpty ? nil : Set(only)) { stdout.line($0); stdout.flush() }
        return results.allSatisfy(\.failures.isEmpty) ? Exit.ok : Exit.failure
    })
