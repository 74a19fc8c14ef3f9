import Foundation
import Linja
import Testing

@testable import LinjaTools

/// Diagnostics while typing: the editor's text, the importers, UTF-16 columns.
struct LSPDiagnosticsTests {
    @Test func aMisspeltMunicipalityInTheRealRulesArrivesAtItsLineAndColumnWithAFix() throws {
        let client = try startedClient()
        defer { client.finish() }
        let file = rulesRoot + "/etela-keski-suomi/rules.linja"
        let text = try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: "in Keuruu, \"Mänttä-Vilppula\"", with: "in Keuruu, \"Mänttä-Vilpula\"")
        try client.open(file, text: text)
        let ds = try client.diagnostics(for: DocumentURI.uri(file))
        #expect(ds.count == 1)
        let d = try #require(ds.first)
        #expect(d["code"] == "L403")
        #expect(d["severity"] == 1)
        #expect(d.startPosition == position(of: "\"Mänttä-Vilpula\"", in: text))
        #expect(d["message"]?.string?.contains("did you mean `Mänttä-Vilppula`?") == true)
        let actions = try client.request("textDocument/codeAction", [
            "textDocument": ["uri": .string(DocumentURI.uri(file))], "range": d["range"] ?? .null,
            "context": ["diagnostics": [d]],
        ])
        let edits = actions["result"]?[0]?["edit"]?["changes"]?[DocumentURI.uri(file)]?.array ?? []
        #expect(actions["result"]?[0]?["kind"] == "quickfix")
        #expect(applying(edits, to: text) == (try String(contentsOfFile: file, encoding: .utf8)))
    }

    @Test func columnsAfterFinnishLettersDashesAndQuotesAreUTF16() throws {
        let text = """
            rule guidance "Uraohjaus – ”yli 3 kk”"
              in "Mänttä-Vilppula", Keuru
              when unemployed
              then assess guidance

            let x "Nuoret – ”alle 30” ä" = youth_age_limt

            """
        let (rules, client) = try miniSession(["eks/rules.linja": text])
        defer { client.finish() }
        let file = rules.path("eks/rules.linja")
        try client.open(file, text: text)
        let ds = try client.diagnostics(for: DocumentURI.uri(file))
        let keuru = try #require(ds.first { $0["message"]?.string?.contains("Keuru`") == true })
        #expect(keuru.startPosition == position(of: "Keuru\n", in: text))
        #expect(keuru["range"]?["end"]?["character"]?.int == position(of: "Keuru\n", in: text).character + 5)
        let limit = try #require(ds.first { $0["code"] == "L401" })
        #expect(limit.startPosition == position(of: "youth_age_limt", in: text))
        #expect(limit["data"]?["replacement"] == "youth_age_limit")
    }

    @Test func anUnsavedEditInTheSharedPolicyShowsErrorsInItsImportersAndUndoingClearsThem() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let common = rules.path("common/definitions.linja")
        let original = try String(contentsOfFile: common, encoding: .utf8)
        try client.open(common)
        #expect(try client.diagnostics(for: DocumentURI.uri(common)).isEmpty)
        // Without the let, `unemployed` reads as the status value: not a condition.
        let renamed = original.replacingOccurrences(of: "param guidance_after ", with: "param guidance_limit ")
            .replacingOccurrences(of: "let unemployed ", with: "let unemployed_now ")
        client.change(common, text: renamed, version: 2)
        let eks = try client.diagnostics(for: DocumentURI.uri(rules.path("eks/rules.linja")))
        #expect(eks.contains { $0["code"] == "L401" && $0["message"]?.string?.contains("`guidance_after`") == true })
        let pk = try client.diagnostics(for: DocumentURI.uri(rules.path("pk/area.linja")))
        #expect(pk.contains { $0["code"] == "L501" && $0.startPosition?.line == 8 })
        // The file on disk is unchanged: the server checked the editor's text.
        #expect(try String(contentsOfFile: common, encoding: .utf8) == original)
        client.change(common, text: original, version: 3)
        #expect(try client.diagnostics(for: DocumentURI.uri(rules.path("eks/rules.linja"))).isEmpty)
        #expect(try client.diagnostics(for: DocumentURI.uri(rules.path("pk/area.linja"))).isEmpty)
    }

    @Test func aDiagnosticInTheSharedPolicyIsShownOnceThoughThreePoliciesFindIt() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let common = rules.path("common/definitions.linja")
        let text = try String(contentsOfFile: common, encoding: .utf8) + "let broken = no_such_name\n"
        try client.open(common, text: text)
        let ds = try client.diagnostics(for: DocumentURI.uri(common))
        #expect(ds.filter { $0["code"] == "L401" }.count == 1)
        #expect(client.server.workspace.policies(including: rules.path("common")).count == 3)
    }

    @Test func closingAnEditedDocumentGoesBackToTheTextOnDisk() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules.linja")
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "then assess guidance", with: "then assess guidanse")
        try client.open(file, text: text)
        let ds = try client.diagnostics(for: DocumentURI.uri(file))
        #expect(ds.first?["code"] == "L404")
        client.notify("textDocument/didClose", ["textDocument": ["uri": .string(DocumentURI.uri(file))]])
        #expect(try client.diagnostics(for: DocumentURI.uri(file)).isEmpty)
    }

    @Test func incrementalEditsAreAppliedInUTF16Positions() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules.linja")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try client.open(file, text: text)
        _ = try client.diagnostics(for: DocumentURI.uri(file))
        // Replace `"Mänttä-Vilppula"` in the scope (after `Keuruu, `) with a misspelling, by range.
        let start = position(of: "\"Mänttä-Vilppula\"\n", in: text)
        let end = LSPPosition(line: start.line, character: start.character + "\"Mänttä-Vilppula\"".utf16.count)
        client.change(file, range: LSPRange(start: start, end: end), text: "\"Mäntä-Vilppula\"", version: 2)
        let ds = try client.diagnostics(for: DocumentURI.uri(file))
        #expect(ds.first?["code"] == "L403")
        #expect(ds.first?.startPosition == start)
        #expect(client.server.workspace.document(path: file)?.text.contains("in Keuruu, \"Mäntä-Vilppula\"") == true)
    }

    @Test func aNoteWithAPlaceBecomesRelatedInformationInTheImportedFile() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules.linja")
        let text = try String(contentsOfFile: file, encoding: .utf8) + "param youth_age_limit = 29\n"
        try client.open(file, text: text)
        let ds = try client.diagnostics(for: DocumentURI.uri(file))
        let d = try #require(ds.first { $0["code"] == "L304" })
        let related = try #require(d["relatedInformation"]?[0])
        #expect(related["location"]?["uri"]?.string == DocumentURI.uri(rules.path("common/definitions.linja")))
        #expect(related["location"]?["range"]?["start"]?["line"] == 0)
        #expect(d["message"]?.string?.contains("help: say `overrides`") == true)
    }

    /// The "did you mean" fix puts the suggestion where the mistake is,
    /// quoted only when the name needs quotes.
    @Test(arguments: [
        ("rulee r\n  when true\n  then flag young_client\n", "rulee", "rule"),
        ("param p = 3 monts\n", "monts", "month"),
        ("let x = client.statu is unemployed\n", "statu", "status"),
        ("rule r\n  in Keuru\n  when true\n  then flag young_client\n", "Keuru", "Keuruu"),
        ("rule r\n  in \"Mänttä-Vilpula\"\n  when true\n  then flag young_client\n", "\"Mänttä-Vilpula\"", "\"Mänttä-Vilppula\""),
        ("let x = status is unemployed\n", "status", "client.status"),
    ])
    func theDidYouMeanFixReplacesTheMistake(_ c: (String, String, String)) throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/extra.linja")
        try client.open(file, text: c.0)
        let ds = try client.diagnostics(for: DocumentURI.uri(file))
        let at = position(of: c.1, in: c.0)
        let d = try #require(ds.first { $0.startPosition == at }, "\(ds.map(\.text))")
        let actions = try client.request("textDocument/codeAction", [
            "textDocument": ["uri": .string(DocumentURI.uri(file))], "range": d["range"] ?? .null, "context": ["diagnostics": []],
        ])
        let edits = actions["result"]?[0]?["edit"]?["changes"]?[DocumentURI.uri(file)]?.array ?? []
        #expect(edits.first?["newText"]?.string == c.2)
        #expect(applying(edits, to: c.0) == c.0.replacingOccurrences(of: c.1, with: c.2))
    }
}
