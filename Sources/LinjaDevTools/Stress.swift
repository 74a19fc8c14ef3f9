import Foundation
import Linja
import LinjaTools

/// Inputs too large for the test suite's time budget, run through the
/// `linja` binary by `linja-dev stress` (in a release build, from `.ci/run`).
/// Each case is a row of `docs/bad-inputs.md`; its id is the row's.
public struct StressCase: Sendable {
    public var id: String
    public var summary: String
    /// The policy's files besides `area.linja`.
    public var files: @Sendable () -> [(name: String, bytes: [UInt8])]
    /// The time `linja check` is given before it is stopped.
    public var limit: Double
    /// What must hold of the run: failures, empty when it passed.
    public var expect: @Sendable (_ status: Int32, _ stdout: String, _ stderr: String) -> [String]
    /// The `linja` command line, given the policy directory and a scratch
    /// directory for other inputs: `linja check POLICY` unless said otherwise.
    public var arguments: @Sendable (_ policy: String, _ scratch: String) -> [String]

    public init(id: String, summary: String, limit: Double, files: @escaping @Sendable () -> [(name: String, bytes: [UInt8])],
                arguments: @escaping @Sendable (String, String) -> [String] = { policy, _ in ["check", policy] },
                expect: @escaping @Sendable (Int32, String, String) -> [String]) {
        self.id = id
        self.summary = summary
        self.limit = limit
        self.files = files
        self.arguments = arguments
        self.expect = expect
    }
}

public enum Stress {
    /// A small standalone policy: an area, a record, two outcomes.
    public static let area = """
    area testialue "Testialue" {
      municipalities Keuruu code "249", "Mänttä-Vilppula" code "508", Multia code "389"
    }
    record client {
      id: text
      municipality: municipality
      n: integer
      started: date?
    }
    outcome flag big
    outcome refer coaching to area_coach, municipal_coach

    """
    /// A line that is always an error, after the input under test.
    public static let sentinel = "let sentinel = client.nope\n"
    public static let sentinelError = "error[L402]: record `client` has no field `nope`"

    /// A valid policy file of at least `bytes` bytes: params, lets, outcomes
    /// and rules with distinct names and labels.
    public static func largePolicy(bytes: Int) -> [UInt8] {
        var s = ""
        s.reserveCapacity(bytes + 512)
        var i = 0
        while s.utf8.count < bytes {
            s += """
            param limit_\(i) "Raja \(i)" = \(i % 97 + 1) days
            let value_\(i) "Arvo \(i)" = client.n + \(i)
            outcome flag f_\(i)
            rule r_\(i) when value_\(i) > \(i) then flag f_\(i)


            """
            i += 1
        }
        return Array(s.utf8)
    }

    /// `count` rules, each with a let of its own and an outcome, none of
    /// which applies to a client with `n` = 0.
    public static func manyRules(_ count: Int) -> [UInt8] {
        var s = ""
        s.reserveCapacity(count * 110)
        for i in 0..<count {
            s += "let value_\(i) = client.n + \(i)\noutcome flag f_\(i)\nrule r_\(i) when value_\(i) > \(i) then flag f_\(i)\n"
        }
        return Array(s.utf8)
    }

    static func commentBlock(bytes: Int) -> (bytes: [UInt8], lines: Int) {
        let line = Array("# Tämä on pitkä kommenttilohko, jota mikään ei lue; se vain kasvattaa tiedostoa.\n".utf8)
        let count = bytes / line.count + 1
        var out: [UInt8] = []
        out.reserveCapacity(count * line.count + 64)
        for _ in 0..<count { out += line }
        return (out + Array(sentinel.utf8), count)
    }

    /// The cases, in the order they run.
    public static let cases: [StressCase] = [
        StressCase(id: "rules.50mb", summary: "a 50 MB rule file of distinct declarations checks clean", limit: 300,
                   files: { [("big.linja", largePolicy(bytes: 50_000_000))] },
                   expect: { status, out, err in
                       var f: [String] = []
                       if status != 0 { f.append("exit \(status), not 0: \(err.prefix(2000))") }
                       if out != "ok: 1 policy, 2 files\n" { f.append("stdout: \(out.prefix(500))") }
                       return f
                   }),
        StressCase(id: "rules.50mb-comments", summary: "a 50 MB comment block, then an error on its last line", limit: 300,
                   files: { [("big.linja", commentBlock(bytes: 50_000_000).bytes)] },
                   expect: { status, _, err in
                       let line = commentBlock(bytes: 50_000_000).lines + 1
                       var f: [String] = []
                       if status != 1 { f.append("exit \(status), not 1") }
                       if !err.contains("big.linja:\(line):23: \(sentinelError)") { f.append("stderr: \(err.prefix(2000))") }
                       return f
                   }),
        // Issue 17, item 8: compiling copied the whole program per rule; 100,000 rules took minutes.
        StressCase(id: "rules.many-rules", summary: "linja run on 100,000 rules (each with a let and an outcome) compiles in linear time",
                   limit: 120,
                   files: { [("rules.linja", manyRules(100_000))] },
                   arguments: { policy, scratch in
                       _ = FileManager.default.createFile(atPath: scratch + "/clients.csv", contents: Data("id,municipality,n,started\nA1,Keuruu,0,\n".utf8))
                       return ["run", policy, "--clients", scratch + "/clients.csv", "--as-of", "2026-01-01", "--format", "jsonl"]
                   },
                   expect: { status, out, err in
                       var f: [String] = []
                       if status != 0 { f.append("exit \(status), not 0: \(err.prefix(2000))") }
                       if !out.hasPrefix("{\"id\":\"A1\",\"municipality\":\"Keuruu\"") || !out.contains("\"outcomes\":[]") {
                           f.append("stdout: \(out.prefix(500))")
                       }
                       return f
                   }),
    ]

    public struct Outcome: Sendable {
        public var id: String
        public var seconds: Double
        public var failures: [String]
    }

    /// Runs the cases (those whose id is in `only`, when given) with the
    /// `linja` binary at `linja`.
    public static func run(linja: String, only: Set<String>? = nil, log: (String) -> Void) -> [Outcome] {
        var results: [Outcome] = []
        for c in cases where only?.contains(c.id) ?? true {
            let dir = NSTemporaryDirectory() + "linja-stress-\(getpid())-\(c.id)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try? FileManager.default.createDirectory(atPath: dir + "/policy", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: dir + "/policy/area.linja", contents: Data(area.utf8))
            var size = 0
            for f in c.files() {
                size += f.bytes.count
                _ = FileManager.default.createFile(atPath: dir + "/policy/" + f.name, contents: Data(f.bytes))
            }
            let (status, out, err, seconds, killed) = runLimited(linja, c.arguments(dir + "/policy", dir), limit: c.limit)
            var failures = killed ? ["did not finish within \(Int(c.limit)) s"] : []
            if !killed { failures += c.expect(status, out, err) }
            log("[\(c.id)] \(c.summary): \(size) bytes in \(String(format: "%.1f", seconds)) s"
                + (failures.isEmpty ? ", ok" : ", FAILED: " + failures.joined(separator: "; ")))
            results.append(Outcome(id: c.id, seconds: seconds, failures: failures))
        }
        return results
    }

    /// Runs a command with a hard time limit (SIGKILL), capturing its output.
    static func runLimited(_ exe: String, _ args: [String], limit: Double)
        -> (status: Int32, stdout: String, stderr: String, seconds: Double, killed: Bool) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        p.environment = environment
        let base = NSTemporaryDirectory() + "linja-stress-out-\(getpid())"
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        guard let out = FileHandle(forWritingAtPath: base + ".out"), let err = FileHandle(forWritingAtPath: base + ".err") else {
            return (-1, "", "cannot write \(base)", 0, false)
        }
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let t0 = Stopwatch.now()
        do { try p.run() } catch { return (-1, "", "cannot run \(exe): \(error)", 0, false) }
        let deadline = Date().addingTimeInterval(limit)
        while p.isRunning, Date() < deadline { usleep(20_000) }
        let killed = p.isRunning
        if killed { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let seconds = Double(Stopwatch.now() - t0) / 1e9
        try? out.close()
        try? err.close()
        let o = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let e = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return (p.terminationStatus, o, e, seconds, killed)
    }
}
