import Foundation
import Linja
import LinjaDevTools
import LinjaTools

let robustnessCommand = Command(
    spec: CommandSpec(
        name: "robustness",
        usage: "linja-dev robustness PATH... [--seed S] [--flips N]",
        summary: "Damage rule files on purpose and check that nothing crashes.",
        details: """
        For every rule file under PATH: checks prefixes at token boundaries, seeded byte
        flips and insertions, a line of garbage inserted at each line (which must give an
        error on that line) and declarations cut off in the middle (an error on the
        last line). Exit 0 when every property holds, 1 otherwise. A crash or a hang is
        a bug: the test suite runs this command as a subprocess.
        """,
        options: [
            .value("seed", "S", "Random seed (default 1)."),
            .value("flips", "N", "Byte flips and insertions per file (default 15)."),
            .flag("thorough", "Every prefix, every line and every declaration (slow)."),
        ]),
    run: { args in
        guard !args.positional.isEmpty else { throw UsageError(message: "give rule files or directories") }
        var files: [String] = []
        for p in args.positional {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { throw InputError(message: "no such path: \(p)") }
            if isDir.boolValue {
                let e = FileManager.default.enumerator(atPath: p)
                while let f = e?.nextObject() as? String { if f.hasSuffix(".linja") { files.append(p + "/" + f) } }
            } else {
                files.append(p)
            }
        }
        var r = Robustness()
        r.seed = UInt64(try args.int("seed", default: 1, range: 0...Int.max))
        r.flips = try args.int("flips", default: 15, range: 0...1_000_000)
        if args.flag("thorough") {
            r.maxPrefixes = Int.max / 2
            r.maxGarbageLines = Int.max / 2
            r.maxCuts = Int.max / 2
        }
        let report = r.run(files: files.sorted())
        for p in report.problems { stdout.line(p) }
        stdout.line("\(report.inputs) damaged inputs checked, \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s")")
        return report.problems.isEmpty ? Exit.ok : Exit.failure
    })
