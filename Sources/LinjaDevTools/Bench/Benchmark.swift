import Foundation
import Linja
import LinjaTools

/// `linja bench`: how fast the policy is checked, compiled and evaluated, in
/// memory and end to end, and whether what was timed is right.
public struct Benchmark {
    public var policyDirectory: String
    public var clients = 1_000_000
    public var threads = [1, 2]
    public var runs = 5
    public var seed: UInt64 = 1
    public var asOf = Day(year: 2026, month: 3, day: 31) ?? Day(number: 0)
    /// The linja executable for end-to-end runs.
    public var executable: String
    /// The linja-dev executable that measures them (`linja-dev measure`).
    public var measurer: String
    public var log: (String) -> Void = { _ in }
    /// Only the in-memory measurements (for profiling the evaluator).
    public var inMemoryOnly = false

    public init(policyDirectory: String, executable: String, measurer: String) {
        self.policyDirectory = policyDirectory
        self.executable = executable
        self.measurer = measurer
    }

    public struct Results: Sendable {
        public var check: Measurement
        public var compile: Measurement
        public var evalNanosPerClient: Measurement
        public var endToEnd: [(label: String, threads: Int, seconds: Measurement, peakBytes: Int)]
        public var checks: [String]
        public var failures: [String]
        public var clients: Int
        public var csvBytes: Int
        /// `linja due` over the same file: a 90-day window, JSON Lines to a file, one thread.
        public var due: (seconds: Measurement, peakBytes: Int, lines: Int)? = nil
    }

    func measure(_ n: Int, _ body: () -> Void) -> Measurement {
        Measurement((0..<n).map { _ in Stopwatch.time(body) })
    }

    public func run() -> Results {
        var checks: [String] = []
        var failures: [String] = []
        let root = Paths.normalize(policyDirectory + "/..")
        // 1. Parse and check.
        var policy = Policy.load(directory: policyDirectory, root: root)
        let check = measure(runs) { policy = Policy.load(directory: policyDirectory, root: root) }
        log("parse + check: \(check.median * 1000) ms")
        // 2. Compile.
        var program = Compiler.compile(policy, asOf: asOf)
        let compile = measure(runs) { program = Compiler.compile(policy, asOf: asOf) }
        // 3. Clients in memory.
        guard let record = policy.record else {
            return Results(check: check, compile: compile, evalNanosPerClient: Measurement([]), endToEnd: [], checks: [],
                           failures: ["the policy has no record"], clients: 0, csvBytes: 0)
        }
        var gen = ClientGenerator(policy: policy, asOf: asOf, seed: seed)
        var batch = ClientBatch(width: record.fields.count, capacity: clients)
        for i in 1...max(1, clients) { batch.append(gen.next(index: i), record: record) }
        log("generated \(clients) clients")
        let evaluator = Evaluator(policy: policy, program: program)
        var plainCounts = [Int](repeating: 0, count: policy.outcomes.count)
        var checksum = 0
        let width = record.fields.count
        var samples: [Double] = []
        for r in 0..<runs {
            let t = Stopwatch.time {
                batch.slots.withUnsafeBufferPointer { p in
                    guard let base = p.baseAddress else { return }
                    for i in 0..<batch.count {
                        guard (try? evaluator.decideGives(row: base + i * width, texts: batch.texts)) != nil else { continue }
                        for k in 0..<evaluator.lastGiveCount {
                            let g = evaluator.give(k)
                            checksum &+= Int(g.outcome) &* 31 &+ Int(g.destination)
                            if r == 0 { plainCounts[Int(g.outcome)] += 1 }
                        }
                    }
                }
            }
            samples.append(t * 1e9 / Double(max(1, batch.count)))
        }
        let eval = Measurement(samples)
        log("in-memory evaluation: \(eval.median) ns/client (checksum \(checksum))")
        // The reference evaluator agrees on a sample.
        let reference = ReferenceDecider(policy: policy, asOf: asOf)
        var disagreements = 0
        for i in stride(from: 0, to: batch.count, by: max(1, batch.count / 2000)) {
            let values = batch.values(i, record: record)
            if (try? Evaluator(policy: policy, program: program).decide(values, trace: true)) != (try? reference.decide(values)) { disagreements += 1 }
        }
        if disagreements == 0 { checks.append("the compiled and reference evaluators agree on a sample of \(min(batch.count, 2000)) clients") }
        else { failures.append("\(disagreements) clients decided differently by the reference evaluator") }
        if inMemoryOnly {
            return Results(check: check, compile: compile, evalNanosPerClient: eval, endToEnd: [], checks: checks,
                           failures: failures, clients: clients, csvBytes: 0)
        }
        // 4. End to end, through the real command.
        let csv = NSTemporaryDirectory() + "linja-bench-\(getpid())-clients.csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        var gen2 = ClientGenerator(policy: policy, asOf: asOf, seed: seed)
        guard FileManager.default.createFile(atPath: csv, contents: nil), let fh = FileHandle(forWritingAtPath: csv) else {
            failures.append("cannot write the client file \(csv)")
            return Results(check: check, compile: compile, evalNanosPerClient: eval, endToEnd: [], checks: checks,
                           failures: failures, clients: clients, csvBytes: 0)
        }
        gen2.writeCSV(count: clients) { fh.write(Data($0.utf8)) }
        try? fh.close()
        let csvBytes = (try? FileManager.default.attributesOfItem(atPath: csv)[.size] as? Int) ?? 0
        batch = ClientBatch(width: 0)
        log("wrote \(csvBytes) bytes of CSV")
        var endToEnd: [(String, Int, Measurement, Int)] = []
        var outputs: [String: [UInt8]] = [:]
        for t in threads {
            for (label, args) in [("summary", ["--summary", "--format", "json"]), ("jsonl", ["--format", "jsonl"])] {
                var times: [Double] = []
                var peak = 0
                let outFile = NSTemporaryDirectory() + "linja-bench-\(getpid())-\(label)-\(t).out"
                defer { try? FileManager.default.removeItem(atPath: outFile) }
                for _ in 0..<max(1, runs / 2 + 1) {
                    let argv = ["run", policyDirectory, "--clients", csv, "--as-of", asOf.description, "--threads", String(t)] + args
                    let (seconds, maxRSS, status) = spawn(argv, stdoutPath: outFile, stderrPath: outFile + ".err")
                    if status != 0 { failures.append("linja \(argv.joined(separator: " ")) exited \(status)") }
                    times.append(seconds)
                    peak = max(peak, maxRSS)
                }
                outputs["\(label)-\(t)"] = FileManager.default.contents(atPath: outFile).map { [UInt8]($0) } ?? []
                endToEnd.append((label, t, Measurement(times), peak))
                log("\(label), \(t) thread(s): \(Measurement(times).median) s")
            }
        }
        // `linja due` on the same file: 90 days ahead, JSON Lines to a file, one thread.
        var due: (Measurement, Int, Int)?
        do {
            var times: [Double] = []
            var peak = 0
            let outFile = NSTemporaryDirectory() + "linja-bench-\(getpid())-due.out"
            defer { try? FileManager.default.removeItem(atPath: outFile) }
            for _ in 0..<max(1, runs / 2 + 1) {
                let argv = ["due", policyDirectory, "--clients", csv, "--as-of", asOf.description, "--within", "90 days", "--format", "jsonl"]
                let (seconds, maxRSS, status) = spawn(argv, stdoutPath: outFile, stderrPath: outFile + ".err")
                if status != 0 { failures.append("linja \(argv.joined(separator: " ")) exited \(status)") }
                times.append(seconds)
                peak = max(peak, maxRSS)
            }
            let lines = FileManager.default.contents(atPath: outFile).map { $0.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } } ?? 0
            due = (Measurement(times), peak, lines)
            log("due, 90 days: \(Measurement(times).median) s, \(lines) changes")
        }

        // Byte-identical output whatever the thread count; counts as a plain evaluation.
        for label in ["summary", "jsonl"] {
            let all = threads.map { outputs["\(label)-\($0)"] ?? [] }
            if all.count > 1, all.dropFirst().allSatisfy({ $0 == all[0] }) {
                checks.append("\(label) output is byte-identical with \(threads.map(String.init).joined(separator: " and ")) threads")
            } else if all.count > 1 {
                failures.append("\(label) output differs between thread counts")
            }
        }
        if let json = outputs["summary-\(threads.first ?? 1)"], let obj = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
           let outcomes = obj["outcomes"] as? [[String: Any]] {
            var fromRun = [Int](repeating: 0, count: policy.outcomes.count)
            for o in outcomes {
                if let name = o["name"] as? String, let def = policy.outcome(named: name), let total = o["total"] as? String, let n = Int(total) {
                    fromRun[def.id] += n
                }
            }
            if fromRun == plainCounts { checks.append("the summary's counts match a plain in-memory evaluation") }
            else { failures.append("summary counts \(fromRun) differ from a plain evaluation \(plainCounts)") }
        }
        return Results(check: check, compile: compile, evalNanosPerClient: eval, endToEnd: endToEnd, checks: checks,
                       failures: failures, clients: clients, csvBytes: csvBytes, due: due)
    }

    /// Runs `linja` through `linja-dev measure` (this program: the child's
    /// peak memory is then its own, not this large process's image); returns
    /// wall seconds, the child's peak resident bytes and its exit status.
    func spawn(_ args: [String], stdoutPath: String, stderrPath: String) -> (Double, Int, Int32) {
        let t0 = Stopwatch.now()
        let (status, _) = ChildProcess.run(measurer, ["measure", "--", executable] + args,
                                           stdoutPath: stdoutPath, stderrPath: stderrPath)
        let seconds = Double(Stopwatch.now() - t0) / 1e9
        var peak = 0
        if let text = try? String(contentsOfFile: stderrPath, encoding: .utf8),
           let line = text.split(separator: "\n").last(where: { $0.hasPrefix("peak-rss-kb:") }) {
            peak = (Int(line.filter(\.isNumber)) ?? 0) * 1024
        }
        try? FileManager.default.removeItem(atPath: stderrPath)
        return (seconds, peak, status)
    }

    public static func report(_ r: Results, policy: String, machine: String) -> String {
        func ms(_ m: Measurement) -> String { String(format: "%.1f ms (min %.1f, max %.1f)", m.median * 1000, m.min * 1000, m.max * 1000) }
        var s = "Linja benchmark: \(policy), \(r.clients) clients (\(r.csvBytes / 1_000_000) MB CSV), \(machine)\n"
        s += "  parse + check            \(ms(r.check))\n"
        s += "  compile                  \(ms(r.compile))\n"
        s += String(format: "  evaluation, in memory    %.0f ns/client (min %.0f, max %.0f), 1 thread\n",
                    r.evalNanosPerClient.median, r.evalNanosPerClient.min, r.evalNanosPerClient.max)
        for e in r.endToEnd {
            let rate = Double(r.clients) / max(e.seconds.median, 1e-9)
            s += String(format: "  CSV → %@ %@  %.2f s (min %.2f, max %.2f), %.0f clients/s, peak %d MB\n",
                        e.label.padding(toLength: 8, withPad: " ", startingAt: 0) as NSString, "\(e.threads) thread\(e.threads == 1 ? " " : "s")" as NSString,
                        e.seconds.median, e.seconds.min, e.seconds.max, rate, e.peakBytes / 1_048_576)
        }
        if let due = r.due {
            let rate = Double(r.clients) / max(due.seconds.median, 1e-9)
            let run = r.endToEnd.first { $0.label == "jsonl" && $0.threads == 1 }
            let ratio = run.map { String(format: ", %.1f× run → JSON Lines", due.seconds.median / max($0.seconds.median, 1e-9)) } ?? ""
            s += String(format: "  due, 90 days → JSON Lines 1 thread  %.2f s (min %.2f, max %.2f), %.0f clients/s, peak %d MB, %d changes%@\n",
                        due.seconds.median, due.seconds.min, due.seconds.max, rate, due.peakBytes / 1_048_576, due.lines, ratio as NSString)
        }
        for c in r.checks { s += "  ok: \(c)\n" }
        for f in r.failures { s += "  FAILED: \(f)\n" }
        return s
    }
}
