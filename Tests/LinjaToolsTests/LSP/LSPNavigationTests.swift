import Foundation
import Linja
import Testing

@testable import LinjaTools

/// Go to definition, references, rename and document symbols.
struct LSPNavigationTests {
    func at(_ file: String, _ needle: String, occurrence: Int = 0, offset: Int = 1) throws -> JSONValue {
        textDocumentPosition(file, position(of: needle, in: try String(contentsOfFile: file, encoding: .utf8), occurrence: occurrence, offset: offset))
    }

    /// "file:line" (1-based) of each location, with paths relative to `root`.
    func places(_ locations: JSONValue?, root: String) -> [String] {
        (locations?.array ?? []).compactMap { l in
            guard let uri = l["uri"]?.string, let path = DocumentURI.path(uri), let line = l["range"]?["start"]?["line"]?.int else { return nil }
            return String(path.dropFirst(Paths.normalize(root).count + 1)) + ":\(line + 1)"
        }
    }

    @Test func definitionCrossesTheImportIntoTheSharedPolicy() throws {
        let client = try startedClient()
        defer { client.finish() }
        let file = rulesRoot + "/etela-keski-suomi/rules.linja"
        try client.open(file)
        let r = try client.request("textDocument/definition", try at(file, "unemployment >", offset: 2))
        let common = try String(contentsOfFile: rulesRoot + "/common/definitions.linja", encoding: .utf8)
        let line = common.components(separatedBy: "\n").firstIndex { $0.hasPrefix("let unemployment ") }.map { $0 + 1 } ?? 0
        #expect(places(.array([r["result"] ?? .null]), root: rulesRoot) == ["common/definitions.linja:\(line)"])
        #expect(r["result"]?["range"]?["start"] == position(of: "unemployment \"", in: common).json)
    }

    @Test func definitionOfAnImportPathIsTheImportedDirectorysFirstFile() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("eks/area.linja")
        try client.open(file)
        let r = try client.request("textDocument/definition", try at(file, "../common"))
        #expect(places(.array([r["result"] ?? .null]), root: rules.root) == ["common/client.linja:1"])
    }

    @Test func referencesCoverThePolicyAndItsImporters() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("common/definitions.linja")
        try client.open(file)
        var params = try at(file, "let unemployed ", offset: 5)
        if case .object(var o) = params { o["context"] = ["includeDeclaration": true]; params = .object(o) }
        let r = try client.request("textDocument/references", params)
        #expect(places(r["result"], root: rules.root).sorted() == [
            "common/definitions.linja:9", "common/rules.linja:2", "eks/rules.linja:10", "eks/rules.linja:2", "pk/area.linja:9",
        ])
        if case .object(var o) = params { o["context"] = ["includeDeclaration": false]; params = .object(o) }
        let without = try client.request("textDocument/references", params)
        #expect(!places(without["result"], root: rules.root).contains("common/definitions.linja:9"))
        // `client.status is unemployed` names the value, not the let.
        let valueRefs = try client.request("textDocument/references", try at(file, "is unemployed", offset: 4))
        #expect(places(valueRefs["result"], root: rules.root).sorted() == ["common/client.linja:10", "common/client.linja:12",
                                                                             "common/client.linja:13", "common/definitions.linja:9"])
    }

    @Test func renamingALetChangesEveryUseInEveryPolicy() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("common/definitions.linja")
        try client.open(file)
        var params = try at(file, "let unemployment", offset: 5)
        let prepared = try client.request("textDocument/prepareRename", params)
        #expect(prepared["result"]?["placeholder"] == "unemployment")
        if case .object(var o) = params { o["newName"] = "unemployment_spell"; params = .object(o) }
        let r = try client.request("textDocument/rename", params)
        let changes = try #require(r["result"]?["changes"]?.object)
        #expect(Set(changes.keys) == [DocumentURI.uri(file), DocumentURI.uri(rules.path("eks/rules.linja"))])
        // Applying the edits gives a policy that still checks clean.
        var edited: [String: [UInt8]] = [:]
        for (uri, edits) in changes {
            let path = try #require(DocumentURI.path(uri))
            edited[path] = Array(applying(edits.array ?? [], to: try String(contentsOfFile: path, encoding: .utf8)).utf8)
        }
        #expect(String(decoding: try #require(edited[rules.path("eks/rules.linja")]), as: UTF8.self).contains("unemployment_spell > guidance_after"))
        for area in ["eks", "pk"] {
            let p = Policy.load(directory: rules.path(area), root: rules.root, replacing: edited)
            #expect(!p.hasErrors, "\(p.diagnostics.map(\.message))")
        }
    }

    @Test func renamingFromAnAreaFileAloneFindsTheUsesInTheSharedPolicyAndTheOtherArea() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        // Only pk's file is open: its policy does not import eks, nor does common.
        let file = rules.path("pk/area.linja")
        try client.open(file)
        var params = try at(file, "when unemployed", offset: 6)
        if case .object(var o) = params { o["newName"] = "out_of_work"; params = .object(o) }
        let r = try client.request("textDocument/rename", params)
        let files = Set((r["result"]?["changes"]?.object ?? [:]).keys.compactMap { DocumentURI.path($0) })
        #expect(files == Set(["common/definitions.linja", "common/rules.linja", "eks/rules.linja", "pk/area.linja"].map(rules.path)))
    }

    @Test func openingAnAreaLoadsItAloneAndOpeningTheSharedPolicyLoadsItsImporters() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        try client.open(rules.path("pk/area.linja"))
        _ = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(DocumentURI.uri(rules.path("pk/area.linja")))]])
        #expect(client.server.workspace.policies.keys.sorted() == [rules.path("pk")])
        try client.open(rules.path("common/rules.linja"))
        _ = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(DocumentURI.uri(rules.path("common/rules.linja")))]])
        #expect(client.server.workspace.policies.keys.sorted() == [rules.path("common"), rules.path("eks"), rules.path("pk")])
    }

    @Test func renamingABaseParamRenamesTheAreasOverrideAndItsUses() throws {
        var files = miniRules
        files["eks/params.linja"] = "param guidance_after = 4 months\n  overrides\n"
        let rules = try TemporaryRules(files)
        let client = try startedClient()
        defer { client.finish() }
        let file = rules.path("common/definitions.linja")
        try client.open(file)
        var params = try at(file, "param guidance_after", offset: 7)
        if case .object(var o) = params { o["newName"] = "guidance_limit"; params = .object(o) }
        let r = try client.request("textDocument/rename", params)
        let changes = try #require(r["result"]?["changes"]?.object)
        #expect(changes[DocumentURI.uri(rules.path("eks/params.linja"))]?.array?.count == 1)
        #expect(changes[DocumentURI.uri(rules.path("eks/rules.linja"))]?.array?.count == 1)
        #expect(changes[DocumentURI.uri(file)]?.array?.count == 1)
    }

    @Test func aRenameThatClashesIsRefused() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("common/definitions.linja")
        try client.open(file)
        var params = try at(file, "let young", offset: 5)
        if case .object(var o) = params { o["newName"] = "unemployment"; params = .object(o) }
        let r = try client.request("textDocument/rename", params)
        #expect(r["error"]?["message"]?.string?.contains("`unemployment` is already a let") == true)
        if case .object(var o) = params { o["newName"] = "when"; params = .object(o) }
        #expect(try client.request("textDocument/rename", params)["error"]?["message"]?.string?.contains("not a name") == true)
    }

    @Test(arguments: [
        ("common/client.linja", "status \"", "a record field is a column of the client data"),
        ("eks/area.linja", "Keuruu code", "a municipality cannot be renamed"),
        ("common/client.linja", "laid_off \"", "an enumeration value is a value in the client data"),
    ])
    func namesTheDataUsesAreRefused(_ c: (String, String, String)) throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path(c.0)
        try client.open(file)
        let prepared = try client.request("textDocument/prepareRename", try at(file, c.1))
        #expect(prepared["error"]?["message"]?.string?.contains(c.2) == true)
        var params = try at(file, c.1)
        if case .object(var o) = params { o["newName"] = "something_else"; params = .object(o) }
        #expect(try client.request("textDocument/rename", params)["error"]?["message"]?.string?.contains(c.2) == true)
    }

    @Test func renamingAnOutcomeWarnsThatOutputsChange() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let file = rules.path("common/outcomes.linja")
        try client.open(file)
        var params = try at(file, "guidance \"")
        if case .object(var o) = params { o["newName"] = "career_guidance"; params = .object(o) }
        let r = try client.request("textDocument/rename", params)
        #expect(r["result"]?["changes"]?[DocumentURI.uri(rules.path("eks/rules.linja"))] != nil)
        let warning = try client.take { $0["method"] == "window/showMessage" }
        #expect(warning["params"]?["type"] == 2)
        #expect(warning["params"]?["message"]?.string?.contains("changes the outputs") == true)
    }

    @Test func documentSymbolsListDeclarationsWithTheirChildren() throws {
        let (rules, client) = try miniSession()
        defer { client.finish() }
        let area = rules.path("eks/area.linja")
        try client.open(area)
        let r = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(DocumentURI.uri(area))]])
        let symbols = r["result"]?.array ?? []
        #expect(symbols.map { $0["name"]?.string ?? "" } == ["import \"../common\"", "eks"])
        #expect(symbols[1]["children"]?.array?.map { $0["name"]?.string ?? "" } == ["Jämsä", "Keuruu", "Mänttä-Vilppula", "municipal_coaching"])
        let tests = rules.path("eks/rules_test.linja")
        try client.open(tests)
        let t = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(DocumentURI.uri(tests))]])
        #expect(t["result"]?.array?.map { $0["name"]?.string ?? "" } == ["keuruu_client", "Keuruu: uraohjaus yli 3 kk", "Jämsä: ei uraohjausta"])
        let defs = rules.path("common/definitions.linja")
        try client.open(defs)
        let d = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": .string(DocumentURI.uri(defs))]])
        #expect(d["result"]?.array?.map { $0["kind"]?.int ?? 0 } == [14, 14, 13, 13, 13])
    }
}
