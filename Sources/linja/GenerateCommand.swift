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
        if let out = args.value("out"), out != "-" {
            guard let fh = FileHandle(forWritingAtPath: out) ?? { FileManager.default.createFile(atPath: out, contents: nil) ? FileHandle(forWritingAtPath: out) : nil }() else {
                throw InputError(message: "cannot write \(out)")
            }
            try fh.truncate(atOffset: 0)
            g.writeCSV(count: count, finnish: finnish) { fh.write(Data($0.utf8)) }
            try fh.close()
        } else {
            g.writeCSV(count: count, finnish: finnish) { stdout.write($0) }
        }
        return Exit.ok
    })
