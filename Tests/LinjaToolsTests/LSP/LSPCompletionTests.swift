import Foundation
import Linja
import Testing

@testable import LinjaTools

/// Completion by context. Each case appends text to the mini tree's
/// `eks/rules.linja` and asks for completion at its end.
struct LSPCompletionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let typed: String
        let includes: [String]
        let excludes: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "fields after client.", typed: "\nlet x = client.", includes: ["status", "unemployed_since", "municipality"],
             excludes: ["unemployed", "guidance_after"]),
        Case(name: "fields after client. with a started word", typed: "\nlet x = client.st", includes: ["status"], excludes: ["documents"]),
        Case(name: "flag outcomes after flag", typed: "\nrule r when true then flag ", includes: ["young_client"],
             excludes: ["documents", "guidance"]),
        Case(name: "assess outcomes after assess", typed: "\nrule r when true then assess ", includes: ["guidance"],
             excludes: ["young_client"]),
        Case(name: "destinations after refer x to", typed: "\nrule r when true then refer documents to ",
             includes: ["area_coach", "municipal_coach"], excludes: ["guidance"]),
        Case(name: "enumeration values after is", typed: "\nlet x = client.status is ", includes: ["unemployed", "laid_off", "short_layoff"],
             excludes: ["guidance_after", "Keuruu"]),
        Case(name: "enumeration values after is not", typed: "\nlet x = client.status is not ", includes: ["laid_off"], excludes: ["Keuruu"]),
        Case(name: "values in a set after in {", typed: "\nlet x = client.status in {unemployed, ", includes: ["short_layoff"], excludes: ["Jämsä"]),
        Case(name: "places after in", typed: "\nrule r\n  in ", includes: ["Jämsä", "Keuruu", "Mänttä-Vilppula", "municipal_coaching", "eks"],
             excludes: ["unemployed", "guidance_after"]),
        Case(name: "places after a comma of a scope", typed: "\nrule r\n  in Keuruu, ", includes: ["Jämsä", "municipal_coaching"],
             excludes: ["young"]),
        Case(name: "places after client.municipality in", typed: "\nlet x = client.municipality in ", includes: ["municipal_coaching"],
             excludes: ["young"]),
        Case(name: "units after a number", typed: "\nparam p = 3 ", includes: ["months", "days", "vrk", "kk", "%", "€"], excludes: ["young"]),
        Case(name: "units after a number with a started word", typed: "\nparam p = 3 mo", includes: ["months"], excludes: []),
        Case(name: "declaration keywords at the start of a line", typed: "\n", includes: ["rule", "param", "let", "test", "outcome"],
             excludes: ["when", "young"]),
        Case(name: "clause keywords and names on an indented line", typed: "\nrule r\n  ", includes: ["when", "unless", "then", "source"],
             excludes: []),
        Case(name: "names in scope in an expression", typed: "\nlet x = ", includes: ["young", "unemployment", "guidance_after",
                                                                                 "youth_age_limit", "age", "client", "Keuruu", "not"],
             excludes: ["documents", "status"]),
        Case(name: "fixtures after like", typed: "\nfixture f like ", includes: ["keuruu_client"], excludes: ["young"]),
        Case(name: "rules after overrides", typed: "\nrule r overrides ", includes: ["young_flag"], excludes: ["young"]),
        Case(name: "nothing inside a comment", typed: "\n# then flag ", includes: [], excludes: ["young_client"]),
        Case(name: "targets statuses after expect target x is", typed: "\ntest \"t\" {\n  expect target t is ", includes: ["met", "near", "missed"],
             excludes: ["unemployed"]),
        Case(name: "field names in a test client", typed: "\ntest \"t\" {\n  client {\n    ", includes: ["municipality", "status"],
             excludes: ["young"]),
        Case(name: "field values in a test client", typed: "\ntest \"t\" {\n  client { status: ", includes: ["laid_off"],
             excludes: ["Keuruu"]),
    ]

    @Test(arguments: cases)
    func completionOffersWhatTheContextAsksFor(_ c: Case) throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules.linja")
        let text = try String(contentsOfFile: file, encoding: .utf8) + c.typed
        try client.open(file, text: text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let end = LSPPosition(line: lines.count - 1, character: lines.last.map { $0.utf16.count } ?? 0)
        let r = try client.request("textDocument/completion", textDocumentPosition(file, end))
        let labels = Set((r["result"]?["items"]?.array ?? []).compactMap { $0["label"]?.string })
        for l in c.includes { #expect(labels.contains(l), "\(c.name): \(l) missing from \(labels.sorted())") }
        for l in c.excludes { #expect(!labels.contains(l), "\(c.name): \(l) offered") }
    }

    @Test func aQuotedMunicipalityReplacesTheTypedQuoteAndTheEditorsClosingQuote() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules.linja")
        let text = try String(contentsOfFile: file, encoding: .utf8) + "\nrule r\n  in \"Mä\""
        try client.open(file, text: text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // The cursor is before the closing quote the editor added.
        let cursor = LSPPosition(line: lines.count - 1, character: (lines.last?.utf16.count ?? 1) - 1)
        let r = try client.request("textDocument/completion", textDocumentPosition(file, cursor))
        let item = try #require(r["result"]?["items"]?.array?.first { $0["label"] == "Mänttä-Vilppula" })
        let edit = try #require(item["textEdit"])
        #expect(edit["newText"] == "\"Mänttä-Vilppula\"")
        #expect(applying([edit], to: text).hasSuffix("\n  in \"Mänttä-Vilppula\""))
    }

    @Test func aNameWithAHyphenTypedWithoutQuotesIsInsertedQuoted() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/rules.linja")
        let text = try String(contentsOfFile: file, encoding: .utf8) + "\nrule r\n  in Mä"
        try client.open(file, text: text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let r = try client.request("textDocument/completion", textDocumentPosition(file, LSPPosition(line: lines.count - 1, character: 7)))
        let item = try #require(r["result"]?["items"]?.array?.first { $0["label"] == "Mänttä-Vilppula" })
        #expect(applying([item["textEdit"] ?? .null], to: text).hasSuffix("\n  in \"Mänttä-Vilppula\""))
        #expect(item["detail"] == "municipality 508")
    }
}
