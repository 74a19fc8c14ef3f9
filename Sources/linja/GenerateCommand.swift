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
        A record field `caseworker` gets fictional names, each municipality as many
        caseworkers as its clients need at --clients-per-caseworker, about 2 % none.
        """,
        options: [
            .value("policy", "DIR", "The policy whose record and municipalities to use."),
            .value("count", "N", "How many clients (default 1000)."),
            .value("seed", "S", "Seed (default 1)."),
            .asOf("The date the clients are generated for."),
            .out(),
            .flag("adversarial", "Boundary dates and missing optionals."),
            .value("clients-per-caseworker", "N", "With a record field `caseworker`: clients per caseworker (default 139, seed 003's baseline)."),
            .csvDialect("fi: semicolons and d.m.yyyy dates."),
            .format("csv|jsonl", "csv (default) or jsonl (JSON Lines); --out x.jsonl means jsonl."),
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
        g.clientsPerCaseworker = try args.int("clients-per-caseworker", default: 139, range: 1...10_000_000)
        let finnish = try args.choice("csv-dialect", ["fi", "en"], default: "en") == "fi"
        // The file's name says what it holds: a .jsonl file is JSON Lines, and JSON Lines is never written under a .csv name.
        let named = args.value("out").map { $0.lowercased() }
        let byName: String? = named.map { n in [".jsonl", ".ndjson"].contains { n.hasSuffix($0) } ? "jsonl" : n.hasSuffix(".csv") ? "csv" : "" }
        let format = try args.choice("format", ["csv", "jsonl"], default: byName.flatMap { $0.isEmpty ? nil : $0 } ?? "csv")
        if let b = byName, !b.isEmpty, b != format {
            throw UsageError(message: "--format \(format) does not fit --out \(args.value("out") ?? ""): name the file .\(format)")
        }
        if format == "jsonl", finnish { throw UsageError(message: "--csv-dialect applies to CSV, not to JSON Lines") }
        func write(_ sink: (String) -> Void) {
            if format == "jsonl" { g.writeJSONLines(count: count, to: sink) } else { g.writeCSV(count: count, finnish: finnish, to: sink) }
        }
        if let out = args.value("out"), out != "-" {
            // Written beside the path and renamed into place when complete:
            // a full disk ends the run with exit 2 and leaves no partial file.
            let file = try OutputFile(path: out, inputs: ruleFilePaths(policy))
            write { file.write($0) }
            file.commit()
        } else {
            try Console.refuseOutput(onto: ruleFilePaths(policy))
            write { stdout.write($0) }
        }
        return Exit.ok
    })
