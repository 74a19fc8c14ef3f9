import Foundation
import Linja

/// Code actions (the "did you mean" fixes), code lenses and the command
/// that runs a file's tests and shows the failures as diagnostics.
extension LanguageServer {
    static let runTestsCommand = "linja.runTests"

    func codeActions(_ params: JSONValue?) throws -> JSONValue {
        let doc = try document(params)
        guard let path = doc.path, let range = LSPRange(params?["range"]) else { return .array([]) }
        let (_, fixList) = lspDiagnostics(ofFile: path)
        var out: [JSONValue] = []
        for f in fixList where f.range.overlaps(range) {
            out.append([
                "title": .string("Change to \(f.replacement)"),
                "kind": "quickfix",
                "isPreferred": true,
                "diagnostics": [f.diagnostic],
                "edit": ["changes": .object([doc.uri: [["range": f.range.json, "newText": .string(f.replacement)]]])],
            ])
        }
        return .array(out)
    }

    func codeLenses(_ params: JSONValue?) throws -> JSONValue {
        let doc = try document(params)
        let tests = Parser.parse(SourceFile(path: "<lens>", bytes: doc.bytes)).declarations.compactMap { d -> TestDecl? in
            if case .test(let t) = d { return t }
            return nil
        }
        guard let first = tests.first else { return .array([]) }
        func lens(_ span: Span, _ title: String, _ arguments: [JSONValue]) -> JSONValue {
            let start = doc.map.position(of: span.start)
            return ["range": LSPRange(start: start, end: start).json,
                    "command": ["title": .string(title), "command": .string(Self.runTestsCommand), "arguments": .array(arguments)]]
        }
        var out = [lens(first.span, "▶ Run the file's \(tests.count) test\(tests.count == 1 ? "" : "s")", [.string(doc.uri)])]
        for t in tests { out.append(lens(t.nameSpan, "▶ Run test", [.string(doc.uri), .string(t.name)])) }
        return .array(out)
    }

    func executeCommand(_ params: JSONValue?) throws -> JSONValue {
        guard let command = params?["command"]?.string else { throw LSPError.invalidParams("no command") }
        guard command == Self.runTestsCommand else {
            throw LSPError(code: LSPError.invalidParams, message: "unknown command \(command)")
        }
        guard let uri = params?["arguments"]?[0]?.string, let path = DocumentURI.path(uri) else {
            throw LSPError.invalidParams("\(Self.runTestsCommand) takes a file URI and, optionally, a test name")
        }
        return try runTests(file: path, name: params?["arguments"]?[1]?.string)
    }

    /// Runs the tests of one file (or one test of it) with the editor's
    /// text, and shows each failure as a diagnostic where it is written.
    func runTests(file path: String, name: String?) throws -> JSONValue {
        let dir = Workspace.directory(of: path)
        workspace.ensureLoaded(directory: dir)
        bringUpToDate()
        guard let policy = workspace.policies[dir]?.policy else { throw LSPError.failed("no policy at \(dir)") }
        let errors = policy.diagnostics.filter { $0.severity == .error }.count
        guard errors == 0 else {
            let text = "Linja: the policy has \(errors) error\(errors == 1 ? "" : "s"); tests run once it checks clean"
            show(text, type: 2)
            return ["passed": 0, "failed": 0, "errors": .int(errors)]
        }
        let runner = PolicyTestRunner(policy: policy, filter: name)
        let results = runner.run().filter { r in
            r.location.map { workspace.absolute($0.path) == path } ?? false && (name == nil || r.name == name || r.name.hasPrefix((name ?? "") + " "))
        }
        guard let map = workspace.lineMap(ofFile: path) else { throw LSPError.failed("cannot read \(path)") }
        var byTest: [String: [JSONValue]] = [:]
        var passed = 0
        var failed = 0
        for r in results {
            switch r.outcome {
            case .passed, .skipped:
                passed += r.outcome == .passed ? 1 : 0
                byTest[r.name] = byTest[r.name] ?? []
            case .failed:
                failed += 1
                for f in r.failures {
                    let loc = f.location ?? r.location
                    let start = loc.map { map.position(line: $0.line, characterColumn: $0.column) } ?? LSPPosition(line: 0, character: 0)
                    let lineEnd = map.position(of: map.lineRange(start.line).upperBound)
                    let message = "test \"\(r.name)\" failed: \(f.message)" + (f.explanation.isEmpty ? "" : "\n" + f.explanation.joined(separator: "\n"))
                    byTest[r.name, default: []].append([
                        "range": LSPRange(start: start, end: max(start, lineEnd)).json,
                        "severity": 1, "source": "linja test", "code": "test", "message": .string(message),
                    ])
                }
            }
        }
        if name == nil {
            testDiagnostics[path] = byTest
        } else {
            for (k, v) in byTest { testDiagnostics[path, default: [:]][k] = v }
        }
        unpublished.insert(path)
        editedFiles.insert(path)
        show("Linja: \(passed) passed, \(failed) failed", type: failed > 0 ? 2 : 3)
        return ["passed": .int(passed), "failed": .int(failed)]
    }
}
