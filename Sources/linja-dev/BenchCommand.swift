import Foundation
import Linja
import LinjaDevTools
import LinjaTools

let benchCommand = Command(
    spec: CommandSpec(
        name: "bench",
        usage: "swift run -c release linja-dev bench [--sizes N,N,...] [--policy DIR] [--threads T] [--runs R] [--floor FILE]",
        summary: "Measure checking, compiling and evaluation speed against the floor (run in release mode).",
        details: """
        Prints, each as the median of alternating runs with min and max: parse + check time,
        compile time, in-memory evaluation in ns per client (one thread, clients already
        parsed), and for each file size: the floor (shared/bench/floor.c, built with cc;
        "floor unavailable" without a C compiler), CSV → --summary, CSV → a JSON Lines file
        and --summary without the id check, with 1 and T threads, with peak resident memory
        and processor time; `linja due` over the file nearest a million clients (90 days
        ahead, JSON Lines, one thread, with its ratio to run → JSON Lines). Then each of issue 18's targets with its figure and whether it is met. It checks what
        it timed: the outputs with different thread counts are byte-identical, the counts
        match a plain evaluation, and the reference evaluator agrees on a sample.
        """,
        options: [
            .value("sizes", "N,N,...", "Clients in the end-to-end files (default 100000,1000000,4000000)."),
            .value("clients", "N", "Clients evaluated in memory (default 1,000,000)."),
            .value("policy", "DIR", "Policy (default rules/etela-keski-suomi)."),
            .value("threads", "T", "Largest thread count for end-to-end runs (default 2)."),
            .value("runs", "R", "Repetitions (default 3)."),
            .value("seed", "S", "Seed for the generated clients (default 1)."),
            .value("floor", "FILE", "floor.c (default: shared/bench/floor.c here or in a parent directory)."),
            .flag("disassemble", "Print the compiled program and stop."),
            .flag("in-memory-only", "Only the in-memory measurements (for profiling)."),
        ]),
    run: { args in
        let policy = args.value("policy") ?? "rules/etela-keski-suomi"
        let me = CommandLine.arguments[0].hasPrefix("/")
            ? CommandLine.arguments[0] : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0]
        // `linja` is built beside `linja-dev`.
        let linja = (me as NSString).deletingLastPathComponent + "/linja"
        guard FileManager.default.isExecutableFile(atPath: linja) else {
            throw InputError(message: "no linja executable beside this one (\(linja)); build both: swift build -c release")
        }
        var b = Benchmark(policyDirectory: policy, executable: linja, measurer: me)
        b.inMemoryClients = try args.int("clients", default: 1_000_000, range: 1...50_000_000)
        if let sizes = args.value("sizes") {
            let parsed = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.count == sizes.split(separator: ",").count, parsed.allSatisfy({ $0 > 0 && $0 <= 50_000_000 }) else {
                throw UsageError(message: "--sizes must be client counts separated by commas, not '\(sizes)'")
            }
            b.sizes = parsed
        }
        let maxThreads = try args.int("threads", default: 2, range: 1...64)
        b.threads = maxThreads == 1 ? [1] : [1, maxThreads]
        b.runs = try args.int("runs", default: 3, range: 1...100)
        b.floorSource = args.value("floor")
        b.seed = UInt64(try args.int("seed", default: 1, range: 0...Int.max))
        b.log = { stderr.line("… \($0)"); stderr.flush() }
        b.inMemoryOnly = args.flag("in-memory-only")
        let p = Policy.load(directory: policy, root: Paths.normalize(policy + "/.."))
        if p.hasErrors {
            stderr.write(DiagnosticRenderer().render(p.diagnostics.filter { $0.severity == .error }))
            return Exit.failure
        }
        if args.flag("disassemble") {
            stdout.write(Compiler.compile(p, asOf: b.asOf).disassembly())
            return Exit.ok
        }
        #if DEBUG
        stderr.line("warning: this is a debug build; measure with 'swift run -c release linja bench'")
        #endif
        let r = b.run()
        let machine = "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB"
        stdout.write(Benchmark.report(r, policy: policy, machine: machine, runs: b.runs))
        return r.failures.isEmpty ? Exit.ok : Exit.failure
    })
