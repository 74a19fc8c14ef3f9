import Foundation
import Linja

/// How fast the server shows the consequences of an edit.
public enum LSPBenchmark {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Drives a server in this process over pipes: opens the first rule
    /// file of `<rulesRoot>/common`, then `runs` times changes it (a comment
    /// line added, then removed) and measures, in the server, the time from
    /// reading the `didChange` to flushing the last `publishDiagnostics` it
    /// causes. `common` is imported by the other policies, so each edit
    /// checks them all again. Returns the times and how many policies each
    /// edit checked.
    public static func measureRecheck(rulesRoot: String, runs: Int) throws -> (times: [Swift.Duration], policies: Int) {
        let root = Paths.normalize(rulesRoot)
        guard let file = PolicyLoader.ruleFiles(in: root + "/common").first else {
            throw Failure(description: "no rule files in \(root)/common")
        }
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let times = ParallelResults<[Swift.Duration]>(count: 1)
        times.set(0, [])
        let cycle = DispatchSemaphore(value: 0)
        let client = LSPPipeClient(configuration: .init(onRecheck: { d in
            times.set(0, (times.get(0) ?? []) + [d])
            cycle.signal()
        }))
        defer { client.finish() }
        try client.initialize(root: root)
        try client.open(file, text: text)
        _ = try client.diagnostics(for: DocumentURI.uri(file), timeout: 30_000)
        guard cycle.wait(timeout: .now() + 30) == .success else { throw Failure(description: "the first check did not finish") }
        times.set(0, [])
        let policies = client.server.workspace.policies(including: Workspace.directory(of: file)).count
        for run in 0..<runs {
            let edited = run % 2 == 0 ? "# an edit\n" + text : text
            client.change(file, text: edited, version: run + 2)
            guard cycle.wait(timeout: .now() + 30) == .success else { throw Failure(description: "edit \(run + 1) was not checked") }
            _ = try client.diagnostics(for: DocumentURI.uri(file), timeout: 30_000)
        }
        return (times.get(0) ?? [], policies)
    }

    /// Milliseconds, one decimal.
    public static func milliseconds(_ d: Swift.Duration) -> String {
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return String(format: "%.1f", ms)
    }

    /// "median 9.1 ms (8.7–12.0), N runs".
    public static func summary(_ times: [Swift.Duration]) -> String {
        let sorted = times.sorted()
        guard let lo = sorted.first, let hi = sorted.last else { return "no runs" }
        let median = sorted[sorted.count / 2]
        return "median \(milliseconds(median)) ms (\(milliseconds(lo))–\(milliseconds(hi))), \(sorted.count) runs"
    }
}
