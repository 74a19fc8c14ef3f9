import Foundation
import Linja
import LinjaTools

let generateCommand = Command(
    spec: CommandSpec(
        name: "generate",
        usage: "linja generate clients --policy DIR --count N --seed S --as-of DATE [--out FILE]",
        summary: "Write synthetic, deterministic client records (no real personal data).",
        details: """
        Clients follow the shape of the seeds: municipalities weighted by population,
        realistic ages, statuses and durations, about 7 % immigrants. The same seed
        gives the same file on every machine. --adversarial puts dates on the
        boundaries rules care about (month ends, 29 February, the as-of day).
        """,
        options: [
            .value("policy", "DIR", "The policy whose record and municipalities to use."),
            .value("count", "N", "How many clients (default 1000)."),
            .value("seed", "S", "Seed (default 1)."),
            .asOf("The date the clients are generated for."),
            .out(),
            .flag("adversarial", "Boundary dates and missing optionals."),
            .csvDialect("fi: semicolons and d.m.yyyy dates."),
        ]),
    run: { args in
        guard args.positional.first == "clients" else { throw UsageError(message: "say what to generate: 'linja generate clients …'") }
        guard let policyPath = args.value("policy") else { throw UsageError(message: "--policy DIR is required") }
        let asOf = try parseDate(try args.required("as-of", "DATE"), option: "as-of")
        let count = try args.int("count", default: 1000, range: 0...100_000_000)
        let seed = try args.int("seed", default: 1, range: 0...Int.max)
        let policy: Policy
        do { policy = try loadPolicy(policyPath, quietWarnings: true) } catch is PolicyFailure { return Exit.failure }
        var g = ClientGenerator(policy: policy, asOf: asOf, seed: UInt64(seed))
        g.adversarial = args.flag("adversarial")
        let finnish = try args.choice("csv-dialect", ["fi", "en"], default: "en") == "fi"
        if let out = args.value("out"), out != "-" {
            // Written beside the path and renamed into place when complete:
            // a full disk ends the run with exit 2 and leaves no partial file.
            let file = try OutputFile(path: out, inputs: ruleFilePaths(policy))
            g.writeCSV(count: count, finnish: finnish) { file.write($0) }
            file.commit()
        } else {
            try Console.refuseOutput(onto: ruleFilePaths(policy))
            g.writeCSV(count: count, finnish: finnish) { stdout.write($0) }
        }
        return Exit.ok
    })
