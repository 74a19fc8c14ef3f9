import Foundation
import Testing
@testable import Linja

/// Golden diagnostics: every directory under `Golden/Diagnostics/` is one
/// small policy (its `*.linja` files, which may `import "../_common"`, the
/// shared fixture) beside `expected.txt`, the exact text `linja check` prints
/// for it: `DiagnosticRenderer(color: false).render(policy.diagnostics)`, with
/// paths relative to `Golden/Diagnostics`. A case may also hold
/// `expected.json`, the same diagnostics as `DiagnosticRenderer.json`.
/// Directories starting with `_` are fixtures, not cases.
///
/// To regenerate the expected files after an intended change of wording:
///
///     LINJA_UPDATE_GOLDEN=1 swift test --filter GoldenDiagnosticsTests
///
/// then review the diff (`git diff Tests/LinjaTests/Golden`) before committing.
/// With the variable set the tests rewrite the files instead of comparing.
@Suite struct GoldenDiagnosticsTests {
    /// `Tests/LinjaTests/Golden/Diagnostics`, found from this file, not from the
    /// working directory.
    static let root: String = Paths.normalize(
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Diagnostics").path)

    static var updating: Bool { ProcessInfo.processInfo.environment["LINJA_UPDATE_GOLDEN"] == "1" }

    /// The case directories, sorted.
    static let cases: [String] = {
        let fm = FileManager.default
        let entries = (try? fm.contentsOfDirectory(atPath: root)) ?? []
        return entries.filter { e in
            var isDir: ObjCBool = false
            return !e.hasPrefix("_") && !e.hasPrefix(".")
                && fm.fileExists(atPath: root + "/" + e, isDirectory: &isDir) && isDir.boolValue
        }.sorted()
    }()

    static let jsonCases: [String] = cases.filter { FileManager.default.fileExists(atPath: root + "/" + $0 + "/expected.json") }

    /// Codes `linja check` cannot produce, with the reason. The coverage test
    /// keeps this list honest: a code listed here must not appear in any case.
    static let unproducible: [DiagnosticCode: String] = [
        .unused: "no checker pass emits it (nothing references `.unused` outside DiagnosticCode.swift)",
        .unformattable: "only `linja fmt` (LinjaTools' formatter) emits it, never the front end or the checker",
        .evaluation: "only the REPL emits it, when an expression cannot be evaluated for its client (REPL transcripts)",
    ]

    /// Diagnostics show paths relative to the working directory
    /// (`PolicyLoader.display`); strip the fixtures folder, however it is
    /// shown, so the result does not depend on where `swift test` runs (any
    /// directory but a case's own, where paths would lose their case name).
    static func relative(_ text: String) -> String {
        var out = text
        for prefix in Set([root, Paths.display(root)]).sorted(by: { $0.count > $1.count }) {
            out = out.replacingOccurrences(of: prefix + "/", with: "")
            out = out.replacingOccurrences(of: prefix, with: ".")
        }
        return out
    }

    static func load(_ name: String) -> Policy {
        Policy.load(directory: root + "/" + name, root: root)
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Compares `actual` with the golden file, or rewrites it when updating.
    static func compare(_ actual: String, golden path: String, case name: String,
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        if updating {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = read(path) else {
            Issue.record("case `\(name)` has no \((path as NSString).lastPathComponent); run with LINJA_UPDATE_GOLDEN=1 to create it",
                         sourceLocation: sourceLocation)
            return
        }
        if actual != expected {
            let file = (path as NSString).lastPathComponent
            let report = "case `\(name)`: the rendered diagnostics differ from \(file)\n--- expected\n\(expected)--- actual\n\(actual)"
            Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
        }
    }

    @Test func thereAreCases() {
        #expect(Self.cases.count >= 40)
        #expect(Self.jsonCases.count >= 1)
    }

    @Test(arguments: cases)
    func diagnosticsMatchTheGoldenFile(_ name: String) throws {
        let policy = Self.load(name)
        #expect(!policy.diagnostics.isEmpty, "case `\(name)` reports nothing")
        let text = Self.relative(DiagnosticRenderer(color: false).render(policy.diagnostics))
        try Self.compare(text, golden: Self.root + "/" + name + "/expected.txt", case: name)
    }

    @Test(arguments: jsonCases)
    func theJSONFormMatchesItsGoldenFile(_ name: String) throws {
        let policy = Self.load(name)
        let json = Self.relative(DiagnosticRenderer.json(policy.diagnostics).pretty) + "\n"
        try Self.compare(json, golden: Self.root + "/" + name + "/expected.json", case: name)
    }

    /// Every code the front end and the checker can produce has a case; the
    /// codes seen are read from the golden files (`error[L403]`).
    @Test func everyDiagnosticCodeHasAGoldenCase() throws {
        var seen = Set<String>()
        let pattern = try Regex(#"(?:error|warning|note)\[([LW][0-9]{3})\]"#)
        for name in Self.cases {
            guard let text = Self.read(Self.root + "/" + name + "/expected.txt") else { continue }
            for m in text.matches(of: pattern) {
                if let s = m.output[1].substring { seen.insert(String(s)) }
            }
        }
        let missing = DiagnosticCode.allCases.filter { !seen.contains($0.rawValue) && Self.unproducible[$0] == nil }
        #expect(missing.isEmpty, "codes without a golden case: \(missing.map { "\($0.rawValue) \($0.name)" })")
        let listedButSeen = Self.unproducible.keys.filter { seen.contains($0.rawValue) }
        #expect(listedButSeen.isEmpty, "listed as unproducible but produced: \(listedButSeen)")
    }

    @Test func theSharedFixtureChecksClean() {
        let policy = Self.load("_common")
        #expect(policy.diagnostics.isEmpty, "\(DiagnosticRenderer().render(policy.diagnostics))")
    }

    /// Lexer, parser and checker find errors in that order; the policy lists
    /// them by file, then position.
    @Test func diagnosticsAreSortedByFileAndPosition() throws {
        let policy = Self.load("sorted-by-position")
        let places = policy.diagnostics.compactMap { d -> (String, Int, Int)? in
            guard let l = d.location else { return nil }
            return ((Self.relative(l.path) as NSString).lastPathComponent, l.line, l.column)
        }
        #expect(places.map { "\($0.0):\($0.1):\($0.2)" } == [
            "a.linja:5:24", "a.linja:9:3", "a.linja:11:35", "a.linja:13:40", "b.linja:2:42", "b.linja:4:17",
        ])
        // Found in another order than shown: the lexer's error came first.
        #expect(policy.diagnostics.map(\.code) == [.unknownField, .expectedToken, .invalidDate, .unknownMunicipality,
                                                   .unknownUnit, .unknownName])
    }

    @Test func relativePathsDoNotDependOnTheWorkingDirectory() {
        let shown = Paths.display(Self.root + "/x/policy.linja")
        #expect(Self.relative(shown) == "x/policy.linja")
        #expect(Self.relative(Self.root + "/x/policy.linja") == "x/policy.linja")
    }
}
