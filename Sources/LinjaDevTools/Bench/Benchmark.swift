import Foundation
import Linja
import LinjaTools

/// `linja-dev bench`: how fast the policy is checked, compiled and evaluated,
/// in memory and end to end, against the practical floor (`floor.c`, a C
/// program that reads the same file and decides six reference rules), and
/// whether each of issue 18's targets is met. It also checks what it timed:
/// outputs are byte-identical for every thread count, the summary's counts
/// match a plain evaluation, the reference evaluator agrees on a sample.
public struct Benchmark {
    public var policyDirectory: String
    /// File sizes (clients) measured end to end; growth compares the two largest.
    public var sizes = [100_000, 1_000_000, 4_000_000]
    /// Clients evaluated in memory.
    public var inMemoryClients = 1_000_000
    public var threads = [1, 2]
    /// Repetitions of each end-to-end run (alternating), and of the in-memory loop.
    public var runs = 3
    public var seed: UInt64 = 1
    /// The floor decides as of 2026-05-01; so does Linja here.
    public var asOf = Day(year: 2026, month: 5, day: 1) ?? Day(number: 0)
    /// The linja executable for end-to-end runs.
    public var executable: String
    /// The linja-dev executable that measures them (`linja-dev measure`).
    public var measurer: String
    /// `floor.c`; when nil, looked for as `shared/bench/floor.c` in this
    /// directory's parents.
    public var floorSource: String?
    public var log: (String) -> Void = { _ in }
    /// Only the in-memory measurements (for profiling the evaluator).
    public var inMemoryOnly = false

    public init(policyDirectory: String, executable: String, measurer: String) {
        self.policyDirectory = policyDirectory
        self.executable = executable
        self.measurer = measurer
    }

    /// The columns `floor.c` reads, in its order (issue 18's canonical file).
    public static let canonicalColumns = [
        "id", "municipality", "birth_date", "job_search_started", "unemployed_since", "status", "immigrant",
        "integration_period_ends", "partial_work_ability", "disabled", "long_term_ill", "in_services",
        "plan_updated_on", "initial_interview_on", "initial_interview_face_to_face",
    ]

    /// One end-to-end configuration, timed over alternating runs.
    public struct Run: Sendable {
        public var clients: Int
        public var label: String
        public var threads: Int
        public var seconds: Measurement
        /// Processor time (user and system, all threads): on a busy shared
        /// machine it moves much less than wall time.
        public var cpuSeconds: Measurement
        /// The kernel's part of `cpuSeconds` (for JSON Lines, mostly copying
        /// the output into the page cache).
        public var systemSeconds: Measurement
        public var peakBytes: Int
    }

    /// A target of issue 18 and how this run did.
    public struct Target: Sendable {
        public var name: String
        public var figure: String
        public var goal: String
        /// nil when it could not be measured.
        public var met: Bool?
    }

    public struct Results: Sendable {
        public var check: Measurement
        public var compile: Measurement
        public var evalNanosPerClient: Measurement
        public var runs: [Run]
        public var floor: [Int: Measurement]
        public var floorCPU: [Int: Measurement]
        public var floorNote: String?
        public var targets: [Target]
        public var checks: [String]
        public var failures: [String]
        public var csvBytes: [Int: Int]
        /// `linja due` over the file of `due.clients` (the size nearest a
        /// million): a 90-day window, JSON Lines to a file, one thread.
        public var due: (clients: Int, seconds: Measurement, peakBytes: Int, lines: Int)? = nil
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
        var results = Results(check: check, compile: compile, evalNanosPerClient: Measurement([]), runs: [], floor: [:],
                              floorCPU: [:], floorNote: nil, targets: [], checks: [], failures: [], csvBytes: [:])
        guard let record = policy.record else {
            results.failures = ["the policy has no record"]
            return results
        }
        // 3. Clients in memory, in the canonical columns (the others missing,
        // as they are in the file).
        let kept = record.fields.map { Benchmark.canonicalColumns.contains($0.name) }
        var gen = ClientGenerator(policy: policy, asOf: asOf, seed: seed)
        var batch = ClientBatch(width: record.fields.count, capacity: inMemoryClients)
        for i in 1...max(1, inMemoryClients) {
            var values = gen.next(index: i)
            for k in values.indices where !kept[k] { values[k] = .missing }
            batch.append(values, record: record)
        }
        log("generated \(inMemoryClients) clients")
        let evaluator = Evaluator(policy: policy, program: program)
        var plainCounts = [Int](repeating: 0, count: policy.outcomes.count)
        var checksum = 0
        let width = record.fields.count
        var samples: [Double] = []
        for r in 0..<max(1, runs) {
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
        results.evalNanosPerClient = Measurement(samples)
        log("in-memory evaluation: \(results.evalNanosPerClient.median) ns/client (checksum \(checksum))")
        // The reference evaluator agrees on a sample.
        let reference = ReferenceDecider(policy: policy, asOf: asOf)
        var disagreements = 0
        for i in stride(from: 0, to: batch.count, by: max(1, batch.count / 2000)) {
            let values = batch.values(i, record: record)
            if (try? Evaluator(policy: policy, program: program).decide(values, trace: true)) != (try? reference.decide(values)) { disagreements += 1 }
        }
        if disagreements == 0 { checks.append("the compiled and reference evaluators agree on a sample of \(min(batch.count, 2000)) clients") }
        else { failures.append("\(disagreements) clients decided differently by the reference evaluator") }
        batch = ClientBatch(width: 0)
        if inMemoryOnly {
            results.checks = checks
            results.failures = failures
            results.targets = targets(results)
            return results
        }
        // 4. The floor, built once.
        let floor = buildFloor()
        defer { if let exe = floor.executable { try? FileManager.default.removeItem(atPath: exe) } }
        if let note = floor.note { results.floorNote = note; log(note) }
        // 5. End to end, through the real command, for each size.
        let dir = NSTemporaryDirectory() + "linja-bench-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for n in sizes {
            let csv = dir + "/clients-\(n).csv"
            guard writeCanonical(policy: policy, count: n, to: csv) else {
                failures.append("cannot write the client file \(csv)")
                continue
            }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: csv)[.size] as? Int) ?? 0
            results.csvBytes[n] = bytes
            log("\(n) clients: \(bytes / 1_000_000) MB of CSV")
            // The file and every output are on disk before the next timed run
            // (otherwise the kernel writes them back during it, on the same cores).
            sync()
            var configs: [(label: String, threads: Int, args: [String])] = []
            for t in threads {
                configs.append(("summary", t, ["--summary", "--format", "json"]))
                configs.append(("jsonl", t, ["--format", "jsonl"]))
                configs.append(("no-id-check", t, ["--summary", "--format", "json", "--allow-repeated-ids"]))
            }
            var times = [[Double]](repeating: [], count: configs.count)
            var cpuTimes = [[Double]](repeating: [], count: configs.count)
            var systemTimes = [[Double]](repeating: [], count: configs.count)
            var peaks = [Int](repeating: 0, count: configs.count)
            var floorTimes: [Double] = [], floorCPU: [Double] = []
            // Round 0's outputs, as SHA-256 digests (a JSON Lines output at 4 M
            // clients is 1.4 GB), and the first summary's text.
            var outputs: [String: [UInt8]] = [:]
            var summaryText: [UInt8]?
            // Alternating: every configuration once per round.
            for round in 0..<max(1, runs) {
                if let exe = floor.executable {
                    let t0 = Stopwatch.now()
                    let (status, _, cpu, _) = ChildProcess.run(exe, [csv], stdoutPath: "/dev/null", stderrPath: "/dev/null")
                    if status != 0 { failures.append("the floor exited \(status) on \(csv)") }
                    floorTimes.append(Double(Stopwatch.now() - t0) / 1e9)
                    floorCPU.append(cpu)
                }
                for (c, config) in configs.enumerated() {
                    let outFile = dir + "/out-\(c).txt"
                    let argv = ["run", policyDirectory, "--clients", csv, "--as-of", asOf.description,
                                "--threads", String(config.threads)] + config.args
                    let run = spawn(argv, stdoutPath: outFile, stderrPath: outFile + ".err")
                    if run.status != 0 { failures.append("linja \(argv.joined(separator: " ")) exited \(run.status)") }
                    times[c].append(run.seconds)
                    cpuTimes[c].append(run.cpuSeconds)
                    systemTimes[c].append(run.systemSeconds)
                    peaks[c] = max(peaks[c], run.peakBytes)
                    if round == 0, config.label != "no-id-check" {
                        outputs["\(config.label)-\(config.threads)"] = Benchmark.digest(ofFile: outFile) ?? []
                        if config.label == "summary", summaryText == nil {
                            summaryText = FileManager.default.contents(atPath: outFile).map { [UInt8]($0) }
                        }
                    }
                    try? FileManager.default.removeItem(atPath: outFile)
                    sync()
                }
            }
            if !floorTimes.isEmpty {
                results.floor[n] = Measurement(floorTimes)
                results.floorCPU[n] = Measurement(floorCPU)
            }
            for (c, config) in configs.enumerated() {
                results.runs.append(Run(clients: n, label: config.label, threads: config.threads,
                                        seconds: Measurement(times[c]), cpuSeconds: Measurement(cpuTimes[c]),
                                        systemSeconds: Measurement(systemTimes[c]), peakBytes: peaks[c]))
                log("\(n) clients, \(config.label), \(config.threads) thread(s): \(Measurement(times[c]).median) s, "
                    + "peak \(peaks[c] / 1_048_576) MB")
            }
            // Byte-identical output whatever the thread count.
            for label in ["summary", "jsonl"] {
                let all = threads.map { outputs["\(label)-\($0)"] ?? [] }
                if all.count > 1, all.dropFirst().allSatisfy({ $0 == all[0] }) {
                    checks.append("\(n) clients: \(label) output is byte-identical with \(threads.map(String.init).joined(separator: " and ")) threads")
                } else if all.count > 1 {
                    failures.append("\(n) clients: \(label) output differs between thread counts")
                }
            }
            // The summary's counts against a plain evaluation (of the in-memory clients).
            if n == inMemoryClients, let json = summaryText,
               let obj = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
               let outcomes = obj["outcomes"] as? [[String: Any]] {
                var fromRun = [Int](repeating: 0, count: policy.outcomes.count)
                for o in outcomes {
                    // A shown count is a number (a hidden one an object, which
                    // then fails the comparison, as it should at this size).
                    if let name = o["name"] as? String, let def = policy.outcome(named: name),
                       let v = (o["total"] as? Int) ?? (o["total"] as? String).flatMap({ Int($0) }) {
                        fromRun[def.id] += v
                    }
                }
                if fromRun == plainCounts { checks.append("the summary's counts match a plain in-memory evaluation") }
                else { failures.append("summary counts \(fromRun) differ from a plain evaluation \(plainCounts)") }
            } else if n == inMemoryClients {
                failures.append("the summary's JSON has no outcomes to compare with a plain evaluation")
            }
            // `linja due` on the same file: 90 days ahead, JSON Lines to a file, one thread.
            if n == sizes.min(by: { abs($0 - 1_000_000) < abs($1 - 1_000_000) }) {
                var times: [Double] = []
                var peak = 0
                let outFile = dir + "/due.out"
                for _ in 0..<max(1, runs / 2 + 1) {
                    let argv = ["due", policyDirectory, "--clients", csv, "--as-of", asOf.description, "--within", "90 days", "--format", "jsonl"]
                    let run = spawn(argv, stdoutPath: outFile, stderrPath: outFile + ".err")
                    if run.status != 0 { failures.append("linja \(argv.joined(separator: " ")) exited \(run.status)") }
                    times.append(run.seconds)
                    peak = max(peak, run.peakBytes)
                }
                let lines = FileManager.default.contents(atPath: outFile).map { $0.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } } ?? 0
                try? FileManager.default.removeItem(atPath: outFile)
                results.due = (n, Measurement(times), peak, lines)
                log("due, 90 days, \(n) clients: \(Measurement(times).median) s, \(lines) changes")
            }
            try? FileManager.default.removeItem(atPath: csv)
        }
        results.checks = checks
        results.failures = failures
        results.targets = targets(results)
        return results
    }

    /// Issue 18's targets, from what was measured.
    func targets(_ r: Results) -> [Target] {
        var out: [Target] = []
        let eval = r.evalNanosPerClient.median
        out.append(Target(name: "evaluation in memory, 1 thread", figure: String(format: "%.0f ns per client", eval),
                          goal: "≤ 150 ns", met: r.evalNanosPerClient.samples.isEmpty ? nil : eval <= 150))
        guard let big = sizes.filter({ n in r.runs.contains { $0.clients == n } }).max(by: { a, b in
            abs(a - 1_000_000) > abs(b - 1_000_000)
        }) else { return out }
        func run(_ label: String, _ t: Int, _ n: Int) -> Run? { r.runs.first { $0.label == label && $0.threads == t && $0.clients == n } }
        let floor = r.floor[big]?.median
        for (label, limit) in [("summary", 4.0), ("jsonl", 6.0)] {
            guard let one = run(label, 1, big) else { continue }
            if let floor, floor > 0 {
                let ratio = one.seconds.median / floor
                let cpu = r.floorCPU[big].map { String(format: "; in processor time %.1f×", one.cpuSeconds.median / max($0.median, 1e-9)) } ?? ""
                out.append(Target(name: "CSV → \(label == "summary" ? "--summary" : "JSON Lines"), 1 thread, \(big) clients",
                                  figure: String(format: "%.2f s, %.1f× the floor (%.2f s)%@", one.seconds.median, ratio, floor, cpu),
                                  goal: String(format: "≤ %.0f× the floor", limit), met: ratio <= limit))
            } else {
                out.append(Target(name: "CSV → \(label), 1 thread", figure: String(format: "%.2f s; floor unavailable", one.seconds.median),
                                  goal: String(format: "≤ %.0f× the floor", limit), met: nil))
            }
        }
        if let t = threads.last, t > 1 {
            for (label, goal) in [("summary", 1.7), ("jsonl", 1.5)] {
                guard let one = run(label, 1, big), let many = run(label, t, big), many.seconds.median > 0 else { continue }
                let speedup = one.seconds.median / many.seconds.median
                out.append(Target(name: "CSV → \(label == "summary" ? "--summary" : "JSON Lines"), \(t) threads against 1, \(big) clients",
                                  figure: String(format: "%.2f× faster (%.2f s against %.2f s)", speedup, many.seconds.median, one.seconds.median),
                                  goal: String(format: "≥ %.1f×", goal), met: speedup >= goal))
            }
        }
        // Memory: flat without the id check; bounded with it.
        let smallest = sizes.min() ?? 0, largest = sizes.max() ?? 0
        if smallest < largest {
            for t in threads {
                guard let a = run("no-id-check", t, smallest), let b = run("no-id-check", t, largest) else { continue }
                let flat = Double(b.peakBytes) <= Double(a.peakBytes) * 1.25 + 8 * 1_048_576
                out.append(Target(name: "peak memory with --allow-repeated-ids, \(t) thread\(t == 1 ? "" : "s")",
                                  figure: "\(a.peakBytes / 1_048_576) MB at \(smallest) clients, \(b.peakBytes / 1_048_576) MB at \(largest)",
                                  goal: "flat in the number of clients", met: flat))
            }
            if largest >= 4_000_000 {
                // Every run that checks ids: --summary and JSON Lines, each thread count.
                let checked = r.runs.filter { $0.clients == largest && $0.label != "no-id-check" }
                if let worst = checked.max(by: { $0.peakBytes < $1.peakBytes }) {
                    let what = "\(worst.label == "summary" ? "--summary" : "JSON Lines"), \(worst.threads) thread\(worst.threads == 1 ? "" : "s")"
                    out.append(Target(name: "peak memory with the id check, \(largest) clients",
                                      figure: "\(worst.peakBytes / 1_048_576) MB at most (\(what))",
                                      goal: "≤ 200 MB", met: worst.peakBytes <= 200 * 1_048_576))
                }
            }
        }
        // Growth: time per client at the largest size against 1,000,000.
        if let million = sizes.first(where: { $0 == 1_000_000 }), largest > million {
            for t in threads {
                guard let a = run("summary", t, million), let b = run("summary", t, largest) else { continue }
                let perA = a.seconds.median / Double(million), perB = b.seconds.median / Double(largest)
                let growth = perB / perA - 1
                out.append(Target(name: "growth of time per client, \(largest) against \(million), \(t) thread\(t == 1 ? "" : "s")",
                                  figure: String(format: "%+.0f %% (%.0f ns against %.0f ns per client)", growth * 100, perB * 1e9, perA * 1e9),
                                  goal: "within 15 %", met: growth <= 0.15))
            }
        }
        return out
    }

    /// The SHA-256 digest of a file, read a piece at a time; nil when it
    /// cannot be read.
    static func digest(ofFile path: String) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256Hasher()
        while true {
            guard let piece = try? handle.read(upToCount: 4 << 20) else { return nil }
            if piece.isEmpty { return hasher.finalize() }
            hasher.update(piece)
        }
    }

    /// Writes `count` generated clients in the canonical columns.
    func writeCanonical(policy: Policy, count: Int, to path: String) -> Bool {
        guard let record = policy.record, FileManager.default.createFile(atPath: path, contents: nil),
              let fh = FileHandle(forWritingAtPath: path) else { return false }
        defer { try? fh.close() }
        let columns = Benchmark.canonicalColumns.compactMap { name in record.fields.firstIndex { $0.name == name } }
        var gen = ClientGenerator(policy: policy, asOf: asOf, seed: seed)
        var text = columns.map { record.fields[$0].name }.joined(separator: ",") + "\n"
        for i in 1...max(1, count) {
            let values = gen.next(index: i)
            text += columns.map { gen.csvText(values[$0], record.fields[$0]) }.joined(separator: ",")
            text += "\n"
            if text.utf8.count > 1 << 20 {
                fh.write(Data(text.utf8))
                text = ""
            }
        }
        fh.write(Data(text.utf8))
        return true
    }

    /// Compiles `floor.c` with the system's C compiler: its path, or why
    /// there is none.
    func buildFloor() -> (executable: String?, note: String?) {
        var candidates: [String] = []
        if let f = floorSource { candidates.append(f) }
        var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("shared/bench/floor.c").path)
            dir.deleteLastPathComponent()
        }
        guard let source = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            return (nil, "floor unavailable: no shared/bench/floor.c here or above (give --floor FILE)")
        }
        let exe = NSTemporaryDirectory() + "linja-bench-floor-\(getpid())"
        let (status, _, _, _) = ChildProcess.run("cc", ["-O2", "-o", exe, source], stdoutPath: "/dev/null", stderrPath: "/dev/null")
        guard status == 0 else { return (nil, "floor unavailable: no C compiler (cc) could build \(source)") }
        return (exe, nil)
    }

    /// One measured run of `linja`.
    struct Spawned {
        var seconds: Double
        var peakBytes = 0
        var cpuSeconds = 0.0
        var systemSeconds = 0.0
        var status: Int32
    }

    /// Runs `linja` with `args` through `linja-dev measure` (this program:
    /// the child's peak memory is then its own, not this large process's
    /// image): wall seconds, the child's peak resident bytes, its processor
    /// and system seconds, its exit status.
    func spawn(_ args: [String], stdoutPath: String, stderrPath: String) -> Spawned {
        let t0 = Stopwatch.now()
        let (status, _, _, _) = ChildProcess.run(measurer, ["measure", "--", executable] + args,
                                                 stdoutPath: stdoutPath, stderrPath: stderrPath)
        var run = Spawned(seconds: Double(Stopwatch.now() - t0) / 1e9, status: status)
        if let text = try? String(contentsOfFile: stderrPath, encoding: .utf8) {
            func value(_ key: String) -> Substring? {
                text.split(separator: "\n").last { $0.hasPrefix(key + ":") }.map { $0.dropFirst(key.count + 1) }
            }
            run.peakBytes = (value("peak-rss-kb").flatMap { Int($0.filter(\.isNumber)) } ?? 0) * 1024
            run.cpuSeconds = value("cpu-seconds").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 0
            run.systemSeconds = value("system-seconds").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        }
        try? FileManager.default.removeItem(atPath: stderrPath)
        return run
    }

    public static func report(_ r: Results, policy: String, machine: String, runs: Int) -> String {
        func ms(_ m: Measurement) -> String { String(format: "%.1f ms (min %.1f, max %.1f)", m.median * 1000, m.min * 1000, m.max * 1000) }
        var s = "Linja benchmark: \(policy), \(machine); medians of \(runs) alternating runs (min, max)\n"
        s += "  parse + check            \(ms(r.check))\n"
        s += "  compile                  \(ms(r.compile))\n"
        s += String(format: "  evaluation, in memory    %.0f ns/client (min %.0f, max %.0f), 1 thread\n",
                    r.evalNanosPerClient.median, r.evalNanosPerClient.min, r.evalNanosPerClient.max)
        if let note = r.floorNote { s += "  \(note)\n" }
        let sizes = r.runs.map(\.clients).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        for n in sizes {
            s += "  \(n) clients (\((r.csvBytes[n] ?? 0) / 1_000_000) MB of CSV)\n"
            if let f = r.floor[n] {
                s += String(format: "    floor (floor.c, 1 thread)          %6.2f s (min %.2f, max %.2f), cpu %.2f s\n", f.median, f.min, f.max,
                            r.floorCPU[n]?.median ?? 0)
            }
            for e in r.runs where e.clients == n {
                let rate = Double(n) / max(e.seconds.median, 1e-9)
                let ratio = r.floor[n].map { String(format: ", %.1f× the floor", e.seconds.median / max($0.median, 1e-9)) } ?? ""
                let cpuRatio = r.floorCPU[n].map { String(format: " (%.1f× its cpu)", e.cpuSeconds.median / max($0.median, 1e-9)) } ?? ""
                let name = e.label == "summary" ? "CSV → --summary" : e.label == "jsonl" ? "CSV → JSON Lines file" : "--summary, no id check"
                s += String(format: "    %@ %d thread%@  %6.2f s (min %.2f, max %.2f), %.0f ns/client%@, cpu %.2f s%@ of which system %.2f s, peak %d MB\n",
                            name.padding(toLength: 22, withPad: " ", startingAt: 0) as NSString, e.threads, e.threads == 1 ? " " : "s",
                            e.seconds.median, e.seconds.min, e.seconds.max, e.seconds.median * 1e9 / Double(n), ratio,
                            e.cpuSeconds.median, cpuRatio, e.systemSeconds.median, e.peakBytes / 1_048_576)
                _ = rate
            }
            if let due = r.due, due.clients == n {
                let run = r.runs.first { $0.clients == n && $0.label == "jsonl" && $0.threads == 1 }
                let ratio = run.map { String(format: ", %.1f× run → JSON Lines", due.seconds.median / max($0.seconds.median, 1e-9)) } ?? ""
                s += String(format: "    due, 90 days → JSON Lines 1 thread  %6.2f s (min %.2f, max %.2f), %.0f clients/s, peak %d MB, %d changes%@\n",
                            due.seconds.median, due.seconds.min, due.seconds.max, Double(n) / max(due.seconds.median, 1e-9),
                            due.peakBytes / 1_048_576, due.lines, ratio as NSString)
            }
        }
        s += "  targets (issue 18):\n"
        for t in r.targets {
            let verdict = t.met.map { $0 ? "met" : "not met" } ?? "not measured"
            s += "    \(t.name): \(t.figure); target \(t.goal): \(verdict)\n"
        }
        for c in r.checks { s += "  ok: \(c)\n" }
        for f in r.failures { s += "  FAILED: \(f)\n" }
        return s
    }
}
