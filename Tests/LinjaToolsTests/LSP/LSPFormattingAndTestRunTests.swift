import Foundation
import Linja
import Testing

@testable import LinjaTools

/// Formatting gives what `linja fmt` gives; tests run from the editor show
/// their failures as diagnostics.
struct LSPFormattingTests {
    static let messy = """
        param   a="x"
        let b=   client.status is unemployed   and young

        rule  r1 "Yksi – ”kaksi”" when b then assess guidance
        rule r2
           when not b
           then flag young_client

        """

    func formatted(_ text: String) throws -> String {
        try #require(FormatFiles.format(path: "x.linja", bytes: Array(text.utf8)).formatted)
    }

    @Test(arguments: ["eks/rules.linja", "common/client.linja"])
    func formattingTheRealRulesAndAMessyFileGivesWhatLinjaFmtGives(_ name: String) throws {
        let (rules, client) = try miniSession(["eks/rules.linja": miniRules["eks/rules.linja", default: ""] + Self.messy])
        defer { client.finish() }
        let file = rules.path(name)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try client.open(file, text: text)
        let r = try client.request("textDocument/formatting", ["textDocument": ["uri": .string(DocumentURI.uri(file))],
                                                               "options": ["tabSize": 2, "insertSpaces": true]])
        let edits = r["result"]?.array ?? []
        #expect(applying(edits, to: text) == (try formatted(text)))
        // A formatted file gets no edits.
        if text == (try formatted(text)) { #expect(edits.isEmpty) } else { #expect(edits.count == 1) }
    }

    @Test func theRealRulesAreAlreadyFormatted() throws {
        let client = try startedClient()
        defer { client.finish() }
        for name in ["common/definitions.linja", "etela-keski-suomi/goals.linja"] {
            let file = rulesRoot + "/" + name
            try client.open(file)
            let r = try client.request("textDocument/formatting", ["textDocument": ["uri": .string(DocumentURI.uri(file))], "options": [:]])
            #expect(r["result"] == [], "\(name)")
        }
    }

    @Test func rangeFormattingFormatsExactlyTheDeclarationsTheRangeOverlaps() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules.linja")
        let text = Self.messy
        try client.open(file, text: text)
        // A range inside `rule  r1 …` only.
        let start = position(of: "Yksi", in: text)
        let r = try client.request("textDocument/rangeFormatting", [
            "textDocument": ["uri": .string(DocumentURI.uri(file))],
            "range": LSPRange(start: start, end: LSPPosition(line: start.line, character: start.character + 2)).json, "options": [:],
        ])
        let result = applying(r["result"]?.array ?? [], to: text)
        let canonical = try formatted(text)
        // r1 reads as `linja fmt` prints it; the params, lets and r2 are untouched.
        let r1 = canonical.components(separatedBy: "\n\n").first { $0.hasPrefix("rule r1") } ?? "?"
        #expect(result.contains(r1 + "\n"))
        #expect(result.contains("param   a=\"x\""))
        #expect(result.contains("rule r2\n   when not b"))
        // Formatting every declaration by ranges one after another ends where whole-file formatting does... for r2 too.
        let all = try client.request("textDocument/rangeFormatting", [
            "textDocument": ["uri": .string(DocumentURI.uri(file))],
            "range": LSPRange(start: .init(line: 0, character: 0), end: .init(line: 99, character: 0)).json, "options": [:],
        ])
        #expect(applying(all["result"]?.array ?? [], to: text) == canonical)
    }

    @Test func aFileWithSyntaxErrorsGetsNoEdits() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules.linja")
        try client.open(file, text: "rule r when\n")
        let r = try client.request("textDocument/formatting", ["textDocument": ["uri": .string(DocumentURI.uri(file))], "options": [:]])
        #expect(r["result"] == [])
        #expect(r["error"] == nil)
    }
}

struct LSPTestRunTests {
    @Test func aTestFileHasALensForTheFileAndOneForEachTest() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules_test.linja")
        try client.open(file)
        let r = try client.request("textDocument/codeLens", ["textDocument": ["uri": .string(DocumentURI.uri(file))]])
        let lenses = r["result"]?.array ?? []
        #expect(lenses.map { $0["command"]?["title"]?.string ?? "" } == ["▶ Run the file's 2 tests", "▶ Run test", "▶ Run test"])
        #expect(lenses[1]["command"]?["arguments"] == [.string(DocumentURI.uri(file)), "Keuruu: uraohjaus yli 3 kk"])
        #expect(lenses[1]["command"]?["command"] == "linja.runTests")
    }

    @Test func runningAFilesTestsShowsAFailureWhereItsExpectationIsWritten() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules_test.linja")
        // An unsaved edit that makes the second test fail.
        let text = try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: "expect not assess guidance", with: "expect assess guidance")
        try client.open(file, text: text)
        _ = try client.diagnostics(for: DocumentURI.uri(file))
        let r = try client.request("workspace/executeCommand", ["command": "linja.runTests", "arguments": [.string(DocumentURI.uri(file))]])
        #expect(r["result"]?["passed"] == 1)
        #expect(r["result"]?["failed"] == 1)
        let ds = try client.diagnostics(for: DocumentURI.uri(file))
        #expect(ds.count == 1)
        let d = try #require(ds.first)
        #expect(d["source"] == "linja test")
        #expect(d.startPosition == position(of: "expect assess guidance", in: text, occurrence: 1))
        #expect(d["message"]?.string?.hasPrefix("test \"Jämsä: ei uraohjausta\" failed: expected `assess guidance`") == true)
        let shown = try client.take { $0["method"] == "window/showMessage" }
        #expect(shown["params"]?["message"] == "Linja: 1 passed, 1 failed")
        // Editing the file clears the stale failures.
        client.change(file, text: text + "\n", version: 2)
        #expect(try client.diagnostics(for: DocumentURI.uri(file)).isEmpty)
    }

    @Test func runningOneTestRunsOnlyIt() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules_test.linja")
        try client.open(file)
        let r = try client.request("workspace/executeCommand", ["command": "linja.runTests",
                                                               "arguments": [.string(DocumentURI.uri(file)), "Jämsä: ei uraohjausta"]])
        #expect(r["result"]?["passed"] == 1)
        #expect(r["result"]?["failed"] == 0)
    }

    @Test func aPolicyWithErrorsRunsNoTestsAndSaysWhy() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules_test.linja")
        try client.open(file, text: "test \"x\" { as_of 2026-05-01\n client { municipality: Nowhere }\n expect assess guidance }\n")
        let r = try client.request("workspace/executeCommand", ["command": "linja.runTests", "arguments": [.string(DocumentURI.uri(file))]])
        #expect(r["result"]?["errors"]?.int ?? 0 > 0)
        let shown = try client.take { $0["method"] == "window/showMessage" }
        #expect(shown["params"]?["message"]?.string?.contains("tests run once it checks clean") == true)
    }
}
