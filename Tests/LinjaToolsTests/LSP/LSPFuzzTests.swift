import Foundation
import Linja
import Testing

@testable import LinjaTools

/// Random edits and requests: the server answers every request, never
/// traps, keeps the same text as the editor, and its last diagnostics are
/// those of a fresh check of that text.
struct LSPFuzzTests {
    static let snippets = ["", "ä", "Ö", "🙂", "\n", "\r\n", " ", "rule ", "when ", "then ", "\"", "\"Mänttä-", "{", "}", "(", ")",
                           "client.", "client.status is ", " in ", "–", "”", "# ", "Keuruu", " and ", "3 months", "75 %", "refer ",
                           "documents to ", "let x = ", "param p = ", "test \"t\" {", "expect ", "\\", "\u{0308}", "0", "2026-02-30",
                           "unemployed", "guidance_after", "overrides", "import \"../common\"\n", ":", ",", "|", "\"\"\"", "area a {"]

    static let methods = ["textDocument/hover", "textDocument/definition", "textDocument/references", "textDocument/completion",
                          "textDocument/documentSymbol", "textDocument/formatting", "textDocument/rangeFormatting",
                          "textDocument/codeAction", "textDocument/prepareRename", "textDocument/rename", "textDocument/codeLens",
                          "workspace/executeCommand"]

    @Test(arguments: [UInt64(1), 2, 3])
    func randomEditsAndRequestsNeverEndTheSessionAndDiagnosticsMatchAFreshCheck(seed: UInt64) throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        var rng = SplitMix64(seed: seed)
        let file = rules.path("eks/rules.linja")
        let uri = DocumentURI.uri(file)
        var text = try String(contentsOfFile: file, encoding: .utf8)
        try client.open(file, text: text)
        var version = 1
        func randomPosition(wild: Bool) -> LSPPosition {
            let units = Array(text.utf16)
            let lines = utf16Lines(units)
            if wild {
                return LSPPosition(line: rng.below(lines.count + 3) - 1, character: rng.below(200) - 2)
            }
            let l = rng.below(lines.count)
            // A position between two characters (not inside a surrogate pair or a cluster) of the line.
            let line = String(decoding: units[lines[l].start..<lines[l].end], as: UTF16.self)
            let chars = Array(line)
            let k = rng.below(chars.count + 1)
            return LSPPosition(line: l, character: String(chars[0..<k]).utf16.count)
        }
        for step in 0..<150 {
            switch rng.below(10) {
            case 0...4:
                var a = randomPosition(wild: false)
                var b = rng.below(3) == 0 ? randomPosition(wild: false) : a
                if b < a { swap(&a, &b) }
                let insert = Self.snippets[rng.below(Self.snippets.count)]
                let edit: JSONValue = ["range": LSPRange(start: a, end: b).json, "newText": .string(insert)]
                text = applying([edit], to: text)
                version += 1
                client.change(file, range: LSPRange(start: a, end: b), text: insert, version: version)
            case 5:
                // Positions outside the text or inside a surrogate pair: take the server's text afterwards.
                let a = randomPosition(wild: true)
                let b = randomPosition(wild: true)
                version += 1
                client.change(file, range: LSPRange(start: a, end: b), text: Self.snippets[rng.below(Self.snippets.count)], version: version)
                _ = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(uri)]])
                text = try #require(client.server.workspace.document(path: file)?.text)
            case 6:
                let junk: [[UInt8]] = [Array("Content-Length: 3\r\n\r\n{x}".utf8), Array("\r\n\r\n".utf8),
                                       Array("Content-Length: 2\r\n\r\n{}".utf8), Array("Content-Length: 4\r\n\r\nnull".utf8)]
                client.sendRaw(junk[rng.below(junk.count)])
            default:
                let method = Self.methods[rng.below(Self.methods.count)]
                let p = randomPosition(wild: rng.below(4) == 0)
                let params: JSONValue = [
                    "textDocument": ["uri": .string(uri)], "position": p.json,
                    "range": LSPRange(start: p, end: randomPosition(wild: false)).json,
                    "newName": .string(["x", "young2", "when", "ä_b", ""][rng.below(5)]),
                    "context": ["includeDeclaration": true, "diagnostics": []], "options": [:],
                    "command": "linja.runTests", "arguments": [.string(uri)],
                ]
                let r = try client.request(method, params)
                #expect(r["result"] != nil || r["error"] != nil, "step \(step): \(method)")
            }
        }
        // The editor and the server hold the same text.
        _ = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(uri)]])
        #expect(client.server.workspace.document(path: file)?.text == text)
        // The last diagnostics are a fresh check's.
        version += 1
        client.change(file, text: text, version: version)
        let published = try client.take(what: "the last diagnostics") {
            $0["method"] == "textDocument/publishDiagnostics" && $0["params"]?["uri"]?.string == uri && $0["params"]?["version"]?.int == version
        }
        let got = Set((published["params"]?["diagnostics"]?.array ?? []).filter { $0["source"] == "linja" }.map {
            "\($0["code"]?.string ?? "") \($0.startPosition.map { "\($0.line):\($0.character)" } ?? "")"
        })
        let fresh = Policy.load(directory: rules.path("eks"), root: rules.root, replacing: [file: Array(text.utf8)])
        let map = LineMap(bytes: Array(text.utf8))
        let want = Set(fresh.diagnostics.filter { $0.span.file.map { Paths.normalize($0.path) } == file }.map { d -> String in
            let p = map.position(of: d.span.start)
            return "\(d.code.rawValue) \(p.line):\(p.character)"
        })
        #expect(got == want)
        #expect(client.finish() == 0)
    }
}
