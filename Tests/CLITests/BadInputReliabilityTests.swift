import Foundation
import Testing

// The classes of issue 17 (an adversarial review: crashes, hangs, silent
// loss, escapes), one test per row of docs/bad-inputs.md. Each runs the
// built `linja` binary, so a trap or a stack overflow shows as a signal.

enum Reliability {
    /// The standalone policy of the catalogue, with `extra` record fields.
    static func policy(fields extra: String = "", _ files: [(String, String)]) -> String {
        let dir = BadInput.tempDir() + "/rules/p"
        let area = BadInput.area.replacingOccurrences(of: "  started: date?\n", with: "  started: date?\n" + extra)
        BadInput.write(dir + "/area.linja", Array(area.utf8))
        for (name, text) in files { BadInput.write(dir + "/" + name, Array(text.utf8)) }
        return dir
    }

    /// Clients of the standalone policy: `id,municipality,n,started`.
    static func clients(_ rows: [String], header: String = "id,municipality,n,started") -> String {
        BadInput.file("c.csv", ([header] + rows).joined(separator: "\n") + "\n")
    }

    static func run(_ policy: String, _ clients: String, _ extra: [String] = [], timeout: TimeInterval = 60) throws -> CLI.Result {
        try CLI.run(["run", policy, "--clients", clients, "--as-of", "2026-03-31"] + extra, env: ["NO_COLOR": "1"], timeout: timeout)
    }

    /// Lines `let a1 = a2 + 1` … `let aN = client.n`: each let names the next.
    static func backwardChain(_ n: Int) -> String {
        (1..<n).map { "let a\($0) = a\($0 + 1) + 1\n" }.joined() + "let a\(n) = client.n\n"
    }

    /// Lines `let a0 = client.n`, `let a1 = a0 + 1`, …: each let names the one before.
    static func forwardChain(_ n: Int) -> String {
        "let a0 = client.n\n" + (1..<n).map { "let a\($0) = a\($0 - 1) + 1\n" }.joined()
    }
}

// MARK: - Rule files

struct BadInputReliabilityRuleFileTests {
    @Test("[rules.let-chain] a chain of thousands of lets is an error on the let past the limit, never a stack overflow")
    func aLongChainOfLets() throws {
        // Backwards (each let names a later one): `check` used to recurse once per let.
        let backward = Reliability.policy([("c.linja", Reliability.backwardChain(3000))])
        let c = try BadInput.check(backward)
        #expect(!c.signalled, "linja crashed: \(c.stderr.prefix(2000))")
        #expect(c.status == 1)
        // a3000 is one level, each let above it two more: a2744 is the first past 512.
        #expect(c.stderr.contains("c.linja:2744:5: error[L203]: let `a2744` is defined through lets nested more than 512 levels deep"),
                "\(c.stderr.prefix(2000))")
        #expect(c.stderr.components(separatedBy: "error[").count - 1 == 1, "one error for the chain: \(c.stderr.prefix(3000))")

        // Forwards, 10,000 lets: `run` used to overflow the stack compiling it.
        let forward = Reliability.policy([("c.linja", Reliability.forwardChain(10_000) + "rule r when a9999 > 5 then flag big\n")])
        let r = try Reliability.run(forward, Reliability.clients(["A1,Keuruu,3,"]))
        #expect(!r.signalled, "linja crashed: \(r.stderr.prefix(2000))")
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[L203]: let `a256` is defined through lets nested more than 512 levels deep"), "\(r.stderr.prefix(2000))")
        #expect(r.stdout.isEmpty)

        // Within the limit the chain checks and every client is decided on its value.
        let fine = Reliability.policy([("c.linja", Reliability.forwardChain(200) + "rule r when a199 > 203 then flag big\n")])
        let ok = try Reliability.run(fine, Reliability.clients(["A1,Keuruu,3,", "A2,Keuruu,5,"]), ["--format", "jsonl", "--explain"])
        #expect(ok.status == 0, "\(ok.stderr.prefix(2000))")
        #expect(BadInput.decided(ok) == ["A1", "A2"])
        let lines = ok.stdout.split(separator: "\n")
        #expect(lines.count == 2 && !lines[0].contains("\"flag\"") && lines[1].contains("\"name\":\"big\""), "\(ok.stdout.prefix(2000))")
    }

    @Test("[rules.shared-definitions] lets that each use the one before twice are compiled once each, not once per path")
    func sharedDefinitionsAreCompiledOnce() throws {
        // 2^40 paths from the rule to a0, b0 and s0; each let is compiled once.
        var text = "let a0 = 1\nlet b0 = client.n\nlet s0 = since client.started\n"
        for i in 1...40 {
            text += "let a\(i) = a\(i - 1) + a\(i - 1)\n"
            text += "let b\(i) = b\(i - 1) + b\(i - 1)\n"
            text += "let s\(i) = if client.n > \(i) then s\(i - 1) else s\(i - 1)\n"
        }
        text += "rule r when b40 > a40 and s40 > 2 days otherwise false then flag big\n"
        let dir = Reliability.policy([("c.linja", text)])
        let clients = Reliability.clients(["A1,Keuruu,1,2026-01-01", "A2,Keuruu,2,2026-01-01", "A3,Keuruu,2,2026-03-30"])
        let start = Date()
        let r = try Reliability.run(dir, clients, ["--format", "jsonl", "--explain"], timeout: 30)
        #expect(!r.signalled)
        #expect(r.status == 0, "\(r.stderr.prefix(2000))")
        #expect(Date().timeIntervalSince(start) < 20, "took \(Date().timeIntervalSince(start)) s")
        // b40 = n·2^40 > a40 = 2^40 only for n = 2; s40 > 2 days only for A2.
        let flagged = r.stdout.split(separator: "\n").filter { $0.contains("\"name\":\"big\"") }.map { String($0.prefix(12)) }
        #expect(flagged == ["{\"id\":\"A2\",\""], "\(r.stdout.prefix(3000))")
    }
}

// MARK: - Client data

struct BadInputReliabilityDataTests {
    @Test("[csv.number-at-range-end] -2^63 millionths, the evaluator's 'missing', is rejected as out of range, not read as missing")
    func theSentinelValueIsRejected() throws {
        let dir = Reliability.policy(fields: "  score: decimal?\n", [("r.linja", "rule r when client.score is missing then flag big\n")])
        let clients = Reliability.clients([
            "A1,Keuruu,1,,-9223372036854.775808", "A2,Keuruu,1,,-9223372036854.775807",
            "A3,Keuruu,-9223372036854775808,,1", "A4,Keuruu,1,,",
        ], header: "id,municipality,n,started,score")
        let r = try Reliability.run(dir, clients, ["--format", "jsonl"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(clients):2:5: field 'score': '-9223372036854.775808' is outside the range of numbers (±9223372036854.775807)"), "\(r.stderr)")
        #expect(r.stderr.contains("\(clients):4:3: field 'n': '-9223372036854775808' is outside the range of whole numbers (±9223372036854775807)"), "\(r.stderr)")
        #expect(BadInput.decided(r) == ["A2", "A4"])
        // Only the client whose score is really missing is flagged.
        let flagged = r.stdout.split(separator: "\n").filter { $0.contains("\"name\":\"big\"") }
        #expect(flagged.count == 1 && flagged[0].contains("\"A4\""), "\(r.stdout)")
    }
}

// MARK: - Indicator data and the goal table

struct BadInputReliabilityGoalTests {
    @Test("[actuals.value-near-limit] an indicator value at the end of the number range is shown, not a crash, in every format")
    func aValueNearTheLimit() throws {
        let path = BadInput.file("actuals.csv", "target,period,value\ninitial_f2f,2026-Q1,9223372036854.77 %\n")
        for format in ["table", "html", "json", "csv"] {
            let r = try CLI.run(["goals", BadInput.pk, "--period", "2026-Q1", "--actuals", path, "--format", format], env: ["NO_COLOR": "1"])
            #expect(!r.signalled, "\(format): linja crashed: \(r.stderr.prefix(1000))")
            #expect(r.status == 0, "\(format): \(r.stderr)")
            #expect(r.stdout.contains("9223372036854") , "\(format)")
        }
        // Too near the end to round to one decimal: shown as it is.
        let table = try CLI.run(["goals", BadInput.pk, "--period", "2026-Q1", "--actuals", path], env: ["NO_COLOR": "1"])
        #expect(table.stdout.contains("9223372036854,77 %"), "\(table.stdout)")
        // The REPL's :goals renders the same table.
        let repl = try CLI.run(["repl", BadInput.pk], stdin: ":goals 2026-Q1 \(path)\n:quit\n", env: ["NO_COLOR": "1"])
        #expect(!repl.signalled, "linja repl crashed: \(repl.stderr.prefix(1000))")
        #expect(repl.stdout.contains("9223372036854,77 %"), "\(repl.stdout.prefix(3000))")
    }
}
