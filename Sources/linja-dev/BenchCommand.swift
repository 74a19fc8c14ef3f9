import Foundation
import Linja
import LinjaDevTools
import LinjaTools

let benchCommand = Command(
    spec: CommandSpec(
        name: "bench",
        usage: "swift run -c release linja-dev bench [--clients N] [--policy DIR] [--threads T] [--runs R]",
        summary: "Measure checking, compiling and evaluation speed (run in release mode).",
        details: """
        Prints, each as the median of several runs with min and max: parse + check time,
        compile time, in-memory evaluation in ns per client (one thread, clients already
        parsed), end-to-end CSV → summary and CSV → JSON Lines in clients per second with
        1 and 2 threads, `linja due` over the same file (90 days ahead, JSON Lines, one
        thread, with its ratio to run → JSON Lines), and peak resident memory. It checks what it timed: the outputs
        with different thread counts are byte-identical, the counts match a plain
        evaluation, and the reference evaluator agrees on a sample.
        """,
        options: [
            .value("clients", "N", "Generated clients (default 1,000,000)."),
            .value("policy", "DIR", "Policy (default rules/etela-keski-suomi)."),
            .value("threads", "T", "Largest thread count for end-to-end runs (default 2)."),
            .value("runs", "R", "Repetitions (default 5)."),
            .value("seed", "S", "Seed for the generated clients (default 1)."),
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
        b.clients = try args.int("clients", default: 1_000_000, range: 1...50_000_000)
        let maxThreads = try args.int("threads", default: 2, range: 1...64)
        b.threads = maxThreads == 1 ? [1] : [1, maxThreads]
        b.runs = try args.int("runs", default: 5, range: 1...100)
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
        stdout.write(Benchmark.report(r, policy: policy, machine: machine))
        return r.failures.isEmpty ? Exit.ok : Exit.failure
    })
