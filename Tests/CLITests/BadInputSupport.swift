import Foundation
import LinjaTestSupport
import LinjaDevTools
import Testing

enum BadInput {
    static let eks = "rules/etela-keski-suomi"
    static let pk = "rules/pohjois-karjala"
    static let asOf = "2026-03-31"

    /// Rows of the catalogue whose behaviour is wrong today.
    static let knownIssues: Set<String> = []

    // MARK: Client data for rules/etela-keski-suomi

    static let header = "id,municipality,birth_date,job_search_started,unemployed_since,status,immigrant,partial_work_ability,disabled,long_term_ill,in_services"
    /// A good row: referred to the municipal coach (Keuruu), assessed for career guidance.
    static let a1 = "A1,Keuruu,1990-01-01,2026-03-25,2025-12-01,unemployed,false,false,false,false,false"
    /// A good row: referred to the area coach (Jämsä).
    static let a3 = "A3,Jämsä,1990-01-01,2026-03-25,,unemployed,false,false,false,false,false"
    /// A row with the given values in place of A2's defaults.
    static func row(id: String = "A2", municipality: String = "Keuruu", birthDate: String = "1990-01-01",
                    unemployedSince: String = "", status: String = "unemployed", immigrant: String = "false") -> String {
        "\(id),\(municipality),\(birthDate),2026-03-25,\(unemployedSince),\(status),\(immigrant),false,false,false,false"
    }
    /// Header, A1, the bad rows, A3.
    static func csv(_ middle: String...) -> String {
        ([header, a1] + middle + [a3]).joined(separator: "\n") + "\n"
    }

    static let j1 = #"{"id":"A1","municipality":"Keuruu","birth_date":"1990-01-01","job_search_started":"2026-03-25","unemployed_since":"2025-12-01","status":"unemployed","immigrant":false,"partial_work_ability":false,"disabled":false,"long_term_ill":false,"in_services":false}"#
    static let j3 = #"{"id":"A3","municipality":"Jämsä","birth_date":"1990-01-01","job_search_started":"2026-03-25","unemployed_since":null,"status":"unemployed","immigrant":false,"partial_work_ability":false,"disabled":false,"long_term_ill":false,"in_services":false}"#
    static func jsonl(_ middle: String...) -> String {
        ([j1] + middle + [j3]).joined(separator: "\n") + "\n"
    }

    // MARK: Files

    static func tempDir() -> String {
        let dir = Scratch.root + "linja-bad-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    /// A file in a fresh temporary directory.
    static func file(_ name: String, _ text: String) -> String {
        file(name, Array(text.utf8))
    }
    static func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = tempDir() + "/" + name
        write(path, bytes)
        return path
    }

    // MARK: Running

    /// `linja run` on rules/etela-keski-suomi, one JSON line per decided client.
    static func run(_ clients: String, _ extra: [String] = [], timeout: TimeInterval = 60) throws -> CLI.Result {
        try CLI.run(["run", eks, "--clients", clients, "--as-of", asOf, "--format", "jsonl"] + extra,
                    env: ["NO_COLOR": "1"], timeout: timeout)
    }

    /// The ids of the clients decided, in output order (jsonl output).
    static func decided(_ r: CLI.Result) -> [String] {
        r.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
        }
    }

    /// `linja goals` on rules/pohjois-karjala for 2026-Q1, JSON output.
    static func goals(_ actuals: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["goals", pk, "--period", "2026-Q1", "--actuals", actuals, "--format", "json"] + extra, env: ["NO_COLOR": "1"])
    }

    /// Each target's actual and its source, from `linja goals --format json`.
    static func actuals(_ r: CLI.Result) -> [String: (actual: String, source: String)] {
        guard let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
              let goals = json["goals"] as? [[String: Any]] else { return [:] }
        var out: [String: (String, String)] = [:]
        for g in goals {
            for t in g["targets"] as? [[String: Any]] ?? [] {
                guard let id = t["id"] as? String, let a = t["actual"], !(a is NSNull) else { continue }
                out[id] = ("\(a)", t["source"] as? String ?? "")
            }
        }
        return out
    }

    // MARK: Policies for `linja check`

    /// A small standalone policy: an area, a record, two outcomes (the
    /// stress cases' own, so that both check the same policy).
    static let area = Stress.area

    /// A line that is always an error, put after the bad input to show that
    /// checking goes on past it.
    static let sentinel = Stress.sentinel
    static let sentinelError = Stress.sentinelError

    /// A policy directory: `area.linja` and the given files.
    static func policy(_ files: [(String, [UInt8])]) -> String {
        let dir = tempDir() + "/policy"
        write(dir + "/area.linja", Array(area.utf8))
        for (name, bytes) in files { write(dir + "/" + name, bytes) }
        return dir
    }

    static func check(_ path: String, timeout: TimeInterval = 60) throws -> CLI.Result {
        try CLI.run(["check", path], env: ["NO_COLOR": "1"], timeout: timeout)
    }

    /// `linja check` with a hard time limit: `CLI.run` stops a late child with
    /// SIGTERM, which the child inherits blocked from the test runner, so a
    /// slow check would run to its end. This one sends SIGKILL.
    static func timedCheck(_ path: String, limit: TimeInterval) throws -> (result: CLI.Result, seconds: TimeInterval, killed: Bool) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["check", path]
        p.currentDirectoryURL = URL(fileURLWithPath: CLI.repoRoot)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        p.environment = environment
        let base = Scratch.root + "linja-bad-out-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let start = Date()
        try p.run()
        let deadline = start.addingTimeInterval(limit)
        while p.isRunning, Date() < deadline { usleep(20_000) }
        let killed = p.isRunning
        if killed { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        try out.close()
        try err.close()
        let o = FileManager.default.contents(atPath: base + ".out") ?? Data()
        let e = FileManager.default.contents(atPath: base + ".err") ?? Data()
        try? FileManager.default.removeItem(atPath: base + ".out")
        try? FileManager.default.removeItem(atPath: base + ".err")
        return (CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                           stderr: String(decoding: e, as: UTF8.self), signalled: p.terminationReason == .uncaughtSignal),
                seconds, killed)
    }

    /// A flat chain of `n` conditions joined with `or`.
    static func orChain(_ n: Int) -> String {
        (0..<n).map { "client.n > \($0)" }.joined(separator: " or ")
    }
}
